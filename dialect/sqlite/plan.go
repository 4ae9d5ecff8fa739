package sqlite

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/retortdb/retort/dialect"
	"github.com/retortdb/retort/internal/sqlbuild"
	"github.com/retortdb/retort/op"
	"github.com/retortdb/retort/schema"
)

var _ dialect.Planner = Dialect{}

// ErrNeedsRebuild is wrapped by Plan's error for an op that SQLite's ALTER
// TABLE cannot make and that needs the table rebuild, not implemented yet.
var ErrNeedsRebuild = errors.New("not supported yet on SQLite: needs a table rebuild")

// Plan implements dialect.Planner for what SQLite does natively: create,
// drop and rename tables (with their foreign keys inline: diff with
// autogen.DiffOptions.InlineForeignKeys), add, drop and rename columns,
// create and drop indexes; and op.RebuildTable (diff with
// autogen.DiffOptions.RebuildTables). Every other op (column changes,
// constraints, primary keys, foreign keys on existing tables) fails with
// ErrNeedsRebuild.
//
// SQLite's ADD COLUMN cannot place a column: it goes at the end, and
// op.AddColumn's After and First are ignored (the diff does not set them
// for SQLite). Only a table rebuild could put it elsewhere, which copies
// every row; retort does not rebuild for a column's position alone. A
// dropped column comes back in place, though: dropping one takes a
// rebuild, whose reverse rebuilds the old table as it was.
func (d Dialect) Plan(o op.Op) ([]string, error) {
	switch o := o.(type) {
	case *op.InsertRows:
		return []string{d.insertRows(d.QuoteIdent(o.Table.Name), o)}, nil
	case *op.CreateTable:
		return d.createTable(o.Table), nil
	case *op.DropTable:
		return []string{"DROP TABLE " + d.QuoteIdent(o.Table.Name)}, nil
	case *op.RenameTable:
		return []string{"ALTER TABLE " + d.QuoteIdent(o.Table.Name) + " RENAME TO " + d.QuoteIdent(o.To)}, nil
	case *op.AddColumn:
		return []string{"ALTER TABLE " + d.QuoteIdent(o.Table.Name) + " ADD COLUMN " + d.columnDef(o.Column, false)}, nil
	case *op.DropColumn:
		return []string{"ALTER TABLE " + d.QuoteIdent(o.Table.Name) + " DROP COLUMN " + d.QuoteIdent(o.Column.Name)}, nil
	case *op.RenameColumn:
		return []string{"ALTER TABLE " + d.QuoteIdent(o.Table.Name) + " RENAME COLUMN " + d.QuoteIdent(o.From) + " TO " + d.QuoteIdent(o.To)}, nil
	case *op.CreateIndex:
		return []string{d.createIndex(o.Table, o.Index)}, nil
	case *op.DropIndex:
		return []string{"DROP INDEX " + d.QuoteIdent(o.Index.Name)}, nil
	case *op.RebuildTable:
		return d.rebuild(o), nil
	case *op.CreateEnum, *op.DropEnum, *op.AddEnumValue, *op.ChangeEnum:
		return nil, fmt.Errorf("sqlite: %s: SQLite has no enum types", o)
	case *op.SetTableComment:
		return nil, fmt.Errorf("sqlite: %s: SQLite has no table comments", o)
	}
	return nil, fmt.Errorf("sqlite: %s: %w", o, ErrNeedsRebuild)
}

func (d Dialect) idents(names []string) string { return sqlbuild.Idents(names, d.QuoteIdent) }

func (d Dialect) constraint(name string) string { return sqlbuild.Constraint(name, d.QuoteIdent) }

func typeSQL(t schema.Type) string {
	s := t.Name
	switch {
	case t.Length != 0:
		s += "(" + strconv.Itoa(t.Length) + ")"
	case t.Scale != 0:
		s += fmt.Sprintf("(%d,%d)", t.Precision, t.Scale)
	case t.Precision != 0:
		s += fmt.Sprintf("(%d)", t.Precision)
	}
	return s
}

// columnDef renders c; pk is set for the single-column INTEGER PRIMARY KEY
// written on the column (so AUTOINCREMENT can follow it).
func (d Dialect) columnDef(c schema.Column, pk bool) string {
	s := d.QuoteIdent(c.Name)
	if t := typeSQL(c.Type); t != "" {
		s += " " + t
	}
	if pk {
		s += " PRIMARY KEY"
		if c.AutoIncrement {
			s += " AUTOINCREMENT"
		}
	}
	if !c.Nullable && !pk {
		s += " NOT NULL"
	}
	if c.Collation != "" {
		s += " COLLATE " + c.Collation
	}
	if c.Default != "" {
		s += " DEFAULT " + c.Default
	}
	if c.Generated != nil {
		kind := "VIRTUAL"
		if c.Generated.Stored {
			kind = "STORED"
		}
		s += " GENERATED ALWAYS AS (" + c.Generated.Expr + ") " + kind
	}
	return s
}

func (d Dialect) foreignKey(fk schema.ForeignKey) string {
	s := d.constraint(fk.Name) + "FOREIGN KEY (" + d.idents(fk.Columns) + ") REFERENCES " +
		d.QuoteIdent(fk.RefTable) + " (" + d.idents(fk.RefColumns) + ")"
	return s + sqlbuild.ForeignKeyActions(fk)
}

func (d Dialect) createTable(t *schema.Table) []string {
	var defs []string
	inlinePK := ""
	if pk := t.PrimaryKey; pk != nil && pk.Name == "" && len(pk.Columns) == 1 {
		if c := t.Column(pk.Columns[0]); c != nil && (c.AutoIncrement || c.Type.Name == "integer") {
			inlinePK = c.Name
		}
	}
	for _, c := range t.Columns {
		defs = append(defs, d.columnDef(c, c.Name == inlinePK))
	}
	if t.PrimaryKey != nil && inlinePK == "" {
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
	s := "CREATE TABLE " + d.QuoteIdent(t.Name) + " (\n    " + strings.Join(defs, ",\n    ") + "\n)"
	var opts []string
	if t.Extra[AttrWithoutRowid] == "true" {
		opts = append(opts, "WITHOUT ROWID")
	}
	if t.Extra[AttrStrict] == "true" {
		opts = append(opts, "STRICT")
	}
	if len(opts) > 0 {
		s += " " + strings.Join(opts, ", ")
	}
	out := []string{s}
	for _, x := range t.Indexes {
		out = append(out, d.createIndex(op.Ref(t), x))
	}
	for _, tr := range t.Triggers {
		out = append(out, tr.SQL)
	}
	return out
}

func (d Dialect) createIndex(t op.TableRef, x schema.Index) string {
	s := "CREATE "
	if x.Unique {
		s += "UNIQUE "
	}
	s += "INDEX " + d.QuoteIdent(x.Name) + " ON " + d.QuoteIdent(t.Name) + " ("
	parts := make([]string, len(x.Parts))
	for i, p := range x.Parts {
		if p.Column != "" {
			parts[i] = d.QuoteIdent(p.Column)
		} else {
			parts[i] = "(" + p.Expr + ")"
		}
		if p.Collation != "" {
			parts[i] += " COLLATE " + p.Collation
		}
		if p.Desc {
			parts[i] += " DESC"
		}
	}
	s += strings.Join(parts, ", ") + ")"
	if x.Where != "" {
		s += " WHERE " + x.Where
	}
	return s
}

// rebuildPrefix names the new table of a rebuild until it takes the old
// one's name.
const rebuildPrefix = "_retort_new_"

// rebuild is SQLite's table rebuild (https://sqlite.org/lang_altertable.html,
// "other kinds of table schema changes", steps 4 to 9): create the new table
// under a temporary name, copy the shared columns' rows, drop the old table,
// rename the new one, and create To's indexes and triggers. The caller runs
// it with foreign keys off (PRAGMA foreign_keys before the transaction) and
// runs PRAGMA foreign_key_check before committing.
func (d Dialect) rebuild(o *op.RebuildTable) []string {
	tmp := o.To.Clone()
	tmp.Name = rebuildPrefix + o.To.Name
	tmp.Indexes, tmp.Triggers = nil, nil
	out := d.createTable(tmp)
	var shared []string
	for _, c := range o.To.Columns {
		if o.From.Column(c.Name) != nil && c.Generated == nil {
			shared = append(shared, c.Name)
		}
	}
	if len(shared) > 0 {
		cols := d.idents(shared)
		out = append(out, "INSERT INTO "+d.QuoteIdent(tmp.Name)+" ("+cols+") SELECT "+cols+" FROM "+d.QuoteIdent(o.From.Name))
	}
	out = append(out,
		"DROP TABLE "+d.QuoteIdent(o.From.Name),
		"ALTER TABLE "+d.QuoteIdent(tmp.Name)+" RENAME TO "+d.QuoteIdent(o.To.Name))
	for _, x := range o.To.Indexes {
		out = append(out, d.createIndex(op.Ref(o.To), x))
	}
	for _, tr := range o.To.Triggers {
		out = append(out, tr.SQL)
	}
	return out
}

var _ dialect.Rebuilder = Dialect{}

// RebuildSection implements dialect.Rebuilder. SQLite honours
// foreign_keys=OFF only outside a transaction, so the section opens its
// own; before COMMIT, PRAGMA foreign_key_check's violations are counted into
// a CHECK, so a rebuild that leaves a broken foreign key fails the step.
func (Dialect) RebuildSection() (head, tail string) {
	return "-- retort:no-transaction\n" +
			"-- SQLite rebuilds tables with foreign keys off, which it allows only outside a transaction.\n" +
			"PRAGMA foreign_keys=OFF;\nBEGIN;\n",
		"\n-- Fails if a row now breaks a foreign key (PRAGMA foreign_key_check).\n" +
			"CREATE TEMP TABLE _retort_fk_check (foreign_key_violations INTEGER CHECK (foreign_key_violations = 0));\n" +
			"INSERT INTO _retort_fk_check SELECT count(*) FROM pragma_foreign_key_check;\n" +
			"DROP TABLE _retort_fk_check;\n" +
			"COMMIT;\nPRAGMA foreign_keys=ON;\n"
}

// RebuildGuard implements dialect.Rebuilder: the count of other tables
// whose foreign keys name t goes into a CHECK that wants none, so the
// statement fails with a message naming what it counts.
func (d Dialect) RebuildGuard(t dialect.Table) []string {
	col := d.QuoteIdent("tables_referencing_" + t.Name)
	return []string{
		"DROP TABLE IF EXISTS temp._retort_rebuild_guard",
		"CREATE TEMP TABLE _retort_rebuild_guard (" + col + " INTEGER CHECK (" + col + " = 0))",
		"INSERT INTO _retort_rebuild_guard SELECT count(DISTINCT m.name) FROM sqlite_schema AS m JOIN pragma_foreign_key_list(m.name) AS f " +
			"WHERE m.type = 'table' AND lower(f.\"table\") = lower(" + d.Literal(t.Name) + ") AND lower(m.name) <> lower(" + d.Literal(t.Name) + ")",
		"DROP TABLE _retort_rebuild_guard",
	}
}

// insertRows renders op.InsertRows: one INSERT of o.Rows rows whose values
// are placeholders numbered in row order.
func (d Dialect) insertRows(table string, o *op.InsertRows) string {
	return "INSERT INTO " + table + " (" + d.idents(o.Columns) + ") VALUES " + sqlbuild.RowPlaceholders(o.Rows, len(o.Columns), d.Placeholder)
}
