package cli_test

import (
	"bytes"
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	_ "modernc.org/sqlite"

	"github.com/retortdb/retort/internal/cli"
)

// project is a throw-away retort project on SQLite in a temp dir.
type project struct {
	t   *testing.T
	dir string
	env map[string]string
}

const defaultConfig = `script_location = "migrations"
database_url = "sqlite:///test.db"
`

func newProject(t *testing.T, config string, files map[string]string) *project {
	t.Helper()
	dir := t.TempDir()
	if config == "" {
		config = defaultConfig
	}
	write(t, filepath.Join(dir, "retort.toml"), config)
	if err := os.MkdirAll(filepath.Join(dir, "migrations", "versions"), 0o755); err != nil {
		t.Fatal(err)
	}
	for name, body := range files {
		write(t, filepath.Join(dir, "migrations", "versions", name), body)
	}
	return &project{t: t, dir: dir, env: map[string]string{"RETORT_CACHE_DIR": t.TempDir()}}
}

func write(t *testing.T, path, body string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

type result struct {
	stdout, stderr string
	code           int
}

func (p *project) run(args ...string) result {
	p.t.Helper()
	var out, errb bytes.Buffer
	code := cli.Main(context.Background(), args, cli.Env{
		Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb, Cwd: p.dir,
		Getenv: func(k string) (string, bool) { v, ok := p.env[k]; return v, ok },
	})
	return result{out.String(), errb.String(), code}
}

// ok runs a command that must succeed.
func (p *project) ok(args ...string) result {
	p.t.Helper()
	r := p.run(args...)
	if r.code != 0 {
		p.t.Fatalf("retort %s: exit %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), r.code, r.stdout, r.stderr)
	}
	return r
}

// fail runs a command that must exit with code and print want on stderr.
func (p *project) fail(code int, want string, args ...string) result {
	p.t.Helper()
	r := p.run(args...)
	if r.code != code {
		p.t.Fatalf("retort %s: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), r.code, code, r.stdout, r.stderr)
	}
	if !strings.Contains(r.stderr, want) {
		p.t.Fatalf("retort %s: stderr does not contain %q:\n%s", strings.Join(args, " "), want, r.stderr)
	}
	return r
}

func (p *project) dbPath() string { return filepath.Join(p.dir, "test.db") }

func (p *project) db() *sql.DB {
	p.t.Helper()
	db, err := sql.Open("sqlite", "file:"+p.dbPath())
	if err != nil {
		p.t.Fatal(err)
	}
	p.t.Cleanup(func() { db.Close() })
	return db
}

// versions returns the sorted rows of alembic_version.
func (p *project) versions() []string {
	p.t.Helper()
	rows, err := p.db().Query("SELECT version_num FROM alembic_version")
	if err != nil {
		p.t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			p.t.Fatal(err)
		}
		out = append(out, v)
	}
	sort.Strings(out)
	return out
}

func (p *project) tables() []string {
	p.t.Helper()
	rows, err := p.db().Query("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
	if err != nil {
		p.t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			p.t.Fatal(err)
		}
		out = append(out, v)
	}
	return out
}

// rev builds a migration file.
func rev(id, down, message, up, downSQL string, extra ...string) string {
	var b strings.Builder
	b.WriteString("-- " + message + "\n--\n")
	b.WriteString("-- Revision ID: " + id + "\n")
	b.WriteString("-- Revises: " + down + "\n")
	for _, e := range extra {
		b.WriteString("-- " + e + "\n")
	}
	b.WriteString("-- Create Date: 2026-11-26 10:00:00.000000+00:00\n\n")
	b.WriteString("-- retort:upgrade\n" + up + "\n")
	if downSQL != "-" {
		b.WriteString("\n-- retort:downgrade\n" + downSQL + "\n")
	}
	return b.String()
}

func linear() map[string]string {
	return map[string]string{
		"a1_first.sql":  rev("a1", "", "first", "CREATE TABLE t1 (id INTEGER);", "DROP TABLE t1;"),
		"b2_second.sql": rev("b2", "a1", "second", "CREATE TABLE t2 (id INTEGER);", "DROP TABLE t2;"),
		"c3_third.sql":  rev("c3", "b2", "third", "CREATE TABLE t3 (id INTEGER);", "DROP TABLE t3;"),
	}
}

func TestQuickstartExample(t *testing.T) {
	src, err := filepath.Abs("../../examples/quickstart")
	if err != nil {
		t.Fatal(err)
	}
	p := &project{t: t, dir: t.TempDir(), env: map[string]string{"RETORT_CACHE_DIR": "off"}}
	copyDir(t, src, p.dir)
	r := p.ok("upgrade", "heads")
	want := []string{
		"Running upgrade  -> 1a2b3c4d5e6f, create users",
		"Running upgrade 1a2b3c4d5e6f -> 2b3c4d5e6f70, create posts",
		"Running upgrade 2b3c4d5e6f70 -> 4d5e6f708192, create tags",
		"Running upgrade 2b3c4d5e6f70 -> 3c4d5e6f7081, add users.email",
		"Running upgrade 3c4d5e6f7081, 4d5e6f708192 -> 5e6f708192a3, merge email and tags",
	}
	got := strings.Split(strings.TrimSpace(r.stderr), "\n")
	if len(got) < len(want) || !slices.Equal(got[:len(want)], want) {
		t.Fatalf("upgrade output:\n%s\nwant:\n%s", r.stderr, strings.Join(want, "\n"))
	}
	db, err := sql.Open("sqlite", "file:"+filepath.Join(p.dir, "quickstart.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var v string
	if err := db.QueryRow("SELECT version_num FROM alembic_version").Scan(&v); err != nil || v != "5e6f708192a3" {
		t.Fatalf("version row %q, %v", v, err)
	}
	// The trigger body was kept whole by the splitter.
	if _, err := db.Exec("INSERT INTO users (id, name) VALUES (1, 'a'); INSERT INTO posts (id, user_id, title) VALUES (1, 1, 't'); INSERT INTO post_tags VALUES (1, (SELECT id FROM tags WHERE name = 'welcome'))"); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := db.QueryRow("SELECT post_count FROM tags WHERE name = 'welcome'").Scan(&n); err != nil || n != 1 {
		t.Fatalf("trigger count %d, %v", n, err)
	}
	cur := p.ok("current")
	if strings.TrimSpace(cur.stdout) != "5e6f708192a3 (head) (mergepoint)" {
		t.Fatalf("current: %q", cur.stdout)
	}
	// schema.sql, the example's autogenerate target, is what the
	// migrations build.
	if chk := p.ok("check"); !strings.Contains(chk.stdout+chk.stderr, "No new upgrade operations detected.") {
		t.Fatalf("check at head: %s%s", chk.stdout, chk.stderr)
	}
	// `retort test` compares the same target, triggers included: the
	// README offers both commands on this example, so both must pass.
	if tr := p.ok("test"); !strings.Contains(tr.stdout, " 0 failed") {
		t.Fatalf("test at head: %s%s", tr.stdout, tr.stderr)
	}
	// Autogenerate leaves the declared trigger alone.
	if ag := p.ok("revision", "--autogenerate", "-m", "nothing"); !strings.Contains(ag.stdout+ag.stderr, "No changes in schema detected.") {
		t.Fatalf("autogenerate at head: %s%s", ag.stdout, ag.stderr)
	}
	// Removing the tags branch takes the merge above it with it.
	p.ok("downgrade", "tags@2b3c")
	if err := db.QueryRow("SELECT count(*) FROM sqlite_master WHERE name = 'tags'").Scan(&n); err != nil || n != 0 {
		t.Fatalf("tags table still there: %d %v", n, err)
	}
	cur = p.ok("current")
	if strings.TrimSpace(cur.stdout) != "3c4d5e6f7081" {
		t.Fatalf("current after downgrade: %q", cur.stdout)
	}
}

func copyDir(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		if strings.HasSuffix(path, ".db") || strings.Contains(path, ".db-") || strings.HasSuffix(path, "-lock") {
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}
