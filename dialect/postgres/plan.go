package postgres

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/retortdb/retort/dialect"
	"github.com/retortdb/retort/internal/sqlbuild"
	"github.com/retortdb/retort/op"
	"github.com/retortdb/retort/schema"
)

var _ dialect.Planner = Dialect{}

// Plan implements dialect.Planner.
//
// Not supported yet (an error): changing dialect Extra facts (operator
// classes, NULLS NOT DISTINCT). PostgreSQL cannot place or reorder
// columns: an added column goes at the end (op.AddColumn's After and First
// are ignored), and so does a column that becomes generated or whose
// generation expression changes, which is dropped and added again.
func (d Dialect) Plan(o op.Op) ([]string, error) {
	if err := checkTypes(o); err != nil {
		return nil, err
	}
	switch o := o.(type) {
	case *op.InsertRows:
		return []string{d.insertRows(d.tableName(o.Table), o)}, nil
	case *op.CreateTable:
		return d.createTable(o.Table), nil
	case *op.DropTable:
		return []string{"DROP TABLE " + d.tableName(op.Ref(o.Table))}, nil
	case *op.RenameTable:
		return []string{"ALTER TABLE " + d.tableName(o.Table) + " RENAME TO " + d.QuoteIdent(o.To)}, nil
	case *op.AddColumn:
		out := []string{"ALTER TABLE " + d.tableName(o.Table) + " ADD COLUMN " + d.columnDef(o.Column)}
		if o.Column.Comment != "" {
			out = append(out, d.columnComment(o.Table, o.Column))
		}
		return out, nil
	case *op.DropColumn:
		return []string{"ALTER TABLE " + d.tableName(o.Table) + " DROP COLUMN " + d.QuoteIdent(o.Column.Name)}, nil
	case *op.AlterColumn:
		return d.alterColumn(o)
	case *op.RenameColumn:
		return []string{"ALTER TABLE " + d.tableName(o.Table) + " RENAME COLUMN " + d.QuoteIdent(o.From) + " TO " + d.QuoteIdent(o.To)}, nil
	case *op.CreateIndex:
		return []string{d.createIndex(o.Table, o.Index)}, nil
	case *op.DropIndex:
		return []string{"DROP INDEX " + d.tableName(op.TableRef{Schema: o.Table.Schema, Name: o.Index.Name})}, nil
	case *op.AddPrimaryKey:
		return []string{"ALTER TABLE " + d.tableName(o.Table) + " ADD " + d.constraint(o.PrimaryKey.Name) + "PRIMARY KEY (" + d.idents(o.PrimaryKey.Columns) + ")"}, nil
	case *op.DropPrimaryKey:
		name := o.PrimaryKey.Name
		if name == "" {
			name = o.Table.Name + "_pkey"
		}
		return []string{d.dropConstraint(o.Table, name)}, nil
	case *op.AddForeignKey:
		return []string{"ALTER TABLE " + d.tableName(o.Table) + " ADD " + d.foreignKey(o.ForeignKey)}, nil
	case *op.DropForeignKey:
		return d.dropNamed(o.Table, o.ForeignKey.Name, o)
	case *op.AddUnique:
		return []string{"ALTER TABLE " + d.tableName(o.Table) + " ADD " + d.constraint(o.Unique.Name) + "UNIQUE (" + d.idents(o.Unique.Columns) + ")"}, nil
	case *op.DropUnique:
		return d.dropNamed(o.Table, o.Unique.Name, o)
	case *op.AddCheck:
		return []string{"ALTER TABLE " + d.tableName(o.Table) + " ADD " + d.constraint(o.Check.Name) + "CHECK (" + o.Check.Expr + ")"}, nil
	case *op.DropCheck:
		return d.dropNamed(o.Table, o.Check.Name, o)
	case *op.SetTableComment:
		return []string{"COMMENT ON TABLE " + d.tableName(o.Table) + " IS " + d.commentLit(o.Comment)}, nil
	case *op.CreateSchema:
		return []string{"CREATE SCHEMA " + d.QuoteIdent(o.Name)}, nil
	case *op.DropSchema:
		return []string{"DROP SCHEMA " + d.QuoteIdent(o.Name)}, nil
	case *op.CreateEnum:
		vals := make([]string, len(o.Enum.Values))
		for i, v := range o.Enum.Values {
			vals[i] = d.Literal(v)
		}
		return []string{"CREATE TYPE " + d.tableName(op.TableRef{Schema: o.Enum.Schema, Name: o.Enum.Name}) + " AS ENUM (" + strings.Join(vals, ", ") + ")"}, nil
	case *op.DropEnum:
		return []string{"DROP TYPE " + d.tableName(op.TableRef{Schema: o.Enum.Schema, Name: o.Enum.Name})}, nil
	case *op.AddEnumValue:
		return []string{d.addEnumValue(o)}, nil
	case *op.ChangeEnum:
		return d.changeEnum(o), nil
	case *op.RenameConstraint:
		if o.Kind == op.RenamesIndex {
			return []string{"ALTER INDEX " + d.tableName(op.TableRef{Schema: o.Table.Schema, Name: o.From}) + " RENAME TO " + d.QuoteIdent(o.To)}, nil
		}
		return []string{"ALTER TABLE " + d.tableName(o.Table) + " RENAME CONSTRAINT " + d.QuoteIdent(o.From) + " TO " + d.QuoteIdent(o.To)}, nil
	}
	return nil, fmt.Errorf("postgresql: cannot plan %T (%s)", o, o)
}

func (d Dialect) tableName(r op.TableRef) string {
	return d.QualifiedName(dialect.Table{Schema: r.Schema, Name: r.Name})
}

func (d Dialect) idents(names []string) string { return sqlbuild.Idents(names, d.QuoteIdent) }

func (d Dialect) constraint(name string) string { return sqlbuild.Constraint(name, d.QuoteIdent) }

func (d Dialect) dropConstraint(t op.TableRef, name string) string {
	return "ALTER TABLE " + d.tableName(t) + " DROP CONSTRAINT " + d.QuoteIdent(name)
}

func (d Dialect) dropNamed(t op.TableRef, name string, o op.Op) ([]string, error) {
	if name == "" {
		return nil, fmt.Errorf("postgresql: %s: the constraint has no name", o)
	}
	return []string{d.dropConstraint(t, name)}, nil
}

func (d Dialect) commentLit(c string) string {
	if c == "" {
		return "NULL"
	}
	return d.Literal(c)
}

// typeSQL renders t as PostgreSQL DDL.
func (d Dialect) typeSQL(t schema.Type) string {
	var b strings.Builder
	if t.UserDefined {
		b.WriteString(d.tableName(op.TableRef{Schema: t.Schema, Name: t.Name}))
	} else {
		b.WriteString(t.Name)
	}
	switch {
	case t.Length != 0:
		b.WriteString("(" + strconv.Itoa(t.Length) + ")")
	case t.Scale != 0:
		fmt.Fprintf(&b, "(%d,%d)", t.Precision, t.Scale)
	case t.Precision != 0:
		fmt.Fprintf(&b, "(%d)", t.Precision)
	}
	if t.Array {
		b.WriteString("[]")
	}
	return b.String()
}

var serials = map[string]string{"integer": "serial", "bigint": "bigserial", "smallint": "smallserial"}

func (d Dialect) columnDef(c schema.Column) string {
	typ := d.typeSQL(c.Type)
	if s, ok := serials[c.Type.Name]; ok && c.AutoIncrement && !c.Type.Array {
		typ = s
	}
	s := d.QuoteIdent(c.Name) + " " + typ
	if c.Collation != "" {
		s += " COLLATE " + strconv.Quote(c.Collation)
	}
	if c.Generated != nil {
		s += " GENERATED ALWAYS AS (" + c.Generated.Expr + ") STORED"
	}
	if c.Identity != nil {
		s += " " + identitySQL(c.Identity)
	}
	if c.Default != "" {
		s += " DEFAULT " + c.Default
	}
	if !c.Nullable {
		s += " NOT NULL"
	}
	return s
}

func (d Dialect) columnComment(t op.TableRef, c schema.Column) string {
	return "COMMENT ON COLUMN " + d.tableName(t) + "." + d.QuoteIdent(c.Name) + " IS " + d.commentLit(c.Comment)
}

func (d Dialect) foreignKey(fk schema.ForeignKey) string {
	s := d.constraint(fk.Name) + "FOREIGN KEY (" + d.idents(fk.Columns) + ") REFERENCES " +
		d.tableName(op.TableRef{Schema: fk.RefSchema, Name: fk.RefTable}) + " (" + d.idents(fk.RefColumns) + ")"
	return s + sqlbuild.ForeignKeyActions(fk)
}

func (d Dialect) createTable(t *schema.Table) []string {
	ref := op.Ref(t)
	var defs []string
	for _, c := range t.Columns {
		defs = append(defs, d.columnDef(c))
	}
	if t.PrimaryKey != nil {
		defs = append(defs, d.constraint(t.PrimaryKey.Name)+"PRIMARY KEY ("+d.idents(t.PrimaryKey.Columns)+")")
	}
	for _, u := range t.Uniques {
		defs = append(defs, d.constraint(u.Name)+"UNIQUE ("+d.idents(u.Columns)+")")
	}
	for _, c := range t.Checks {
		defs = append(defs, d.constraint(c.Name)+"CHECK ("+c.Expr+")")
	}
	for _, fk := range t.ForeignKeys {
		defs = append(defs, d.foreignKey(fk))
	}
	out := []string{"CREATE TABLE " + d.tableName(ref) + " (\n    " + strings.Join(defs, ",\n    ") + "\n)"}
	for _, x := range t.Indexes {
		out = append(out, d.createIndex(ref, x))
	}
	if t.Comment != "" {
		out = append(out, "COMMENT ON TABLE "+d.tableName(ref)+" IS "+d.commentLit(t.Comment))
	}
	for _, c := range t.Columns {
		if c.Comment != "" {
			out = append(out, d.columnComment(ref, c))
		}
	}
	return out
}

func (d Dialect) createIndex(t op.TableRef, x schema.Index) string {
	s := "CREATE "
	if x.Unique {
		s += "UNIQUE "
	}
	s += "INDEX " + d.QuoteIdent(x.Name) + " ON " + d.tableName(t)
	if x.Method != "" {
		s += " USING " + x.Method
	}
	parts := make([]string, len(x.Parts))
	for i, p := range x.Parts {
		if p.Column != "" {
			parts[i] = d.QuoteIdent(p.Column)
		} else {
			parts[i] = "(" + p.Expr + ")"
		}
		if p.Collation != "" {
			parts[i] += " COLLATE " + strconv.Quote(p.Collation)
		}
		if p.Desc {
			parts[i] += " DESC"
		}
	}
	s += " (" + strings.Join(parts, ", ") + ")"
	if len(x.Include) > 0 {
		s += " INCLUDE (" + d.idents(x.Include) + ")"
	}
	if x.Where != "" {
		s += " WHERE " + x.Where
	}
	return s
}

// alterColumn renders an op.AlterColumn in the order PostgreSQL needs:
// the generation expression dropped (DROP EXPRESSION: the values stay), the
// identity or serial the column loses and the default it changes dropped,
// then the type (with collation), nullability (NOT NULL before an identity
// is added) and the new default, then the identity or serial it gains
// (each followed by a setval past the column's largest value, so that rows
// already there do not collide with generated ones) or its changed identity
// options, and the comment.
//
// A column that becomes generated or whose generation expression changes
// cannot be altered (PostgreSQL 15): it is dropped and added again, at the
// end of the table, which loses the indexes and constraints on it unless
// they are dropped before and added after, as autogen does (it emits a drop
// and an add for such a change, RecreatesColumn, and keeps this
// rendering for the downgrade of a DROP EXPRESSION).
func (d Dialect) alterColumn(o *op.AlterColumn) ([]string, error) {
	table := d.tableName(o.Table)
	prefix := "ALTER TABLE " + table + " ALTER COLUMN " + d.QuoteIdent(o.Column.Name) + " "
	a, c := o.Existing, o.Column
	changes := o.Changes()
	has := func(ch string) bool { return slices.Contains(changes, ch) }
	if has("extra") {
		return nil, fmt.Errorf("postgresql: %s: changing a column's dialect facts is not supported yet", o)
	}
	var out []string
	if has("generated") {
		if c.Generated != nil {
			// No ALTER for it: the column is added again, at the end. A
			// generated column holds no data of its own; what names the
			// column goes with it (autogen drops and adds it around this op).
			out = append(out, "ALTER TABLE "+table+" DROP COLUMN "+d.QuoteIdent(c.Name),
				"ALTER TABLE "+table+" ADD COLUMN "+d.columnDef(c))
			if c.Comment != "" {
				out = append(out, d.columnComment(o.Table, c))
			}
			return out, nil
		}
		out = append(out, prefix+"DROP EXPRESSION")
	}
	if a.Identity != nil && c.Identity == nil {
		out = append(out, prefix+"DROP IDENTITY")
	}
	if a.AutoIncrement && !c.AutoIncrement {
		// The serial's sequence goes with its default.
		out = append(out, prefix+"DROP DEFAULT",
			"DO $$BEGIN EXECUTE 'DROP SEQUENCE ' || pg_catalog.pg_get_serial_sequence("+d.Literal(table)+", "+d.Literal(c.Name)+"); END$$")
	}
	typ := has("type") || has("collation")
	if a.Default != "" && (has("default") || has("type")) {
		// Also for a type change: the old default may not cast to the new type.
		out = append(out, prefix+"DROP DEFAULT")
	}
	if typ {
		s := prefix + "TYPE " + d.typeSQL(c.Type)
		if c.Collation != "" {
			s += " COLLATE " + strconv.Quote(c.Collation)
		}
		out = append(out, s+" USING "+d.QuoteIdent(c.Name)+"::"+d.typeSQL(c.Type))
	}
	if has("nullable") {
		if c.Nullable {
			out = append(out, prefix+"DROP NOT NULL")
		} else {
			out = append(out, prefix+"SET NOT NULL")
		}
	}
	if c.Default != "" && (has("default") || has("type") && a.Default != "") {
		out = append(out, prefix+"SET DEFAULT "+c.Default)
	}
	switch {
	case c.Identity != nil && a.Identity == nil:
		out = append(out, prefix+"ADD "+identitySQL(c.Identity))
		out = append(out, d.setval(table, c.Name, c.Identity.Start, c.Identity.Increment)...)
	case c.Identity != nil && *c.Identity != *a.Identity:
		s := prefix
		if c.Identity.Always != a.Identity.Always {
			s += "SET GENERATED " + identityWhen(c.Identity) + " "
		}
		if c.Identity.Start != a.Identity.Start {
			s += fmt.Sprintf("SET START WITH %d ", c.Identity.Start)
		}
		if c.Identity.Increment != a.Identity.Increment {
			s += fmt.Sprintf("SET INCREMENT BY %d ", c.Identity.Increment)
		}
		out = append(out, strings.TrimSuffix(s, " "))
	}
	if c.AutoIncrement && !a.AutoIncrement {
		if _, ok := serials[c.Type.Name]; !ok || c.Type.Array {
			return nil, fmt.Errorf("postgresql: %s: a %s column cannot be serial", o, d.typeSQL(c.Type))
		}
		seq := d.tableName(op.TableRef{Schema: o.Table.Schema, Name: o.Table.Name + "_" + c.Name + "_seq"})
		out = append(out, "CREATE SEQUENCE "+seq+" AS "+c.Type.Name+" OWNED BY "+table+"."+d.QuoteIdent(c.Name),
			prefix+"SET DEFAULT nextval("+d.Literal(seq)+"::regclass)")
		out = append(out, d.setval(table, c.Name, 1, 1)...)
	}
	if has("comment") {
		out = append(out, d.columnComment(o.Table, c))
	}
	return out, nil
}

func identityWhen(id *schema.Identity) string {
	if id.Always {
		return "ALWAYS"
	}
	return "BY DEFAULT"
}

func identitySQL(id *schema.Identity) string {
	return fmt.Sprintf("GENERATED %s AS IDENTITY (START WITH %d INCREMENT BY %d)", identityWhen(id), id.Start, id.Increment)
}

// setval moves the sequence of an ascending identity or serial column just
// added past the largest value the table holds, when that is not below the
// sequence's start: a no-op on an empty table. A descending one is left
// alone.
func (d Dialect) setval(table, col string, start, increment int64) []string {
	if increment < 0 {
		return nil
	}
	c := d.QuoteIdent(col)
	return []string{"SELECT pg_catalog.setval(pg_catalog.pg_get_serial_sequence(" + d.Literal(table) + ", " + d.Literal(col) + "), max(" + c + ")) FROM " + table +
		" HAVING max(" + c + ") >= " + strconv.FormatInt(start, 10)}
}

// insertRows renders op.InsertRows: one INSERT of o.Rows rows whose values
// are placeholders numbered in row order.
func (d Dialect) insertRows(table string, o *op.InsertRows) string {
	return "INSERT INTO " + table + " (" + d.idents(o.Columns) + ") VALUES " + sqlbuild.RowPlaceholders(o.Rows, len(o.Columns), d.Placeholder)
}

func (d Dialect) addEnumValue(o *op.AddEnumValue) string {
	s := "ALTER TYPE " + d.tableName(o.Enum) + " ADD VALUE " + d.Literal(o.Value)
	if o.Before != "" {
		s += " BEFORE " + d.Literal(o.Before)
	} else if o.After != "" {
		s += " AFTER " + d.Literal(o.After)
	}
	return s
}

// enumRebuildPrefix names the old type during an enum rebuild.
const enumRebuildPrefix = "_retort_old_"

// changeEnum adds labels with ALTER TYPE … ADD VALUE where it can, and
// otherwise rebuilds the type: the old one renamed out of the way, the new
// one created, each column converted through text (its default dropped
// first, as the old default does not cast to the new type, and set again),
// the old type dropped.
func (d Dialect) changeEnum(o *op.ChangeEnum) []string {
	if adds, ok := o.Additions(); ok {
		out := make([]string, len(adds))
		for i, a := range adds {
			out[i] = d.addEnumValue(a)
		}
		return out
	}
	typ := d.tableName(o.Enum)
	vals := make([]string, len(o.To))
	for i, v := range o.To {
		vals[i] = d.Literal(v)
	}
	out := []string{
		"ALTER TYPE " + typ + " RENAME TO " + d.QuoteIdent(enumRebuildPrefix+o.Enum.Name),
		"CREATE TYPE " + typ + " AS ENUM (" + strings.Join(vals, ", ") + ")",
	}
	for _, c := range o.Columns {
		prefix := "ALTER TABLE " + d.tableName(c.Table) + " ALTER COLUMN " + d.QuoteIdent(c.Column.Name) + " "
		if c.Column.Default != "" {
			out = append(out, prefix+"DROP DEFAULT")
		}
		cast, text := typ, "text"
		if c.Column.Type.Array {
			cast, text = typ+"[]", "text[]"
		}
		out = append(out, prefix+"TYPE "+cast+" USING "+d.QuoteIdent(c.Column.Name)+"::"+text+"::"+cast)
		if c.Column.Default != "" {
			out = append(out, prefix+"SET DEFAULT "+c.Column.Default)
		}
	}
	return append(out, "DROP TYPE "+d.tableName(op.TableRef{Schema: o.Enum.Schema, Name: enumRebuildPrefix + o.Enum.Name}))
}

// checkTypes refuses a column type the dialect has no DDL for, which
// rendering would otherwise drop without a word (PostgreSQL has no unsigned types).
func checkTypes(o op.Op) error {
	var cols []schema.Column
	switch o := o.(type) {
	case *op.CreateTable:
		cols = o.Table.Columns
	case *op.AddColumn:
		cols = []schema.Column{o.Column}
	case *op.AlterColumn:
		cols = []schema.Column{o.Column}
	}
	for _, c := range cols {
		if c.Type.Unsigned {
			return fmt.Errorf("postgresql: %s: column %s is %s: PostgreSQL has no unsigned types", o, c.Name, c.Type)
		}
	}
	return nil
}

var _ dialect.ColumnRecreator = Dialect{}

// RecreatesColumn implements dialect.ColumnRecreator (PostgreSQL 15): a
// column that becomes generated or whose generation expression changes is
// added again. A generated column that becomes plain is not (ALTER COLUMN
// … DROP EXPRESSION keeps its values).
func (Dialect) RecreatesColumn(from, to schema.Column) bool {
	return to.Generated != nil && (from.Generated == nil || *from.Generated != *to.Generated)
}
