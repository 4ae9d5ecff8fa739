package retort_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/retortdb/retort"
	"github.com/retortdb/retort/config"
	"github.com/retortdb/retort/internal/testdb"
	"github.com/retortdb/retort/migrate"
	"github.com/retortdb/retort/op"
)

// thisFile is the path Go migrations declared in this file report.
func thisFile() string {
	_, f, _, _ := runtime.Caller(0)
	return f
}

// goProject opens a project of SQL files plus Go migrations on a fresh
// database of the dialect.
func goProject(t *testing.T, f *fixture, gos ...retort.GoMigration) *retort.Project {
	t.Helper()
	cfg, err := config.Load(config.LoadOptions{Path: filepath.Join(f.dir, "retort.toml"), URL: f.url.String(),
		Getenv: func(string) (string, bool) { return "", false }})
	if err != nil {
		t.Fatal(err)
	}
	p, err := retort.Open(cfg, retort.WithGoMigrations(gos...))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// concat is the dialect's string concatenation of first and last name.
func concat(dialect string) string {
	if dialect == "mysql" {
		return "CONCAT(first_name, ' ', last_name)"
	}
	return "first_name || ' ' || last_name"
}

// peopleMigrations: a SQL base creating people, a Go revision inserting
// rows with bind arguments, and a Go data migration that adds full_name
// and fills it by reading rows through the open transaction.
func peopleMigrations(dialect string) (map[string]string, []retort.GoMigration) {
	files := map[string]string{
		"a_people.sql": sqlRev("aaaa", "", "people",
			"CREATE TABLE people (id INTEGER PRIMARY KEY, first_name VARCHAR(50) NOT NULL, last_name VARCHAR(50) NOT NULL);",
			"DROP TABLE people;"),
	}
	gos := []retort.GoMigration{
		{
			Revision: "bbbb", Revises: []string{"aaaa"}, Message: "seed people",
			Upgrade: func(ctx context.Context, o *op.Operations) error {
				for i, n := range [][2]string{{"Ada", "Lovelace"}, {"Alan", "Turing"}} {
					q := fmt.Sprintf("INSERT INTO people (id, first_name, last_name) VALUES (%s, %s, %s)",
						o.Placeholder(1), o.Placeholder(2), o.Placeholder(3))
					if err := o.Execute(q, i+1, n[0], n[1]); err != nil {
						return err
					}
				}
				return nil
			},
			Downgrade: func(ctx context.Context, o *op.Operations) error {
				return o.Execute("DELETE FROM people")
			},
		},
		{
			Revision: "cccc", Revises: []string{"bbbb"}, Message: "full name",
			Upgrade: func(ctx context.Context, o *op.Operations) error {
				if err := o.Execute("ALTER TABLE people ADD COLUMN full_name VARCHAR(101)"); err != nil {
					return err
				}
				db, err := o.DB()
				if err != nil {
					return err
				}
				rows, err := db.QueryContext(ctx, "SELECT id, "+concat(o.Dialect())+" FROM people ORDER BY id")
				if err != nil {
					return err
				}
				type row struct {
					id   int
					full string
				}
				var all []row
				for rows.Next() {
					var r row
					if err := rows.Scan(&r.id, &r.full); err != nil {
						return err
					}
					all = append(all, r)
				}
				if err := errors.Join(rows.Err(), rows.Close()); err != nil {
					return err
				}
				for _, r := range all {
					if err := o.Execute("UPDATE people SET full_name = "+o.Placeholder(1)+" WHERE id = "+o.Placeholder(2), r.full, r.id); err != nil {
						return err
					}
				}
				return nil
			},
			Downgrade: func(ctx context.Context, o *op.Operations) error {
				return o.Execute("ALTER TABLE people DROP COLUMN full_name")
			},
		},
	}
	return files, gos
}

func TestGoMigrationsRunWithSQLOnEveryDialect(t *testing.T) {
	t.Parallel()
	for _, name := range testdb.Dialects(t) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			files, gos := peopleMigrations(name)
			f := newFixture(t, name, files, "")
			p := goProject(t, f, gos...)
			if got := p.Graph.Heads(); !slices.Equal(got, []string{"cccc"}) {
				t.Fatalf("heads = %v, want [cccc]", got)
			}
			if s := p.Script("cccc"); s.Path != thisFile() || s.Message != "full name" {
				t.Fatalf("Go revision script: path %q message %q", s.Path, s.Message)
			}
			ctx := context.Background()
			if _, err := p.Upgrade(ctx, "head", retort.RunOptions{}); err != nil {
				t.Fatal(err)
			}
			db := testdb.Open(t, f.url)
			var full string
			if err := db.QueryRow("SELECT full_name FROM people WHERE id = 2").Scan(&full); err != nil {
				t.Fatal(err)
			}
			if full != "Alan Turing" {
				t.Fatalf("full_name = %q", full)
			}
			var n int
			if err := db.QueryRow("SELECT COUNT(*) FROM retort_history WHERE revision IN ('bbbb', 'cccc') AND status = 'applied'").Scan(&n); err != nil {
				t.Fatal(err)
			}
			if n != 2 {
				t.Fatalf("history has %d applied rows for the Go revisions, want 2", n)
			}
			if _, err := p.Downgrade(ctx, "aaaa", retort.RunOptions{}); err != nil {
				t.Fatal(err)
			}
			if err := db.QueryRow("SELECT COUNT(*) FROM people").Scan(&n); err != nil || n != 0 {
				t.Fatalf("after downgrade to aaaa: %d rows, %v", n, err)
			}
			if got := goRows(t, p); !slices.Equal(got, []string{"aaaa"}) {
				t.Fatalf("rows = %v", got)
			}
		})
	}
}

func TestGoMigrationFailureRollsBackAndNamesTheLine(t *testing.T) {
	t.Parallel()
	for _, name := range testdb.Dialects(t) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			files, gos := peopleMigrations(name)
			_, _, line, _ := runtime.Caller(0)
			gos = append(gos, retort.GoMigration{
				Revision: "dddd", Revises: []string{"cccc"}, Message: "broken",
				Upgrade: func(ctx context.Context, o *op.Operations) error {
					if err := o.Execute("CREATE TABLE extra (id INTEGER)"); err != nil {
						return err
					}
					return o.Execute("INSERT INTO no_such_table VALUES (1)") // line+7
				},
			}, retort.GoMigration{
				Revision: "eeee", Revises: []string{"aaaa"}, Message: "panics",
				Upgrade: func(ctx context.Context, o *op.Operations) error {
					panic("boom")
				},
			})
			f := newFixture(t, name, files, "")
			p := goProject(t, f, gos...)
			ctx := context.Background()
			_, err := p.Upgrade(ctx, "dddd", retort.RunOptions{})
			var se *migrate.StepError
			if !errors.As(err, &se) {
				t.Fatalf("want a StepError, got %v", err)
			}
			if se.Revision != "dddd" || se.Path != thisFile() || se.Line != line+7 || !strings.Contains(se.Statement, "no_such_table") {
				t.Fatalf("StepError = %s %s:%d %q; want dddd %s:%d", se.Revision, se.Path, se.Line, se.Statement, thisFile(), line+7)
			}
			if !strings.Contains(err.Error(), fmt.Sprintf("%s:%d", thisFile(), line+7)) {
				t.Fatalf("message does not name file:line: %v", err)
			}
			if got := goRows(t, p); !slices.Equal(got, []string{"cccc"}) {
				t.Fatalf("rows after failure = %v, want [cccc]", got)
			}
			db := testdb.Open(t, f.url)
			var status string
			if err := db.QueryRow("SELECT status FROM retort_history WHERE revision = 'dddd'").Scan(&status); err != nil || status != "failed" {
				t.Fatalf("history status %q, %v", status, err)
			}
			if name != "mysql" {
				// Transactional DDL: the CREATE TABLE before the failure is gone.
				if _, err := db.Exec("SELECT * FROM extra"); err == nil {
					t.Fatal("table extra survived the rollback")
				}
			} else if len(se.Ran) != 1 || !strings.Contains(se.Ran[0], "CREATE TABLE extra") {
				t.Fatalf("MySQL: statements that ran = %q", se.Ran)
			}

			// A panic is a failure like any other.
			f2 := newFixture(t, name, files, "")
			p2 := goProject(t, f2, gos...)
			_, err = p2.Upgrade(ctx, "eeee", retort.RunOptions{})
			if !errors.As(err, &se) || !strings.Contains(err.Error(), "panic: boom") {
				t.Fatalf("panic: got %v", err)
			}
			if got := goRows(t, p2); !slices.Equal(got, []string{"aaaa"}) {
				t.Fatalf("rows after panic = %v, want [aaaa]", got)
			}
		})
	}
}

func TestGoMigrationsOffline(t *testing.T) {
	t.Parallel()
	files, gos := peopleMigrations("postgresql")
	for _, name := range []string{"sqlite", "postgresql", "mysql"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			f := &fixture{t: t, dir: t.TempDir()}
			f2 := newFixture(t, "sqlite", files, "")
			f.dir = f2.dir
			f.url = mustURL(t, map[string]string{"sqlite": "sqlite:///x.db", "postgresql": "postgresql://u@h/db", "mysql": "mysql://u@h/db"}[name])
			p := goProject(t, f, gos...)
			var out bytes.Buffer
			// aaaa:bbbb only: bind arguments become literals.
			if _, err := p.Upgrade(context.Background(), "aaaa:bbbb", retort.RunOptions{SQL: &out}); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(out.String(), "VALUES (2, 'Alan', 'Turing');") {
				t.Fatalf("offline script lacks the inlined insert:\n%s", out.String())
			}
			// cccc reads rows: it cannot run offline, and nothing is printed.
			out.Reset()
			_, err := p.Upgrade(context.Background(), "head", retort.RunOptions{SQL: &out})
			if !errors.Is(err, op.ErrOffline) || !strings.Contains(err.Error(), "upgrade cccc") || !strings.Contains(err.Error(), thisFile()) {
				t.Fatalf("want ErrOffline naming cccc and its file, got %v", err)
			}
			if out.Len() != 0 {
				t.Fatalf("printed %d bytes before failing", out.Len())
			}
		})
	}
}

func goRows(t *testing.T, p *retort.Project) []string {
	t.Helper()
	st, err := p.Current(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return st.Rows
}

func mustURL(t *testing.T, s string) *config.URL {
	t.Helper()
	u, err := config.ParseURL(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func TestGoMigrationRegistrationErrors(t *testing.T) {
	t.Parallel()
	up := func(context.Context, *op.Operations) error { return nil }
	files := map[string]string{"a.sql": sqlRev("aaaa", "", "a", "", "")}
	for _, tc := range []struct {
		name string
		gos  []retort.GoMigration
		want string
	}{
		{"no upgrade", []retort.GoMigration{{Revision: "bbbb", Revises: []string{"aaaa"}}}, "has no Upgrade function"},
		{"no revision", []retort.GoMigration{{Message: "oops", Upgrade: up}}, `Go migration "oops" has no Revision`},
		{"bad id", []retort.GoMigration{{Revision: "a-b", Upgrade: up}}, "a-b"},
		{"twice", []retort.GoMigration{{Revision: "bbbb", Upgrade: up}, {Revision: "bbbb", Upgrade: up}}, "registered twice"},
		{"same id as a file", []retort.GoMigration{{Revision: "aaaa", Upgrade: up}}, "aaaa"},
		{"unknown parent", []retort.GoMigration{{Revision: "bbbb", Revises: []string{"zzzz"}, Upgrade: up}}, "zzzz"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, "sqlite", files, "")
			cfg, err := config.Load(config.LoadOptions{Path: filepath.Join(f.dir, "retort.toml"), URL: f.url.String(),
				Getenv: func(string) (string, bool) { return "", false }})
			if err != nil {
				t.Fatal(err)
			}
			_, err = retort.Open(cfg, retort.WithGoMigrations(tc.gos...))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("want an error containing %q, got %v", tc.want, err)
			}
		})
	}
}

func TestNewWithEmbeddedFiles(t *testing.T) {
	t.Parallel()
	fsys := fstest.MapFS{
		"versions/a_people.sql": {Data: []byte(sqlRev("aaaa", "", "people", "CREATE TABLE people (id INTEGER PRIMARY KEY);", "DROP TABLE people;"))},
	}
	u := testdb.New(t, "sqlite")
	p, err := retort.New(u.String(), retort.WithFS(fsys, "versions"), retort.WithGoMigrations(retort.GoMigration{
		Revision: "bbbb", Revises: []string{"aaaa"}, Message: "one person",
		Upgrade: func(ctx context.Context, o *op.Operations) error {
			return o.Execute("INSERT INTO people (id) VALUES (?)", 7)
		},
	}))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Upgrade(context.Background(), "head", retort.RunOptions{}); err != nil {
		t.Fatal(err)
	}
	var id int
	if err := testdb.Open(t, u).QueryRow("SELECT id FROM people").Scan(&id); err != nil || id != 7 {
		t.Fatalf("id = %d, %v", id, err)
	}
	st, err := p.Current(context.Background())
	if err != nil || !st.AtHeads {
		t.Fatalf("current: %+v, %v", st, err)
	}
}

// TestPlainBinaryRefusesProjectWithGoRevisions: a program without Go
// migrations (the retort binary) on a project whose versions hold a Go
// revision would not see it: the graph it would build is not the
// project's, so Open (every command) stops and points at the project's
// own binary.
func TestPlainBinaryRefusesProjectWithGoRevisions(t *testing.T) {
	t.Parallel()
	files := map[string]string{
		"a.sql":         sqlRev("aaaa", "", "a", "CREATE TABLE a_t (id INTEGER);", "DROP TABLE a_t;"),
		"b_backfill.go": "package versions\n\nfunc init() {\n\tretort.Register(retort.GoMigration{Revision: \"bbbb\", Revises: []string{\"aaaa\"}})\n}\n",
	}
	f := newFixture(t, "sqlite", files, "")
	cfg, err := config.Load(config.LoadOptions{Path: filepath.Join(f.dir, "retort.toml"), URL: f.url.String(),
		Getenv: func(string) (string, bool) { return "", false }})
	if err != nil {
		t.Fatal(err)
	}
	_, err = retort.Open(cfg)
	if err == nil || !strings.Contains(err.Error(), "b_backfill.go registers a Go migration") || !strings.Contains(err.Error(), "go run ./migrations upgrade head") {
		t.Fatalf("want a refusal naming b_backfill.go, got %v", err)
	}
}

// TestPlainBinaryNamesGoFileWhenGraphBreaks: when a SQL revision revises a
// Go one the program does not have, Open says which Go file registers it
// (not only that the revision is not present), whether or not the header
// cache lists it; a Go file that registers in a way the check does not
// recognise is still named beside the graph error.
func TestPlainBinaryNamesGoFileWhenGraphBreaks(t *testing.T) {
	t.Parallel()
	for register, want := range map[string]string{
		"retort.Register(retort.GoMigration{Revision: \"bbbb\", Revises: []string{\"aaaa\"}})": "b_backfill.go registers a Go migration, which this program does not have",
		"register(\"bbbb\", \"aaaa\")": "b_backfill.go is a Go file in a version location",
	} {
		files := map[string]string{
			"a.sql":         sqlRev("aaaa", "", "a", "SELECT 1;", "SELECT 1;"),
			"b_backfill.go": "package versions\n\nfunc init() {\n\t" + register + "\n}\n",
			"b_test.go":     "package versions\n",
			"c.sql":         sqlRev("cccc", "bbbb", "c", "SELECT 1;", "SELECT 1;"),
		}
		f := newFixture(t, "sqlite", files, "")
		cfg, err := config.Load(config.LoadOptions{Path: filepath.Join(f.dir, "retort.toml"), Getenv: func(string) (string, bool) { return "", false }})
		if err != nil {
			t.Fatal(err)
		}
		for name, opts := range map[string][]retort.Option{"no cache": nil, "header cache": {retort.WithHeaderCache(t.TempDir())}} {
			_, err := retort.Open(cfg, opts...)
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("%s, %s: want %q, got %v", register, name, want, err)
			}
		}
	}
}
