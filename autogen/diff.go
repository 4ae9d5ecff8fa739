package autogen

import (
	"errors"
	"fmt"
	"slices"

	"github.com/retortdb/retort/op"
	"github.com/retortdb/retort/schema"
)

// DiffOptions tune Diff. Rename hints will go here.
type DiffOptions struct {
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
}

// Diff returns the operations that turn schema from into schema to, ordered
// so that they can run one after another:
//
//  1. create enum types, add enum values;
//  2. drop foreign keys that go away or change (also those of dropped
//     tables), so no table is dropped while something references it;
//  3. drop indexes, unique and check constraints and primary keys that go
//     away or change;
//  4. drop tables;
//  5. create tables (with their key, uniques, checks and indexes, but no
//     foreign keys);
//  6. add, alter and drop columns; table comments; table rebuilds
//     (opts.RebuildTables);
//  7. add primary keys, uniques, checks and indexes;
//  8. add foreign keys: every table exists by now, which also breaks
//     foreign-key cycles;
//  9. drop enum types.
//
// CreateTable and DropTable carry the table without its foreign keys, which
// are separate ops (unless opts.InlineForeignKeys), so that Downgrade of the
// list is valid too.
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
	var enums, dropFKs, dropCons, dropTables, createTables, columns, addCons, addFKs, dropEnums []op.Op

	// Enums.
	for _, e := range to.Enums {
		old := from.Enum(e.Schema, e.Name)
		switch {
		case old == nil:
			enums = append(enums, &op.CreateEnum{Enum: e.Clone()})
		case !old.Equal(e):
			adds, err := enumAdditions(old, e)
			if err != nil {
				return nil, err
			}
			enums = append(enums, adds...)
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
		n0, n1, n2, n3, n4 := len(dropFKs), len(dropCons), len(columns), len(addCons), len(addFKs)
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
		if pkChanged && old.PrimaryKey != nil {
			dropCons = append(dropCons, &op.DropPrimaryKey{Table: ref, PrimaryKey: *old.PrimaryKey})
		}
		for _, x := range old.Indexes {
			if !slices.ContainsFunc(t.Indexes, x.Equal) {
				dropCons = append(dropCons, &op.DropIndex{Table: ref, Index: x.Clone()})
			}
		}
		for _, u := range old.Uniques {
			if !slices.ContainsFunc(t.Uniques, u.Equal) {
				dropCons = append(dropCons, &op.DropUnique{Table: ref, Unique: u})
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
			dropFKs, dropCons, columns, addCons, addFKs = dropFKs[:n0], dropCons[:n1], columns[:n2], addCons[:n3], addFKs[:n4]
			columns = append(columns, &op.RebuildTable{From: old.Clone(), To: t.Clone()})
		}
	}
	return slices.Concat(enums, dropFKs, dropCons, dropTables, createTables, columns, addCons, addFKs, dropEnums), nil
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

// enumAdditions returns the AddEnumValue ops that turn old into new, which
// must keep old's labels in their order; anything else is an error, since
// PostgreSQL cannot remove or reorder enum labels.
func enumAdditions(old, new *schema.Enum) ([]op.Op, error) {
	i := 0
	for _, v := range new.Values {
		if i < len(old.Values) && old.Values[i] == v {
			i++
		}
	}
	if i != len(old.Values) {
		return nil, fmt.Errorf("enum %s: values %q cannot become %q: PostgreSQL can only add labels to an enum type, not remove or reorder them",
			old.QualifiedName(), old.Values, new.Values)
	}
	ref := op.TableRef{Schema: new.Schema, Name: new.Name}
	var ops []op.Op
	i = 0
	for j, v := range new.Values {
		if i < len(old.Values) && old.Values[i] == v {
			i++
			continue
		}
		a := &op.AddEnumValue{Enum: ref, Value: v}
		if i < len(old.Values) {
			a.Before = old.Values[i]
		} else if j > 0 {
			a.After = new.Values[j-1]
		}
		ops = append(ops, a)
	}
	return ops, nil
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

func withoutFKs(t *schema.Table) *schema.Table {
	c := t.Clone()
	c.ForeignKeys = nil
	return c
}
