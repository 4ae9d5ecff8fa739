package op

import (
	"errors"
	"fmt"
	"strings"

	"github.com/retortdb/retort/schema"
)

// InSchema returns operations on the tables of the named schema
// (PostgreSQL; a database on MySQL), Alembic's schema= argument, so a
// migration says o.InSchema("billing").AddColumn(…) once instead of on
// every call. Foreign keys declared through them reference tables of that
// schema unless the referenced table is written "schema.table". "" is the
// connection's default schema.
func (o *Operations) InSchema(name string) *Operations {
	c := *o
	c.schema = name
	return &c
}

func (o *Operations) ref(table string) TableRef { return TableRef{Schema: o.schema, Name: table} }

// run runs ops and prefixes an error with what was asked, so the author
// finds the call.
func (o *Operations) run(what string, ops ...Op) error {
	// Plan everything first, so that an op the dialect cannot make fails
	// before the ones before it ran (AddColumn with PrimaryKey on SQLite).
	for _, x := range ops {
		if _, err := o.b.Plan(x); err != nil {
			return fmt.Errorf("%s: %w", what, o.rebuildAdvice(err))
		}
	}
	if err := o.Run(ops...); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return nil
}

// CreateTable creates a table from columns (Column) and table-level items
// (PrimaryKeyDef, UniqueDef, CheckDef, ForeignKeyDef, IndexDef, Comment),
// as Alembic's op.create_table. Indexes are created right after the table.
func (o *Operations) CreateTable(name string, items ...TableItem) error {
	t, err := o.tableModel(name, items)
	if err != nil {
		return fmt.Errorf("create table %s: %w", o.ref(name), err)
	}
	return o.run("create table "+o.ref(name).String(), &CreateTable{Table: t})
}

// tableModel builds the model of a table from items.
func (o *Operations) tableModel(name string, items []TableItem) (*schema.Table, error) {
	t := &schema.Table{Schema: o.schema, Name: name}
	for _, it := range items {
		if it == nil {
			return nil, errors.New("nil item")
		}
		if err := it.applyTable(t); err != nil {
			return nil, err
		}
	}
	if len(t.Columns) == 0 {
		return nil, errors.New("a table needs at least one column (op.Column)")
	}
	if err := checkColumns(t); err != nil {
		return nil, err
	}
	return t, nil
}

// checkColumns reports a key, constraint or index naming a column the
// table does not have, before the database does in its own words.
func checkColumns(t *schema.Table) error {
	has := func(what string, cols []string) error {
		for _, c := range cols {
			if t.Column(c) == nil {
				return fmt.Errorf("%s names column %s, which table %s does not have", what, c, t.Name)
			}
		}
		return nil
	}
	if t.PrimaryKey != nil {
		if err := has("the primary key", t.PrimaryKey.Columns); err != nil {
			return err
		}
	}
	for _, u := range t.Uniques {
		if err := has("unique constraint "+u.Name, u.Columns); err != nil {
			return err
		}
	}
	for _, fk := range t.ForeignKeys {
		if err := has("foreign key "+fk.Name, fk.Columns); err != nil {
			return err
		}
	}
	for _, x := range t.Indexes {
		cols, _ := x.Columns()
		if err := has("index "+x.Name, cols); err != nil {
			return err
		}
	}
	return nil
}

// DropTable drops a table and its data.
func (o *Operations) DropTable(name string) error {
	return o.run("drop table "+o.ref(name).String(), &DropTable{Table: &schema.Table{Schema: o.schema, Name: name}})
}

// RenameTable renames a table within its schema.
func (o *Operations) RenameTable(from, to string) error {
	return o.run("rename table "+o.ref(from).String(), &RenameTable{Table: o.ref(from), To: to})
}

// AddColumn adds a column to an existing table (Alembic's op.add_column).
// A NOT NULL column needs a Default when the table has rows.
func (o *Operations) AddColumn(table string, col *ColumnDef) error {
	what := "add column " + o.ref(table).String()
	if col == nil {
		return fmt.Errorf("%s: nil column", what)
	}
	what += "." + col.col.Name
	c, err := col.Schema()
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	ops := []Op{&AddColumn{Table: o.ref(table), Column: c}}
	if col.primaryKey {
		ops = append(ops, &AddPrimaryKey{Table: o.ref(table), PrimaryKey: schema.PrimaryKey{Columns: []string{c.Name}}})
	}
	if col.unique {
		ops = append(ops, &AddUnique{Table: o.ref(table), Unique: schema.Unique{Columns: []string{c.Name}}})
	}
	return o.run(what, ops...)
}

// DropColumn drops a column and its data.
func (o *Operations) DropColumn(table, column string) error {
	return o.run("drop column "+o.ref(table).String()+"."+column, &DropColumn{Table: o.ref(table), Column: schema.Column{Name: column}})
}

// CreateIndex creates an index on columns of table: column names, "name
// DESC", or expressions in parentheses ("(lower(email))", where the
// database supports them), with options Unique, Where (a partial index)
// and Comment (MySQL).
func (o *Operations) CreateIndex(name, table string, columns []string, opts ...IndexOption) error {
	what := "create index " + name + " on " + o.ref(table).String()
	x, err := indexModel(name, columns, opts)
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return o.run(what, &CreateIndex{Table: o.ref(table), Index: x})
}

// DropIndex drops the named index of table (MySQL needs the table).
func (o *Operations) DropIndex(name, table string) error {
	return o.run("drop index "+name+" on "+o.ref(table).String(), &DropIndex{Table: o.ref(table), Index: schema.Index{Name: name}})
}

// CreateUniqueConstraint adds a named unique constraint over columns.
func (o *Operations) CreateUniqueConstraint(name, table string, columns ...string) error {
	what := "create unique constraint " + name + " on " + o.ref(table).String()
	u, err := uniqueModel(name, columns)
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return o.run(what, &AddUnique{Table: o.ref(table), Unique: u})
}

// CreateForeignKey adds a named foreign key from columns of table to
// refColumns of refTable ("table" in the same schema, or "schema.table"),
// with OnDelete and OnUpdate actions.
func (o *Operations) CreateForeignKey(name, table, refTable string, columns, refColumns []string, opts ...ForeignKeyOption) error {
	what := "create foreign key " + name + " on " + o.ref(table).String()
	fk, err := foreignKeyModel(o.schema, name, columns, refTable, refColumns, opts)
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return o.run(what, &AddForeignKey{Table: o.ref(table), ForeignKey: fk})
}

// CreateCheckConstraint adds a named check constraint; condition is SQL
// without the enclosing parentheses.
func (o *Operations) CreateCheckConstraint(name, table, condition string) error {
	what := "create check constraint " + name + " on " + o.ref(table).String()
	c, err := checkModel(name, condition)
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return o.run(what, &AddCheck{Table: o.ref(table), Check: c})
}

// CreatePrimaryKey adds a primary key over columns to a table that has
// none; name may be "" where the database names it (MySQL's is PRIMARY).
func (o *Operations) CreatePrimaryKey(name, table string, columns ...string) error {
	what := "create primary key on " + o.ref(table).String()
	if len(columns) == 0 {
		return fmt.Errorf("%s: no columns", what)
	}
	return o.run(what, &AddPrimaryKey{Table: o.ref(table), PrimaryKey: schema.PrimaryKey{Name: name, Columns: append([]string(nil), columns...)}})
}

// SetTableComment sets a table's comment; "" removes it.
func (o *Operations) SetTableComment(table, comment string) error {
	return o.run("set comment on table "+o.ref(table).String(), &SetTableComment{Table: o.ref(table), Comment: comment})
}

// ConstraintKind says what DropConstraint drops, as Alembic's type_.
type ConstraintKind string

// The constraint kinds. KindAny lets DropConstraint find the kind in the
// live table, which it cannot do offline.
const (
	KindAny        ConstraintKind = ""
	KindForeignKey ConstraintKind = "foreignkey"
	KindUnique     ConstraintKind = "unique"
	KindCheck      ConstraintKind = "check"
	KindPrimaryKey ConstraintKind = "primary"
)

// DropConstraint drops the named constraint of table. kind is needed
// because the databases drop each kind differently (MySQL: DROP FOREIGN
// KEY, DROP INDEX, DROP CHECK); with KindAny it is looked up in the live
// table, so offline it must be given.
func (o *Operations) DropConstraint(name, table string, kind ConstraintKind) error {
	what := "drop constraint " + name + " on " + o.ref(table).String()
	if kind == KindAny {
		if o.Offline() {
			return fmt.Errorf("%s: offline (--sql) the kind cannot be read from the database; pass op.KindForeignKey, op.KindUnique, op.KindCheck or op.KindPrimaryKey", what)
		}
		t, err := o.liveTable(table)
		if err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		if kind = constraintKind(t, name); kind == KindAny {
			return fmt.Errorf("%s: table %s has no constraint named %s", what, o.ref(table), name)
		}
	}
	x, err := dropConstraintOp(o.ref(table), name, kind)
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return o.run(what, x)
}

func constraintKind(t *schema.Table, name string) ConstraintKind {
	switch {
	case t.ForeignKey(name) != nil:
		return KindForeignKey
	case t.Unique(name) != nil:
		return KindUnique
	case t.Check(name) != nil:
		return KindCheck
	case t.PrimaryKey != nil && (t.PrimaryKey.Name == name || name == "PRIMARY" && t.PrimaryKey.Name == ""):
		return KindPrimaryKey
	}
	return KindAny
}

func dropConstraintOp(r TableRef, name string, kind ConstraintKind) (Op, error) {
	switch kind {
	case KindForeignKey:
		return &DropForeignKey{Table: r, ForeignKey: schema.ForeignKey{Name: name}}, nil
	case KindUnique:
		return &DropUnique{Table: r, Unique: schema.Unique{Name: name}}, nil
	case KindCheck:
		return &DropCheck{Table: r, Check: schema.Check{Name: name}}, nil
	case KindPrimaryKey:
		return &DropPrimaryKey{Table: r, PrimaryKey: schema.PrimaryKey{Name: name}}, nil
	}
	return nil, fmt.Errorf("unknown constraint kind %q (want op.KindForeignKey, op.KindUnique, op.KindCheck or op.KindPrimaryKey)", string(kind))
}

// liveTable reads table's live definition and fails, naming it, when it
// does not exist.
func (o *Operations) liveTable(table string) (*schema.Table, error) {
	t, err := o.b.InspectTable(o.ctx, o.schema, table)
	if err != nil {
		return nil, err
	}
	if t == nil {
		return nil, fmt.Errorf("table %s does not exist", o.ref(table))
	}
	return t, nil
}

// bulkInsertParams bounds the bind arguments of one INSERT, under every
// supported database's limit (SQLite's was 999 before 3.32).
const bulkInsertParams = 999

// BulkInsert inserts rows, each holding a value per column in order, with
// multi-row INSERTs whose values are bind arguments (Alembic's
// op.bulk_insert). Offline the runner writes the values as literals.
func (o *Operations) BulkInsert(table string, columns []string, rows [][]any) error {
	what := "bulk insert into " + o.ref(table).String()
	if len(columns) == 0 {
		return fmt.Errorf("%s: no columns", what)
	}
	for i, r := range rows {
		if len(r) != len(columns) {
			return fmt.Errorf("%s: row %d has %d value(s) for %d column(s) (%s)", what, i, len(r), len(columns), strings.Join(columns, ", "))
		}
	}
	per := max(1, bulkInsertParams/len(columns))
	for start := 0; start < len(rows); start += per {
		chunk := rows[start:min(start+per, len(rows))]
		stmts, err := o.b.Plan(&InsertRows{Table: o.ref(table), Columns: columns, Rows: len(chunk)})
		if err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		if len(stmts) != 1 {
			return fmt.Errorf("%s: the planner returned %d statements for one INSERT", what, len(stmts))
		}
		args := make([]any, 0, len(chunk)*len(columns))
		for _, r := range chunk {
			args = append(args, r...)
		}
		if err := o.b.Exec(o.ctx, stmts[0], args...); err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
	}
	return nil
}

// InsertRows is the shape of a multi-row INSERT: Rows rows of Columns,
// whose values are bind arguments in row order, numbered from 1. It is
// BulkInsert's op; a planner renders it with the dialect's placeholders.
// Data is not schema: it has no inverse.
type InsertRows struct {
	Table   TableRef
	Columns []string
	Rows    int
}

// Reverse fails: the inserted rows are not known to the op.
func (o *InsertRows) Reverse() (Op, error) {
	return nil, fmt.Errorf("%s: %w", o, ErrIrreversible)
}

// Destructive is false: inserting loses nothing.
func (o *InsertRows) Destructive() bool { return false }

// String describes the op for messages.
func (o *InsertRows) String() string {
	return fmt.Sprintf("insert %d row(s) into %s", o.Rows, o.Table)
}
