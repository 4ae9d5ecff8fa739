// Package op is retort's schema operations as data.
//
// An Op describes one change to a database schema in dialect-neutral terms
// (package schema's model). Every Op carries the state its inverse needs, so
// Reverse needs nothing else: DropTable holds the full dropped table,
// DropColumn the dropped column, AlterColumn the column before and after.
// The diff (package autogen) produces ops; each dialect plans them into SQL.
package op

import (
	"errors"
	"fmt"
	"slices"

	"github.com/retortdb/retort/schema"
)

// Op is one schema change.
type Op interface {
	// Reverse returns the op that undoes this one, or an error (wrapping
	// ErrIrreversible) when no inverse exists.
	Reverse() (Op, error)
	// Destructive reports whether applying the op can lose data.
	Destructive() bool
	// String describes the op for messages and comments.
	String() string
}

// ErrIrreversible is wrapped by the error of an op that has no inverse.
var ErrIrreversible = errors.New("operation has no inverse")

// TableRef names a table, optionally in a schema (PostgreSQL).
type TableRef struct {
	Schema string
	Name   string
}

// Ref returns the TableRef of t.
func Ref(t *schema.Table) TableRef { return TableRef{Schema: t.Schema, Name: t.Name} }

func (r TableRef) String() string {
	if r.Schema == "" {
		return r.Name
	}
	return r.Schema + "." + r.Name
}

// CreateTable creates Table with its columns, primary key, uniques, checks,
// indexes and foreign keys. The diff leaves ForeignKeys and Indexes empty
// and emits them as their own ops, so that tables can reference each other.
type CreateTable struct{ Table *schema.Table }

// DropTable drops a table; Table is its full definition.
type DropTable struct{ Table *schema.Table }

// RenameTable renames a table within its schema.
type RenameTable struct {
	Table TableRef // the old name
	To    string
}

// AddColumn adds Column to Table: after the column After, or first of all
// when First is set, or (neither set) at the end.
//
// Only MySQL can place a column (ADD COLUMN … AFTER/FIRST); the diff sets
// After and First only for it (DiffOptions.PositionColumns in package
// autogen). PostgreSQL and SQLite always add at the end.
type AddColumn struct {
	Table  TableRef
	Column schema.Column
	After  string
	First  bool
}

// DropColumn drops Column (its full definition) from Table. After and First
// say where the column stood, as in AddColumn, for the AddColumn that
// reverses the drop; they do not change what is dropped.
type DropColumn struct {
	Table  TableRef
	Column schema.Column
	After  string
	First  bool
}

// AlterColumn changes a column's type, nullability, default, collation or
// comment, from Existing to Column. The name is the same in both.
type AlterColumn struct {
	Table    TableRef
	Existing schema.Column
	Column   schema.Column
}

// RenameColumn renames a column.
type RenameColumn struct {
	Table TableRef
	From  string
	To    string
}

// CreateIndex creates Index on Table.
type CreateIndex struct {
	Table TableRef
	Index schema.Index
}

// DropIndex drops Index (its full definition) from Table.
type DropIndex struct {
	Table TableRef
	Index schema.Index
}

// AddPrimaryKey adds a primary key to Table.
type AddPrimaryKey struct {
	Table      TableRef
	PrimaryKey schema.PrimaryKey
}

// DropPrimaryKey drops Table's primary key.
type DropPrimaryKey struct {
	Table      TableRef
	PrimaryKey schema.PrimaryKey
}

// AddForeignKey adds a foreign key constraint to Table.
type AddForeignKey struct {
	Table      TableRef
	ForeignKey schema.ForeignKey
}

// DropForeignKey drops a foreign key constraint from Table.
type DropForeignKey struct {
	Table      TableRef
	ForeignKey schema.ForeignKey
}

// AddUnique adds a unique constraint to Table.
type AddUnique struct {
	Table  TableRef
	Unique schema.Unique
}

// DropUnique drops a unique constraint from Table.
type DropUnique struct {
	Table  TableRef
	Unique schema.Unique
}

// AddCheck adds a check constraint to Table.
type AddCheck struct {
	Table TableRef
	Check schema.Check
}

// DropCheck drops a check constraint from Table.
type DropCheck struct {
	Table TableRef
	Check schema.Check
}

// SetTableComment changes a table's comment from Existing to Comment ("" =
// none).
type SetTableComment struct {
	Table    TableRef
	Existing string
	Comment  string
}

// CreateSchema creates a named schema (PostgreSQL; a namespace of
// schema.Schema.Namespaces).
type CreateSchema struct{ Name string }

// DropSchema drops an empty named schema.
type DropSchema struct{ Name string }

func (o *CreateSchema) Reverse() (Op, error) { return &DropSchema{Name: o.Name}, nil }
func (o *DropSchema) Reverse() (Op, error)   { return &CreateSchema{Name: o.Name}, nil }
func (o *CreateSchema) Destructive() bool    { return false }
func (o *DropSchema) Destructive() bool      { return false } // only an empty one
func (o *CreateSchema) String() string       { return "create schema " + o.Name }
func (o *DropSchema) String() string         { return "drop schema " + o.Name }

// CreateEnum creates a PostgreSQL enum type.
type CreateEnum struct{ Enum *schema.Enum }

// DropEnum drops a PostgreSQL enum type; Enum is its full definition.
type DropEnum struct{ Enum *schema.Enum }

// AddEnumValue adds Value to a PostgreSQL enum type, before the label Before
// or, when Before is "", after After ("" = at the end). PostgreSQL cannot
// remove an enum label, so it has no inverse.
type AddEnumValue struct {
	Enum   TableRef // the type's schema and name
	Value  string
	Before string
	After  string
}

func (o *CreateTable) Reverse() (Op, error) { return &DropTable{Table: o.Table.Clone()}, nil }
func (o *DropTable) Reverse() (Op, error)   { return &CreateTable{Table: o.Table.Clone()}, nil }
func (o *RenameTable) Reverse() (Op, error) {
	return &RenameTable{Table: TableRef{o.Table.Schema, o.To}, To: o.Table.Name}, nil
}
func (o *AddColumn) Reverse() (Op, error) {
	return &DropColumn{Table: o.Table, Column: o.Column.Clone(), After: o.After, First: o.First}, nil
}
func (o *DropColumn) Reverse() (Op, error) {
	return &AddColumn{Table: o.Table, Column: o.Column.Clone(), After: o.After, First: o.First}, nil
}
func (o *AlterColumn) Reverse() (Op, error) {
	return &AlterColumn{Table: o.Table, Existing: o.Column.Clone(), Column: o.Existing.Clone()}, nil
}
func (o *RenameColumn) Reverse() (Op, error) {
	return &RenameColumn{Table: o.Table, From: o.To, To: o.From}, nil
}
func (o *CreateIndex) Reverse() (Op, error) {
	return &DropIndex{Table: o.Table, Index: o.Index.Clone()}, nil
}
func (o *DropIndex) Reverse() (Op, error) {
	return &CreateIndex{Table: o.Table, Index: o.Index.Clone()}, nil
}
func (o *AddPrimaryKey) Reverse() (Op, error) {
	return &DropPrimaryKey{Table: o.Table, PrimaryKey: clonePK(o.PrimaryKey)}, nil
}
func (o *DropPrimaryKey) Reverse() (Op, error) {
	return &AddPrimaryKey{Table: o.Table, PrimaryKey: clonePK(o.PrimaryKey)}, nil
}
func (o *AddForeignKey) Reverse() (Op, error) {
	return &DropForeignKey{Table: o.Table, ForeignKey: cloneFK(o.ForeignKey)}, nil
}
func (o *DropForeignKey) Reverse() (Op, error) {
	return &AddForeignKey{Table: o.Table, ForeignKey: cloneFK(o.ForeignKey)}, nil
}
func (o *AddUnique) Reverse() (Op, error) {
	return &DropUnique{Table: o.Table, Unique: cloneUnique(o.Unique)}, nil
}
func (o *DropUnique) Reverse() (Op, error) {
	return &AddUnique{Table: o.Table, Unique: cloneUnique(o.Unique)}, nil
}
func (o *AddCheck) Reverse() (Op, error) {
	return &DropCheck{Table: o.Table, Check: cloneCheck(o.Check)}, nil
}
func (o *DropCheck) Reverse() (Op, error) {
	return &AddCheck{Table: o.Table, Check: cloneCheck(o.Check)}, nil
}
func (o *SetTableComment) Reverse() (Op, error) {
	return &SetTableComment{Table: o.Table, Existing: o.Comment, Comment: o.Existing}, nil
}
func (o *CreateEnum) Reverse() (Op, error) { return &DropEnum{Enum: o.Enum.Clone()}, nil }
func (o *DropEnum) Reverse() (Op, error)   { return &CreateEnum{Enum: o.Enum.Clone()}, nil }
func (o *AddEnumValue) Reverse() (Op, error) {
	return nil, fmt.Errorf("%s: PostgreSQL cannot remove a value from an enum type: %w", o, ErrIrreversible)
}

func (o *CreateTable) Destructive() bool  { return false }
func (o *DropTable) Destructive() bool    { return true }
func (o *RenameTable) Destructive() bool  { return false }
func (o *AddColumn) Destructive() bool    { return false }
func (o *DropColumn) Destructive() bool   { return o.Column.Generated == nil } // a generated column holds no data of its own
func (o *RenameColumn) Destructive() bool { return false }
func (o *CreateIndex) Destructive() bool  { return false }
func (o *DropIndex) Destructive() bool    { return false }
func (o *AddPrimaryKey) Destructive() bool {
	return false
}
func (o *DropPrimaryKey) Destructive() bool  { return false }
func (o *AddForeignKey) Destructive() bool   { return false }
func (o *DropForeignKey) Destructive() bool  { return false }
func (o *AddUnique) Destructive() bool       { return false }
func (o *DropUnique) Destructive() bool      { return false }
func (o *AddCheck) Destructive() bool        { return false }
func (o *DropCheck) Destructive() bool       { return false }
func (o *SetTableComment) Destructive() bool { return false }
func (o *CreateEnum) Destructive() bool      { return false }
func (o *DropEnum) Destructive() bool        { return false }
func (o *AddEnumValue) Destructive() bool    { return false }

// Destructive reports a type change that may lose data: any change of type
// except widening the length, precision or scale of the same type, or
// dropping a length limit.
func (o *AlterColumn) Destructive() bool {
	a, b := o.Existing.Type, o.Column.Type
	if a.Equal(b) {
		return false
	}
	if a.Name != b.Name || a.Schema != b.Schema || a.Array != b.Array || a.Unsigned != b.Unsigned || !slices.Equal(a.EnumValues, b.EnumValues) {
		// Adding enum values at the end keeps every row.
		if a.Name == b.Name && len(b.EnumValues) > len(a.EnumValues) && slices.Equal(a.EnumValues, b.EnumValues[:len(a.EnumValues)]) {
			return false
		}
		return true
	}
	widen := func(old, new int) bool { return old == new || new == 0 || (old != 0 && new > old) }
	return !(widen(a.Length, b.Length) && widen(a.Precision, b.Precision) && b.Scale >= a.Scale)
}

// Changes lists what an AlterColumn changes: "type", "nullable", "default",
// "collation", "comment", "identity", "autoincrement", "generated", "extra".
func (o *AlterColumn) Changes() []string {
	a, b := o.Existing, o.Column
	var out []string
	if !a.Type.Equal(b.Type) {
		out = append(out, "type")
	}
	if a.Nullable != b.Nullable {
		out = append(out, "nullable")
	}
	if a.Default != b.Default {
		out = append(out, "default")
	}
	if a.Collation != b.Collation {
		out = append(out, "collation")
	}
	if a.Comment != b.Comment {
		out = append(out, "comment")
	}
	if (a.Identity == nil) != (b.Identity == nil) || (a.Identity != nil && *a.Identity != *b.Identity) {
		out = append(out, "identity")
	}
	if a.AutoIncrement != b.AutoIncrement {
		out = append(out, "autoincrement")
	}
	if (a.Generated == nil) != (b.Generated == nil) || (a.Generated != nil && *a.Generated != *b.Generated) {
		out = append(out, "generated")
	}
	if !a.Extra.Equal(b.Extra) {
		out = append(out, "extra")
	}
	return out
}

func (o *CreateTable) String() string { return "create table " + Ref(o.Table).String() }
func (o *DropTable) String() string   { return "drop table " + Ref(o.Table).String() }
func (o *RenameTable) String() string { return "rename table " + o.Table.String() + " to " + o.To }
func (o *AddColumn) String() string   { return "add column " + o.Table.String() + "." + o.Column.Name }
func (o *DropColumn) String() string  { return "drop column " + o.Table.String() + "." + o.Column.Name }
func (o *AlterColumn) String() string {
	return fmt.Sprintf("alter column %s.%s %v", o.Table, o.Column.Name, o.Changes())
}
func (o *RenameColumn) String() string {
	return "rename column " + o.Table.String() + "." + o.From + " to " + o.To
}
func (o *CreateIndex) String() string {
	return "create index " + o.Index.Name + " on " + o.Table.String()
}
func (o *DropIndex) String() string { return "drop index " + o.Index.Name + " on " + o.Table.String() }
func (o *AddPrimaryKey) String() string {
	return fmt.Sprintf("add primary key %v on %s", o.PrimaryKey.Columns, o.Table)
}
func (o *DropPrimaryKey) String() string {
	return fmt.Sprintf("drop primary key %v on %s", o.PrimaryKey.Columns, o.Table)
}
func (o *AddForeignKey) String() string {
	return fmt.Sprintf("add foreign key %s %v on %s", o.ForeignKey.Name, o.ForeignKey.Columns, o.Table)
}
func (o *DropForeignKey) String() string {
	return fmt.Sprintf("drop foreign key %s %v on %s", o.ForeignKey.Name, o.ForeignKey.Columns, o.Table)
}
func (o *AddUnique) String() string {
	return fmt.Sprintf("add unique %s %v on %s", o.Unique.Name, o.Unique.Columns, o.Table)
}
func (o *DropUnique) String() string {
	return fmt.Sprintf("drop unique %s %v on %s", o.Unique.Name, o.Unique.Columns, o.Table)
}
func (o *AddCheck) String() string  { return "add check " + o.Check.Name + " on " + o.Table.String() }
func (o *DropCheck) String() string { return "drop check " + o.Check.Name + " on " + o.Table.String() }
func (o *SetTableComment) String() string {
	return "set comment on table " + o.Table.String()
}
func (o *CreateEnum) String() string { return "create enum " + o.Enum.QualifiedName() }
func (o *DropEnum) String() string   { return "drop enum " + o.Enum.QualifiedName() }
func (o *AddEnumValue) String() string {
	return fmt.Sprintf("add value %q to enum %s", o.Value, o.Enum)
}

func clonePK(p schema.PrimaryKey) schema.PrimaryKey {
	p.Columns = slices.Clone(p.Columns)
	return p
}

func cloneFK(f schema.ForeignKey) schema.ForeignKey {
	f.Columns = slices.Clone(f.Columns)
	f.RefColumns = slices.Clone(f.RefColumns)
	f.Extra = cloneAttrs(f.Extra)
	return f
}

func cloneUnique(u schema.Unique) schema.Unique {
	u.Columns = slices.Clone(u.Columns)
	u.Extra = cloneAttrs(u.Extra)
	return u
}

func cloneCheck(c schema.Check) schema.Check {
	c.Extra = cloneAttrs(c.Extra)
	return c
}

func cloneAttrs(a schema.Attrs) schema.Attrs {
	if a == nil {
		return nil
	}
	c := make(schema.Attrs, len(a))
	for k, v := range a {
		c[k] = v
	}
	return c
}

// RebuildTable recreates a table as To, copying the rows of the columns
// From and To share (SQLite's table rebuild, for changes its ALTER TABLE
// cannot make). Both are full definitions with the same name.
type RebuildTable struct {
	From *schema.Table
	To   *schema.Table
}

func (o *RebuildTable) Reverse() (Op, error) {
	return &RebuildTable{From: o.To.Clone(), To: o.From.Clone()}, nil
}

// Destructive reports whether a column goes away or changes in a way
// AlterColumn calls destructive.
func (o *RebuildTable) Destructive() bool {
	for _, c := range o.From.Columns {
		n := o.To.Column(c.Name)
		if n == nil {
			return true
		}
		if (&AlterColumn{Existing: c, Column: *n}).Destructive() {
			return true
		}
	}
	return false
}

func (o *RebuildTable) String() string { return "rebuild table " + Ref(o.To).String() }
