package autogen

import (
	"errors"
	"fmt"
	"slices"

	"github.com/retortdb/retort/config"
	"github.com/retortdb/retort/dialect"
	"github.com/retortdb/retort/op"
	"github.com/retortdb/retort/schema"
)

// DiffOptions tune Diff.
type DiffOptions struct {
	// Renames are tables and columns to rename (op.RenameTable,
	// op.RenameColumn, first of all ops) instead of dropping and adding
	// them. Each must name a dropped and an added object (see
	// ParseRenames); DetectRenames finds the likely ones.
	Renames []Rename
	// InlineForeignKeys keeps the foreign keys of created and dropped tables
	// in their CreateTable and DropTable ops instead of separate
	// AddForeignKey and DropForeignKey ops, for dialects that cannot add a
	// foreign key to an existing table (SQLite, which also accepts a
	// reference to a table that does not exist yet).
	InlineForeignKeys bool
	// RebuildTables turns the changes to a table that go beyond adding
	// columns and creating or dropping indexes into one op.RebuildTable
	// (SQLite, whose ALTER TABLE cannot make them).
	RebuildTables bool
	// ForeignKeysNeedIndexes drops a foreign key that stays before an
	// index, unique constraint or primary key of its table whose leading
	// columns are the key's is dropped, and adds it again at the end
	// (MySQL, which refuses to drop the index a foreign key uses).
	ForeignKeysNeedIndexes bool
	// RenameConstraints renames (op.RenameConstraint) a primary key,
	// unique, check or foreign key constraint or an index that differs only
	// by its name, instead of dropping and adding it (PostgreSQL).
	RenameConstraints bool
}

// OptionsFor returns the DiffOptions a dialect needs: InlineForeignKeys
// and RebuildTables for a dialect.Rebuilder (SQLite),
// ForeignKeysNeedIndexes for MySQL, RenameConstraints for PostgreSQL.
func OptionsFor(d dialect.Dialect) DiffOptions {
	_, rebuilds := d.(dialect.Rebuilder)
	return DiffOptions{InlineForeignKeys: rebuilds, RebuildTables: rebuilds,
		ForeignKeysNeedIndexes: d.Name() == config.MySQL, RenameConstraints: d.Name() == config.PostgreSQL}
}

// Diff returns the operations that turn schema from into schema to, ordered
// so that they can run one after another:
//
//  0. rename tables, then columns (opts.Renames); the rest of the diff
//     compares from, renamed, with to;
//  1. create enum types, add enum labels (op.ChangeEnum);
//  2. drop foreign keys that go away or change (also those of dropped
//     tables), so no table is dropped while something references it;
//  3. drop indexes, unique and check constraints and primary keys that go
//     away or change;
//  4. drop tables; rename the constraints and indexes that differ only by
//     name (opts.RenameConstraints), now that the names dropped are free;
//  5. create tables (with their key, uniques, checks and indexes, but no
//     foreign keys);
//  6. add, alter and drop columns; table comments; table rebuilds
//     (opts.RebuildTables);
//  7. add primary keys, uniques, checks and indexes;
//  8. add foreign keys: every table exists by now, which also breaks
//     foreign-key cycles;
//  9. rebuild the enum types that lose or reorder labels (op.ChangeEnum),
//     now that the columns are as in to; drop enum types.
//
// CreateTable and DropTable carry the table without its foreign keys, which
// are separate ops (unless opts.InlineForeignKeys), so that Downgrade of the
// list is valid too. With opts.InlineForeignKeys, tables are created in
// the order of their references (a referenced table first) and dropped
// after step 6 (whose table rebuilds may remove the references to them),
// in the reverse order.
//
// Objects are matched by (schema-qualified) name for tables, enums and
// columns, and by full equality for everything else: a changed index or
// constraint is dropped and added again. Triggers, table Extra facts and
// Namespaces are not compared.
func Diff(from, to *schema.Schema, opts DiffOptions) ([]op.Op, error) {
	if from == nil {
		from = &schema.Schema{}
	}
	if to == nil {
		to = &schema.Schema{}
	}
	renames, err := renameOps(from, to, opts.Renames)
	if err != nil {
		return nil, err
	}
	if len(renames) > 0 {
		from = from.Clone()
		if err := op.Apply(from, renames...); err != nil {
			return nil, err
		}
	}
	var enums, dropFKs, dropCons, dropTables, renameCons, createTables, columns, addCons, addFKs, lateEnums, dropEnums []op.Op
	// droppedKeys are the primary keys, uniques and unique indexes dropped
	// from tables that stay.
	var droppedKeys []key

	// Enums.
	for _, e := range to.Enums {
		old := from.Enum(e.Schema, e.Name)
		switch {
		case old == nil:
			enums = append(enums, &op.CreateEnum{Enum: e.Clone()})
		case !old.Equal(e):
			first, last := enumChanges(from, to, old, e)
			if first != nil {
				enums = append(enums, first)
			}
			if last != nil {
				lateEnums = append(lateEnums, last)
			}
		}
	}
	for _, e := range from.Enums {
		if to.Enum(e.Schema, e.Name) == nil {
			dropEnums = append(dropEnums, &op.DropEnum{Enum: e.Clone()})
		}
	}
	// Tables.
	for _, t := range from.Tables {
		if to.Table(t.Schema, t.Name) != nil {
			continue
		}
		if opts.InlineForeignKeys {
			dropTables = append(dropTables, &op.DropTable{Table: t.Clone()})
			continue
		}
		ref := op.Ref(t)
		for _, fk := range t.ForeignKeys {
			dropFKs = append(dropFKs, &op.DropForeignKey{Table: ref, ForeignKey: fk})
		}
		dropTables = append(dropTables, &op.DropTable{Table: withoutFKs(t)})
	}
	for _, t := range to.Tables {
		old := from.Table(t.Schema, t.Name)
		ref := op.Ref(t)
		if old == nil && opts.InlineForeignKeys {
			createTables = append(createTables, &op.CreateTable{Table: t.Clone()})
			continue
		}
		if old == nil {
			createTables = append(createTables, &op.CreateTable{Table: withoutFKs(t)})
			for _, fk := range t.ForeignKeys {
				addFKs = append(addFKs, &op.AddForeignKey{Table: ref, ForeignKey: fk})
			}
			continue
		}
		if old.Equal(t) {
			continue
		}
		if opts.RenameConstraints {
			var rops []op.Op
			if old, rops = constraintRenames(old, t); len(rops) > 0 {
				renameCons = append(renameCons, rops...)
				if old.Equal(t) {
					continue
				}
			}
		}
		n0, n1, n2, n3, n4, n5 := len(dropFKs), len(dropCons), len(columns), len(addCons), len(addFKs), len(droppedKeys)
		// Constraints and indexes, matched by equality.
		for _, fk := range old.ForeignKeys {
			if !slices.ContainsFunc(t.ForeignKeys, fk.Equal) {
				dropFKs = append(dropFKs, &op.DropForeignKey{Table: ref, ForeignKey: fk})
			}
		}
		for _, fk := range t.ForeignKeys {
			if !slices.ContainsFunc(old.ForeignKeys, fk.Equal) {
				addFKs = append(addFKs, &op.AddForeignKey{Table: ref, ForeignKey: fk})
			}
		}
		pkChanged := !old.PrimaryKey.Equal(t.PrimaryKey)
		if opts.ForeignKeysNeedIndexes {
			dropFKs, addFKs = rewrapForeignKeys(old, t, pkChanged, dropFKs, addFKs)
		}
		if pkChanged && old.PrimaryKey != nil {
			dropCons = append(dropCons, &op.DropPrimaryKey{Table: ref, PrimaryKey: *old.PrimaryKey})
			droppedKeys = append(droppedKeys, key{ref, old.PrimaryKey.Columns})
		}
		for _, x := range old.Indexes {
			if !slices.ContainsFunc(t.Indexes, x.Equal) {
				dropCons = append(dropCons, &op.DropIndex{Table: ref, Index: x.Clone()})
				if cols, ok := x.Columns(); ok && x.Unique && x.Where == "" {
					droppedKeys = append(droppedKeys, key{ref, cols})
				}
			}
		}
		for _, u := range old.Uniques {
			if !slices.ContainsFunc(t.Uniques, u.Equal) {
				dropCons = append(dropCons, &op.DropUnique{Table: ref, Unique: u})
				droppedKeys = append(droppedKeys, key{ref, u.Columns})
			}
		}
		for _, c := range old.Checks {
			if !slices.ContainsFunc(t.Checks, c.Equal) {
				dropCons = append(dropCons, &op.DropCheck{Table: ref, Check: c})
			}
		}
		if pkChanged && t.PrimaryKey != nil {
			addCons = append(addCons, &op.AddPrimaryKey{Table: ref, PrimaryKey: *t.PrimaryKey})
		}
		for _, u := range t.Uniques {
			if !slices.ContainsFunc(old.Uniques, u.Equal) {
				addCons = append(addCons, &op.AddUnique{Table: ref, Unique: u})
			}
		}
		for _, c := range t.Checks {
			if !slices.ContainsFunc(old.Checks, c.Equal) {
				addCons = append(addCons, &op.AddCheck{Table: ref, Check: c})
			}
		}
		for _, x := range t.Indexes {
			if !slices.ContainsFunc(old.Indexes, x.Equal) {
				addCons = append(addCons, &op.CreateIndex{Table: ref, Index: x.Clone()})
			}
		}
		// Columns, matched by name.
		for _, c := range t.Columns {
			oc := old.Column(c.Name)
			switch {
			case oc == nil:
				columns = append(columns, &op.AddColumn{Table: ref, Column: c.Clone()})
			case !oc.Equal(c):
				columns = append(columns, &op.AlterColumn{Table: ref, Existing: oc.Clone(), Column: c.Clone()})
			}
		}
		for _, c := range old.Columns {
			if t.Column(c.Name) == nil {
				columns = append(columns, &op.DropColumn{Table: ref, Column: c.Clone()})
			}
		}
		if old.Comment != t.Comment {
			columns = append(columns, &op.SetTableComment{Table: ref, Existing: old.Comment, Comment: t.Comment})
		}
		if opts.RebuildTables && needsRebuild(dropFKs[n0:], dropCons[n1:], columns[n2:], addCons[n3:], addFKs[n4:]) {
			dropFKs, dropCons, columns, addCons, addFKs, droppedKeys = dropFKs[:n0], dropCons[:n1], columns[:n2], addCons[:n3], addFKs[:n4], droppedKeys[:n5]
			columns = append(columns, &op.RebuildTable{From: old.Clone(), To: t.Clone()})
		}
	}
	if !opts.InlineForeignKeys {
		dropFKs, addFKs = unhookForeignKeys(from, to, droppedKeys, dropFKs, addFKs)
	}
	if opts.InlineForeignKeys {
		// Foreign keys are inside the tables: create a referenced table
		// before the tables that reference it, drop it after them.
		// Tables go after the rebuilds, which may remove the foreign keys
		// that reference them.
		createTables = byReferences(createTables, false)
		dropTables = byReferences(dropTables, true)
		return slices.Concat(renames, enums, dropFKs, dropCons, renameCons, createTables, columns, dropTables, addCons, addFKs, lateEnums, dropEnums), nil
	}
	return slices.Concat(renames, enums, dropFKs, dropCons, dropTables, renameCons, createTables, columns, addCons, addFKs, lateEnums, dropEnums), nil
}

// Downgrade returns the ops that undo ops: each op reversed, in reverse
// order. It fails when an op has no inverse, naming it.
func Downgrade(ops []op.Op) ([]op.Op, error) {
	out := make([]op.Op, 0, len(ops))
	var errs []error
	for i := len(ops) - 1; i >= 0; i-- {
		r, err := ops[i].Reverse()
		if err != nil {
			errs = append(errs, err)
			continue
		}
		out = append(out, r)
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("no downgrade: %w", errors.Join(errs...))
	}
	return out, nil
}

// enumChanges returns the ops that change enum old (of from) into new (of
// to): a ChangeEnum that adds new's labels, first of all (step 1), so that
// the columns changed later can use them; and, when labels go away or move,
// a ChangeEnum that rebuilds the type once the columns are as in to (after
// step 8).
func enumChanges(from, to *schema.Schema, old, new *schema.Enum) (first, last op.Op) {
	ref := op.TableRef{Schema: new.Schema, Name: new.Name}
	mid := slices.Clone(old.Values)
	for _, v := range new.Values {
		if !slices.Contains(old.Values, v) {
			mid = append(mid, v)
		}
	}
	if add := (&op.ChangeEnum{From: old.Values, To: new.Values}); len(mid) > len(old.Values) {
		if _, ok := add.Additions(); ok {
			// Labels added in place: one step.
			return &op.ChangeEnum{Enum: ref, From: slices.Clone(old.Values), To: slices.Clone(new.Values), Columns: op.EnumColumns(from, ref)}, nil
		}
		first = &op.ChangeEnum{Enum: ref, From: slices.Clone(old.Values), To: slices.Clone(mid), Columns: op.EnumColumns(from, ref)}
	}
	return first, &op.ChangeEnum{Enum: ref, From: mid, To: slices.Clone(new.Values), Columns: op.EnumColumns(to, ref)}
}

// needsRebuild reports whether a table's ops include any besides AddColumn
// (of a nullable column or one with a default), CreateIndex and DropIndex.
func needsRebuild(lists ...[]op.Op) bool {
	for _, l := range lists {
		for _, o := range l {
			switch o := o.(type) {
			case *op.CreateIndex, *op.DropIndex:
			case *op.AddColumn:
				// ADD COLUMN NOT NULL needs a default.
				if !o.Column.Nullable && o.Column.Default == "" {
					return true
				}
			default:
				return true
			}
		}
	}
	return false
}

// byReferences orders CreateTable ops (or DropTable ops, when drop is set)
// so that a table comes after the tables of the list its foreign keys
// reference (before them, for drops), keeping the given order otherwise;
// a reference cycle is broken at its first table in the given order.
func byReferences(ops []op.Op, drop bool) []op.Op {
	tables := make([]*schema.Table, len(ops))
	for i, o := range ops {
		switch o := o.(type) {
		case *op.CreateTable:
			tables[i] = o.Table
		case *op.DropTable:
			tables[i] = o.Table
		}
	}
	// refs[i] reports whether table i references table j (i != j).
	refs := func(i, j int) bool {
		return slices.ContainsFunc(tables[i].ForeignKeys, func(fk schema.ForeignKey) bool {
			return fk.RefSchema == tables[j].Schema && fk.RefTable == tables[j].Name
		})
	}
	done := make([]bool, len(ops))
	out := make([]op.Op, 0, len(ops))
	for len(out) < len(ops) {
		next := -1
		for i := range ops {
			if done[i] {
				continue
			}
			ready := true
			for j := range ops {
				if j != i && !done[j] && (!drop && refs(i, j) || drop && refs(j, i)) {
					ready = false
					break
				}
			}
			if ready {
				next = i
				break
			}
		}
		if next < 0 { // a cycle
			next = slices.Index(done, false)
		}
		done[next] = true
		out = append(out, ops[next])
	}
	return out
}

// constraintRenames pairs the constraints and indexes of old and t that
// differ only by name (each with a single such partner), and returns old
// with them renamed as in t, and the op.RenameConstraint ops that do it.
func constraintRenames(old, t *schema.Table) (*schema.Table, []op.Op) {
	ref := op.Ref(t)
	var ops []op.Op
	if p, q := old.PrimaryKey, t.PrimaryKey; p != nil && q != nil && p.Name != q.Name && p.Name != "" && q.Name != "" && slices.Equal(p.Columns, q.Columns) {
		ops = append(ops, &op.RenameConstraint{Table: ref, Kind: op.RenamesPrimaryKey, From: p.Name, To: q.Name})
	}
	ops = append(ops, pairRenames(ref, op.RenamesUnique, old.Uniques, t.Uniques,
		func(u schema.Unique) string { return u.Name }, func(u schema.Unique, n string) schema.Unique { u.Name = n; return u })...)
	ops = append(ops, pairRenames(ref, op.RenamesCheck, old.Checks, t.Checks,
		func(c schema.Check) string { return c.Name }, func(c schema.Check, n string) schema.Check { c.Name = n; return c })...)
	ops = append(ops, pairRenames(ref, op.RenamesForeignKey, old.ForeignKeys, t.ForeignKeys,
		func(f schema.ForeignKey) string { return f.Name }, func(f schema.ForeignKey, n string) schema.ForeignKey { f.Name = n; return f })...)
	ops = append(ops, pairRenames(ref, op.RenamesIndex, old.Indexes, t.Indexes,
		func(x schema.Index) string { return x.Name }, func(x schema.Index, n string) schema.Index { x.Name = n; return x })...)
	if len(ops) == 0 {
		return old, nil
	}
	s := &schema.Schema{Tables: []*schema.Table{old.Clone()}}
	if err := op.Apply(s, ops...); err != nil {
		return old, nil // a name clash within the table: drop and add instead
	}
	return s.Tables[0], ops
}

// pairRenames returns a RenameConstraint for each element of old that t
// lacks and that equals, but for the name, exactly one element of t that
// old lacks (and the other way round).
func pairRenames[T interface{ Equal(T) bool }](ref op.TableRef, kind string, old, t []T, name func(T) string, named func(T, string) T) []op.Op {
	var gone, added []T
	for _, x := range old {
		if !slices.ContainsFunc(t, x.Equal) && name(x) != "" {
			gone = append(gone, x)
		}
	}
	for _, x := range t {
		if !slices.ContainsFunc(old, x.Equal) && name(x) != "" {
			added = append(added, x)
		}
	}
	var ops []op.Op
	for _, g := range gone {
		var match []T
		for _, a := range added {
			if named(g, name(a)).Equal(a) {
				match = append(match, a)
			}
		}
		if len(match) != 1 {
			continue
		}
		a := match[0]
		if n := len(slices.DeleteFunc(slices.Clone(gone), func(x T) bool { return !named(x, name(a)).Equal(a) })); n != 1 {
			continue
		}
		ops = append(ops, &op.RenameConstraint{Table: ref, Kind: kind, From: name(g), To: name(a)})
	}
	return ops
}

// key is a primary key, unique constraint or unique index: its table and
// columns.
type key struct {
	table op.TableRef
	cols  []string
}

// sameColumns reports whether a and b hold the same column names.
func sameColumns(a, b []string) bool {
	return len(a) == len(b) && !slices.ContainsFunc(a, func(c string) bool { return !slices.Contains(b, c) })
}

// unhookForeignKeys adds a drop (before the keys are dropped) and an add
// (at the end) of each foreign key that stays although the key it
// references is dropped and no other key of the table on the same columns
// stays: PostgreSQL and MySQL refuse to drop a key a foreign key depends on
// (a primary key that changes, or only gets a new name, as PostgreSQL's
// table_pkey does when a table is renamed).
func unhookForeignKeys(from, to *schema.Schema, dropped []key, dropFKs, addFKs []op.Op) ([]op.Op, []op.Op) {
	if len(dropped) == 0 {
		return dropFKs, addFKs
	}
	// kept reports whether table rt (of from) keeps a key on cols in to.
	kept := func(rt *schema.Table, cols []string) bool {
		nt := to.Table(rt.Schema, rt.Name)
		if nt == nil {
			return false
		}
		if rt.PrimaryKey != nil && sameColumns(rt.PrimaryKey.Columns, cols) && rt.PrimaryKey.Equal(nt.PrimaryKey) {
			return true
		}
		for _, u := range rt.Uniques {
			if sameColumns(u.Columns, cols) && slices.ContainsFunc(nt.Uniques, u.Equal) {
				return true
			}
		}
		for _, x := range rt.Indexes {
			if c, ok := x.Columns(); ok && x.Unique && x.Where == "" && sameColumns(c, cols) && slices.ContainsFunc(nt.Indexes, x.Equal) {
				return true
			}
		}
		return false
	}
	for _, t := range from.Tables {
		nt := to.Table(t.Schema, t.Name)
		if nt == nil {
			continue // its foreign keys are dropped with it
		}
		ref := op.Ref(t)
		for _, fk := range t.ForeignKeys {
			if !slices.ContainsFunc(nt.ForeignKeys, fk.Equal) {
				continue // dropped (and maybe added) anyway
			}
			rref := op.TableRef{Schema: fk.RefSchema, Name: fk.RefTable}
			rt := from.Table(rref.Schema, rref.Name)
			if rt == nil || kept(rt, fk.RefColumns) || !slices.ContainsFunc(dropped, func(k key) bool { return k.table == rref && sameColumns(k.cols, fk.RefColumns) }) {
				continue
			}
			if slices.ContainsFunc(dropFKs, func(o op.Op) bool {
				d, ok := o.(*op.DropForeignKey)
				return ok && d.Table == ref && d.ForeignKey.Equal(fk)
			}) {
				continue // rewrapped already (ForeignKeysNeedIndexes)
			}
			dropFKs = append(dropFKs, &op.DropForeignKey{Table: ref, ForeignKey: fk})
			addFKs = append(addFKs, &op.AddForeignKey{Table: ref, ForeignKey: fk})
		}
	}
	return dropFKs, addFKs
}

// rewrapForeignKeys adds a drop and an add of each foreign key that old
// and t share when an index, unique constraint or primary key of old that
// t lacks (pkChanged: the primary key) starts with the key's columns.
func rewrapForeignKeys(old, t *schema.Table, pkChanged bool, dropFKs, addFKs []op.Op) ([]op.Op, []op.Op) {
	var dropped [][]string
	if pkChanged && old.PrimaryKey != nil {
		dropped = append(dropped, old.PrimaryKey.Columns)
	}
	for _, x := range old.Indexes {
		if !slices.ContainsFunc(t.Indexes, x.Equal) {
			cols, _ := x.Columns()
			dropped = append(dropped, cols)
		}
	}
	for _, u := range old.Uniques {
		if !slices.ContainsFunc(t.Uniques, u.Equal) {
			dropped = append(dropped, u.Columns)
		}
	}
	ref := op.Ref(t)
	for _, fk := range old.ForeignKeys {
		if !slices.ContainsFunc(t.ForeignKeys, fk.Equal) {
			continue // dropped and added anyway
		}
		if slices.ContainsFunc(dropped, func(cols []string) bool {
			return len(cols) >= len(fk.Columns) && slices.Equal(cols[:len(fk.Columns)], fk.Columns)
		}) {
			dropFKs = append(dropFKs, &op.DropForeignKey{Table: ref, ForeignKey: fk})
			addFKs = append(addFKs, &op.AddForeignKey{Table: ref, ForeignKey: fk})
		}
	}
	return dropFKs, addFKs
}

func withoutFKs(t *schema.Table) *schema.Table {
	c := t.Clone()
	c.ForeignKeys = nil
	return c
}
