package autogen

import (
	"errors"
	"fmt"
	"slices"

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
	// PositionColumns places each added column where the target table
	// has it (op.AddColumn's After and First) rather than at the end, and
	// records where each dropped column stood, so that the downgrade puts
	// it back there (MySQL, whose ADD COLUMN takes AFTER and FIRST). Dropped
	// columns are then dropped from the last one back.
	PositionColumns bool
	// RecreateColumn, when set, reports whether a column that changes from
	// from to to cannot be altered in place and is dropped and added again
	// instead (a generated column: PostgreSQL cannot change a generation
	// expression, MariaDB cannot MODIFY a column to or from VIRTUAL). The
	// primary key, uniques, indexes, checks and foreign keys of the table
	// that name the column are dropped before and added again after; also
	// when the column is altered in place but RecreateColumn(to, from)
	// holds, as the downgrade's AlterColumn is then a drop and an add
	// (PostgreSQL's plan of a column that becomes generated).
	RecreateColumn func(from, to schema.Column) bool
}

// OptionsFor returns the DiffOptions a dialect needs: InlineForeignKeys
// and RebuildTables for a dialect.Rebuilder (SQLite), RecreateColumn from a
// dialect.ColumnRecreator, the rest from its Caps.
func OptionsFor(d dialect.Dialect) DiffOptions {
	_, rebuilds := d.(dialect.Rebuilder)
	caps := d.Caps()
	o := DiffOptions{InlineForeignKeys: rebuilds, RebuildTables: rebuilds,
		ForeignKeysNeedIndexes: caps.ForeignKeysNeedIndexes, RenameConstraints: caps.RenamesConstraints,
		PositionColumns: caps.PlacesColumns}
	if rc, ok := d.(dialect.ColumnRecreator); ok {
		o.RecreateColumn = rc.RecreatesColumn
	}
	return o
}

// Diff returns the operations that turn schema from into schema to, ordered
// so that they can run one after another (after creating the named schemas
// (Namespaces) to has and from lacks, and before dropping the ones from has
// and to lacks, last of all):
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
// constraint is dropped and added again. Triggers and table Extra facts
// are not compared.
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
	var schemas, enums, dropFKs, dropCons, dropTables, renameCons, createTables, columns, addCons, addFKs, lateEnums, dropEnums, dropSchemas []op.Op
	// Named schemas.
	for _, n := range to.Namespaces {
		if !slices.Contains(from.Namespaces, n) {
			schemas = append(schemas, &op.CreateSchema{Name: n})
		}
	}
	for _, n := range from.Namespaces {
		if !slices.Contains(to.Namespaces, n) {
			dropSchemas = append(dropSchemas, &op.DropSchema{Name: n})
		}
	}
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
		// recreated are the columns dropped and added again
		// (opts.RecreateColumn); touched are those and the columns whose
		// downgrade the dialect renders as a drop and an add (the reverse
		// of a change it makes in place). What names them is dropped and
		// added too.
		var recreated, touched []string
		if opts.RecreateColumn != nil {
			for _, c := range t.Columns {
				oc := old.Column(c.Name)
				switch {
				case oc == nil || oc.Equal(c):
				case opts.RecreateColumn(*oc, c):
					recreated = append(recreated, c.Name)
					touched = append(touched, c.Name)
				case opts.RecreateColumn(c, *oc):
					touched = append(touched, c.Name)
				}
			}
			recreated = recreateDependents(old, t, recreated)
			for _, c := range recreated {
				if !slices.Contains(touched, c) {
					touched = append(touched, c)
				}
			}
		}
		if opts.RenameConstraints && len(touched) == 0 {
			// (A table with touched columns drops and adds what names
			// them, renamed or not.)
			var rops []op.Op
			if old, rops = constraintRenames(old, t); len(rops) > 0 {
				renameCons = append(renameCons, rops...)
				if old.Equal(t) {
					continue
				}
			}
		}
		n0, n1, n2, n3, n4, n5 := len(dropFKs), len(dropCons), len(columns), len(addCons), len(addFKs), len(droppedKeys)
		names := func(cols ...string) bool {
			return slices.ContainsFunc(cols, func(c string) bool { return slices.Contains(touched, c) })
		}
		mentions := func(expr string) bool { return usesAny(expr, touched) }
		stays := func(eq, touches bool) bool { return eq && !touches }
		fkStays := func(fk schema.ForeignKey, in []schema.ForeignKey) bool {
			return stays(slices.ContainsFunc(in, fk.Equal), names(fk.Columns...))
		}
		xStays := func(x schema.Index, in []schema.Index) bool {
			touches := names(x.Include...) || mentions(x.Where)
			for _, p := range x.Parts {
				touches = touches || names(p.Column) || mentions(p.Expr)
			}
			return stays(slices.ContainsFunc(in, x.Equal), touches)
		}
		uStays := func(u schema.Unique, in []schema.Unique) bool {
			return stays(slices.ContainsFunc(in, u.Equal), names(u.Columns...))
		}
		ckStays := func(c schema.Check, in []schema.Check) bool {
			return stays(slices.ContainsFunc(in, c.Equal), mentions(c.Expr))
		}
		// Constraints and indexes, matched by equality.
		for _, fk := range old.ForeignKeys {
			if !fkStays(fk, t.ForeignKeys) {
				dropFKs = append(dropFKs, &op.DropForeignKey{Table: ref, ForeignKey: fk})
			}
		}
		for _, fk := range t.ForeignKeys {
			if !fkStays(fk, old.ForeignKeys) {
				addFKs = append(addFKs, &op.AddForeignKey{Table: ref, ForeignKey: fk})
			}
		}
		pkChanged := !old.PrimaryKey.Equal(t.PrimaryKey) || t.PrimaryKey != nil && names(t.PrimaryKey.Columns...)
		if opts.ForeignKeysNeedIndexes {
			dropFKs, addFKs = rewrapForeignKeys(old, t, pkChanged, dropFKs, addFKs)
		}
		if pkChanged && old.PrimaryKey != nil {
			dropCons = append(dropCons, &op.DropPrimaryKey{Table: ref, PrimaryKey: *old.PrimaryKey})
			droppedKeys = append(droppedKeys, key{ref, old.PrimaryKey.Columns, pkKey})
		}
		for _, x := range old.Indexes {
			if !xStays(x, t.Indexes) {
				dropCons = append(dropCons, &op.DropIndex{Table: ref, Index: x.Clone()})
				if cols, ok := x.Columns(); ok && x.Unique && x.Where == "" {
					droppedKeys = append(droppedKeys, key{ref, cols, indexKey(x.Name)})
				}
			}
		}
		for _, u := range old.Uniques {
			if !uStays(u, t.Uniques) {
				dropCons = append(dropCons, &op.DropUnique{Table: ref, Unique: u})
				droppedKeys = append(droppedKeys, key{ref, u.Columns, uniqueKey(u.Name)})
			}
		}
		for _, c := range old.Checks {
			if !ckStays(c, t.Checks) {
				dropCons = append(dropCons, &op.DropCheck{Table: ref, Check: c})
			}
		}
		if pkChanged && t.PrimaryKey != nil {
			addCons = append(addCons, &op.AddPrimaryKey{Table: ref, PrimaryKey: *t.PrimaryKey})
		}
		for _, u := range t.Uniques {
			if !uStays(u, old.Uniques) {
				addCons = append(addCons, &op.AddUnique{Table: ref, Unique: u})
			}
		}
		for _, c := range t.Checks {
			if !ckStays(c, old.Checks) {
				addCons = append(addCons, &op.AddCheck{Table: ref, Check: c})
			}
		}
		for _, x := range t.Indexes {
			if !xStays(x, old.Indexes) {
				addCons = append(addCons, &op.CreateIndex{Table: ref, Index: x.Clone()})
			}
		}
		// Columns, matched by name.
		pos := func(cols []schema.Column, i int) (after string, first bool) {
			switch {
			case !opts.PositionColumns || i == len(cols)-1:
				return "", false
			case i == 0:
				return "", true
			}
			return cols[i-1].Name, false
		}
		// Recreated columns are dropped first, from the last back (a
		// generated column before the columns it is computed from), and
		// added again in their place below. Before them, the generated
		// columns computed from one that stop being generated are altered
		// and those that go away are dropped, so that nothing uses a
		// recreated column when it is dropped.
		var detached []string
		for i := len(old.Columns) - 1; i >= 0; i-- {
			oc := old.Columns[i]
			if oc.Generated == nil || slices.Contains(recreated, oc.Name) || !usesAny(oc.Generated.Expr, recreated) {
				continue
			}
			detached = append(detached, oc.Name)
			if c := t.Column(oc.Name); c != nil {
				columns = append(columns, &op.AlterColumn{Table: ref, Existing: oc.Clone(), Column: c.Clone()})
			} else {
				oAfter, oFirst := pos(old.Columns, i)
				columns = append(columns, &op.DropColumn{Table: ref, Column: oc.Clone(), After: oAfter, First: oFirst})
			}
		}
		for i := len(old.Columns) - 1; i >= 0; i-- {
			if oc := old.Columns[i]; slices.Contains(recreated, oc.Name) {
				oAfter, oFirst := pos(old.Columns, i)
				columns = append(columns, &op.DropColumn{Table: ref, Column: oc.Clone(), After: oAfter, First: oFirst})
			}
		}
		for i, c := range t.Columns {
			oc := old.Column(c.Name)
			after, first := pos(t.Columns, i)
			switch {
			case slices.Contains(detached, c.Name):
			case oc == nil, slices.Contains(recreated, c.Name):
				columns = append(columns, &op.AddColumn{Table: ref, Column: c.Clone(), After: after, First: first})
			case !oc.Equal(c):
				columns = append(columns, &op.AlterColumn{Table: ref, Existing: oc.Clone(), Column: c.Clone()})
			}
		}
		for j := range old.Columns {
			i := j
			if opts.PositionColumns {
				// From the last back: the downgrade adds them again
				// first to last, each after the one before it.
				i = len(old.Columns) - 1 - j
			}
			if c := old.Columns[i]; t.Column(c.Name) == nil && !slices.Contains(detached, c.Name) {
				after, first := pos(old.Columns, i)
				columns = append(columns, &op.DropColumn{Table: ref, Column: c.Clone(), After: after, First: first})
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
		return slices.Concat(schemas, renames, enums, dropFKs, dropCons, renameCons, createTables, columns, dropTables, addCons, addFKs, lateEnums, dropEnums, dropSchemas), nil
	}
	return slices.Concat(schemas, renames, enums, dropFKs, dropCons, dropTables, renameCons, createTables, columns, addCons, addFKs, lateEnums, dropEnums, dropSchemas), nil
}

// recreateDependents adds to recreated the generated columns of table old
// (becoming new) computed from a recreated column, transitively: MySQL and
// MariaDB refuse to drop a column another generated column uses, and the
// dependent's values follow the column's anyway. (PostgreSQL has no such
// chains: a generation expression cannot use a generated column.) A
// dependent that stops being generated, or goes away, is altered or
// dropped before the recreated columns instead (see Diff).
func recreateDependents(old, new *schema.Table, recreated []string) []string {
	uses := func(expr string) bool { return usesAny(expr, recreated) }
	for grew := len(recreated) > 0; grew; {
		grew = false
		for _, c := range new.Columns {
			oc := old.Column(c.Name)
			if oc == nil || oc.Generated == nil || c.Generated == nil || slices.Contains(recreated, c.Name) {
				continue
			}
			if uses(oc.Generated.Expr) || uses(c.Generated.Expr) {
				recreated = append(recreated, c.Name)
				grew = true
			}
		}
	}
	return recreated
}

// usesAny reports whether expression expr names one of cols.
func usesAny(expr string, cols []string) bool {
	for _, c := range cols {
		if op.RenameIdent(expr, c, c+"\x00") != expr {
			return true
		}
	}
	return false
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

// key is a primary key, unique constraint or unique index: its table,
// columns and which of the table's keys it is (pkKey, uniqueKey(name),
// indexKey(name)).
type key struct {
	table op.TableRef
	cols  []string
	id    string
}

const pkKey = "primary key"

func uniqueKey(name string) string { return "unique " + name }
func indexKey(name string) string  { return "index " + name }

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
	// kept reports whether table rt (of from) keeps a key on cols in to,
	// one that is not dropped and added again on the way (as the keys over
	// a recreated column are).
	kept := func(rt *schema.Table, cols []string) bool {
		nt := to.Table(rt.Schema, rt.Name)
		if nt == nil {
			return false
		}
		ref := op.Ref(rt)
		isDropped := func(id string) bool {
			return slices.ContainsFunc(dropped, func(k key) bool { return k.table == ref && k.id == id })
		}
		if rt.PrimaryKey != nil && sameColumns(rt.PrimaryKey.Columns, cols) && rt.PrimaryKey.Equal(nt.PrimaryKey) && !isDropped(pkKey) {
			return true
		}
		for _, u := range rt.Uniques {
			if sameColumns(u.Columns, cols) && slices.ContainsFunc(nt.Uniques, u.Equal) && !isDropped(uniqueKey(u.Name)) {
				return true
			}
		}
		for _, x := range rt.Indexes {
			if c, ok := x.Columns(); ok && x.Unique && x.Where == "" && sameColumns(c, cols) && slices.ContainsFunc(nt.Indexes, x.Equal) && !isDropped(indexKey(x.Name)) {
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
