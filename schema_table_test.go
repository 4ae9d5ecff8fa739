package retort_test

import (
	"context"
	"slices"
	"testing"

	"github.com/retortdb/retort/config"
	"github.com/retortdb/retort/internal/testdb"
)

// TestVersionTableSchemaPostgres: with version_table_schema the version and
// history tables live in that schema, and every command finds them there.
func TestVersionTableSchemaPostgres(t *testing.T) {
	t.Parallel()
	if !slices.Contains(testdb.Dialects(t), config.PostgreSQL) {
		t.Skip("PostgreSQL not reachable")
	}
	files := map[string]string{
		"a.sql": sqlRev("aaaa", "", "one", "CREATE TABLE public.one_t (id INTEGER PRIMARY KEY);", "DROP TABLE public.one_t;"),
		"b.sql": sqlRev("bbbb", "aaaa", "two", "CREATE TABLE public.two_t (id INTEGER PRIMARY KEY);", "DROP TABLE public.two_t;"),
	}
	f := newFixture(t, config.PostgreSQL, files, "version_table_schema = \"Ops Schema\"\n")
	db := testdb.Open(t, f.url)
	if _, err := db.Exec(`CREATE SCHEMA "Ops Schema"`); err != nil {
		t.Fatal(err)
	}
	if err := f.upgrade("head"); err != nil {
		t.Fatal(err)
	}
	var v string
	if err := db.QueryRow(`SELECT version_num FROM "Ops Schema".alembic_version`).Scan(&v); err != nil || v != "bbbb" {
		t.Fatalf("version row in the schema: %q, %v", v, err)
	}
	var n int
	if err := db.QueryRow(`SELECT count(*) FROM "Ops Schema".retort_history`).Scan(&n); err != nil || n != 2 {
		t.Fatalf("history rows in the schema: %d, %v", n, err)
	}
	if err := db.QueryRow(`SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public' AND table_name IN ('alembic_version', 'retort_history')`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("version tables leaked into public: %d, %v", n, err)
	}
	if got := f.rows(); len(got) != 1 || got[0] != "bbbb" {
		t.Fatalf("current: %v", got)
	}
	if err := f.downgrade("base"); err != nil {
		t.Fatal(err)
	}
	if got := f.rows(); len(got) != 0 {
		t.Fatalf("after downgrade: %v", got)
	}
	rep, err := f.project().Verify(context.Background())
	if err != nil || len(rep.Checks) != 0 {
		t.Fatalf("verify: %+v %v", rep, err)
	}
}
