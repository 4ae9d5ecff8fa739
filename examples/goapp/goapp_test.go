package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/retortdb/retort/config"
	"github.com/retortdb/retort/dialect"
	"github.com/retortdb/retort/internal/sqlsplit"
	"github.com/retortdb/retort/internal/testdb"
	"github.com/retortdb/retort/schema"
)

// goappBin is the example built once for the whole test binary: the tests
// run it as a user would.
var goappBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "goapp-test")
	if err != nil {
		panic(err)
	}
	goappBin = filepath.Join(dir, "goapp")
	build := exec.Command("go", "build", "-o", goappBin, ".")
	build.Stderr = os.Stderr
	if err := build.Run(); err != nil {
		os.RemoveAll(dir)
		panic("build goapp: " + err.Error())
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// run runs goapp with DATABASE_URL set to u, from this folder (where
// retort.toml is), and returns stdout, stderr and the exit code.
func run(t *testing.T, u *config.URL, args ...string) (string, string, int) {
	t.Helper()
	cmd := exec.Command(goappBin, args...)
	cmd.Env = append(os.Environ(), "DATABASE_URL="+u.String(), "RETORT_CACHE_DIR=off")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return stdout.String(), stderr.String(), code
}

func mustRun(t *testing.T, u *config.URL, args ...string) string {
	t.Helper()
	out, errOut, code := run(t, u, args...)
	if code != 0 {
		t.Fatalf("goapp %s: exit %d\n%s", strings.Join(args, " "), code, errOut)
	}
	return out
}

type person struct {
	ID       int64  `json:"id"`
	FullName string `json:"full_name"`
	Handle   string `json:"handle"`
}

func TestServiceMigratesAtStartUpOnEveryDialect(t *testing.T) {
	t.Parallel()
	for _, name := range testdb.Dialects(t) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			u := testdb.New(t, name)
			out := mustRun(t, u)
			var got []person
			dec := json.NewDecoder(strings.NewReader(out))
			for dec.More() {
				var p person
				if err := dec.Decode(&p); err != nil {
					t.Fatalf("%v in %q", err, out)
				}
				got = append(got, p)
			}
			want := []person{{1, "Ada Lovelace", "alovelace"}, {2, "Alan Turing", "aturing"}}
			if !slices.Equal(got, want) {
				t.Fatalf("people = %+v, want %+v", got, want)
			}
			db := testdb.Open(t, u)
			// full_name is NOT NULL now: a row without it is refused.
			if _, err := db.Exec("INSERT INTO people (id, first_name, last_name) VALUES (3, 'Grace', 'Hopper')"); err == nil {
				t.Fatal("a person without full_name was accepted: the column is not NOT NULL")
			}
			// The op-built foreign key cascades.
			if _, err := db.Exec("INSERT INTO orders (id, person_id, total) VALUES (1, 2, 9.5)"); err != nil {
				t.Fatal(err)
			}
			if name == "sqlite" {
				if _, err := db.Exec("PRAGMA foreign_keys = ON"); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := db.Exec("DELETE FROM people WHERE id = 2"); err != nil {
				t.Fatal(err)
			}
			var orders int
			if err := db.QueryRow("SELECT COUNT(*) FROM orders").Scan(&orders); err != nil || orders != 0 {
				t.Fatalf("orders after deleting their person: %d, %v", orders, err)
			}

			// The same binary is the retort CLI, on the same revisions.
			if cur := mustRun(t, u, "migrate", "current"); !strings.Contains(cur, "0004 (head)") {
				t.Fatalf("current: %q", cur)
			}
			hist := mustRun(t, u, "migrate", "history")
			for _, want := range []string{"0003 -> 0004 (head), people.handle computed in Go", "<base> -> 0001, create people"} {
				if !strings.Contains(hist, want) {
					t.Fatalf("history lacks %q:\n%s", want, hist)
				}
			}
			if v := mustRun(t, u, "migrate", "verify"); !strings.Contains(v, "not checkable (Go revisions, compiled into this program): 0002, 0003, 0004") {
				t.Fatalf("verify: %q", v)
			}
			mustRun(t, u, "migrate", "downgrade", "base")
			for _, table := range []string{"people", "orders"} {
				if _, err := db.Exec("SELECT 1 FROM " + table); err == nil {
					t.Fatalf("table %s survived downgrade base", table)
				}
			}
			mustRun(t, u, "migrate", "upgrade", "head")
			var full string
			if err := db.QueryRow("SELECT full_name FROM people WHERE id = 1").Scan(&full); err != nil || full != "Ada Lovelace" {
				t.Fatalf("after CLI upgrade: %q, %v", full, err)
			}
		})
	}
}

// TestRetortTestOnTheApp: `retort test` (round trip, stairway, offline…)
// passes on the app's revisions; the offline check is skipped, naming the
// Go revision that reads data.
func TestRetortTestOnTheApp(t *testing.T) {
	t.Parallel()
	u := testdb.New(t, "sqlite")
	out, errOut, code := run(t, u, "migrate", "test")
	if code != 0 || !strings.Contains(out, "0004      offline      skip") || !strings.Contains(out, "0 failed") {
		t.Fatalf("migrate test: exit %d\n%s\n%s", code, out, errOut)
	}
}

// TestOfflineScriptMatchesOnlineRun: the SQL `upgrade --sql` prints for
// the SQL and op-based revisions, fed to a fresh database, gives the schema,
// rows and version row that the online run gives.
func TestOfflineScriptMatchesOnlineRun(t *testing.T) {
	t.Parallel()
	for _, name := range testdb.Dialects(t) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			online := testdb.New(t, name)
			mustRun(t, online, "migrate", "upgrade", "0003")

			offline := testdb.New(t, name)
			script := mustRun(t, offline, "migrate", "upgrade", "--sql", "base:0003")
			d, err := testdb.Dialect(name)
			if err != nil {
				t.Fatal(err)
			}
			db := testdb.Open(t, offline)
			execScript(t, db, d, script)

			onDB := testdb.Open(t, online)
			if a, b := inspect(t, d, onDB), inspect(t, d, db); !a.Equal(b) {
				t.Fatalf("schemas differ (online vs offline):\n%s", schema.Diff(a, b))
			}
			for _, q := range []string{
				"SELECT version_num FROM alembic_version",
				"SELECT full_name FROM people ORDER BY id",
			} {
				if a, b := testdb.Strings(t, onDB, q), testdb.Strings(t, db, q); !slices.Equal(a, b) {
					t.Fatalf("%s: online %v, offline %v", q, a, b)
				}
			}

			// 0004 reads rows: no script, and nothing printed.
			out, errOut, code := run(t, offline, "migrate", "upgrade", "--sql", "base:head")
			if code != 1 || out != "" || !strings.Contains(errOut, "upgrade 0004") || !strings.Contains(errOut, "cannot run offline") {
				t.Fatalf("upgrade --sql through 0004: exit %d, stdout %q, stderr %q", code, out, errOut)
			}
		})
	}
}

// execScript runs an offline script as the database's own client would:
// statement by statement, split by the dialect's rules.
func execScript(t *testing.T, db *sql.DB, d dialect.Dialect, script string) {
	t.Helper()
	conn, err := db.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	stmts, err := splitScript(d, script)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range stmts {
		if _, err := conn.ExecContext(context.Background(), s); err != nil {
			t.Fatalf("offline script: %v\n%s", err, s)
		}
	}
}

func inspect(t *testing.T, d dialect.Dialect, db *sql.DB) *schema.Schema {
	t.Helper()
	s, err := d.(dialect.Inspector).Inspect(context.Background(), db, dialect.InspectOptions{
		VersionTable: dialect.Table{Name: "alembic_version"},
		HistoryTable: dialect.Table{Name: "retort_history"},
	})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func splitScript(d dialect.Dialect, script string) ([]string, error) {
	stmts, err := sqlsplit.Split(script, d.SplitDialect())
	if err != nil {
		return nil, err
	}
	out := make([]string, len(stmts))
	for i, s := range stmts {
		out[i] = s.SQL
	}
	return out, nil
}
