package retort_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/retortdb/retort"
	"github.com/retortdb/retort/config"
	"github.com/retortdb/retort/dialect"
	"github.com/retortdb/retort/internal/testdb"
	"github.com/retortdb/retort/schema"
)

// inspectLive reads the fixture database's schema without retort's tables.
func (f *fixture) inspectLive() *schema.Schema {
	f.t.Helper()
	d, err := testdb.Dialect(f.url.Dialect)
	if err != nil {
		f.t.Fatal(err)
	}
	s, err := d.(dialect.Inspector).Inspect(context.Background(), testdb.Open(f.t, f.url), dialect.InspectOptions{
		Schemas:      []string{"*"},
		VersionTable: dialect.Table{Name: "alembic_version"}, HistoryTable: dialect.Table{Name: "retort_history"}})
	if err != nil {
		f.t.Fatal(err)
	}
	return s
}

// autogenerate runs Autogenerate and writes its revision.
func (f *fixture) autogenerate(msg string) *retort.AutogenerateResult {
	f.t.Helper()
	p := f.project()
	res, err := p.Autogenerate(context.Background(), retort.AutogenerateOptions{})
	if err != nil {
		f.t.Fatal(err)
	}
	if res.Empty() {
		return res
	}
	if _, err := p.NewRevision(retort.RevisionOptions{Message: msg, Upgrades: res.Upgrades, Downgrades: res.Downgrades}); err != nil {
		f.t.Fatalf("%v\n-- upgrade\n%s\n-- downgrade\n%s", err, res.Upgrades, res.Downgrades)
	}
	return res
}

func (f *fixture) writeTarget(ddl string) {
	f.t.Helper()
	if err := os.WriteFile(filepath.Join(f.dir, "schema.sql"), []byte(ddl), 0o644); err != nil {
		f.t.Fatal(err)
	}
}

// TestAutogenerateRoundTrip generates a revision on every dialect, applies
// it (the database then matches the target) and downgrades it (the
// database is as before).
func TestAutogenerateRoundTrip(t *testing.T) {
	for _, name := range testdb.Dialects(t) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, name, map[string]string{
				"a1_users.sql": sqlRev("a1", "", "users", "CREATE TABLE users (id INTEGER PRIMARY KEY, name VARCHAR(50) NOT NULL);", "DROP TABLE users;"),
			}, "[autogenerate]\ntarget = \"schema.sql\"\nexclude_tables = [\"ignored_*\"]\n")
			f.writeTarget(`
CREATE TABLE users (id INTEGER PRIMARY KEY, name VARCHAR(50) NOT NULL, email VARCHAR(100));
CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INTEGER REFERENCES users(id), title VARCHAR(200) NOT NULL);
`)
			_, err := f.project().Autogenerate(context.Background(), retort.AutogenerateOptions{})
			var ce *retort.CommandError
			if !errors.As(err, &ce) || ce.Msg != "Target database is not up to date." {
				t.Fatalf("at base: %v", err)
			}
			if err := f.upgrade("head"); err != nil {
				t.Fatal(err)
			}
			// An excluded table is neither dropped nor reported.
			if _, err := testdb.Open(t, f.url).Exec("CREATE TABLE ignored_t (id INTEGER)"); err != nil {
				t.Fatal(err)
			}
			before := f.inspectLive()
			res := f.autogenerate("add posts")
			if len(res.Upgrade) == 0 || strings.Contains(res.Upgrades, "ignored_t") {
				t.Fatalf("upgrade:\n%s", res.Upgrades)
			}
			if !strings.Contains(res.Downgrades, "-- WARNING: drops table posts and its data") {
				t.Errorf("downgrade lacks the warning:\n%s", res.Downgrades)
			}
			if err := f.upgrade("head"); err != nil {
				t.Fatalf("%v\n%s", err, res.Upgrades)
			}
			if res := f.autogenerate("again"); !res.Empty() {
				t.Fatalf("after upgrade: %v\n%s", res.Upgrade, res.Upgrades)
			}
			if err := f.downgrade("-1"); err != nil {
				t.Fatalf("%v\n%s", err, res.Downgrades)
			}
			if got := f.inspectLive(); !got.Equal(before) {
				t.Fatalf("after downgrade:\n%s", schema.Diff(before, got))
			}
		})
	}
}

// TestAutogenerateEnumValue: PostgreSQL cannot drop an enum value, so the
// downgrade rebuilds the type (with a warning), keeping the rows; the
// upgrade notes the transaction caveat of ADD VALUE.
func TestAutogenerateEnumValue(t *testing.T) {
	if !strings.Contains(strings.Join(testdb.Dialects(t), " "), config.PostgreSQL) {
		t.Skip("needs PostgreSQL")
	}
	f := newFixture(t, config.PostgreSQL, map[string]string{
		"a1_mood.sql": sqlRev("a1", "", "mood", "CREATE TYPE mood AS ENUM ('sad', 'happy');\nCREATE TABLE t (m mood DEFAULT 'sad');\nINSERT INTO t VALUES ('happy');", "DROP TABLE t;\nDROP TYPE mood;"),
	}, "[autogenerate]\ntarget = \"schema.sql\"\n")
	f.writeTarget("CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');\nCREATE TABLE t (m mood DEFAULT 'sad');\n")
	if err := f.upgrade("head"); err != nil {
		t.Fatal(err)
	}
	before := f.inspectLive()
	res := f.autogenerate("ok mood")
	t.Logf("upgrade:\n%s\ndowngrade:\n%s", res.Upgrades, res.Downgrades)
	if len(res.Irreversible) != 0 || !strings.Contains(res.Downgrades, "-- WARNING: rebuilds enum type mood without the labels [\"ok\"]: fails if a row holds one\n") ||
		!strings.Contains(res.Downgrades, "CREATE TYPE mood AS ENUM ('sad', 'happy');") {
		t.Fatalf("downgrade:\n%s\n%v", res.Downgrades, res.Irreversible)
	}
	if !strings.Contains(res.Upgrades, "ALTER TYPE mood ADD VALUE 'ok' BEFORE 'happy';") || !strings.Contains(res.Upgrades, "-- NOTE: ") || len(res.Notes) != 1 {
		t.Fatalf("upgrade:\n%s", res.Upgrades)
	}
	if err := f.upgrade("head"); err != nil {
		t.Fatal(err)
	}
	if res := f.autogenerate("again"); !res.Empty() {
		t.Fatalf("after upgrade: %v", res.Upgrade)
	}
	if err := f.downgrade("-1"); err != nil {
		t.Fatal(err)
	}
	if got := f.inspectLive(); !got.Equal(before) {
		t.Fatalf("after downgrade:\n%s", schema.Diff(before, got))
	}
}
