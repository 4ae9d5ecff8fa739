package mysql

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/retortdb/retort/config"
	"github.com/retortdb/retort/dialect"
	"github.com/retortdb/retort/internal/sqlbuild"
	"github.com/retortdb/retort/schema"
)

// Keys of the schema.Attrs MySQL fills.
const (
	// AttrEngine is a table's storage engine when it is not the server's
	// default_storage_engine.
	AttrEngine = "mysql.engine"
	// AttrCollation is a table's default collation when it is not the
	// database's.
	AttrCollation = "mysql.collation"
	// AttrOnUpdate is a column's ON UPDATE expression (CURRENT_TIMESTAMP,
	// CURRENT_TIMESTAMP(6)).
	AttrOnUpdate = "mysql.on_update"
	// AttrInvisible marks an INVISIBLE column ("true").
	AttrInvisible = "mysql.invisible"
	// AttrCheckLevel is "column" for a MariaDB check written on a column
	// (named after the column), which MariaDB reports apart from table
	// checks.
	AttrCheckLevel = "mysql.check_level"
	// AttrNotEnforced marks a MySQL CHECK … NOT ENFORCED ("true").
	AttrNotEnforced = "mysql.not_enforced"
)

var _ dialect.Inspector = Dialect{}

// Inspect implements dialect.Inspector for the connection's database
// (DATABASE()) with seven queries, whatever the number of tables: the
// server's version and defaults (with SCHEMATA), then information_schema's
// TABLES, COLUMNS, STATISTICS, KEY_COLUMN_USAGE joined with
// REFERENTIAL_CONSTRAINTS, CHECK_CONSTRAINTS (joined with
// TABLE_CONSTRAINTS on MySQL) and TRIGGERS. InspectOptions.Schemas is
// ignored: a MySQL schema is a database.
//
// Normalisation (MySQL 8 and MariaDB 10.2.7+ report the same DDL
// differently; both end up alike):
//   - Types: integer display widths are dropped (int(11) is int), except
//     tinyint(1), the conventional boolean, which keeps Length 1; year(4) is
//     year. Time types carry their fractional-seconds precision (0 when
//     none). decimal, float and double keep (M,D). ENUM and SET members go
//     to EnumValues. UNSIGNED sets Unsigned; ZEROFILL is not kept.
//   - Defaults: string literals are in single quotes, with a quote doubled
//     and a backslash escaped, whichever server reported them (MariaDB
//     quotes them, MySQL does not); numbers and b'…' bare; CURRENT_TIMESTAMP, current_timestamp() and
//     now() are CURRENT_TIMESTAMP (with the precision, if any); any other
//     expression is parenthesised, (uuid()), as MySQL requires in DDL.
//     DEFAULT NULL is no default.
//   - The primary key has no Name (it is always PRIMARY). A unique key on
//     whole columns, ascending, B-tree and without a comment, is a Unique
//     constraint (MySQL does not tell UNIQUE constraints and unique indexes
//     apart); any other unique key (a prefix, an expression, DESC, a
//     comment) is a unique Index. InnoDB's own index for a foreign key is
//     an ordinary Index, as it is in the catalog.
//   - Referential actions RESTRICT and NO ACTION, the same thing in
//     InnoDB, are both "".
//   - Collation is set when it differs from the table's default collation;
//     the table's, in Extra, when it differs from the database's.
func (d Dialect) Inspect(ctx context.Context, q dialect.Querier, opts dialect.InspectOptions) (*schema.Schema, error) {
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	in := &inspection{q: q, opts: opts, tables: map[string]*myTable{}}
	for _, step := range []func(context.Context) error{
		in.server, in.readTables, in.columns, in.indexes, in.foreignKeys, in.checks, in.triggers,
	} {
		if err := step(ctx); err != nil {
			return nil, fmt.Errorf("retort/mysql: inspect: %w", err)
		}
	}
	out := &schema.Schema{}
	for _, t := range in.tables {
		out.Tables = append(out.Tables, t.Table)
	}
	out.Sort()
	return out, nil
}

type inspection struct {
	q    dialect.Querier
	opts dialect.InspectOptions

	db            string // DATABASE()
	mariaDB       bool
	version       [3]int
	defaultEngine string
	dbCollation   string
	tables        map[string]*myTable
}

type myTable struct {
	*schema.Table
	collation string // the table's default collation
}

func (in *inspection) server(ctx context.Context) error {
	var db sql.NullString
	var version string
	err := in.q.QueryRowContext(ctx, `SELECT DATABASE(), VERSION(), @@default_storage_engine,
	COALESCE((SELECT DEFAULT_COLLATION_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = DATABASE()), '')`).
		Scan(&db, &version, &in.defaultEngine, &in.dbCollation)
	if err != nil {
		return err
	}
	if !db.Valid {
		return errors.New("no database selected: the URL must name one")
	}
	in.db = db.String
	// A version or history table named with this database is in it.
	for _, own := range []*dialect.Table{&in.opts.VersionTable, &in.opts.HistoryTable} {
		if own.Schema == in.db {
			own.Schema = ""
		}
	}
	in.mariaDB = strings.Contains(strings.ToLower(version), "mariadb")
	for i, p := range strings.SplitN(strings.SplitN(version, "-", 2)[0], ".", 3) {
		in.version[i], _ = strconv.Atoi(p)
	}
	return nil
}

// mysqlAtLeast reports whether the server is MySQL (not MariaDB) at least
// major.minor.patch.
func (in *inspection) mysqlAtLeast(major, minor, patch int) bool {
	if in.mariaDB {
		return false
	}
	v := in.version
	return v[0] > major || v[0] == major && (v[1] > minor || v[1] == minor && v[2] >= patch)
}

func (in *inspection) query(ctx context.Context, query string, scan func(*sql.Rows) error) error {
	rows, err := in.q.QueryContext(ctx, query, in.db)
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

func (in *inspection) readTables(ctx context.Context) error {
	return in.query(ctx, `SELECT TABLE_NAME, COALESCE(ENGINE, ''), COALESCE(TABLE_COLLATION, ''), COALESCE(TABLE_COMMENT, '')
FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_TYPE = 'BASE TABLE'`, func(rows *sql.Rows) error {
		var name, engine, collation, comment string
		if err := rows.Scan(&name, &engine, &collation, &comment); err != nil {
			return err
		}
		if !in.opts.KeepTable("", true, name) {
			return nil
		}
		t := &schema.Table{Name: name, Comment: comment}
		if engine != "" && !strings.EqualFold(engine, in.defaultEngine) {
			setAttr(&t.Extra, AttrEngine, engine)
		}
		if collation != "" && collation != in.dbCollation {
			setAttr(&t.Extra, AttrCollation, collation)
		}
		in.tables[name] = &myTable{Table: t, collation: collation}
		return nil
	})
}

func (in *inspection) columns(ctx context.Context) error {
	return in.query(ctx, `SELECT TABLE_NAME, COLUMN_NAME, COLUMN_DEFAULT, IS_NULLABLE, COLUMN_TYPE,
	COALESCE(COLLATION_NAME, ''), EXTRA, COALESCE(COLUMN_COMMENT, ''), COALESCE(GENERATION_EXPRESSION, '')
FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? ORDER BY TABLE_NAME, ORDINAL_POSITION`, func(rows *sql.Rows) error {
		var (
			table, name, nullable, colType, collation, extra, comment, genExpr string
			def                                                                sql.NullString
		)
		if err := rows.Scan(&table, &name, &def, &nullable, &colType, &collation, &extra, &comment, &genExpr); err != nil {
			return err
		}
		t := in.tables[table]
		if t == nil {
			return nil
		}
		col := schema.Column{Name: name, Type: parseType(colType), Nullable: nullable == "YES", Comment: comment}
		if collation != "" && collation != t.collation {
			col.Collation = collation
		}
		lextra := strings.ToLower(extra)
		switch {
		case strings.Contains(lextra, "stored generated"):
			col.Generated = &schema.Generated{Expr: stripParens(genExpr), Stored: true}
		case strings.Contains(lextra, "virtual generated"):
			col.Generated = &schema.Generated{Expr: stripParens(genExpr)}
		default:
			col.Default = in.normDefault(def, lextra, col.Type)
		}
		if strings.Contains(lextra, "auto_increment") {
			col.AutoIncrement = true
		}
		if i := strings.Index(lextra, "on update "); i >= 0 {
			expr := strings.Fields(extra[i+len("on update "):])[0]
			setAttr(&col.Extra, AttrOnUpdate, normFunc(expr))
		}
		if strings.Contains(lextra, "invisible") {
			setAttr(&col.Extra, AttrInvisible, "true")
		}
		t.Columns = append(t.Columns, col)
		return nil
	})
}

func (in *inspection) indexes(ctx context.Context) error {
	expr := "NULL"
	if in.mysqlAtLeast(8, 0, 13) {
		expr = "EXPRESSION"
	}
	type key struct{ table, name string }
	byKey := map[key]*schema.Index{}
	var order []key
	err := in.query(ctx, `SELECT TABLE_NAME, INDEX_NAME, NON_UNIQUE, COALESCE(COLUMN_NAME, ''), SUB_PART,
	COALESCE(COLLATION, ''), INDEX_TYPE, COALESCE(INDEX_COMMENT, ''), COALESCE(`+expr+`, '')
FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = ? ORDER BY TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX`, func(rows *sql.Rows) error {
		var (
			table, name, column, collation, typ, comment, expr string
			nonUnique                                          int
			subPart                                            sql.NullInt64
		)
		if err := rows.Scan(&table, &name, &nonUnique, &column, &subPart, &collation, &typ, &comment, &expr); err != nil {
			return err
		}
		if in.tables[table] == nil {
			return nil
		}
		k := key{table, name}
		x := byKey[k]
		if x == nil {
			x = &schema.Index{Name: name, Unique: nonUnique == 0, Comment: comment}
			if t := strings.ToLower(typ); t != "btree" {
				x.Method = t
			}
			byKey[k] = x
			order = append(order, k)
		}
		part := schema.IndexPart{Column: column, Desc: collation == "D", Prefix: int(subPart.Int64)}
		if column == "" {
			part.Expr = stripParens(expr)
		}
		x.Parts = append(x.Parts, part)
		return nil
	})
	if err != nil {
		return err
	}
	for _, k := range order {
		t, x := in.tables[k.table], byKey[k]
		cols, plain := x.Columns()
		for _, p := range x.Parts {
			plain = plain && !p.Desc && p.Prefix == 0
		}
		plain = plain && x.Method == "" && x.Comment == ""
		switch {
		case k.name == "PRIMARY":
			t.PrimaryKey = &schema.PrimaryKey{Columns: cols}
		case x.Unique && plain:
			t.Uniques = append(t.Uniques, schema.Unique{Name: x.Name, Columns: cols})
		default:
			t.Indexes = append(t.Indexes, *x)
		}
	}
	return nil
}

func (in *inspection) foreignKeys(ctx context.Context) error {
	type key struct{ table, name string }
	byKey := map[key]*schema.ForeignKey{}
	var order []key
	err := in.query(ctx, `SELECT k.TABLE_NAME, k.CONSTRAINT_NAME, k.COLUMN_NAME, k.REFERENCED_TABLE_SCHEMA,
	k.REFERENCED_TABLE_NAME, k.REFERENCED_COLUMN_NAME, r.UPDATE_RULE, r.DELETE_RULE
FROM information_schema.KEY_COLUMN_USAGE k
JOIN information_schema.REFERENTIAL_CONSTRAINTS r ON r.CONSTRAINT_SCHEMA = k.CONSTRAINT_SCHEMA
	AND r.CONSTRAINT_NAME = k.CONSTRAINT_NAME AND r.TABLE_NAME = k.TABLE_NAME
WHERE k.TABLE_SCHEMA = ? AND k.REFERENCED_TABLE_NAME IS NOT NULL
ORDER BY k.TABLE_NAME, k.CONSTRAINT_NAME, k.ORDINAL_POSITION`, func(rows *sql.Rows) error {
		var table, name, column, refSchema, refTable, refColumn, onUpdate, onDelete string
		if err := rows.Scan(&table, &name, &column, &refSchema, &refTable, &refColumn, &onUpdate, &onDelete); err != nil {
			return err
		}
		if in.tables[table] == nil {
			return nil
		}
		k := key{table, name}
		fk := byKey[k]
		if fk == nil {
			fk = &schema.ForeignKey{Name: name, RefTable: refTable, OnUpdate: fkAction(onUpdate), OnDelete: fkAction(onDelete)}
			if refSchema != in.db {
				fk.RefSchema = refSchema
			}
			byKey[k] = fk
			order = append(order, k)
		}
		fk.Columns = append(fk.Columns, column)
		fk.RefColumns = append(fk.RefColumns, refColumn)
		return nil
	})
	for _, k := range order {
		t := in.tables[k.table]
		t.ForeignKeys = append(t.ForeignKeys, *byKey[k])
	}
	return err
}

func fkAction(rule string) string {
	switch r := strings.ToUpper(rule); r {
	case "RESTRICT", "NO ACTION", "":
		return ""
	default:
		return r
	}
}

func (in *inspection) checks(ctx context.Context) error {
	var query string
	switch {
	case in.mariaDB:
		// MariaDB names checks per table and reports the table itself.
		query = `SELECT TABLE_NAME, CONSTRAINT_NAME, CHECK_CLAUSE, LEVEL = 'Column', 'YES'
FROM information_schema.CHECK_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = ?`
	case in.mysqlAtLeast(8, 0, 16):
		query = `SELECT tc.TABLE_NAME, cc.CONSTRAINT_NAME, cc.CHECK_CLAUSE, 0, tc.ENFORCED
FROM information_schema.TABLE_CONSTRAINTS tc
JOIN information_schema.CHECK_CONSTRAINTS cc ON cc.CONSTRAINT_SCHEMA = tc.CONSTRAINT_SCHEMA AND cc.CONSTRAINT_NAME = tc.CONSTRAINT_NAME
WHERE tc.TABLE_SCHEMA = ? AND tc.CONSTRAINT_TYPE = 'CHECK'`
	default:
		return nil // MySQL before 8.0.16 parses and ignores CHECK
	}
	return in.query(ctx, query, func(rows *sql.Rows) error {
		var table, name, clause, enforced string
		var columnLevel bool
		if err := rows.Scan(&table, &name, &clause, &columnLevel, &enforced); err != nil {
			return err
		}
		t := in.tables[table]
		if t == nil {
			return nil
		}
		ck := schema.Check{Name: name, Expr: stripParens(clause)}
		if columnLevel {
			setAttr(&ck.Extra, AttrCheckLevel, "column")
		}
		if enforced == "NO" {
			setAttr(&ck.Extra, AttrNotEnforced, "true")
		}
		t.Checks = append(t.Checks, ck)
		return nil
	})
}

func (in *inspection) triggers(ctx context.Context) error {
	return in.query(ctx, `SELECT EVENT_OBJECT_TABLE, TRIGGER_NAME, ACTION_TIMING, EVENT_MANIPULATION, ACTION_STATEMENT
FROM information_schema.TRIGGERS WHERE EVENT_OBJECT_SCHEMA = ?`, func(rows *sql.Rows) error {
		var table, name, timing, event, stmt string
		if err := rows.Scan(&table, &name, &timing, &event, &stmt); err != nil {
			return err
		}
		t := in.tables[table]
		if t == nil {
			return nil
		}
		d := Dialect{}
		t.Triggers = append(t.Triggers, schema.Trigger{Name: name, SQL: fmt.Sprintf("CREATE TRIGGER %s %s %s ON %s FOR EACH ROW %s",
			d.QuoteIdent(name), timing, event, d.QuoteIdent(table), stmt)})
		return nil
	})
}

func setAttr(a *schema.Attrs, k, v string) {
	if *a == nil {
		*a = schema.Attrs{}
	}
	(*a)[k] = v
}

// integerTypes lose their display width.
var integerTypes = map[string]bool{"tinyint": true, "smallint": true, "mediumint": true, "int": true, "bigint": true}

// numericTypes have literals that are written bare.
var numericTypes = map[string]bool{
	"tinyint": true, "smallint": true, "mediumint": true, "int": true, "bigint": true,
	"decimal": true, "float": true, "double": true, "bit": true, "year": true,
}

// parseType normalises information_schema.COLUMNS.COLUMN_TYPE.
func parseType(raw string) schema.Type {
	t := schema.Type{Raw: raw}
	s := strings.ToLower(strings.TrimSpace(raw))
	var args string
	hasArgs := false
	if i := strings.IndexByte(s, '('); i >= 0 {
		end := closingParen(s, i)
		if end < 0 {
			return schema.Type{Name: s, Raw: raw}
		}
		args = raw[i+1 : end] // enum members keep their case
		hasArgs = true
		s = s[:i] + s[end+1:]
	}
	for _, mod := range strings.Fields(s) {
		if mod == "unsigned" {
			t.Unsigned = true
		}
	}
	t.Name, _, _ = strings.Cut(strings.TrimSpace(s), " ")
	if !hasArgs {
		return t
	}
	if t.Name == "enum" || t.Name == "set" {
		t.EnumValues = parseMembers(args)
		return t
	}
	var n []int
	for _, a := range strings.Split(args, ",") {
		v, err := strconv.Atoi(strings.TrimSpace(a))
		if err != nil {
			return schema.Type{Name: strings.TrimSpace(strings.ToLower(raw)), Raw: raw}
		}
		n = append(n, v)
	}
	switch {
	case integerTypes[t.Name]:
		if t.Name == "tinyint" && n[0] == 1 {
			t.Length = 1
		}
	case t.Name == "year":
	case t.Name == "decimal" || t.Name == "float" || t.Name == "double":
		t.Precision = n[0]
		if len(n) > 1 {
			t.Scale = n[1]
		}
	case t.Name == "datetime" || t.Name == "timestamp" || t.Name == "time":
		t.Precision = n[0]
	case len(n) == 1:
		t.Length = n[0]
	default:
		t.Precision, t.Scale = n[0], n[1]
	}
	return t
}

// closingParen returns the index of the ')' matching s[open], skipping
// quoted members, or -1.
func closingParen(s string, open int) int {
	depth := 0
	for i := open; i < len(s); i++ {
		switch s[i] {
		case '\'':
			i = skipString(s, i) - 1
		case '(':
			depth++
		case ')':
			depth--
			if depth == 0 {
				return i
			}
		}
	}
	return -1
}

// skipString returns the index just after the quoted string at s[i].
func skipString(s string, i int) int {
	q := s[i]
	for i++; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case q:
			if i+1 < len(s) && s[i+1] == q {
				i++
				continue
			}
			return i + 1
		}
	}
	return len(s)
}

// parseMembers splits the quoted, comma-separated members of an ENUM or
// SET type into their unescaped values.
func parseMembers(list string) []string {
	out := []string{}
	for i := 0; i < len(list); i++ {
		if list[i] != '\'' {
			continue
		}
		end := skipString(list, i)
		out = append(out, unquote(list[i:end]))
		i = end - 1
	}
	return out
}

// unquote decodes a MySQL string literal: doubled quotes and backslash
// escapes.
func unquote(lit string) string {
	if len(lit) < 2 {
		return lit
	}
	q := lit[0]
	body := lit[1 : len(lit)-1]
	var b strings.Builder
	for i := 0; i < len(body); i++ {
		c := body[i]
		switch {
		case c == q && i+1 < len(body) && body[i+1] == q:
			b.WriteByte(q)
			i++
		case c == '\\' && i+1 < len(body):
			i++
			switch body[i] {
			case '0':
				b.WriteByte(0)
			case 'b':
				b.WriteByte('\b')
			case 'n':
				b.WriteByte('\n')
			case 'r':
				b.WriteByte('\r')
			case 't':
				b.WriteByte('\t')
			case 'Z':
				b.WriteByte(26)
			case '%', '_':
				b.WriteByte('\\')
				b.WriteByte(body[i])
			default:
				b.WriteByte(body[i])
			}
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// normDefault turns COLUMN_DEFAULT into a DDL expression.
func (in *inspection) normDefault(def sql.NullString, extra string, typ schema.Type) string {
	if !def.Valid {
		return ""
	}
	v := def.String
	if in.mariaDB {
		// MariaDB 10.2.7+ reports SQL: NULL, 'quoted', 1.5, b'101', now().
		switch {
		case strings.EqualFold(v, "NULL"):
			return ""
		case strings.HasPrefix(v, "'"):
			return sqlbuild.StringLiteral(unquote(v), true)
		}
		return normExpr(v)
	}
	// MySQL reports a literal's value unquoted and marks expressions.
	if strings.Contains(extra, "default_generated") {
		return normExpr(v)
	}
	if numericTypes[typ.Name] && !typ.UserDefined {
		if strings.HasPrefix(v, "b'") || isNumber(v) {
			return v
		}
	}
	return sqlbuild.StringLiteral(v, true)
}

// normExpr writes a non-literal default: numbers and bit literals bare,
// CURRENT_TIMESTAMP and its synonyms in upper case, anything else in
// parentheses.
func normExpr(v string) string {
	if isNumber(v) || strings.HasPrefix(v, "b'") || strings.HasPrefix(v, "0x") {
		return v
	}
	if isTimestampFunc(v) {
		return normFunc(v)
	}
	if len(v) >= 2 && v[0] == '(' && closingParen(v, 0) == len(v)-1 {
		return v
	}
	return "(" + v + ")"
}

// normFunc spells the CURRENT_TIMESTAMP family one way:
// current_timestamp(), now() and localtime are CURRENT_TIMESTAMP,
// current_timestamp(3) is CURRENT_TIMESTAMP(3). Anything else is returned
// unchanged.
func normFunc(v string) string {
	if !isTimestampFunc(v) {
		return v
	}
	_, args, hasArgs := strings.Cut(strings.ToLower(v), "(")
	if !hasArgs {
		return "CURRENT_TIMESTAMP"
	}
	args = strings.TrimSuffix(args, ")")
	if args == "" || args == "0" {
		return "CURRENT_TIMESTAMP"
	}
	return "CURRENT_TIMESTAMP(" + args + ")"
}

// isTimestampFunc reports whether v is CURRENT_TIMESTAMP or one of its
// synonyms, with or without a precision.
func isTimestampFunc(v string) bool {
	name, _, _ := strings.Cut(strings.ToLower(v), "(")
	switch name {
	case "current_timestamp", "now", "localtime", "localtimestamp":
		return true
	}
	return false
}

func isNumber(s string) bool {
	_, err := strconv.ParseFloat(s, 64)
	return err == nil
}

// stripParens removes parentheses that enclose all of s.
func stripParens(s string) string {
	s = strings.TrimSpace(s)
	for len(s) >= 2 && s[0] == '(' && closingParen(s, 0) == len(s)-1 {
		s = strings.TrimSpace(s[1 : len(s)-1])
	}
	return s
}

var _ dialect.Scratcher = Dialect{}

// ScratchInMemory implements dialect.Scratcher.
func (Dialect) ScratchInMemory() bool { return false }

// OpenScratch implements dialect.Scratcher.
//
// Without dev, it creates a database named retort_scratch_<random> on
// base's server, with base's database's character set and collation (the
// server's defaults if base's database does not exist), and Close drops
// it.
//
// With dev, the dev database must be empty (no tables, views, routines or
// events); Close drops everything the statements created in it, as MySQL
// cannot roll DDL back.
//
// The session runs with FOREIGN_KEY_CHECKS=0, as mysqldump's output does,
// so that tables may reference tables defined after them.
func (d Dialect) OpenScratch(ctx context.Context, base, dev *config.URL) (dialect.Scratch, error) {
	s := &scratch{d: d}
	var err error
	if dev != nil {
		s.url = dev
		err = s.openDev(ctx, dev)
	} else {
		err = s.create(ctx, base)
	}
	if err == nil {
		_, err = s.conn.ExecContext(ctx, "SET SESSION FOREIGN_KEY_CHECKS = 0")
	}
	if err != nil {
		return nil, errors.Join(err, s.Close(context.WithoutCancel(ctx)))
	}
	return s, nil
}

func (s *scratch) create(ctx context.Context, base *config.URL) error {
	if base == nil {
		return fmt.Errorf("retort/mysql: no database URL to create a scratch database beside")
	}
	admin, err := s.d.openURL(base)
	if err != nil {
		return err
	}
	s.admin = admin
	// The base database may not exist yet; connect without one.
	u := *base
	u.Database = ""
	if err := admin.PingContext(ctx); err != nil {
		admin.Close()
		if s.admin, err = s.d.openURL(&u); err != nil {
			return err
		}
	}
	var charset, collation string
	err = s.admin.QueryRowContext(ctx, `SELECT DEFAULT_CHARACTER_SET_NAME, DEFAULT_COLLATION_NAME
FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?`, base.Database).Scan(&charset, &collation)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("retort/mysql: read the character set of %s: %s", base.Redacted(), config.RedactString(err.Error()))
	}
	name := "retort_scratch_" + randomHex(8)
	create := "CREATE DATABASE " + s.d.QuoteIdent(name)
	if charset != "" {
		create += " CHARACTER SET " + charset + " COLLATE " + collation
	}
	if _, err := s.admin.ExecContext(ctx, create); err != nil {
		return fmt.Errorf("retort/mysql: create scratch database on %s: %s", base.Redacted(), config.RedactString(err.Error()))
	}
	s.name = name
	u.Database = name
	s.url = &u
	return s.open(ctx, &u)
}

func (s *scratch) openDev(ctx context.Context, dev *config.URL) error {
	if err := s.open(ctx, dev); err != nil {
		return err
	}
	objects, err := s.objects(ctx)
	if err != nil {
		return err
	}
	if len(objects) > 0 {
		names := make([]string, 0, 5)
		for i, o := range objects {
			if i == 5 {
				names = append(names, fmt.Sprintf("and %d more", len(objects)-5))
				break
			}
			names = append(names, strings.ToLower(o.kind)+" "+o.name)
		}
		return fmt.Errorf("retort/mysql: dev database %s is not empty (%s); dev_url must name an empty database",
			dev.Redacted(), strings.Join(names, ", "))
	}
	s.cleanDev = true
	return nil
}

// object is something in the dev database that cleaning drops.
type object struct{ kind, name string }

// objects lists the tables, views, sequences, routines and events in the
// session's database.
func (s *scratch) objects(ctx context.Context) ([]object, error) {
	rows, err := s.conn.QueryContext(ctx, `SELECT CASE TABLE_TYPE WHEN 'VIEW' THEN 'VIEW' WHEN 'SEQUENCE' THEN 'SEQUENCE' ELSE 'TABLE' END, TABLE_NAME
	FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE()
UNION ALL SELECT ROUTINE_TYPE, ROUTINE_NAME FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = DATABASE()
UNION ALL SELECT 'EVENT', EVENT_NAME FROM information_schema.EVENTS WHERE EVENT_SCHEMA = DATABASE()`)
	if err != nil {
		return nil, fmt.Errorf("retort/mysql: list the objects of %s: %w", s.url.Redacted(), err)
	}
	defer rows.Close()
	var out []object
	for rows.Next() {
		var o object
		if err := rows.Scan(&o.kind, &o.name); err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

func (d Dialect) openURL(u *config.URL) (*sql.DB, error) {
	dsn, err := d.DSN(u)
	if err != nil {
		return nil, err
	}
	db, err := sql.Open(d.DriverName(), dsn)
	if err != nil {
		return nil, fmt.Errorf("retort/mysql: open %s: %s", u.Redacted(), config.RedactString(err.Error()))
	}
	d.ConfigureDB(db, u)
	return db, nil
}

// scratch is a MySQL scratch database: created (admin set) or a dev
// database that is emptied again (cleanDev).
type scratch struct {
	d        Dialect
	admin    *sql.DB
	name     string
	url      *config.URL
	db       *sql.DB
	conn     *sql.Conn
	cleanDev bool
	done     bool
}

func (s *scratch) open(ctx context.Context, u *config.URL) error {
	db, err := s.d.openURL(u)
	if err != nil {
		return err
	}
	s.db = db
	conn, err := db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("retort/mysql: connect to %s: %s", u.Redacted(), config.RedactString(err.Error()))
	}
	s.conn = conn
	return nil
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
func (s *scratch) Close(ctx context.Context) error {
	if s.done {
		return nil
	}
	s.done = true
	var errs []error
	if s.cleanDev && s.conn != nil {
		errs = append(errs, s.empty(ctx))
	}
	if s.conn != nil {
		errs = append(errs, s.conn.Close())
	}
	if s.db != nil {
		errs = append(errs, s.db.Close())
	}
	if s.admin != nil {
		if s.name != "" {
			if _, err := s.admin.ExecContext(ctx, "DROP DATABASE IF EXISTS "+s.d.QuoteIdent(s.name)); err != nil {
				errs = append(errs, fmt.Errorf("retort/mysql: drop scratch database %s: %w", s.name, err))
			}
		}
		errs = append(errs, s.admin.Close())
	}
	return errors.Join(errs...)
}

// empty drops everything in the dev database.
func (s *scratch) empty(ctx context.Context) error {
	objects, err := s.objects(ctx)
	if err != nil {
		return err
	}
	var errs []error
	if _, err := s.conn.ExecContext(ctx, "SET SESSION FOREIGN_KEY_CHECKS = 0"); err != nil {
		return err
	}
	for _, o := range objects {
		if _, err := s.conn.ExecContext(ctx, "DROP "+o.kind+" IF EXISTS "+s.d.QuoteIdent(o.name)); err != nil {
			errs = append(errs, fmt.Errorf("retort/mysql: clean dev database %s: %w", s.url.Redacted(), err))
		}
	}
	return errors.Join(errs...)
}

// String implements dialect.Scratch.
func (s *scratch) String() string {
	if s.url == nil {
		return "mysql scratch database"
	}
	return s.url.Redacted()
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // never fails
	return hex.EncodeToString(b)
}
