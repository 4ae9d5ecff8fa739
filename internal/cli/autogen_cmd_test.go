package cli_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/retortdb/retort/dialect"
	"github.com/retortdb/retort/dialect/sqlite"
	"github.com/retortdb/retort/schema"
)

const autogenConfig = defaultConfig + `
[autogenerate]
target = "schema.sql"
`

func (p *project) inspect() *schema.Schema {
	p.t.Helper()
	s, err := sqlite.New().Inspect(context.Background(), p.db(), dialect.InspectOptions{
		VersionTable: dialect.Table{Name: "alembic_version"}, HistoryTable: dialect.Table{Name: "retort_history"}})
	if err != nil {
		p.t.Fatal(err)
	}
	return s
}

// newFiles returns the revision files written since before.
func (p *project) newFiles(before []string) []string {
	p.t.Helper()
	all, err := filepath.Glob(filepath.Join(p.dir, "migrations", "versions", "*.sql"))
	if err != nil {
		p.t.Fatal(err)
	}
	var out []string
	for _, f := range all {
		found := false
		for _, b := range before {
			found = found || b == f
		}
		if !found {
			out = append(out, f)
		}
	}
	return out
}

func (p *project) files() []string { return p.newFiles(nil) }

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func sections(t *testing.T, file string) (up, down string) {
	t.Helper()
	_, rest, ok := strings.Cut(file, "-- retort:upgrade\n")
	if !ok {
		t.Fatalf("no upgrade section:\n%s", file)
	}
	up, down, ok = strings.Cut(rest, "-- retort:downgrade\n")
	if !ok {
		t.Fatalf("no downgrade section:\n%s", file)
	}
	return up, down
}

func TestAutogenerateSQLite(t *testing.T) {
	p := newProject(t, autogenConfig, map[string]string{
		"a1_users.sql": rev("a1", "", "users", "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL);", "DROP TABLE users;"),
	})
	schemaPath := filepath.Join(p.dir, "schema.sql")
	write(t, schemaPath, `
CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL, email TEXT);
CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INTEGER REFERENCES users(id), title TEXT NOT NULL);
CREATE INDEX posts_user ON posts (user_id);
`)

	// Not at head: refused, nothing written.
	p.fail(1, "FAILED: Target database is not up to date.", "revision", "--autogenerate", "-m", "x")
	p.fail(1, "FAILED: Target database is not up to date.", "check")
	if n := len(p.files()); n != 1 {
		t.Fatalf("%d files after a refused autogenerate", n)
	}

	p.ok("upgrade", "head")
	before := p.inspect()

	// Drift: check lists the ops and exits 1.
	r := p.fail(1, "FAILED: New upgrade operations detected:", "check")
	for _, want := range []string{"create table posts", "add column users.email"} {
		if !strings.Contains(r.stderr, "\n  "+want+"\n") && !strings.HasSuffix(strings.TrimSpace(r.stderr), want) {
			t.Errorf("check does not list %q:\n%s", want, r.stderr)
		}
	}
	r = p.run("check", "--json")
	if r.code != 1 || !strings.Contains(r.stdout, `"create table posts"`) {
		t.Fatalf("check --json: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}

	// revision --autogenerate writes both sections.
	old := p.files()
	r = p.ok("revision", "--autogenerate", "-m", "add posts")
	written := p.newFiles(old)
	if len(written) != 1 {
		t.Fatalf("wrote %v\n%s", written, r.stderr)
	}
	up, down := sections(t, readFile(t, written[0]))
	for _, want := range []string{"CREATE TABLE posts (", "ALTER TABLE users ADD COLUMN email text;", "CREATE INDEX posts_user ON posts (user_id);"} {
		if !strings.Contains(up, want) {
			t.Errorf("upgrade lacks %q:\n%s", want, up)
		}
	}
	for _, want := range []string{"DROP TABLE posts;", "-- WARNING: drops table posts and its data\n", "-- WARNING: drops column users.email and its data\n", "ALTER TABLE users DROP COLUMN email;"} {
		if !strings.Contains(down, want) {
			t.Errorf("downgrade lacks %q:\n%s", want, down)
		}
	}
	if strings.Contains(up, "WARNING") {
		t.Errorf("upgrade has a warning:\n%s", up)
	}

	// Applied, the database matches the target; downgraded, it is as before.
	p.ok("upgrade", "head")
	if r := p.ok("check"); strings.TrimSpace(r.stdout) != "No new upgrade operations detected." {
		t.Fatalf("check after upgrade: %q", r.stdout)
	}
	if r := p.ok("check", "--json"); !strings.Contains(r.stdout, `"operations": []`) {
		t.Fatalf("check --json after upgrade: %q", r.stdout)
	}
	after := p.inspect()
	p.ok("downgrade", "-1")
	if got := p.inspect(); !got.Equal(before) {
		t.Fatalf("after downgrade:\n%s", schema.Diff(before, got))
	}
	p.ok("upgrade", "head")

	// Nothing changed: nothing written, unless --allow-empty.
	old = p.files()
	r = p.ok("revision", "--autogenerate", "-m", "nothing")
	if !strings.Contains(r.stderr, "No changes in schema detected.") || len(p.newFiles(old)) != 0 {
		t.Fatalf("empty diff: %q, files %v", r.stderr, p.newFiles(old))
	}
	p.ok("revision", "--autogenerate", "--allow-empty", "-m", "empty")
	written = p.newFiles(old)
	if len(written) != 1 {
		t.Fatalf("--allow-empty wrote %v", written)
	}
	if up, down := sections(t, readFile(t, written[0])); strings.TrimSpace(up) != "" || strings.TrimSpace(down) != "" {
		t.Fatalf("empty revision has statements:\n%s\n%s", up, down)
	}
	p.ok("upgrade", "head")

	// A destructive change: SQLite rebuilds the table, keeping rows.
	db := p.db()
	if _, err := db.Exec("INSERT INTO users (id, name, email) VALUES (1, 'a', 'a@x'); INSERT INTO posts VALUES (1, 1, 't')"); err != nil {
		t.Fatal(err)
	}
	write(t, schemaPath, `
CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL);
CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INTEGER REFERENCES users(id), title TEXT NOT NULL);
CREATE INDEX posts_user ON posts (user_id);
`)
	old = p.files()
	p.ok("revision", "--autogenerate", "-m", "drop email")
	written = p.newFiles(old)
	if len(written) != 1 {
		t.Fatalf("wrote %v", written)
	}
	up, _ = sections(t, readFile(t, written[0]))
	if !strings.Contains(up, "-- WARNING: rebuilds table users: drops column users.email and its data\n") {
		t.Fatalf("no warning:\n%s", up)
	}
	p.ok("upgrade", "head")
	p.ok("check")
	var n int
	if err := db.QueryRow("SELECT count(*) FROM users JOIN posts ON posts.user_id = users.id").Scan(&n); err != nil || n != 1 {
		t.Fatalf("rows after rebuild: %d, %v", n, err)
	}
	p.ok("downgrade", "-1")
	if got := p.inspect(); !got.Equal(after) {
		t.Fatalf("after downgrading the rebuild:\n%s", schema.Diff(after, got))
	}
}

func TestAutogenerateNoTarget(t *testing.T) {
	p := newProject(t, "", nil)
	p.fail(1, "set `target` in the [autogenerate] table of retort.toml", "revision", "--autogenerate", "-m", "x")
	p.fail(1, "set `target` in the [autogenerate] table of retort.toml", "check")
	p.fail(2, "--allow-empty needs --autogenerate", "revision", "--allow-empty", "-m", "x")
}

// TestAutogenerateMissingTarget: a target that is not there is reported
// as a config error at the key that set it, saying what to do, by every
// command that loads it.
func TestAutogenerateMissingTarget(t *testing.T) {
	p := newProject(t, defaultConfig+"\n[autogenerate]\ntarget = \"nothere.sql\"\n", linear())
	p.ok("upgrade", "head")
	want := "retort.toml:5: autogenerate.target: " + filepath.Join(p.dir, "nothere.sql") +
		" does not exist: create it with the schema you want (CREATE statements; a .sql file or a folder of them), or set the key to the file or folder that has it"
	for _, args := range [][]string{{"check"}, {"revision", "--autogenerate", "-m", "x"}, {"test", "--only", "target"}} {
		r := p.fail(1, want, args...)
		if strings.Contains(r.stderr, "retort/autogen") || strings.Contains(r.stderr, "stat ") {
			t.Fatalf("retort %s: internal error text:\n%s", strings.Join(args, " "), r.stderr)
		}
	}
}

// TestAutogenerateRebuildForeignKeyViolation: a SQLite rebuild that leaves
// a row breaking a foreign key fails and changes nothing.
func TestAutogenerateRebuildForeignKeyViolation(t *testing.T) {
	p := newProject(t, autogenConfig, map[string]string{
		"a1_t.sql": rev("a1", "", "t", "CREATE TABLE p (id INTEGER PRIMARY KEY);\nCREATE TABLE c (id INTEGER PRIMARY KEY, p_id INTEGER);", "DROP TABLE c;\nDROP TABLE p;"),
	})
	write(t, filepath.Join(p.dir, "schema.sql"), "CREATE TABLE p (id INTEGER PRIMARY KEY);\nCREATE TABLE c (id INTEGER PRIMARY KEY, p_id INTEGER REFERENCES p(id));\n")
	p.ok("upgrade", "head")
	if _, err := p.db().Exec("INSERT INTO c VALUES (1, 99)"); err != nil {
		t.Fatal(err)
	}
	before := p.inspect()
	p.ok("revision", "--autogenerate", "-m", "fk")
	p.fail(1, "foreign_key_violations", "upgrade", "head")
	if got := p.inspect(); !got.Equal(before) {
		t.Fatalf("a failed rebuild changed the schema:\n%s", schema.Diff(before, got))
	}
	if v := p.versions(); len(v) != 1 || v[0] != "a1" {
		t.Fatalf("versions %v", v)
	}
	// The section's own transaction was rolled back, but retort cannot
	// know it: settle with stamp, fix the row, and the revision applies.
	if _, err := p.db().Exec("UPDATE c SET p_id = NULL"); err != nil {
		t.Fatal(err)
	}
	p.ok("stamp", "a1")
	p.ok("upgrade", "head")
	p.ok("check")
}
