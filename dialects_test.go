package retort_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/retortdb/retort"
	"github.com/retortdb/retort/config"
	"github.com/retortdb/retort/internal/testdb"
	"github.com/retortdb/retort/migrate"
)

// fixture is a project directory whose database is a fresh one of a dialect.
type fixture struct {
	t   *testing.T
	dir string
	url *config.URL
}

func newFixture(t *testing.T, dialectName string, files map[string]string, extraConfig string) *fixture {
	t.Helper()
	dir := t.TempDir()
	versions := filepath.Join(dir, "migrations", "versions")
	if err := os.MkdirAll(versions, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(versions, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cfgText := "script_location = \"migrations\"\ndatabase_url = \"sqlite:///unused.db\"\n" + extraConfig
	if err := os.WriteFile(filepath.Join(dir, "retort.toml"), []byte(cfgText), 0o644); err != nil {
		t.Fatal(err)
	}
	return &fixture{t: t, dir: dir, url: testdb.New(t, dialectName)}
}

func (f *fixture) project() *retort.Project {
	f.t.Helper()
	cfg, err := config.Load(config.LoadOptions{Path: filepath.Join(f.dir, "retort.toml"), URL: f.url.String(),
		Getenv: func(string) (string, bool) { return "", false }})
	if err != nil {
		f.t.Fatal(err)
	}
	p, err := retort.Open(cfg)
	if err != nil {
		f.t.Fatal(err)
	}
	return p
}

func (f *fixture) rows() []string {
	f.t.Helper()
	st, err := f.project().Current(context.Background())
	if err != nil {
		f.t.Fatal(err)
	}
	out := slices.Clone(st.Rows)
	sort.Strings(out)
	return out
}

func (f *fixture) upgrade(target string) error {
	_, err := f.project().Upgrade(context.Background(), target, retort.RunOptions{})
	return err
}

func (f *fixture) downgrade(target string) error {
	_, err := f.project().Downgrade(context.Background(), target, retort.RunOptions{})
	return err
}

func sqlRev(id, down, msg, up, downSQL string, extra ...string) string {
	var b strings.Builder
	b.WriteString("-- " + msg + "\n--\n-- Revision ID: " + id + "\n-- Revises: " + down + "\n")
	for _, e := range extra {
		b.WriteString("-- " + e + "\n")
	}
	b.WriteString("\n-- retort:upgrade\n" + up + "\n")
	if downSQL != "-" {
		b.WriteString("\n-- retort:downgrade\n" + downSQL + "\n")
	}
	return b.String()
}

// branched is a graph with a branch, a label, a dependency and a merge.
func branched() map[string]string {
	return map[string]string{
		"a_root.sql":  sqlRev("aaaa", "", "root", "CREATE TABLE root_t (id INTEGER PRIMARY KEY);", "DROP TABLE root_t;"),
		"b1_left.sql": sqlRev("bbb1", "aaaa", "left", "CREATE TABLE left_t (id INTEGER PRIMARY KEY);", "DROP TABLE left_t;"),
		"b2_right.sql": sqlRev("bbb2", "aaaa", "right", "CREATE TABLE \"Right Side\" (\"select\" INTEGER PRIMARY KEY);", "DROP TABLE \"Right Side\";",
			"Branch Labels: right"),
		"c2_dep.sql":  sqlRev("ccc2", "bbb2", "needs left", "CREATE TABLE dep_t (id INTEGER PRIMARY KEY);", "DROP TABLE dep_t;", "Depends On: bbb1"),
		"d_merge.sql": sqlRev("dddd", "bbb1, ccc2", "merge", "", ""),
	}
}

func TestGraphRunsOnEveryDialect(t *testing.T) {
	t.Parallel()
	for _, name := range testdb.Dialects(t) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			files := branched()
			if name == "mysql" {
				// MySQL quotes identifiers with backticks unless ANSI_QUOTES is on.
				files["b2_right.sql"] = sqlRev("bbb2", "aaaa", "right", "CREATE TABLE `Right Side` (`select` INTEGER PRIMARY KEY);", "DROP TABLE `Right Side`;", "Branch Labels: right")
			}
			f := newFixture(t, name, files, "")
			steps := func(target string) {
				t.Helper()
				if err := f.upgrade(target); err != nil {
					t.Fatalf("upgrade %s: %v", target, err)
				}
			}
			steps("ccc2")
			// ccc2 depends on bbb1, so the left branch comes along; the
			// dependency-implied row is not kept.
			if got := f.rows(); !slices.Equal(got, []string{"ccc2"}) {
				t.Fatalf("rows after ccc2: %v", got)
			}
			steps("heads")
			if got := f.rows(); !slices.Equal(got, []string{"dddd"}) {
				t.Fatalf("rows after heads: %v", got)
			}
			if err := f.downgrade("right@aaaa"); err != nil {
				t.Fatal(err)
			}
			if got := f.rows(); !slices.Equal(got, []string{"bbb1"}) {
				t.Fatalf("rows after right@aaaa: %v", got)
			}
			if err := f.downgrade("base"); err != nil {
				t.Fatal(err)
			}
			if got := f.rows(); len(got) != 0 {
				t.Fatalf("rows after base: %v", got)
			}
			p := f.project()
			if _, err := p.Stamp(context.Background(), []string{"bbb1", "bbb2"}, false, retort.RunOptions{}); err != nil {
				t.Fatal(err)
			}
			if got := f.rows(); !slices.Equal(got, []string{"bbb1", "bbb2"}) {
				t.Fatalf("rows after stamp: %v", got)
			}
			// The stamp ran no migration: upgrading runs only ccc2 and dddd,
			// whose tables' parents do not exist, so only the merge's empty body
			// and dep_t's CREATE run.
			steps("heads")
			if got := f.rows(); !slices.Equal(got, []string{"dddd"}) {
				t.Fatalf("rows after stamp+upgrade: %v", got)
			}
		})
	}
}

func TestFailureLeavesVersionTable(t *testing.T) {
	t.Parallel()
	for _, name := range testdb.Dialects(t) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			files := map[string]string{
				"a.sql": sqlRev("aaaa", "", "one", "CREATE TABLE one_t (id INTEGER PRIMARY KEY);", "DROP TABLE one_t;"),
				"b.sql": sqlRev("bbbb", "aaaa", "two", "CREATE TABLE two_t (id INTEGER PRIMARY KEY);\nINSERT INTO no_such_table VALUES (1);", "DROP TABLE two_t;"),
			}
			f := newFixture(t, name, files, "")
			err := f.upgrade("head")
			var se *migrate.StepError
			if !errors.As(err, &se) {
				t.Fatalf("want a StepError, got %v", err)
			}
			if se.Revision != "bbbb" || se.Line != 8 || !strings.Contains(se.Statement, "no_such_table") {
				t.Fatalf("StepError %+v", se)
			}
			if got := f.rows(); !slices.Equal(got, []string{"aaaa"}) {
				t.Fatalf("rows %v, want [aaaa]", got)
			}
			// The message names the revision, the file and line, the
			// statement, and carries the database's own words.
			msg := se.Error()
			for _, want := range []string{"upgrade bbbb failed (" + filepath.Join(f.dir, "migrations", "versions", "b.sql") + ":8): ",
				"\n  statement: INSERT INTO no_such_table VALUES (1)", se.Err.Error()} {
				if !strings.Contains(msg, want) {
					t.Errorf("error lacks %q:\n%s", want, msg)
				}
			}
			if !strings.Contains(se.Err.Error(), "no_such_table") {
				t.Errorf("the database's message does not name the table: %v", se.Err)
			}
			db := testdb.Open(t, f.url)
			var status, errText, stmts string
			if err := db.QueryRow("SELECT status, error, statements FROM retort_history WHERE revision = 'bbbb'").Scan(&status, &errText, &stmts); err != nil {
				t.Fatal(err)
			}
			if status != "failed" || errText != se.Err.Error() || stmts != `["CREATE TABLE two_t (id INTEGER PRIMARY KEY)"]` {
				t.Fatalf("history row: %q %q %q", status, errText, stmts)
			}
			d, _ := testdb.Dialect(name)
			if d.Caps().TransactionalDDL {
				if se.RolledBack != true || len(se.Ran) != 1 {
					t.Fatalf("StepError %+v", se)
				}
				if err := db.QueryRow("SELECT count(*) FROM two_t").Scan(new(int)); err == nil {
					t.Fatal("two_t survived the rollback")
				}
				return
			}
			// Without transactional DDL the CREATE stays, and the next run
			// refuses to guess.
			if se.RolledBack || len(se.Ran) != 1 {
				t.Fatalf("StepError %+v", se)
			}
			err = f.upgrade("head")
			var pe *migrate.PartialStepError
			if !errors.As(err, &pe) || pe.Revision != "bbbb" || len(pe.Ran) != 1 {
				t.Fatalf("second run: want a PartialStepError for bbbb, got %v", err)
			}
		})
	}
}

// TestPostgresOneTripMigrations: on PostgreSQL a SQL migration and its
// version write go to the server as one multi-statement batch. A statement
// ending in a line comment must not swallow the separator. A failure that
// does not recur when the migration is replayed statement by statement
// (here: a sequence, which a rollback does not reset) is still the
// migration's outcome: it used to leave the migration applied, with the
// failure never mentioned.
func TestPostgresOneTripMigrations(t *testing.T) {
	t.Parallel()
	if !slices.Contains(testdb.Dialects(t), "postgresql") {
		t.Skip("no PostgreSQL server")
	}
	files := map[string]string{
		"a.sql": sqlRev("aaaa", "", "one", "CREATE SEQUENCE flaky;\nCREATE TABLE one_t (id INTEGER PRIMARY KEY); -- trailing comment", "DROP TABLE one_t;\nDROP SEQUENCE flaky;"),
		"b.sql": sqlRev("bbbb", "aaaa", "fails once", "INSERT INTO one_t VALUES (1);\nSELECT 1 / (nextval('flaky') - 1);\nINSERT INTO one_t VALUES (2); -- done", "DELETE FROM one_t;"),
	}
	f := newFixture(t, "postgresql", files, "")
	var se *migrate.StepError
	if err := f.upgrade("head"); !errors.As(err, &se) || !strings.Contains(se.Err.Error(), "division by zero") || se.Statement != "" {
		t.Fatalf("want bbbb's division by zero, with no statement, got %v", err)
	}
	if got := f.rows(); !slices.Equal(got, []string{"aaaa"}) {
		t.Fatalf("rows %v", got)
	}
	db := testdb.Open(t, f.url)
	var n int
	if err := db.QueryRow("SELECT count(*) FROM one_t").Scan(&n); err != nil || n != 0 {
		t.Fatalf("one_t has %d rows (%v), want 0", n, err)
	}
	// Run again, the sequence is past 1: the migration applies once.
	if err := f.upgrade("head"); err != nil {
		t.Fatal(err)
	}
	if err := db.QueryRow("SELECT count(*) FROM one_t").Scan(&n); err != nil || n != 2 {
		t.Fatalf("one_t has %d rows (%v), want 2", n, err)
	}
	if err := db.QueryRow("SELECT count(*) FROM retort_history WHERE revision = 'bbbb' AND status = 'applied'").Scan(&n); err != nil || n != 1 {
		t.Fatalf("%d applied history rows for bbbb (%v), want 1", n, err)
	}
}
