package mysql

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/retortdb/retort/dialect"
	"github.com/retortdb/retort/internal/sqlbuild"
	"github.com/retortdb/retort/op"
	"github.com/retortdb/retort/schema"
)

var _ dialect.Planner = Dialect{}

// Plan implements dialect.Planner. A column change is a MODIFY COLUMN that
// restates the whole new column (which also changes a generated column's
// expression, or a stored generated column to or from a plain one; MariaDB
// refuses to MODIFY a column to or from VIRTUAL, which autogen's
// RecreatesColumn turns into a drop and an add). An added column goes
// AFTER the column op.AddColumn names, or FIRST.
//
// Not supported (an error): enum types (MySQL has none; its ENUM is a column
// type), adding or dropping a MariaDB column-level check on its own, and
// constraints without a name.
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
		return []string{"RENAME TABLE " + d.tableName(o.Table) + " TO " + d.tableName(op.TableRef{Schema: o.Table.Schema, Name: o.To})}, nil
	case *op.AddColumn:
		s := d.alter(o.Table) + "ADD COLUMN " + d.columnDef(o.Column)
		switch {
		case o.First:
			s += " FIRST"
		case o.After != "":
			s += " AFTER " + d.QuoteIdent(o.After)
		}
		return []string{s}, nil
	case *op.DropColumn:
		return []string{d.alter(o.Table) + "DROP COLUMN " + d.QuoteIdent(o.Column.Name)}, nil
	case *op.AlterColumn:
		return []string{d.alter(o.Table) + "MODIFY COLUMN " + d.columnDef(o.Column)}, nil
	case *op.RenameColumn:
		return []string{d.alter(o.Table) + "RENAME COLUMN " + d.QuoteIdent(o.From) + " TO " + d.QuoteIdent(o.To)}, nil
	case *op.CreateIndex:
		return []string{d.createIndex(o.Table, o.Index)}, nil
	case *op.DropIndex:
		return []string{"DROP INDEX " + d.QuoteIdent(o.Index.Name) + " ON " + d.tableName(o.Table)}, nil
	case *op.AddPrimaryKey:
		return []string{d.alter(o.Table) + "ADD PRIMARY KEY (" + d.idents(o.PrimaryKey.Columns) + ")"}, nil
	case *op.DropPrimaryKey:
		return []string{d.alter(o.Table) + "DROP PRIMARY KEY"}, nil
	case *op.AddForeignKey:
		return []string{d.alter(o.Table) + "ADD " + d.foreignKey(o.ForeignKey)}, nil
	case *op.DropForeignKey:
		if o.ForeignKey.Name == "" {
			break
		}
		return []string{d.alter(o.Table) + "DROP FOREIGN KEY " + d.QuoteIdent(o.ForeignKey.Name)}, nil
	case *op.AddUnique:
		return []string{d.alter(o.Table) + "ADD " + d.unique(o.Unique)}, nil
	case *op.DropUnique:
		if o.Unique.Name == "" {
			break
		}
		return []string{"DROP INDEX " + d.QuoteIdent(o.Unique.Name) + " ON " + d.tableName(o.Table)}, nil
	case *op.AddCheck:
		if o.Check.Extra[AttrCheckLevel] == "column" || o.Check.Name == "" {
			break
		}
		return []string{d.alter(o.Table) + "ADD " + d.check(o.Check)}, nil
	case *op.DropCheck:
		if o.Check.Extra[AttrCheckLevel] == "column" || o.Check.Name == "" {
			break
		}
		return []string{d.alter(o.Table) + "DROP CONSTRAINT " + d.QuoteIdent(o.Check.Name)}, nil
	case *op.SetTableComment:
		return []string{d.alter(o.Table) + "COMMENT = " + d.Literal(o.Comment)}, nil
	}
	return nil, fmt.Errorf("mysql: cannot plan %s (%T)", o, o)
}

func (d Dialect) tableName(r op.TableRef) string {
	return d.QualifiedName(dialect.Table{Schema: r.Schema, Name: r.Name})
}

func (d Dialect) alter(r op.TableRef) string { return "ALTER TABLE " + d.tableName(r) + " " }

func (d Dialect) idents(names []string) string { return sqlbuild.Idents(names, d.QuoteIdent) }

func (d Dialect) constraint(name string) string { return sqlbuild.Constraint(name, d.QuoteIdent) }

func (d Dialect) typeSQL(t schema.Type) string {
	var b strings.Builder
	b.WriteString(t.Name)
	if t.EnumValues != nil {
		vals := make([]string, len(t.EnumValues))
		for i, v := range t.EnumValues {
			vals[i] = d.Literal(v)
		}
		b.WriteString("(" + strings.Join(vals, ",") + ")")
	}
	switch {
	case t.Length != 0:
		b.WriteString("(" + strconv.Itoa(t.Length) + ")")
	case t.Scale != 0:
		fmt.Fprintf(&b, "(%d,%d)", t.Precision, t.Scale)
	case t.Precision != 0:
		fmt.Fprintf(&b, "(%d)", t.Precision)
	}
	if t.Unsigned {
		b.WriteString(" unsigned")
	}
	return b.String()
}

func (d Dialect) columnDef(c schema.Column) string {
	s := d.QuoteIdent(c.Name) + " " + d.typeSQL(c.Type)
	if c.Collation != "" {
		s += " COLLATE " + c.Collation
	}
	if c.Generated != nil {
		kind := "VIRTUAL"
		if c.Generated.Stored {
			kind = "STORED"
		}
		s += " GENERATED ALWAYS AS (" + c.Generated.Expr + ") " + kind
	}
	if c.Nullable {
		if c.Generated == nil {
			s += " NULL"
		}
	} else {
		s += " NOT NULL"
	}
	if c.Default != "" {
		s += " DEFAULT " + c.Default
	}
	if u := c.Extra[AttrOnUpdate]; u != "" {
		s += " ON UPDATE " + u
	}
	if c.AutoIncrement {
		s += " AUTO_INCREMENT"
	}
	if c.Extra[AttrInvisible] == "true" {
		s += " INVISIBLE"
	}
	if c.Comment != "" {
		s += " COMMENT " + d.Literal(c.Comment)
	}
	return s
}

func (d Dialect) unique(u schema.Unique) string {
	return d.constraint(u.Name) + "UNIQUE (" + d.idents(u.Columns) + ")"
}

func (d Dialect) check(c schema.Check) string {
	s := d.constraint(c.Name) + "CHECK (" + c.Expr + ")"
	if c.Extra[AttrNotEnforced] == "true" {
		s += " NOT ENFORCED"
	}
	return s
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
		def := d.columnDef(c)
		for _, ck := range t.Checks {
			if ck.Extra[AttrCheckLevel] == "column" && ck.Name == c.Name {
				def += " CHECK (" + ck.Expr + ")"
			}
		}
		defs = append(defs, def)
	}
	if t.PrimaryKey != nil {
		defs = append(defs, "PRIMARY KEY ("+d.idents(t.PrimaryKey.Columns)+")")
	}
	for _, u := range t.Uniques {
		defs = append(defs, d.unique(u))
	}
	for _, c := range t.Checks {
		if c.Extra[AttrCheckLevel] != "column" {
			defs = append(defs, d.check(c))
		}
	}
	for _, x := range t.Indexes {
		defs = append(defs, d.indexDef(x))
	}
	for _, fk := range t.ForeignKeys {
		defs = append(defs, d.foreignKey(fk))
	}
	s := "CREATE TABLE " + d.tableName(ref) + " (\n    " + strings.Join(defs, ",\n    ") + "\n)"
	if e := t.Extra[AttrEngine]; e != "" {
		s += " ENGINE=" + e
	}
	if c := t.Extra[AttrCollation]; c != "" {
		s += " COLLATE=" + c
	}
	if t.Comment != "" {
		s += " COMMENT=" + d.Literal(t.Comment)
	}
	return []string{s}
}

// indexDef is an index as a CREATE TABLE element: [UNIQUE|FULLTEXT|SPATIAL]
// INDEX name (parts) [COMMENT …].
func (d Dialect) indexDef(x schema.Index) string {
	s := ""
	switch {
	case x.Method == "fulltext" || x.Method == "spatial":
		s = strings.ToUpper(x.Method) + " "
	case x.Unique:
		s = "UNIQUE "
	}
	s += "INDEX " + d.QuoteIdent(x.Name) + " ("
	parts := make([]string, len(x.Parts))
	for i, p := range x.Parts {
		if p.Column != "" {
			parts[i] = d.QuoteIdent(p.Column)
			if p.Prefix != 0 {
				parts[i] += "(" + strconv.Itoa(p.Prefix) + ")"
			}
		} else {
			parts[i] = "(" + p.Expr + ")"
		}
		if p.Desc {
			parts[i] += " DESC"
		}
	}
	s += strings.Join(parts, ", ") + ")"
	if x.Method == "hash" || x.Method == "btree" {
		s += " USING " + strings.ToUpper(x.Method)
	}
	if x.Comment != "" {
		s += " COMMENT " + d.Literal(x.Comment)
	}
	return s
}

func (d Dialect) createIndex(t op.TableRef, x schema.Index) string {
	return d.alter(t) + "ADD " + d.indexDef(x)
}

// insertRows renders op.InsertRows: one INSERT of o.Rows rows whose values
// are placeholders numbered in row order.
func (d Dialect) insertRows(table string, o *op.InsertRows) string {
	return "INSERT INTO " + table + " (" + d.idents(o.Columns) + ") VALUES " + sqlbuild.RowPlaceholders(o.Rows, len(o.Columns), d.Placeholder)
}

// checkTypes refuses what MySQL has no DDL for and rendering would
// otherwise drop without a word: array types, partial indexes.
func checkTypes(o op.Op) error {
	var cols []schema.Column
	var indexes []schema.Index
	switch o := o.(type) {
	case *op.CreateTable:
		cols, indexes = o.Table.Columns, o.Table.Indexes
	case *op.CreateIndex:
		indexes = []schema.Index{o.Index}
	case *op.AddColumn:
		cols = []schema.Column{o.Column}
	case *op.AlterColumn:
		cols = []schema.Column{o.Column}
	}
	for _, c := range cols {
		if c.Type.Array {
			return fmt.Errorf("mysql: %s: column %s is %s: MySQL has no array types", o, c.Name, c.Type)
		}
	}
	for _, x := range indexes {
		if x.Where != "" {
			return fmt.Errorf("mysql: %s: index %s: MySQL has no partial indexes (WHERE %s)", o, x.Name, x.Where)
		}
	}
	return nil
}

var _ dialect.ColumnRecreator = Dialect{}

// RecreatesColumn implements dialect.ColumnRecreator: a column that becomes
// or stops being VIRTUAL is added again (MODIFY COLUMN refuses that
// change; it can change a stored column to or from a plain one, and a
// generation expression).
func (Dialect) RecreatesColumn(from, to schema.Column) bool {
	virtual := func(c schema.Column) bool { return c.Generated != nil && !c.Generated.Stored }
	return virtual(from) != virtual(to)
}
