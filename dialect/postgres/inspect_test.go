package postgres_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/retortdb/retort/config"
	"github.com/retortdb/retort/dialect"
	"github.com/retortdb/retort/dialect/postgres"
	"github.com/retortdb/retort/internal/testdb"
	"github.com/retortdb/retort/schema"
)

// loadFile runs a .sql file statement by statement in a fresh database and
// returns the open pool.
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
	return testdb.Load(t, config.PostgreSQL, src)
}

func inspect(t testing.TB, q dialect.Querier, opts dialect.InspectOptions) *schema.Schema {
	t.Helper()
	s, err := postgres.New().Inspect(context.Background(), q, opts)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

var allSchemas = dialect.InspectOptions{Schemas: []string{"*"}}

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
	return &schema.Schema{
		Namespaces: []string{"billing"},
		Enums: []*schema.Enum{
			{Name: "mood", Values: []string{"happy", "sad", "it's complicated"}},
			{Schema: "billing", Name: "state", Values: []string{"open", "paid"}},
		},
		Tables: []*schema.Table{
			{
				Name: "User Accounts",
				Columns: []schema.Column{
					{Name: "id", Type: schema.Type{Name: "bigint"}, Identity: &schema.Identity{Always: true, Start: 100, Increment: 10}},
					{Name: "org_id", Type: integer},
					{Name: "Email", Type: schema.Type{Name: "text"}, Comment: "it's the login"},
					{Name: "select", Type: integer, Nullable: true, Default: "-1"},
					{Name: "balance", Type: schema.Type{Name: "numeric", Precision: 12, Scale: 2}, Default: "0.00"},
					{Name: "ratio", Type: schema.Type{Name: "numeric"}, Nullable: true},
					{Name: "score", Type: schema.Type{Name: "double precision"}, Nullable: true},
					{Name: "weight", Type: schema.Type{Name: "real"}, Nullable: true},
					{Name: "small", Type: schema.Type{Name: "smallint"}, Nullable: true, Default: "7"},
					{Name: "flag", Type: schema.Type{Name: "boolean"}, Nullable: true, Default: "true"},
					{Name: "born", Type: schema.Type{Name: "date"}, Nullable: true, Default: "CURRENT_DATE"},
					{Name: "seen", Type: schema.Type{Name: "timestamp", Precision: 3}, Nullable: true},
					{Name: "at_zone", Type: schema.Type{Name: "timestamp", Precision: 6}, Nullable: true, Default: "CURRENT_TIMESTAMP"},
					{Name: "wake", Type: schema.Type{Name: "time", Precision: 6}, Nullable: true},
					{Name: "wake_tz", Type: schema.Type{Name: "timetz", Precision: 0}, Nullable: true},
					{Name: "span", Type: schema.Type{Name: "interval day to second", Precision: 2}, Nullable: true},
					{Name: "feeling", Type: schema.Type{Name: "mood", UserDefined: true}, Nullable: true, Default: "'sad'"},
					{Name: "feelings", Type: schema.Type{Name: "mood", UserDefined: true, Array: true}, Nullable: true},
					{Name: "tags", Type: schema.Type{Name: "varchar", Length: 20, Array: true}, Nullable: true, Default: "'{}'"},
					{Name: "data", Type: schema.Type{Name: "jsonb"}, Nullable: true, Default: `'{"a": 1}'`},
					{Name: "uid", Type: schema.Type{Name: "uuid"}, Nullable: true},
					{Name: "raw", Type: schema.Type{Name: "bytea"}, Nullable: true},
					{Name: "bits", Type: schema.Type{Name: "bit", Length: 3}, Nullable: true},
					{Name: "vbits", Type: schema.Type{Name: "varbit", Length: 8}, Nullable: true},
					{Name: "pos", Type: schema.Type{Name: "posint", UserDefined: true}, Nullable: true},
					{Name: "total", Type: integer, Nullable: true, Generated: &schema.Generated{Expr: `"select" * 2`, Stored: true}},
				},
				PrimaryKey: &schema.PrimaryKey{Name: "User Accounts_pk", Columns: []string{"id"}},
				Uniques:    []schema.Unique{{Name: "uq_org_email", Columns: []string{"org_id", "Email"}}},
				Indexes: []schema.Index{
					{Name: "ix_users_email_pattern", Parts: []schema.IndexPart{
						{Column: "Email", Extra: attrs(postgres.AttrOpClass, "text_pattern_ops")},
						{Column: "Email", Collation: "POSIX", Extra: attrs(postgres.AttrNulls, "first")},
					}},
					{Name: "ix_users_lower_email", Parts: []schema.IndexPart{
						{Expr: `lower("Email")`, Desc: true, Extra: attrs(postgres.AttrNulls, "last")},
						{Column: "org_id"},
					}},
					{Name: "ix_users_partial", Unique: true, Parts: []schema.IndexPart{
						{Column: "org_id"}, {Expr: "balance * 2::numeric"},
					}, Include: []string{"score"}, Where: "flag AND balance > 0::numeric"},
					{Name: "ix_users_tags", Method: "gin", Parts: []schema.IndexPart{{Column: "tags"}}, Comment: "tag search"},
				},
				ForeignKeys: []schema.ForeignKey{{
					Name: "User Accounts_org_id_fkey", Columns: []string{"org_id"}, RefTable: "orgs", RefColumns: []string{"id"},
					OnDelete: "CASCADE", OnUpdate: "RESTRICT",
				}},
				Checks: []schema.Check{{Name: "ck_balance", Expr: `balance >= 0::numeric AND "select" <> 3`}},
			},
			{
				Name:    "orgs",
				Comment: "Organisations",
				Columns: []schema.Column{
					{Name: "id", Type: integer, AutoIncrement: true},
					{Name: "code", Type: schema.Type{Name: "char", Length: 4}},
					{Name: "name", Type: schema.Type{Name: "varchar", Length: 100}, Default: "'unnamed'", Collation: "C", Comment: "Display name"},
					{Name: "created_at", Type: schema.Type{Name: "timestamptz", Precision: 6}, Default: "now()"},
				},
				PrimaryKey: &schema.PrimaryKey{Name: "orgs_pkey", Columns: []string{"id"}},
				Uniques: []schema.Unique{
					{Name: "orgs_code_key", Columns: []string{"code"}},
					{Name: "orgs_id_code_key", Columns: []string{"id", "code"}},
				},
				Triggers: []schema.Trigger{{Name: "tr_orgs_touch", SQL: "CREATE TRIGGER tr_orgs_touch BEFORE UPDATE ON orgs FOR EACH ROW EXECUTE FUNCTION touch()"}},
			},
			{
				Schema: "billing",
				Name:   "invoices",
				Columns: []schema.Column{
					{Name: "id", Type: integer, Identity: &schema.Identity{Start: 1, Increment: 1}},
					{Name: "org_id", Type: integer, Nullable: true},
					{Name: "org_code", Type: schema.Type{Name: "char", Length: 4}, Nullable: true},
					{Name: "state", Type: schema.Type{Name: "state", Schema: "billing", UserDefined: true}, Default: "'open'"},
					{Name: "amount", Type: schema.Type{Name: "numeric", Precision: 10, Scale: 2}, Nullable: true},
				},
				PrimaryKey: &schema.PrimaryKey{Name: "invoices_pkey", Columns: []string{"id"}},
				Uniques: []schema.Unique{{Name: "uq_state", Columns: []string{"org_id", "state"},
					Extra: attrs(postgres.AttrDeferrable, "deferrable", postgres.AttrNullsNotDistinct, "true")}},
				ForeignKeys: []schema.ForeignKey{{
					Name: "fk_org", Columns: []string{"org_id", "org_code"}, RefTable: "orgs", RefColumns: []string{"id", "code"},
					OnDelete: "SET NULL", Deferrable: true, InitiallyDeferred: true, Extra: attrs(postgres.AttrMatch, "FULL"),
				}},
				Checks: []schema.Check{{Name: "ck_amount", Expr: "amount > 0::numeric"}},
			},
			{
				Schema: "billing",
				Name:   "lines",
				Columns: []schema.Column{
					{Name: "invoice_id", Type: integer},
					{Name: "n", Type: integer},
				},
				PrimaryKey: &schema.PrimaryKey{Name: "lines_pkey", Columns: []string{"invoice_id", "n"}},
				ForeignKeys: []schema.ForeignKey{{
					Name: "lines_invoice_id_fkey", Columns: []string{"invoice_id"}, RefSchema: "billing", RefTable: "invoices",
					RefColumns: []string{"id"}, OnDelete: "CASCADE",
				}},
			},
		},
	}
}

func TestInspectFeatures(t *testing.T) {
	t.Parallel()
	db := loadFile(t, "testdata/inspect.sql")
	got := inspect(t, db, allSchemas)
	if diff := schema.Diff(wantFeatures(), got); diff != "" {
		t.Errorf("inspected schema differs (- want, + got):\n%s", diff)
	}
	// Raw keeps what the catalog said.
	if raw := got.Table("", "User Accounts").Column("seen").Type.Raw; raw != "timestamp(3) without time zone" {
		t.Errorf("Raw = %q", raw)
	}
}

func TestInspectTwiceEqual(t *testing.T) {
	t.Parallel()
	a := inspect(t, loadFile(t, "testdata/inspect.sql"), allSchemas)
	b := inspect(t, loadFile(t, "testdata/inspect.sql"), allSchemas)
	if diff := schema.Diff(a, b); diff != "" {
		t.Errorf("the same DDL inspects differently:\n%s", diff)
	}
}

func TestInspectDefaultSchemaOnly(t *testing.T) {
	t.Parallel()
	db := loadFile(t, "testdata/inspect.sql")
	got := inspect(t, db, dialect.InspectOptions{})
	want := wantFeatures()
	want.Namespaces = nil
	want.Enums = want.Enums[:1]
	want.Tables = want.Tables[:2]
	if diff := schema.Diff(want, got); diff != "" {
		t.Errorf("default schema (- want, + got):\n%s", diff)
	}
	// Only billing: its tables keep their schema, a reference into the
	// default schema has RefSchema "".
	got = inspect(t, db, dialect.InspectOptions{Schemas: []string{"bill*"}})
	if len(got.Tables) != 2 || got.Tables[0].QualifiedName() != "billing.invoices" || got.Tables[0].ForeignKeys[0].RefSchema != "" {
		t.Errorf("Schemas [bill*]:\n%s", got)
	}
}

// TestInspectSearchPath: the default schema is the connection's
// current_schema(), not "public".
func TestInspectSearchPath(t *testing.T) {
	t.Parallel()
	db := loadSQL(t, `CREATE SCHEMA app; CREATE TABLE app.t (id int); CREATE TABLE public.p (id int);`)
	conn, err := db.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(context.Background(), "SET search_path = app"); err != nil {
		t.Fatal(err)
	}
	got := inspect(t, conn, allSchemas)
	var names []string
	for _, tb := range got.Tables {
		names = append(names, tb.QualifiedName())
	}
	if strings.Join(names, " ") != "t public.p" || strings.Join(got.Namespaces, " ") != "public" {
		t.Errorf("tables %v, namespaces %v", names, got.Namespaces)
	}
}

func TestInspectExcludesOwnTables(t *testing.T) {
	t.Parallel()
	pg := postgres.New()
	version := dialect.Table{Name: "alembic_version"}
	history := dialect.Table{Schema: "billing", Name: "retort_history"}
	src := "CREATE SCHEMA billing;\n" + pg.VersionTableDDL(version) + ";\n" + strings.Join(pg.HistoryTableDDL(history), ";\n") +
		";\nCREATE TABLE users (id int);\nCREATE TABLE billing.alembic_version (x int);\nCREATE TABLE retort_history (x int);"
	db := loadSQL(t, src)
	got := inspect(t, db, dialect.InspectOptions{Schemas: []string{"*"}, VersionTable: version, HistoryTable: history})
	var names []string
	for _, tb := range got.Tables {
		names = append(names, tb.QualifiedName())
	}
	// billing.alembic_version and public.retort_history are someone else's.
	if want := "retort_history users billing.alembic_version"; strings.Join(names, " ") != want {
		t.Errorf("tables = %v, want %s", names, want)
	}
}

func TestInspectFilters(t *testing.T) {
	t.Parallel()
	db := loadFile(t, "testdata/inspect.sql")
	tests := []struct {
		include, exclude []string
		want             string
	}{
		{nil, nil, "User Accounts orgs billing.invoices billing.lines"},
		{[]string{"orgs", "lines"}, nil, "orgs billing.lines"},
		{nil, []string{"User*", "billing.*"}, "orgs"},
		{[]string{"billing.*"}, []string{"*lines"}, "billing.invoices"},
		{[]string{"public.*"}, nil, "User Accounts orgs"},
	}
	for _, tt := range tests {
		got := inspect(t, db, dialect.InspectOptions{Schemas: []string{"*"}, IncludeTables: tt.include, ExcludeTables: tt.exclude})
		var names []string
		for _, tb := range got.Tables {
			names = append(names, tb.QualifiedName())
		}
		if strings.Join(names, " ") != tt.want {
			t.Errorf("include %q exclude %q: %v, want %s", tt.include, tt.exclude, names, tt.want)
		}
	}
	if _, err := postgres.New().Inspect(context.Background(), db, dialect.InspectOptions{IncludeTables: []string{"["}}); err == nil {
		t.Error("a malformed pattern was accepted")
	}
}

// countingQuerier counts the queries Inspect sends.
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

func (c *countingQuerier) ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error) {
	c.n.Add(1)
	return c.Querier.ExecContext(ctx, q, args...)
}

// manyTables is n tables, each with a few columns, an index and a foreign
// key to the one before.
func manyTables(n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "CREATE TABLE t%04d (id serial PRIMARY KEY, name varchar(50) NOT NULL DEFAULT '', created timestamptz DEFAULT now(), prev_id integer", i)
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
		s := inspect(t, q, dialect.InspectOptions{})
		if len(s.Tables) != n {
			t.Fatalf("%d tables inspected, want %d", len(s.Tables), n)
		}
		return q.n.Load()
	}
	one, many := count(1), count(40)
	if one != many {
		t.Errorf("%d queries for 1 table, %d for 40", one, many)
	}
	if one > 7 {
		t.Errorf("%d queries", one)
	}
}

func BenchmarkInspectPostgres1000(b *testing.B) {
	db := testdb.Open(b, testdb.New(b, config.PostgreSQL))
	if _, err := db.Exec(manyTables(1000)); err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	var s *schema.Schema
	for b.Loop() {
		var err error
		if s, err = postgres.New().Inspect(ctx, db, dialect.InspectOptions{}); err != nil {
			b.Fatal(err)
		}
	}
	if len(s.Tables) != 1000 || len(s.Tables[999].ForeignKeys) != 1 || len(s.Tables[999].Indexes) != 1 {
		b.Fatalf("unexpected result: %d tables", len(s.Tables))
	}
}
