package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/retortdb/retort/config"
	"github.com/retortdb/retort/dialect"
	"github.com/retortdb/retort/schema"
)

// Keys of the schema.Attrs SQLite fills.
const (
	// AttrWithoutRowid marks a WITHOUT ROWID table ("true").
	AttrWithoutRowid = "sqlite.without_rowid"
	// AttrStrict marks a STRICT table ("true").
	AttrStrict = "sqlite.strict"
)

var _ dialect.Inspector = Dialect{}

// Inspect implements dialect.Inspector for the main database with four
// queries, whatever the number of tables: one read of sqlite_schema
// (joined with pragma_table_list), and pragma_table_xinfo,
// pragma_index_list with pragma_index_xinfo, and pragma_foreign_key_list,
// each as a table-valued function joined over all tables in one query.
// What only the CREATE statements hold (CHECK constraints, constraint
// names, collations, AUTOINCREMENT, DEFERRABLE, generated-column and index
// expressions, partial-index predicates) is read from their text.
// InspectOptions.Schemas is ignored; virtual tables, their shadow tables
// and sqlite_* tables are left out.
//
// Normalisation:
//   - Types keep the declared name, which decides SQLite's affinity, in
//     lower case with single spaces: "VARCHAR ( 10 )" is varchar with
//     Length 10, "DECIMAL(10,2)" decimal with Precision 10 and Scale 2; a
//     column declared without a type has Type.Name "".
//   - Expressions (defaults, checks, generated columns, index expressions
//     and predicates) are re-spelled from their tokens: keywords in upper
//     case, one space between tokens, none inside parentheses. A default
//     that is not a literal is parenthesised, as SQLite requires in DDL.
//   - Collation names are upper case; BINARY, the default, is "".
//   - An INTEGER PRIMARY KEY (the rowid) and the primary key columns of a
//     WITHOUT ROWID table are NOT NULL, as SQLite enforces, whatever the
//     pragma says.
//   - Foreign keys without a column list reference the parent's primary
//     key, whose columns are filled in. Table and column names in a
//     foreign key are spelled as their tables declare them (SQLite matches
//     them ignoring case).
func (d Dialect) Inspect(ctx context.Context, q dialect.Querier, opts dialect.InspectOptions) (*schema.Schema, error) {
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	in := &inspection{q: q, opts: opts, tables: map[string]*liteTable{}}
	for _, step := range []func(context.Context) error{in.master, in.columns, in.indexes, in.foreignKeys} {
		if err := step(ctx); err != nil {
			return nil, fmt.Errorf("retort/sqlite: inspect: %w", err)
		}
	}
	out := &schema.Schema{}
	for name, t := range in.tables {
		if opts.KeepTable("", true, name) {
			out.Tables = append(out.Tables, t.Table)
		}
	}
	out.Sort()
	return out, nil
}

type inspection struct {
	q      dialect.Querier
	opts   dialect.InspectOptions
	tables map[string]*liteTable // by name
	// indexSQL holds the CREATE INDEX statements by index name.
	indexSQL map[string]string
}

type liteTable struct {
	*schema.Table
	ddl          *ddlTable
	withoutRowid bool
	pkCols       []pkCol
}

type pkCol struct {
	seq  int
	name string
}

// tablesFrom is the FROM clause every pragma query starts with: the
// ordinary tables of the main database.
const tablesFrom = `FROM pragma_table_list tl`
const tablesWhere = `tl.schema = 'main' AND tl.type = 'table' AND tl.name NOT LIKE 'sqlite\_%' ESCAPE '\'`

func (in *inspection) query(ctx context.Context, query string, scan func(*sql.Rows) error) error {
	rows, err := in.q.QueryContext(ctx, query)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// master reads sqlite_schema: tables, index and trigger statements.
func (in *inspection) master(ctx context.Context) error {
	indexSQL := map[string]string{}
	var triggers []schema.Trigger
	var triggerTables []string
	// The table list is materialised once: joined directly, the pragma
	// would run again for every row of sqlite_schema.
	err := in.query(ctx, `WITH tl AS MATERIALIZED (SELECT name, type, wr, strict FROM pragma_table_list WHERE schema = 'main')
SELECT m.type, m.name, m.tbl_name, COALESCE(m.sql, ''), COALESCE(tl.type, ''), COALESCE(tl.wr, 0), COALESCE(tl.strict, 0)
FROM sqlite_schema m LEFT JOIN tl ON tl.name = m.name
WHERE m.name NOT LIKE 'sqlite\_%' ESCAPE '\'`, func(rows *sql.Rows) error {
		var typ, name, table, text, listType string
		var wr, strict bool
		if err := rows.Scan(&typ, &name, &table, &text, &listType, &wr, &strict); err != nil {
			return err
		}
		switch typ {
		case "table":
			// Every table is read, so that foreign keys can name their
			// parents; the filters apply to the result.
			if listType != "table" {
				return nil
			}
			t := &liteTable{Table: &schema.Table{Name: name}, ddl: parseCreateTable(text), withoutRowid: wr}
			if wr {
				setAttr(&t.Extra, AttrWithoutRowid, "true")
			}
			if strict {
				setAttr(&t.Extra, AttrStrict, "true")
			}
			in.tables[name] = t
		case "index":
			indexSQL[name] = text
		case "trigger":
			triggers = append(triggers, schema.Trigger{Name: name, SQL: text})
			triggerTables = append(triggerTables, table)
		}
		return nil
	})
	if err != nil {
		return err
	}
	for i, tr := range triggers {
		if t := in.table(triggerTables[i]); t != nil {
			t.Triggers = append(t.Triggers, tr)
		}
	}
	in.indexSQL = indexSQL
	return nil
}

// table finds a table by name as SQLite does: ignoring ASCII case.
func (in *inspection) table(name string) *liteTable {
	if t := in.tables[name]; t != nil {
		return t
	}
	for n, t := range in.tables {
		if strings.EqualFold(n, name) {
			return t
		}
	}
	return nil
}

func (in *inspection) columns(ctx context.Context) error {
	err := in.query(ctx, `SELECT tl.name, p.name, p.type, p."notnull", p.dflt_value, p.pk, p.hidden
`+tablesFrom+` JOIN pragma_table_xinfo(tl.name, 'main') p
WHERE `+tablesWhere+` ORDER BY tl.name, p.cid`, func(rows *sql.Rows) error {
		var table, name, typ string
		var notNull bool
		var def sql.NullString
		var pk, hidden int
		if err := rows.Scan(&table, &name, &typ, &notNull, &def, &pk, &hidden); err != nil {
			return err
		}
		t := in.tables[table]
		if t == nil || hidden == 1 {
			return nil
		}
		col := schema.Column{Name: name, Type: parseType(typ), Nullable: !notNull}
		if dc := t.ddl.columns[strings.ToLower(name)]; dc != nil {
			if dc.collation != "BINARY" {
				col.Collation = dc.collation
			}
			col.AutoIncrement = dc.autoIncrement
			if hidden == 2 || hidden == 3 {
				col.Generated = &schema.Generated{Expr: dc.generated, Stored: hidden == 3}
			}
		}
		if col.Generated == nil && def.Valid {
			col.Default = normDefault(def.String)
		}
		if pk > 0 {
			t.pkCols = append(t.pkCols, pkCol{pk, name})
		}
		t.Columns = append(t.Columns, col)
		return nil
	})
	if err != nil {
		return err
	}
	for _, t := range in.tables {
		if len(t.pkCols) == 0 {
			continue
		}
		pk := &schema.PrimaryKey{Name: t.ddl.pkName, Columns: make([]string, len(t.pkCols))}
		for _, c := range t.pkCols {
			if c.seq-1 < len(pk.Columns) {
				pk.Columns[c.seq-1] = c.name
			}
		}
		t.PrimaryKey = pk
		rowid := len(pk.Columns) == 1 && !t.withoutRowid && strings.EqualFold(t.Column(pk.Columns[0]).Type.Raw, "integer")
		if rowid || t.withoutRowid {
			for _, name := range pk.Columns {
				t.Column(name).Nullable = false
			}
		}
	}
	return nil
}

func (in *inspection) indexes(ctx context.Context) error {
	type key struct{ table, index string }
	byKey := map[key]*schema.Index{}
	origins := map[key]string{}
	var order []key
	err := in.query(ctx, `SELECT tl.name, il.name, il."unique", il.origin, ix.cid, COALESCE(ix.name, ''), ix."desc", COALESCE(ix.coll, '')
`+tablesFrom+` JOIN pragma_index_list(tl.name, 'main') il JOIN pragma_index_xinfo(il.name, 'main') ix
WHERE `+tablesWhere+` AND ix.key = 1 ORDER BY tl.name, il.name, ix.seqno`, func(rows *sql.Rows) error {
		var table, index, origin, column, coll string
		var unique, desc bool
		var cid int
		if err := rows.Scan(&table, &index, &unique, &origin, &cid, &column, &desc, &coll); err != nil {
			return err
		}
		t := in.tables[table]
		if t == nil {
			return nil
		}
		k := key{table, index}
		x := byKey[k]
		if x == nil {
			x = &schema.Index{Name: index, Unique: unique}
			byKey[k], origins[k] = x, origin
			order = append(order, k)
		}
		part := schema.IndexPart{Desc: desc}
		own := "BINARY"
		switch cid {
		case -2: // an expression, filled in from the CREATE INDEX text
		case -1:
			part.Column = "rowid"
		default:
			part.Column = column
			if c := t.Column(column); c != nil && c.Collation != "" {
				own = c.Collation
			}
		}
		if coll = strings.ToUpper(coll); coll != own {
			part.Collation = coll
		}
		x.Parts = append(x.Parts, part)
		return nil
	})
	if err != nil {
		return err
	}
	for _, k := range order {
		t, x := in.tables[k.table], byKey[k]
		switch origins[k] {
		case "pk":
			// The primary key's own index: the pragma already gave the key.
		case "u":
			cols, _ := x.Columns()
			t.Uniques = append(t.Uniques, schema.Unique{Name: t.ddl.uniqueName(cols), Columns: cols})
		default:
			ddl := parseCreateIndex(in.indexSQL[k.index], t.ddl.isColumn)
			for i := range x.Parts {
				if x.Parts[i].Column == "" && i < len(ddl.parts) {
					x.Parts[i].Expr = ddl.parts[i].expr
				}
			}
			x.Where = ddl.where
			t.Indexes = append(t.Indexes, *x)
		}
	}
	return nil
}

// uniqueName returns the name the CREATE TABLE gave the unique constraint
// on cols, "" if none.
func (d *ddlTable) uniqueName(cols []string) string {
	for i := range d.uniques {
		u := &d.uniques[i]
		if !u.used && equalFold(u.columns, cols) {
			u.used = true
			return u.name
		}
	}
	return ""
}

func equalFold(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !strings.EqualFold(a[i], b[i]) {
			return false
		}
	}
	return true
}

func (in *inspection) foreignKeys(ctx context.Context) error {
	type key struct {
		table string
		id    int
	}
	byKey := map[key]*schema.ForeignKey{}
	var order []key
	err := in.query(ctx, `SELECT tl.name, f.id, f."table", f."from", f."to", f.on_update, f.on_delete
`+tablesFrom+` JOIN pragma_foreign_key_list(tl.name, 'main') f
WHERE `+tablesWhere+` ORDER BY tl.name, f.id, f.seq`, func(rows *sql.Rows) error {
		var table, refTable, from, onUpdate, onDelete string
		var to sql.NullString
		var id int
		if err := rows.Scan(&table, &id, &refTable, &from, &to, &onUpdate, &onDelete); err != nil {
			return err
		}
		if in.tables[table] == nil {
			return nil
		}
		k := key{table, id}
		fk := byKey[k]
		if fk == nil {
			fk = &schema.ForeignKey{RefTable: refTable, OnUpdate: fkAction(onUpdate), OnDelete: fkAction(onDelete)}
			byKey[k] = fk
			order = append(order, k)
		}
		fk.Columns = append(fk.Columns, from)
		if to.Valid {
			fk.RefColumns = append(fk.RefColumns, to.String)
		}
		return nil
	})
	if err != nil {
		return err
	}
	// pragma_foreign_key_list numbers a table's keys from the last one
	// declared; put them back in declaration order before matching names.
	for i := len(order) - 1; i >= 0; i-- {
		k := order[i]
		t, fk := in.tables[k.table], byKey[k]
		// SQLite matches names ignoring case: the model spells them as the
		// tables declare them, whatever the REFERENCES clause wrote.
		for i, c := range fk.Columns {
			if col := t.ColumnFold(c); col != nil {
				fk.Columns[i] = col.Name
			}
		}
		if parent := in.table(fk.RefTable); parent != nil {
			fk.RefTable = parent.Name
			if len(fk.RefColumns) == 0 && parent.PrimaryKey != nil {
				// REFERENCES parent without columns: the parent's primary key.
				fk.RefColumns = append([]string(nil), parent.PrimaryKey.Columns...)
			}
			for i, c := range fk.RefColumns {
				if col := parent.ColumnFold(c); col != nil {
					fk.RefColumns[i] = col.Name
				}
			}
		}
		for j := range t.ddl.fks {
			dfk := &t.ddl.fks[j]
			if !dfk.used && equalFold(dfk.columns, fk.Columns) && strings.EqualFold(dfk.refTable, fk.RefTable) {
				dfk.used = true
				fk.Name, fk.Deferrable, fk.InitiallyDeferred = dfk.name, dfk.deferrable, dfk.initiallyDeferred
				break
			}
		}
		t.ForeignKeys = append(t.ForeignKeys, *fk)
	}
	// The checks come from the CREATE TABLE text only.
	for _, t := range in.tables {
		for _, c := range t.ddl.checks {
			t.Checks = append(t.Checks, schema.Check{Name: c.name, Expr: c.expr})
		}
	}
	return nil
}

func fkAction(a string) string {
	if a = strings.ToUpper(a); a == "NO ACTION" {
		return ""
	}
	return a
}

func setAttr(a *schema.Attrs, k, v string) {
	if *a == nil {
		*a = schema.Attrs{}
	}
	(*a)[k] = v
}

// numericNames take (precision, scale) rather than a length.
var numericNames = wordSet(`decimal numeric real double float`)

// parseType normalises a declared type: lower case, single spaces,
// "name(a, b)" split into name and arguments.
func parseType(raw string) schema.Type {
	t := schema.Type{Raw: raw}
	s := strings.ToLower(strings.Join(strings.Fields(raw), " "))
	var args []int
	if i := strings.IndexByte(s, '('); i >= 0 && strings.HasSuffix(s, ")") {
		for _, a := range strings.Split(s[i+1:len(s)-1], ",") {
			n, err := strconv.Atoi(strings.TrimSpace(a))
			if err != nil {
				t.Name = s
				return t
			}
			args = append(args, n)
		}
		s = strings.TrimSpace(s[:i])
	}
	t.Name = s
	first, _, _ := strings.Cut(s, " ")
	switch {
	case len(args) == 1 && !numericNames[first]:
		t.Length = args[0]
	case len(args) >= 1:
		t.Precision = args[0]
		if len(args) > 1 {
			t.Scale = args[1]
		}
	}
	return t
}

// normDefault re-spells a pragma dflt_value: canonical tokens, NULL as no
// default, and parentheses around anything but a literal.
func normDefault(v string) string {
	toks := tokenize(v)
	if len(toks) == 0 || len(toks) == 1 && toks[0].is("NULL") {
		return ""
	}
	if len(toks) == 1 && toks[0].kind == tQuoted && strings.HasPrefix(toks[0].text, `"`) {
		// DEFAULT "x": SQLite takes a double-quoted word there as a string.
		return "'" + strings.ReplaceAll(toks[0].val, "'", "''") + "'"
	}
	s := canonical(toks)
	if isLiteral(toks) {
		return s
	}
	if toks[0].op("(") && len(toks) >= 2 {
		p := &parser{toks: toks}
		p.group()
		if p.pos == len(toks) {
			return s // already parenthesised as a whole
		}
	}
	return "(" + s + ")"
}

var _ dialect.Scratcher = Dialect{}

// ScratchInMemory implements dialect.Scratcher.
func (Dialect) ScratchInMemory() bool { return true }

// OpenScratch implements dialect.Scratcher with an in-memory database on a
// single connection, foreign keys on as always; Close closes it. base and
// dev are not used: SQLite needs no server.
func (d Dialect) OpenScratch(ctx context.Context, base, dev *config.URL) (dialect.Scratch, error) {
	u := &config.URL{Dialect: config.SQLite, Path: config.MemoryPath}
	dsn, err := d.DSN(u)
	if err != nil {
		return nil, err
	}
	db, err := sql.Open(d.DriverName(), dsn)
	if err != nil {
		return nil, fmt.Errorf("retort/sqlite: open an in-memory database: %w", err)
	}
	d.ConfigureDB(db, u)
	conn, err := db.Conn(ctx)
	if err != nil {
		return nil, errors.Join(fmt.Errorf("retort/sqlite: open an in-memory database: %w", err), db.Close())
	}
	return &scratch{d: d, db: db, conn: conn}, nil
}

type scratch struct {
	d    Dialect
	db   *sql.DB
	conn *sql.Conn
	done bool
}

// Exec implements dialect.Scratch.
func (s *scratch) Exec(ctx context.Context, stmt string) error {
	_, err := s.conn.ExecContext(ctx, stmt)
	return err
}

// Inspect implements dialect.Scratch.
func (s *scratch) Inspect(ctx context.Context, opts dialect.InspectOptions) (*schema.Schema, error) {
	return s.d.Inspect(ctx, s.conn, opts)
}

// Close implements dialect.Scratch.
func (s *scratch) Close(context.Context) error {
	if s.done {
		return nil
	}
	s.done = true
	return errors.Join(s.conn.Close(), s.db.Close())
}

// String implements dialect.Scratch.
func (s *scratch) String() string { return "sqlite:///:memory:" }
