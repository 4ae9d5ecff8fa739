package op

import (
	"fmt"
	"strings"

	"github.com/retortdb/retort/internal/sqlbuild"
	"github.com/retortdb/retort/schema"
)

// TableItem is something CreateTable (and CopyFrom) puts in a table: a
// column (Column), a table-level key, constraint or index (PrimaryKeyDef,
// UniqueDef, CheckDef, ForeignKeyDef, IndexDef) or the table's Comment.
// Its method is unexported so that the list stays the package's.
type TableItem interface {
	applyTable(t *schema.Table) error
}

// ColumnOption sets one property of a Column: PrimaryKey, NotNull,
// Default, AutoIncrement, Unique, Collate, Comment.
type ColumnOption interface {
	applyColumn(c *ColumnDef)
}

// IndexOption sets one property of an index: Unique, Where, Comment.
type IndexOption interface {
	applyIndex(x *schema.Index)
}

// ForeignKeyOption sets a foreign key's referential actions: OnDelete,
// OnUpdate.
type ForeignKeyOption interface {
	applyForeignKey(fk *schema.ForeignKey)
}

// ColumnDef is a column being declared, for CreateTable, AddColumn and a
// batch's AddColumn. Build it with Column; a bad type is reported by the
// operation that uses it, with the table and column named.
type ColumnDef struct {
	col        schema.Column
	typ        string
	err        error
	primaryKey bool
	unique     bool
}

// Column declares a column the way Alembic's sa.Column does: a name, a type
// in SQL spelling (parsed by schema.ParseType: "VARCHAR(100)",
// "numeric(10,2)", "int unsigned", "text[]") and options. Columns are
// nullable unless NotNull or PrimaryKey says otherwise, as in SQL.
//
// "serial", "bigserial" and "smallserial" mean integer, bigint and
// smallint with AutoIncrement, so one declaration is a PostgreSQL serial,
// a MySQL AUTO_INCREMENT and (with PrimaryKey, for serial) SQLite's
// INTEGER PRIMARY KEY AUTOINCREMENT.
func Column(name, typ string, opts ...ColumnOption) *ColumnDef {
	d := &ColumnDef{col: schema.Column{Name: name, Nullable: true}, typ: typ}
	t, err := schema.ParseType(typ)
	if err != nil {
		d.err = err
	} else {
		if n, ok := serialTypes[t.Name]; ok && !t.Array && !t.UserDefined && t.Length == 0 {
			t.Name, d.col.AutoIncrement = n, true
		}
		d.col.Type = t
	}
	for _, o := range opts {
		o.applyColumn(d)
	}
	return d
}

var serialTypes = map[string]string{"serial": "integer", "bigserial": "bigint", "smallserial": "smallint"}

// Schema returns the column as the model describes it, or the error in
// its type.
func (d *ColumnDef) Schema() (schema.Column, error) {
	if d.err != nil {
		return schema.Column{}, fmt.Errorf("column %s: %w", d.col.Name, d.err)
	}
	return d.col.Clone(), nil
}

func (d *ColumnDef) applyTable(t *schema.Table) error {
	c, err := d.Schema()
	if err != nil {
		return err
	}
	if t.Column(c.Name) != nil {
		return fmt.Errorf("column %s is declared twice", c.Name)
	}
	t.Columns = append(t.Columns, c)
	if d.primaryKey {
		if t.PrimaryKey == nil {
			t.PrimaryKey = &schema.PrimaryKey{}
		}
		t.PrimaryKey.Columns = append(t.PrimaryKey.Columns, c.Name)
	}
	if d.unique {
		t.Uniques = append(t.Uniques, schema.Unique{Columns: []string{c.Name}})
	}
	return nil
}

type columnFunc func(*ColumnDef)

func (f columnFunc) applyColumn(d *ColumnDef) { f(d) }

// PrimaryKey makes the column (part of) the table's primary key, which
// also makes it NOT NULL. Several PrimaryKey columns form a composite key
// in declaration order; use PrimaryKeyDef to name the constraint.
func PrimaryKey() ColumnOption {
	return columnFunc(func(d *ColumnDef) { d.primaryKey, d.col.Nullable = true, false })
}

// NotNull forbids NULL: columns are nullable otherwise, as in SQL and
// Alembic.
func NotNull() ColumnOption { return columnFunc(func(d *ColumnDef) { d.col.Nullable = false }) }

// Default sets the server default, an SQL expression written as the
// database should see it: "0", "'draft'" (quotes included),
// "CURRENT_TIMESTAMP". It is Alembic's server_default.
func Default(expr string) ColumnOption {
	return columnFunc(func(d *ColumnDef) { d.col.Default = expr })
}

// AutoIncrement lets the database number the rows: MySQL AUTO_INCREMENT,
// a PostgreSQL serial, SQLite AUTOINCREMENT (on an integer primary key).
func AutoIncrement() ColumnOption {
	return columnFunc(func(d *ColumnDef) { d.col.AutoIncrement = true })
}

// Collate sets the column's collation.
func Collate(name string) ColumnOption {
	return columnFunc(func(d *ColumnDef) { d.col.Collation = name })
}

// Unique is a single-column unique constraint when given to Column (the
// database names it; use UniqueDef for a name you can drop later), and
// makes an index unique when given to IndexDef or CreateIndex.
func Unique() UniqueOption { return UniqueOption{} }

// UniqueOption is what Unique returns: a ColumnOption and an IndexOption.
type UniqueOption struct{}

func (UniqueOption) applyColumn(d *ColumnDef)   { d.unique = true }
func (UniqueOption) applyIndex(x *schema.Index) { x.Unique = true }

// Comment is a comment on a column (a ColumnOption), a table (a
// TableItem) or an index (an IndexOption, MySQL).
type Comment string

func (c Comment) applyColumn(d *ColumnDef)   { d.col.Comment = string(c) }
func (c Comment) applyIndex(x *schema.Index) { x.Comment = string(c) }
func (c Comment) applyTable(t *schema.Table) error {
	t.Comment = string(c)
	return nil
}

// Where makes an index partial: only rows for which the SQL predicate
// holds are indexed (PostgreSQL, SQLite).
func Where(predicate string) IndexOption { return whereOption(predicate) }

type whereOption string

func (w whereOption) applyIndex(x *schema.Index) { x.Where = string(w) }

// OnDelete sets a foreign key's ON DELETE action: "CASCADE", "SET NULL",
// "SET DEFAULT", "RESTRICT" or "NO ACTION" (any case).
func OnDelete(action string) ForeignKeyOption {
	return fkFunc(func(fk *schema.ForeignKey) { fk.OnDelete = normAction(action) })
}

// OnUpdate sets a foreign key's ON UPDATE action, spelled as for OnDelete.
func OnUpdate(action string) ForeignKeyOption {
	return fkFunc(func(fk *schema.ForeignKey) { fk.OnUpdate = normAction(action) })
}

type fkFunc func(*schema.ForeignKey)

func (f fkFunc) applyForeignKey(fk *schema.ForeignKey) { f(fk) }

// normAction spells an action as the model does: upper case, "" for NO
// ACTION.
func normAction(a string) string {
	a = strings.ToUpper(strings.Join(strings.Fields(a), " "))
	if a == "NO ACTION" {
		return ""
	}
	return a
}

func checkAction(a string) error {
	switch a {
	case "", "CASCADE", "SET NULL", "SET DEFAULT", "RESTRICT":
		return nil
	}
	return fmt.Errorf("unknown referential action %q (want CASCADE, SET NULL, SET DEFAULT, RESTRICT or NO ACTION)", a)
}

// PrimaryKeyDef is a table's primary key over columns in order, for a
// composite or named key; name may be "" to let the database name it.
func PrimaryKeyDef(name string, columns ...string) TableItem {
	return tableFunc(func(t *schema.Table) error {
		if t.PrimaryKey != nil {
			return fmt.Errorf("table %s has two primary keys", t.Name)
		}
		if len(columns) == 0 {
			return fmt.Errorf("primary key %s has no columns", name)
		}
		t.PrimaryKey = &schema.PrimaryKey{Name: name, Columns: append([]string(nil), columns...)}
		return nil
	})
}

// UniqueDef is a named unique constraint over columns in order.
func UniqueDef(name string, columns ...string) TableItem {
	return tableFunc(func(t *schema.Table) error {
		u, err := uniqueModel(name, columns)
		if err != nil {
			return err
		}
		t.Uniques = append(t.Uniques, u)
		return nil
	})
}

// CheckDef is a named check constraint; condition is SQL without the
// enclosing parentheses.
func CheckDef(name, condition string) TableItem {
	return tableFunc(func(t *schema.Table) error {
		c, err := checkModel(name, condition)
		if err != nil {
			return err
		}
		t.Checks = append(t.Checks, c)
		return nil
	})
}

// ForeignKeyDef is a named foreign key from columns to refColumns of
// refTable ("table", or "schema.table"; a bare name is in the schema of
// the Operations, see InSchema).
func ForeignKeyDef(name string, columns []string, refTable string, refColumns []string, opts ...ForeignKeyOption) TableItem {
	return tableFunc(func(t *schema.Table) error {
		fk, err := foreignKeyModel(t.Schema, name, columns, refTable, refColumns, opts)
		if err != nil {
			return err
		}
		t.ForeignKeys = append(t.ForeignKeys, fk)
		return nil
	})
}

// IndexDef is an index created with the table. columns are column names,
// "name DESC" for a descending key, or an SQL expression in parentheses:
// "(lower(email))".
func IndexDef(name string, columns []string, opts ...IndexOption) TableItem {
	return tableFunc(func(t *schema.Table) error {
		x, err := indexModel(name, columns, opts)
		if err != nil {
			return err
		}
		if t.Index(name) != nil {
			return fmt.Errorf("index %s is declared twice", name)
		}
		t.Indexes = append(t.Indexes, x)
		return nil
	})
}

type tableFunc func(*schema.Table) error

func (f tableFunc) applyTable(t *schema.Table) error { return f(t) }

func uniqueModel(name string, columns []string) (schema.Unique, error) {
	if len(columns) == 0 {
		return schema.Unique{}, fmt.Errorf("unique constraint %s has no columns", name)
	}
	return schema.Unique{Name: name, Columns: append([]string(nil), columns...)}, nil
}

func checkModel(name, condition string) (schema.Check, error) {
	if strings.TrimSpace(condition) == "" {
		return schema.Check{}, fmt.Errorf("check constraint %s has no condition", name)
	}
	return schema.Check{Name: name, Expr: condition}, nil
}

func foreignKeyModel(defaultSchema, name string, columns []string, refTable string, refColumns []string, opts []ForeignKeyOption) (schema.ForeignKey, error) {
	if len(columns) == 0 || len(columns) != len(refColumns) {
		return schema.ForeignKey{}, fmt.Errorf("foreign key %s: %d column(s) reference %d column(s) of %s; give as many of each", name, len(columns), len(refColumns), refTable)
	}
	rs, rt := defaultSchema, refTable
	if s, t, ok := strings.Cut(refTable, "."); ok {
		rs, rt = s, t
	}
	fk := schema.ForeignKey{Name: name, Columns: append([]string(nil), columns...), RefSchema: rs, RefTable: rt, RefColumns: append([]string(nil), refColumns...)}
	for _, o := range opts {
		o.applyForeignKey(&fk)
	}
	for _, a := range []string{fk.OnDelete, fk.OnUpdate} {
		if err := checkAction(a); err != nil {
			return schema.ForeignKey{}, fmt.Errorf("foreign key %s: %w", name, err)
		}
	}
	return fk, nil
}

func indexModel(name string, columns []string, opts []IndexOption) (schema.Index, error) {
	if name == "" {
		return schema.Index{}, fmt.Errorf("an index needs a name")
	}
	if len(columns) == 0 {
		return schema.Index{}, fmt.Errorf("index %s has no columns", name)
	}
	x := schema.Index{Name: name}
	for _, c := range columns {
		c = strings.TrimSpace(c)
		var p schema.IndexPart
		if strings.HasPrefix(c, "(") {
			end := sqlbuild.ClosingParen(c, 0, "'\"`")
			if end < 0 {
				return schema.Index{}, fmt.Errorf("index %s: unbalanced parentheses in %q", name, c)
			}
			p.Expr = strings.TrimSpace(c[1:end])
			c = strings.TrimSpace(c[end+1:])
		} else {
			f := strings.Fields(c)
			if len(f) == 0 {
				return schema.Index{}, fmt.Errorf("index %s: empty column", name)
			}
			p.Column, c = f[0], strings.Join(f[1:], " ")
		}
		switch strings.ToUpper(c) {
		case "":
		case "ASC":
		case "DESC":
			p.Desc = true
		default:
			return schema.Index{}, fmt.Errorf("index %s: %q after the key; write an expression in parentheses, \"(lower(email))\", and a column as \"name\" or \"name DESC\"", name, c)
		}
		x.Parts = append(x.Parts, p)
	}
	for _, o := range opts {
		o.applyIndex(&x)
	}
	return x, nil
}

// Bool returns a pointer to b, for the optional fields of Alter
// (Nullable: op.Bool(false)); new(false) does the same.
func Bool(b bool) *bool { return &b }

// String returns a pointer to s, for the optional fields of Alter
// (Default: op.String("0"), or op.String("") to drop it).
func String(s string) *string { return &s }
