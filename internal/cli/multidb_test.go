package cli_test

import (
	"database/sql"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/retortdb/retort/config"
	"github.com/retortdb/retort/internal/testdb"
)

// multiProject writes a multidb project: a [databases.NAME] table per
// entry of urls (in that order), each with the script location NAME/ and
// the revision files of files[NAME].
func multiProject(t *testing.T, top string, names []string, urls map[string]string, files map[string]map[string]string) *project {
	t.Helper()
	p := &project{t: t, dir: t.TempDir(), env: map[string]string{"RETORT_CACHE_DIR": t.TempDir()}}
	cfg := top
	for _, name := range names {
		cfg += "\n[databases." + name + "]\n"
		if u := urls[name]; u != "" {
			cfg += "database_url = \"" + u + "\"\n"
		}
		cfg += "script_location = \"" + name + "\"\n"
		if err := os.MkdirAll(filepath.Join(p.dir, name, "versions"), 0o755); err != nil {
			t.Fatal(err)
		}
		for file, body := range files[name] {
			write(t, filepath.Join(p.dir, name, "versions", file), body)
		}
	}
	write(t, filepath.Join(p.dir, "retort.toml"), cfg)
	return p
}

// sqliteVersions returns the sorted version rows of a SQLite file, nil when
// it has no version table.
func sqliteVersions(t *testing.T, path string) []string {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	return versionRows(t, db)
}

func versionRows(t *testing.T, db *sql.DB) []string {
	t.Helper()
	rows, err := db.Query("SELECT version_num FROM alembic_version ORDER BY version_num")
	if err != nil {
		return nil
	}
	defer rows.Close()
	out := []string{}
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			t.Fatal(err)
		}
		out = append(out, v)
	}
	return out
}

// twoGraphs are the revisions of "main" (m1 -> m2) and "analytics" (a1).
func twoGraphs() map[string]map[string]string {
	return map[string]map[string]string{
		"main": {
			"m1_users.sql": rev("m1", "", "users", "CREATE TABLE users (id INTEGER PRIMARY KEY);", "DROP TABLE users;"),
			"m2_posts.sql": rev("m2", "m1", "posts", "CREATE TABLE posts (id INTEGER PRIMARY KEY);", "DROP TABLE posts;"),
		},
		"analytics": {
			"a1_events.sql": rev("a1", "", "events", "CREATE TABLE events (id INTEGER PRIMARY KEY);", "DROP TABLE events;"),
		},
	}
}

func TestMultiDBSQLite(t *testing.T) {
	t.Parallel()
	// "main" before "analytics": config order, not alphabetical.
	names := []string{"main", "analytics"}
	p := multiProject(t, "", names, map[string]string{"main": "sqlite:///main.db", "analytics": "sqlite:///analytics.db"}, twoGraphs())
	p.env["DATABASE_URL"] = "sqlite:///ignored.db" // does not apply to a multidb config
	mainDB, analyticsDB := filepath.Join(p.dir, "main.db"), filepath.Join(p.dir, "analytics.db")

	r := p.ok("upgrade", "head")
	wantErr := "== main ==\nRunning upgrade  -> m1, users\nRunning upgrade m1 -> m2, posts\nApplied 2 revisions; database now at m2\n" +
		"== analytics ==\nRunning upgrade  -> a1, events\nApplied 1 revision; database now at a1\n"
	if r.stderr != wantErr || r.stdout != "" {
		t.Errorf("upgrade: stdout %q, stderr:\n%s\nwant:\n%s", r.stdout, r.stderr, wantErr)
	}
	if got := sqliteVersions(t, mainDB); !slices.Equal(got, []string{"m2"}) {
		t.Errorf("main at %v", got)
	}
	if got := sqliteVersions(t, analyticsDB); !slices.Equal(got, []string{"a1"}) {
		t.Errorf("analytics at %v", got)
	}
	if _, err := os.Stat(filepath.Join(p.dir, "ignored.db")); err == nil {
		t.Error("DATABASE_URL was used")
	}

	r = p.ok("current")
	if want := "== main ==\nm2 (head)\n\n== analytics ==\na1 (head)\n"; r.stdout != want {
		t.Errorf("current:\n%s\nwant:\n%s", r.stdout, want)
	}
	r = p.ok("history")
	if want := "== main ==\nm1 -> m2 (head), posts\n<base> -> m1, users\n\n== analytics ==\n<base> -> a1 (head), events\n"; r.stdout != want {
		t.Errorf("history:\n%s\nwant:\n%s", r.stdout, want)
	}

	// --json: one object keyed by database, in config order.
	r = p.ok("heads", "--json")
	if strings.Index(r.stdout, `"main"`) > strings.Index(r.stdout, `"analytics"`) {
		t.Errorf("heads --json not in config order:\n%s", r.stdout)
	}
	var heads map[string][]struct{ Revision string }
	if err := json.Unmarshal([]byte(r.stdout), &heads); err != nil || len(heads) != 2 ||
		len(heads["main"]) != 1 || heads["main"][0].Revision != "m2" || heads["analytics"][0].Revision != "a1" {
		t.Errorf("heads --json = %+v, %v:\n%s", heads, err, r.stdout)
	}

	// --db picks databases; a single one prints no header.
	r = p.ok("--db", "analytics", "downgrade", "base")
	if strings.Contains(r.stderr, "==") || !strings.Contains(r.stderr, "Running downgrade a1 -> , events") {
		t.Errorf("downgrade --db analytics:\n%s", r.stderr)
	}
	if got := sqliteVersions(t, analyticsDB); len(got) != 0 {
		t.Errorf("analytics at %v after downgrade base", got)
	}
	if got := sqliteVersions(t, mainDB); !slices.Equal(got, []string{"m2"}) {
		t.Errorf("main touched: %v", got)
	}
	r = p.ok("current", "--db", "analytics", "--json")
	var cur map[string]struct {
		Rows []string `json:"version_rows"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &cur); err != nil || len(cur) != 1 || cur["analytics"].Rows == nil || len(cur["analytics"].Rows) != 0 {
		t.Errorf("current --db analytics --json = %+v, %v:\n%s", cur, err, r.stdout)
	}
	// Repeated and comma-separated --db run in config order.
	r = p.ok("--db", "analytics,main", "current")
	if want := "== main ==\nm2 (head)\n\n== analytics ==\n"; r.stdout != want {
		t.Errorf("current --db analytics,main:\n%q\nwant %q", r.stdout, want)
	}
	p.ok("--db", "analytics", "--db", "main", "stamp", "base")
	if got := sqliteVersions(t, mainDB); len(got) != 0 {
		t.Errorf("main at %v after stamp base", got)
	}
	p.ok("stamp", "head", "-q")

	// Offline SQL: one block per database, headed by a comment.
	r = p.ok("downgrade", "head:base", "--sql")
	iMain, iAnalytics := strings.Index(r.stdout, "-- database: main\n"), strings.Index(r.stdout, "-- database: analytics\n")
	if iMain != 0 || iAnalytics < 0 || !strings.Contains(r.stdout[:iAnalytics], "DROP TABLE posts") ||
		!strings.Contains(r.stdout[iAnalytics:], "DROP TABLE events") {
		t.Errorf("downgrade --sql:\n%s", r.stdout)
	}

	// Usage errors.
	p.fail(2, "--db nosuch: no such database in retort.toml; the databases are main, analytics", "--db", "nosuch", "current")
	p.fail(2, "revision needs one database, and retort.toml has 2 (main, analytics): pick one with --db NAME",
		"revision", "-m", "x")
	p.fail(2, "pick one with --db NAME", "merge", "heads", "-m", "x")
	p.fail(2, "--url gives the URL of one database", "--url", "sqlite:///x.db", "current")

	// revision, merge and edit on the one database --db names.
	p.ok("--db", "analytics", "revision", "-m", "sessions", "--rev-id", "a2")
	if _, err := os.Stat(filepath.Join(p.dir, "analytics", "versions", "a2_sessions.sql")); err != nil {
		t.Errorf("revision --db analytics: %v", err)
	}
	r = p.ok("--db", "analytics", "heads")
	if strings.TrimSpace(r.stdout) != "a2 (head)" {
		t.Errorf("heads --db analytics: %q", r.stdout)
	}
	// --url sets the one database's URL.
	p.ok("--db", "analytics", "--url", "sqlite:///other.db", "upgrade", "head")
	if got := sqliteVersions(t, filepath.Join(p.dir, "other.db")); !slices.Equal(got, []string{"a2"}) {
		t.Errorf("--url database at %v", got)
	}
}

func TestMultiDBFailureStops(t *testing.T) {
	t.Parallel()
	files := twoGraphs()
	files["analytics"]["a2_bad.sql"] = rev("a2", "a1", "bad", "CREATE TABLE t (id INTEGER);\nINSERT INTO nosuch VALUES (1);", "DROP TABLE t;")
	files["audit"] = map[string]string{"x1_log.sql": rev("x1", "", "log", "CREATE TABLE log (id INTEGER);", "DROP TABLE log;")}
	names := []string{"main", "analytics", "audit"}
	urls := map[string]string{"main": "sqlite:///main.db", "analytics": "sqlite:///analytics.db", "audit": "sqlite:///audit.db"}
	p := multiProject(t, "", names, urls, files)

	r := p.fail(1, "FAILED: database analytics: upgrade a2 failed", "upgrade", "head")
	if !strings.Contains(r.stderr, "(stopped: not run on database audit)") || strings.Contains(r.stderr, "== audit ==") {
		t.Errorf("stderr:\n%s", r.stderr)
	}
	if got := sqliteVersions(t, filepath.Join(p.dir, "main.db")); !slices.Equal(got, []string{"m2"}) {
		t.Errorf("main at %v", got)
	}
	if got := sqliteVersions(t, filepath.Join(p.dir, "analytics.db")); !slices.Equal(got, []string{"a1"}) {
		t.Errorf("analytics at %v, want a1 (a2 rolled back)", got)
	}
	if _, err := os.Stat(filepath.Join(p.dir, "audit.db")); err == nil {
		t.Error("audit was touched after analytics failed")
	}

	// JSON output keeps what ran before the failure.
	r = p.fail(1, "FAILED: database analytics: Can't locate revision identified by 'm1'", "show", "m1", "--json")
	var shown map[string]json.RawMessage
	if err := json.Unmarshal([]byte(r.stdout), &shown); err != nil || len(shown) != 1 || shown["main"] == nil {
		t.Errorf("show --json after a failure: %v\n%s", err, r.stdout)
	}

	// A broken file in any database stops the command before any database
	// is touched.
	p2 := multiProject(t, "", names, urls, twoGraphs())
	write(t, filepath.Join(p2.dir, "audit", "versions", "x1_broken.sql"), "-- no revision id\n\n-- retort:upgrade\nSELECT 1;\n")
	r = p2.fail(1, "FAILED: database audit: ", "upgrade", "head")
	if strings.Contains(r.stderr, "Running upgrade") {
		t.Errorf("ran despite a broken file:\n%s", r.stderr)
	}
	if _, err := os.Stat(filepath.Join(p2.dir, "main.db")); err == nil {
		t.Error("main was touched although audit's scripts are broken")
	}

	// A command that exits 1 with its own output says where it stopped.
	r = p.run("current", "--check-heads")
	if r.code != 1 || !strings.Contains(r.stderr, "FAILED: database analytics: ") || !strings.Contains(r.stderr, "not run on database audit") {
		t.Errorf("current --check-heads: exit %d\n%s", r.code, r.stderr)
	}
}

func TestMultiDBSingleConfigUnchanged(t *testing.T) {
	t.Parallel()
	p := newProject(t, "", linear())
	p.ok("upgrade", "head")
	r := p.ok("heads", "--json")
	var heads []struct{ Revision string }
	if err := json.Unmarshal([]byte(r.stdout), &heads); err != nil || len(heads) != 1 || heads[0].Revision != "c3" {
		t.Errorf("heads --json on a single-database config: %v\n%s", err, r.stdout)
	}
	if strings.Contains(p.ok("current").stdout, "==") {
		t.Error("header printed for a single-database config")
	}
	p.fail(2, "--db main: retort.toml is a single-database config (it has no [databases.NAME] tables)", "--db", "main", "current")
	// A top-level database_url beside [databases] tables is refused.
	write(t, filepath.Join(p.dir, "retort.toml"), defaultConfig+"\n[databases.main]\nscript_location = \"m\"\n")
	p.fail(1, "retort.toml:2: database_url: a multidb config has no top-level database_url", "current")
}

func TestMultiDBInit(t *testing.T) {
	t.Parallel()
	p := &project{t: t, dir: t.TempDir(), env: map[string]string{"RETORT_CACHE_DIR": "off", "DATABASE_URL": "sqlite:///ignored.db"}}
	if r := p.ok("list-templates"); !strings.Contains(r.stdout, "\nmultidb - ") {
		t.Errorf("list-templates:\n%s", r.stdout)
	}
	p.ok("init", "--template", "multidb", "db")
	for _, f := range []string{"retort.toml", "db/main/versions", "db/main/script.sql.tmpl", "db/analytics/versions", "db/analytics/script.sql.tmpl"} {
		if _, err := os.Stat(filepath.Join(p.dir, f)); err != nil {
			t.Errorf("init did not write %s: %v", f, err)
		}
	}
	cfg, err := config.Load(config.LoadOptions{Cwd: p.dir, Getenv: func(string) (string, bool) { return "", false }})
	if err != nil {
		t.Fatal(err)
	}
	if got := cfg.Names(); !slices.Equal(got, []string{"main", "analytics"}) {
		t.Fatalf("databases %v", got)
	}
	// The example runs out of the box.
	p.ok("--db", "main", "revision", "-m", "create users", "--rev-id", "m1")
	p.ok("--db", "analytics", "revision", "-m", "create events", "--rev-id", "a1")
	p.ok("upgrade", "head")
	if got := sqliteVersions(t, filepath.Join(p.dir, "db", "main.db")); !slices.Equal(got, []string{"m1"}) {
		t.Errorf("main at %v", got)
	}
	if got := sqliteVersions(t, filepath.Join(p.dir, "db", "analytics.db")); !slices.Equal(got, []string{"a1"}) {
		t.Errorf("analytics at %v", got)
	}
	// Each database's URL comes from its own variable when set.
	other := filepath.Join(t.TempDir(), "a.db")
	p.env["ANALYTICS_DATABASE_URL"] = "sqlite:///" + other
	p.ok("--db", "analytics", "upgrade", "head")
	if got := sqliteVersions(t, other); !slices.Equal(got, []string{"a1"}) {
		t.Errorf("ANALYTICS_DATABASE_URL database at %v", got)
	}
}

// TestMultiDBServers runs one graph on PostgreSQL and one on MariaDB.
func TestMultiDBServers(t *testing.T) {
	t.Parallel()
	pg, my := testdb.New(t, config.PostgreSQL), testdb.New(t, config.MySQL)
	files := map[string]map[string]string{
		"main": {
			"m1_users.sql": rev("m1", "", "users", "CREATE TABLE users (id INTEGER PRIMARY KEY, name VARCHAR(50));", "DROP TABLE users;"),
			"m2_posts.sql": rev("m2", "m1", "posts", "CREATE TABLE posts (id INTEGER PRIMARY KEY);", "DROP TABLE posts;"),
		},
		"analytics": {
			"a1_events.sql": rev("a1", "", "events", "CREATE TABLE events (id INTEGER PRIMARY KEY, kind VARCHAR(20));", "DROP TABLE events;"),
			"a2_bad.sql":    rev("a2", "a1", "bad", "INSERT INTO nosuch VALUES (1);", ""),
		},
	}
	names := []string{"main", "analytics"}
	p := multiProject(t, "", names, map[string]string{"main": pg.String(), "analytics": my.String()}, files)
	pgDB, myDB := testdb.Open(t, pg), testdb.Open(t, my)

	p.ok("upgrade", "m2", "--db", "main")
	p.ok("upgrade", "a1", "--db", "analytics")
	if got := versionRows(t, pgDB); !slices.Equal(got, []string{"m2"}) {
		t.Errorf("postgresql at %v", got)
	}
	if got := versionRows(t, myDB); !slices.Equal(got, []string{"a1"}) {
		t.Errorf("mariadb at %v", got)
	}
	r := p.ok("current", "--json")
	var cur map[string]struct {
		URL  string   `json:"url"`
		Rows []string `json:"version_rows"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &cur); err != nil || !slices.Equal(cur["main"].Rows, []string{"m2"}) ||
		!slices.Equal(cur["analytics"].Rows, []string{"a1"}) ||
		!strings.HasPrefix(cur["main"].URL, "postgresql://") || !strings.HasPrefix(cur["analytics"].URL, "mysql://") {
		t.Errorf("current --json = %+v, %v\n%s", cur, err, r.stdout)
	}

	// Offline SQL in each database's dialect.
	r = p.ok("upgrade", "base:heads", "--sql")
	i := strings.Index(r.stdout, "-- database: analytics")
	if i < 0 || !strings.Contains(r.stdout[:i], "CREATE TABLE posts") || !strings.Contains(r.stdout[i:], "CREATE TABLE events") {
		t.Errorf("upgrade --sql:\n%s", r.stdout)
	}

	// The failure in analytics comes after main went down.
	p.ok("downgrade", "base", "--db", "main")
	r = p.fail(1, "FAILED: database analytics: upgrade a2 failed", "upgrade", "heads")
	if got := versionRows(t, pgDB); !slices.Equal(got, []string{"m2"}) {
		t.Errorf("postgresql at %v, want m2", got)
	}
	if got := versionRows(t, myDB); !slices.Equal(got, []string{"a1"}) {
		t.Errorf("mariadb at %v, want a1", got)
	}
	p.ok("downgrade", "base")
	if got := versionRows(t, pgDB); len(got) != 0 {
		t.Errorf("postgresql at %v after downgrade base", got)
	}
	if got := versionRows(t, myDB); len(got) != 0 {
		t.Errorf("mariadb at %v after downgrade base", got)
	}
}

func TestMultiDBCheckAndVerify(t *testing.T) {
	t.Parallel()
	top := "[autogenerate]\nexclude_tables = [\"ignored_*\"]\n"
	names := []string{"main", "analytics"}
	urls := map[string]string{"main": "sqlite:///main.db", "analytics": "sqlite:///analytics.db"}
	p := multiProject(t, top, names, urls, twoGraphs())
	// Each database compares with its own target.
	cfg, err := os.ReadFile(filepath.Join(p.dir, "retort.toml"))
	if err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(p.dir, "retort.toml"), string(cfg)+
		"[databases.main.autogenerate]\ntarget = \"main.sql\"\n[databases.analytics.autogenerate]\ntarget = \"analytics.sql\"\n")
	write(t, filepath.Join(p.dir, "main.sql"), "CREATE TABLE users (id INTEGER PRIMARY KEY);\nCREATE TABLE posts (id INTEGER PRIMARY KEY);\nCREATE TABLE ignored_x (id INTEGER);\n")
	write(t, filepath.Join(p.dir, "analytics.sql"), "CREATE TABLE events (id INTEGER PRIMARY KEY);\n")
	p.ok("upgrade", "heads")
	r := p.ok("check")
	if want := "== main ==\nNo new upgrade operations detected.\n\n== analytics ==\nNo new upgrade operations detected.\n"; r.stdout != want {
		t.Errorf("check:\n%s\nwant:\n%s", r.stdout, want)
	}
	write(t, filepath.Join(p.dir, "analytics.sql"), "CREATE TABLE events (id INTEGER PRIMARY KEY);\nCREATE TABLE sessions (id INTEGER PRIMARY KEY);\n")
	p.fail(1, "FAILED: database analytics: New upgrade operations detected:\n  create table sessions", "check")
	p.ok("--db", "main", "check")
	r = p.run("check", "--json")
	var rep map[string]struct{ Operations []string }
	if err := json.Unmarshal([]byte(r.stdout), &rep); r.code != 1 || err != nil ||
		len(rep["main"].Operations) != 0 || len(rep["analytics"].Operations) != 1 {
		t.Errorf("check --json: exit %d, %+v, %v\n%s", r.code, rep, err, r.stdout)
	}
	p.ok("--db", "analytics", "revision", "--autogenerate", "-m", "sessions", "--rev-id", "a2")
	p.ok("upgrade", "heads")
	p.ok("check")

	r = p.ok("verify", "--json")
	var ver map[string]struct {
		Revisions []struct{ Revision, State string }
	}
	if err := json.Unmarshal([]byte(r.stdout), &ver); err != nil || len(ver["main"].Revisions) != 2 || len(ver["analytics"].Revisions) != 2 {
		t.Errorf("verify --json: %+v, %v\n%s", ver, err, r.stdout)
	}
	// An edited file in main: verify exits 1 there, and says analytics was not checked.
	path := filepath.Join(p.dir, "main", "versions", "m1_users.sql")
	body, _ := os.ReadFile(path)
	write(t, path, strings.Replace(string(body), "PRIMARY KEY", "PRIMARY KEY NOT NULL", 1))
	r = p.run("verify")
	if r.code != 1 || !strings.Contains(r.stdout, "== main ==\nedited   m1") || strings.Contains(r.stdout, "analytics") ||
		!strings.Contains(r.stderr, "Stopped at database main: not run on analytics") {
		t.Errorf("verify: exit %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
	}
	p.fail(2, "edit needs one database", "edit", "head")
}
