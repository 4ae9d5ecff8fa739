package mysql_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/retortdb/retort/config"
	"github.com/retortdb/retort/dialect"
	"github.com/retortdb/retort/dialect/mysql"
	"github.com/retortdb/retort/internal/testdb"
	"github.com/retortdb/retort/schema"
)

// loadFile runs a .sql file statement by statement in a fresh database.
func loadFile(t testing.TB, file string) *sql.DB {
	t.Helper()
	src, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	return loadSQL(t, string(src))
}

// loadSQL runs src statement by statement in a fresh database.
func loadSQL(t testing.TB, src string) *sql.DB {
	t.Helper()
	return testdb.Load(t, config.MySQL, src)
}

func inspect(t testing.TB, q dialect.Querier, opts dialect.InspectOptions) *schema.Schema {
	t.Helper()
	s, err := mysql.New().Inspect(context.Background(), q, opts)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func isMariaDB(t testing.TB, db *sql.DB) bool {
	t.Helper()
	var v string
	if err := db.QueryRow("SELECT VERSION()").Scan(&v); err != nil {
		t.Fatal(err)
	}
	return strings.Contains(strings.ToLower(v), "mariadb")
}

func attrs(kv ...string) schema.Attrs {
	a := schema.Attrs{}
	for i := 0; i < len(kv); i += 2 {
		a[kv[i]] = kv[i+1]
	}
	return a
}

// wantFeatures is testdata/inspect.sql as the model must show it on MariaDB
// (utf8mb4_general_ci databases, InnoDB by default).
func wantFeatures() *schema.Schema {
	i := schema.Type{Name: "int"}
	return &schema.Schema{Tables: []*schema.Table{
		{
			Name:    "User Accounts",
			Comment: "People",
			Extra:   attrs(mysql.AttrCollation, "utf8mb4_unicode_ci"),
			Columns: []schema.Column{
				{Name: "id", Type: schema.Type{Name: "bigint", Unsigned: true}, AutoIncrement: true},
				{Name: "org_id", Type: i},
				{Name: "Email", Type: schema.Type{Name: "varchar", Length: 200}, Comment: "it's the login"},
				{Name: "select", Type: i, Nullable: true, Default: "-1"},
				{Name: "balance", Type: schema.Type{Name: "decimal", Precision: 12, Scale: 2}, Default: "0.00"},
				{Name: "ratio", Type: schema.Type{Name: "float", Precision: 7, Scale: 4}, Nullable: true},
				{Name: "score", Type: schema.Type{Name: "double"}, Nullable: true},
				{Name: "small", Type: schema.Type{Name: "smallint"}, Nullable: true, Default: "7"},
				{Name: "tiny", Type: schema.Type{Name: "tinyint"}, Nullable: true, Default: "3"},
				{Name: "flag", Type: schema.Type{Name: "tinyint", Length: 1}, Nullable: true, Default: "1"},
				{Name: "born", Type: schema.Type{Name: "date"}, Nullable: true, Default: "'2000-01-01'"},
				{Name: "seen", Type: schema.Type{Name: "timestamp"}, Nullable: true},
				{Name: "wake", Type: schema.Type{Name: "time", Precision: 6}, Nullable: true},
				{Name: "yr", Type: schema.Type{Name: "year"}, Nullable: true},
				{Name: "feeling", Type: schema.Type{Name: "enum", EnumValues: []string{"happy", "sad", "it's complicated"}}, Default: "'sad'"},
				{Name: "perms", Type: schema.Type{Name: "set", EnumValues: []string{"r", "w", "x"}}, Nullable: true, Default: "'r,w'"},
				{Name: "note", Type: schema.Type{Name: "text"}, Nullable: true},
				{Name: "quote", Type: schema.Type{Name: "varchar", Length: 20}, Nullable: true, Default: `'back\\slash ''q'''`},
				{Name: "uid", Type: schema.Type{Name: "char", Length: 36}, Nullable: true, Default: "(uuid())"},
				{Name: "raw", Type: schema.Type{Name: "varbinary", Length: 16}, Nullable: true},
				{Name: "bits", Type: schema.Type{Name: "bit", Length: 3}, Nullable: true, Default: "b'101'"},
				{Name: "latin", Type: schema.Type{Name: "varchar", Length: 10}, Nullable: true, Collation: "latin1_swedish_ci"},
				{Name: "total", Type: i, Nullable: true, Generated: &schema.Generated{Expr: "`select` * 2", Stored: true}},
				{Name: "half", Type: i, Nullable: true, Generated: &schema.Generated{Expr: "`select` DIV 2"}},
			},
			PrimaryKey: &schema.PrimaryKey{Columns: []string{"id"}},
			Uniques:    []schema.Unique{{Name: "uq_org_email", Columns: []string{"org_id", "Email"}}},
			Indexes: []schema.Index{
				{Name: "ix_users_balance_desc", Unique: true, Parts: []schema.IndexPart{{Column: "balance", Desc: true}}},
				{Name: "ix_users_email_prefix", Parts: []schema.IndexPart{{Column: "Email", Prefix: 10, Desc: true}, {Column: "org_id"}}},
				{Name: "ix_users_note", Method: "fulltext", Parts: []schema.IndexPart{{Column: "note"}}, Comment: "note search"},
			},
			ForeignKeys: []schema.ForeignKey{{Name: "fk_org", Columns: []string{"org_id"}, RefTable: "orgs", RefColumns: []string{"id"}, OnDelete: "CASCADE"}},
			Checks:      []schema.Check{{Name: "ck_balance", Expr: "`balance` >= 0 and `select` <> 3"}},
		},
		{
			Name:    "audit_log",
			Extra:   attrs(mysql.AttrEngine, "MyISAM"),
			Columns: []schema.Column{{Name: "msg", Type: schema.Type{Name: "text"}, Nullable: true}},
		},
		{
			Name: "invoices",
			Columns: []schema.Column{
				{Name: "id", Type: i},
				{Name: "org_id", Type: i, Nullable: true},
				{Name: "org_code", Type: schema.Type{Name: "char", Length: 4}, Nullable: true},
				{Name: "amount", Type: schema.Type{Name: "decimal", Precision: 10, Scale: 2}, Nullable: true},
			},
			PrimaryKey: &schema.PrimaryKey{Columns: []string{"id"}},
			// InnoDB's own index for the foreign key.
			Indexes: []schema.Index{{Name: "fk_inv_org", Parts: []schema.IndexPart{{Column: "org_id"}, {Column: "org_code"}}}},
			ForeignKeys: []schema.ForeignKey{{Name: "fk_inv_org", Columns: []string{"org_id", "org_code"}, RefTable: "orgs",
				RefColumns: []string{"id", "code"}, OnDelete: "SET NULL", OnUpdate: "CASCADE"}},
			Checks: []schema.Check{{Name: "amount", Expr: "`amount` > 0", Extra: attrs(mysql.AttrCheckLevel, "column")}},
		},
		{
			Name:        "lines",
			Columns:     []schema.Column{{Name: "invoice_id", Type: i}, {Name: "n", Type: i}},
			PrimaryKey:  &schema.PrimaryKey{Columns: []string{"invoice_id", "n"}},
			ForeignKeys: []schema.ForeignKey{{Name: "lines_ibfk_1", Columns: []string{"invoice_id"}, RefTable: "invoices", RefColumns: []string{"id"}}},
		},
		{
			Name:    "orgs",
			Comment: "Organisations",
			Columns: []schema.Column{
				{Name: "id", Type: i, AutoIncrement: true},
				{Name: "code", Type: schema.Type{Name: "char", Length: 4}},
				{Name: "name", Type: schema.Type{Name: "varchar", Length: 100}, Default: "'unnamed'", Collation: "utf8mb4_bin", Comment: "Display name"},
				{Name: "created_at", Type: schema.Type{Name: "datetime", Precision: 3}, Default: "CURRENT_TIMESTAMP(3)",
					Extra: attrs(mysql.AttrOnUpdate, "CURRENT_TIMESTAMP(3)")},
			},
			PrimaryKey: &schema.PrimaryKey{Columns: []string{"id"}},
			Uniques: []schema.Unique{
				{Name: "code", Columns: []string{"code"}},
				{Name: "uq_orgs_id_code", Columns: []string{"id", "code"}},
			},
			Triggers: []schema.Trigger{{Name: "tr_orgs_touch", SQL: "CREATE TRIGGER tr_orgs_touch BEFORE UPDATE ON orgs FOR EACH ROW SET NEW.name = TRIM(NEW.name)"}},
		},
	}}
}

func TestInspectFeatures(t *testing.T) {
	t.Parallel()
	db := loadFile(t, "testdata/inspect.sql")
	if !isMariaDB(t, db) {
		t.Skip("the expected model is MariaDB's; MySQL 8 names column checks and prints expressions differently")
	}
	got := inspect(t, db, dialect.InspectOptions{})
	if diff := schema.Diff(wantFeatures(), got); diff != "" {
		t.Errorf("inspected schema differs (- want, + got):\n%s", diff)
	}
	if raw := got.Table("", "lines").Column("n").Type.Raw; raw != "int(11)" {
		t.Errorf("Raw = %q", raw)
	}
}

func TestInspectTwiceEqual(t *testing.T) {
	t.Parallel()
	a := inspect(t, loadFile(t, "testdata/inspect.sql"), dialect.InspectOptions{})
	b := inspect(t, loadFile(t, "testdata/inspect.sql"), dialect.InspectOptions{})
	if diff := schema.Diff(a, b); diff != "" {
		t.Errorf("the same DDL inspects differently:\n%s", diff)
	}
}

// TestInspectSpellings: DDL written differently but meaning the same
// inspects equal.
func TestInspectSpellings(t *testing.T) {
	t.Parallel()
	a := inspect(t, loadSQL(t, `CREATE TABLE t2 (id INT PRIMARY KEY); CREATE TABLE t (
		a INTEGER(11) DEFAULT '5', b BOOL DEFAULT FALSE, c NUMERIC(10) DEFAULT 1, d DATETIME(0) DEFAULT now(),
		e VARCHAR(5) DEFAULT "x", f INT NULL DEFAULT NULL, g YEAR(4), h DOUBLE PRECISION, i INT REFERENCES t2 (id) ON DELETE RESTRICT)`), dialect.InspectOptions{})
	b := inspect(t, loadSQL(t, `CREATE TABLE t2 (id int, PRIMARY KEY (id)); CREATE TABLE t (
		a int DEFAULT 5, b tinyint(1) DEFAULT 0, c decimal(10,0) DEFAULT '1', d datetime DEFAULT CURRENT_TIMESTAMP,
		e varchar(5) DEFAULT 'x', f int, g year, h double, i int REFERENCES t2 (id) ON DELETE NO ACTION)`), dialect.InspectOptions{})
	if diff := schema.Diff(a, b); diff != "" {
		t.Errorf("equivalent DDL inspects differently:\n%s", diff)
	}
}

func TestInspectExcludesOwnTables(t *testing.T) {
	t.Parallel()
	my := mysql.New()
	version := dialect.Table{Name: "alembic_version"}
	history := dialect.Table{Name: "retort_history"}
	db := loadSQL(t, my.VersionTableDDL(version)+";\n"+strings.Join(my.HistoryTableDDL(history), ";\n")+";\nCREATE TABLE users (id int);")
	got := inspect(t, db, dialect.InspectOptions{VersionTable: version, HistoryTable: history})
	if len(got.Tables) != 1 || got.Tables[0].Name != "users" {
		t.Errorf("got:\n%s", got)
	}
	// A version table named with this database is the same table.
	var name string
	if err := db.QueryRow("SELECT DATABASE()").Scan(&name); err != nil {
		t.Fatal(err)
	}
	got = inspect(t, db, dialect.InspectOptions{VersionTable: dialect.Table{Schema: name, Name: "alembic_version"}})
	if len(got.Tables) != 2 || got.Table("", "alembic_version") != nil {
		t.Errorf("got:\n%s", got)
	}
}

func TestInspectFilters(t *testing.T) {
	t.Parallel()
	db := loadFile(t, "testdata/inspect.sql")
	tests := []struct {
		include, exclude []string
		want             string
	}{
		{nil, nil, "User Accounts audit_log invoices lines orgs"},
		{[]string{"orgs", "lines"}, nil, "lines orgs"},
		{nil, []string{"audit_*", "User*"}, "invoices lines orgs"},
		{[]string{"*s"}, []string{"orgs"}, "User Accounts invoices lines"},
		{[]string{"db.*"}, nil, ""}, // no schemas on MySQL
	}
	for _, tt := range tests {
		got := inspect(t, db, dialect.InspectOptions{IncludeTables: tt.include, ExcludeTables: tt.exclude})
		var names []string
		for _, tb := range got.Tables {
			names = append(names, tb.Name)
		}
		if strings.Join(names, " ") != tt.want {
			t.Errorf("include %q exclude %q: %v, want %s", tt.include, tt.exclude, names, tt.want)
		}
	}
}

type countingQuerier struct {
	dialect.Querier
	n atomic.Int64
}

func (c *countingQuerier) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	c.n.Add(1)
	return c.Querier.QueryContext(ctx, q, args...)
}

func (c *countingQuerier) QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row {
	c.n.Add(1)
	return c.Querier.QueryRowContext(ctx, q, args...)
}

// manyTables is n tables, each with a few columns, an index and a foreign
// key to the one before.
func manyTables(n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "CREATE TABLE t%04d (id INT AUTO_INCREMENT PRIMARY KEY, name VARCHAR(50) NOT NULL DEFAULT '', created DATETIME DEFAULT CURRENT_TIMESTAMP, prev_id INT", i)
		if i > 0 {
			fmt.Fprintf(&b, ", FOREIGN KEY (prev_id) REFERENCES t%04d (id)", i-1)
		}
		fmt.Fprintf(&b, ", INDEX ix_t%04d_name (name));\n", i)
	}
	return b.String()
}

func TestInspectQueryCountFixed(t *testing.T) {
	t.Parallel()
	count := func(n int) int64 {
		db := loadSQL(t, manyTables(n))
		q := &countingQuerier{Querier: db}
		if s := inspect(t, q, dialect.InspectOptions{}); len(s.Tables) != n {
			t.Fatalf("%d tables inspected, want %d", len(s.Tables), n)
		}
		return q.n.Load()
	}
	if one, many := count(1), count(30); one != many || one > 7 {
		t.Errorf("%d queries for 1 table, %d for 30", one, many)
	}
}

func BenchmarkInspectMySQL1000(b *testing.B) {
	db := loadSQL(b, manyTables(1000))
	ctx := context.Background()
	start := time.Now()
	var s *schema.Schema
	for b.Loop() {
		var err error
		if s, err = mysql.New().Inspect(ctx, db, dialect.InspectOptions{}); err != nil {
			b.Fatal(err)
		}
	}
	if len(s.Tables) != 1000 || len(s.Tables[999].ForeignKeys) != 1 {
		b.Fatalf("unexpected result: %d tables", len(s.Tables))
	}
	b.ReportMetric(float64(time.Since(start).Milliseconds())/float64(b.N), "ms/inspect")
}
