package sqlite_test

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
	"github.com/retortdb/retort/dialect/sqlite"
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
	return testdb.Load(t, config.SQLite, src)
}

func inspect(t testing.TB, q dialect.Querier, opts dialect.InspectOptions) *schema.Schema {
	t.Helper()
	s, err := sqlite.New().Inspect(context.Background(), q, opts)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func attrs(kv ...string) schema.Attrs {
	a := schema.Attrs{}
	for i := 0; i < len(kv); i += 2 {
		a[kv[i]] = kv[i+1]
	}
	return a
}

// wantFeatures is testdata/inspect.sql as the model must show it.
func wantFeatures() *schema.Schema {
	integer := schema.Type{Name: "integer"}
	return &schema.Schema{Tables: []*schema.Table{
		{
			Name: "User Accounts",
			Columns: []schema.Column{
				{Name: "id", Type: integer},
				{Name: "org_id", Type: schema.Type{Name: "int"}},
				{Name: "Email", Type: schema.Type{Name: "text"}, Collation: "RTRIM"},
				{Name: "select", Type: integer, Nullable: true, Default: "-1"},
				{Name: "balance", Type: schema.Type{Name: "decimal", Precision: 12, Scale: 2}, Default: "0.00"},
				{Name: "ratio", Type: schema.Type{Name: "double precision"}, Nullable: true},
				{Name: "score", Type: schema.Type{Name: "real"}, Nullable: true, Default: "1.5"},
				{Name: "flag", Type: schema.Type{Name: "boolean"}, Nullable: true, Default: "TRUE"},
				{Name: "born", Type: schema.Type{Name: "date"}, Nullable: true, Default: "(date('now'))"},
				{Name: "weird", Type: schema.Type{Name: "unsigned big int"}, Nullable: true},
				{Name: "untyped", Nullable: true},
				{Name: "raw", Type: schema.Type{Name: "blob"}, Nullable: true, Default: "x'00ff'"},
				{Name: "quote", Type: schema.Type{Name: "text"}, Nullable: true, Default: "'it''s'"},
				{Name: "sum_expr", Type: integer, Nullable: true, Default: "(1 + 2)"},
				{Name: "total", Type: integer, Nullable: true, Generated: &schema.Generated{Expr: `"select" * 2`, Stored: true}},
				{Name: "half", Nullable: true, Generated: &schema.Generated{Expr: `"select" / 2`}},
			},
			PrimaryKey: &schema.PrimaryKey{Name: "User Accounts_pk", Columns: []string{"id"}},
			Uniques:    []schema.Unique{{Name: "uq_org_email", Columns: []string{"org_id", "Email"}}},
			Indexes: []schema.Index{
				{Name: "ix_users_email_nocase", Parts: []schema.IndexPart{{Column: "Email", Collation: "NOCASE"}, {Column: "select"}}},
				{Name: "ix_users_lower_email", Parts: []schema.IndexPart{{Expr: `lower(Email)`, Desc: true}, {Column: "org_id"}}},
				{Name: "ix_users_partial", Unique: true, Parts: []schema.IndexPart{{Column: "org_id"}, {Expr: "balance * 2"}},
					Where: "flag AND balance > 0"},
			},
			ForeignKeys: []schema.ForeignKey{{Columns: []string{"org_id"}, RefTable: "orgs", RefColumns: []string{"id"},
				OnDelete: "CASCADE", OnUpdate: "RESTRICT"}},
			Checks: []schema.Check{{Expr: `"select" <> 3`}, {Name: "ck_balance", Expr: `balance >= 0 AND "select" <> 3`}},
		},
		{
			Name: "invoices",
			Columns: []schema.Column{
				{Name: "id", Type: integer},
				{Name: "org_id", Type: integer, Nullable: true},
				{Name: "org_code", Type: schema.Type{Name: "char", Length: 4}, Nullable: true},
				{Name: "amount", Type: schema.Type{Name: "numeric", Precision: 10, Scale: 2}, Nullable: true},
			},
			PrimaryKey: &schema.PrimaryKey{Columns: []string{"id"}},
			ForeignKeys: []schema.ForeignKey{
				{Columns: []string{"org_id"}, RefTable: "orgs", RefColumns: []string{"id"}, OnUpdate: "CASCADE"},
				{Name: "fk_org", Columns: []string{"org_id", "org_code"}, RefTable: "orgs", RefColumns: []string{"id", "code"},
					OnDelete: "SET NULL", Deferrable: true, InitiallyDeferred: true},
			},
			Checks: []schema.Check{{Name: "ck_amount", Expr: "amount > 0"}},
		},
		{
			Name:        "lines",
			Extra:       attrs(sqlite.AttrStrict, "true", sqlite.AttrWithoutRowid, "true"),
			Columns:     []schema.Column{{Name: "invoice_id", Type: integer}, {Name: "n", Type: integer}},
			PrimaryKey:  &schema.PrimaryKey{Columns: []string{"invoice_id", "n"}},
			ForeignKeys: []schema.ForeignKey{{Columns: []string{"invoice_id"}, RefTable: "invoices", RefColumns: []string{"id"}}},
		},
		{
			Name: "orgs",
			Columns: []schema.Column{
				{Name: "id", Type: integer, AutoIncrement: true},
				{Name: "code", Type: schema.Type{Name: "char", Length: 4}},
				{Name: "name", Type: schema.Type{Name: "varchar", Length: 100}, Default: "'unnamed'", Collation: "NOCASE"},
				{Name: "created_at", Type: schema.Type{Name: "timestamp"}, Default: "CURRENT_TIMESTAMP"},
			},
			PrimaryKey: &schema.PrimaryKey{Columns: []string{"id"}},
			Uniques:    []schema.Unique{{Columns: []string{"code"}}, {Name: "uq_orgs_id_code", Columns: []string{"id", "code"}}},
			Triggers: []schema.Trigger{{Name: "tr_orgs_touch",
				SQL: "CREATE TRIGGER tr_orgs_touch AFTER UPDATE ON orgs BEGIN\n    UPDATE orgs SET name = trim(name) WHERE id = NEW.id;\nEND"}},
		},
	}}
}

func TestInspectFeatures(t *testing.T) {
	t.Parallel()
	got := inspect(t, loadFile(t, "testdata/inspect.sql"), dialect.InspectOptions{})
	if diff := schema.Diff(wantFeatures(), got); diff != "" {
		t.Errorf("inspected schema differs (- want, + got):\n%s", diff)
	}
	if raw := got.Table("", "User Accounts").Column("weird").Type.Raw; raw != "Unsigned   Big   INT" {
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
	a := inspect(t, loadSQL(t, `create table p (id integer primary key);
create table t (id integer not null primary key, a VARCHAR ( 10 ) default ( 'x' ), b integer check(b>0) default (1+2),
	c text collate nocase references P (ID), d default null, e default (current_timestamp), CONSTRAINT ck CHECK ( b  >  0 and c is not null ));
create index ix on t ( lower ( c ) desc ) where b>0;`), dialect.InspectOptions{})
	b := inspect(t, loadSQL(t, `CREATE TABLE p (id INTEGER NOT NULL, PRIMARY KEY (id));
CREATE TABLE t (id INTEGER PRIMARY KEY, a varchar(10) DEFAULT 'x', b INTEGER CHECK (b > 0) DEFAULT (1 + 2),
	c TEXT COLLATE NOCASE REFERENCES p (id), d, e DEFAULT CURRENT_TIMESTAMP, constraint ck check (b > 0 AND c IS NOT NULL));
CREATE INDEX ix ON t (LOWER(c) DESC) WHERE b > 0;`), dialect.InspectOptions{})
	// Function names keep their case.
	a.Table("", "t").Indexes[0].Parts[0].Expr = "LOWER(c)"
	if diff := schema.Diff(a, b); diff != "" {
		t.Errorf("equivalent DDL inspects differently:\n%s", diff)
	}
}

func TestInspectExcludesOwnTables(t *testing.T) {
	t.Parallel()
	lite := sqlite.New()
	version := dialect.Table{Name: "alembic_version"}
	history := dialect.Table{Name: "retort_history"}
	db := loadSQL(t, lite.VersionTableDDL(version)+";\n"+strings.Join(lite.HistoryTableDDL(history), ";\n")+
		";\nCREATE TABLE users (id integer primary key autoincrement);\nINSERT INTO users DEFAULT VALUES;")
	got := inspect(t, db, dialect.InspectOptions{VersionTable: version, HistoryTable: history})
	if len(got.Tables) != 1 || got.Tables[0].Name != "users" {
		t.Errorf("got:\n%s", got) // sqlite_sequence is not a table of the schema either
	}
}

func TestInspectVirtualTablesLeftOut(t *testing.T) {
	t.Parallel()
	db := loadSQL(t, `CREATE VIRTUAL TABLE docs USING fts5(body); CREATE TABLE t (id INTEGER);`)
	got := inspect(t, db, dialect.InspectOptions{})
	if len(got.Tables) != 1 || got.Tables[0].Name != "t" {
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
		{nil, nil, "User Accounts invoices lines orgs"},
		{[]string{"orgs", "lines"}, nil, "lines orgs"},
		{nil, []string{"User*", "in*"}, "lines orgs"},
		{[]string{"main.*"}, nil, ""},
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
		fmt.Fprintf(&b, "CREATE TABLE t%04d (id INTEGER PRIMARY KEY, name VARCHAR(50) NOT NULL DEFAULT '', created TIMESTAMP DEFAULT CURRENT_TIMESTAMP, prev_id INTEGER", i)
		if i > 0 {
			fmt.Fprintf(&b, " REFERENCES t%04d (id)", i-1)
		}
		fmt.Fprintf(&b, ");\nCREATE INDEX ix_t%04d_name ON t%04d (name);\n", i, i)
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
	if one, many := count(1), count(50); one != many || one > 4 {
		t.Errorf("%d queries for 1 table, %d for 50", one, many)
	}
}

func BenchmarkInspectSQLite1000(b *testing.B) {
	db := testdb.Open(b, testdb.New(b, config.SQLite))
	if _, err := db.Exec("BEGIN;\n" + manyTables(1000) + "COMMIT;"); err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	start := time.Now()
	var s *schema.Schema
	for b.Loop() {
		var err error
		if s, err = sqlite.New().Inspect(ctx, db, dialect.InspectOptions{}); err != nil {
			b.Fatal(err)
		}
	}
	if len(s.Tables) != 1000 || len(s.Tables[999].ForeignKeys) != 1 || len(s.Tables[999].Indexes) != 1 {
		b.Fatalf("unexpected result: %d tables", len(s.Tables))
	}
	b.ReportMetric(float64(time.Since(start).Milliseconds())/float64(b.N), "ms/inspect")
}
