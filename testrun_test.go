package retort_test

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/retortdb/retort"
	"github.com/retortdb/retort/config"
	"github.com/retortdb/retort/dialect"
	"github.com/retortdb/retort/internal/testdb"
)

// tproj is a project for Project.Test. Its configured database must never
// be touched: on SQLite a fresh file, on a server by default a database
// that does not exist (the scratch databases are then created from the
// server's maintenance database), which must still not exist afterwards.
type tproj struct {
	t       *testing.T
	dialect string
	dir     string
	url     *config.URL
	exists  bool // url names a database that exists
}

func newTProj(t *testing.T, dialectName string, files map[string]string, extraConfig string) *tproj {
	return newTProjOn(t, dialectName, files, extraConfig, dialectName == config.SQLite)
}

// newTProjOn is newTProj with the configured database existing or not.
func newTProjOn(t *testing.T, dialectName string, files map[string]string, extraConfig string, exists bool) *tproj {
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
	var u *config.URL
	if exists {
		u = testdb.New(t, dialectName)
	} else {
		u = serverURL(t, dialectName)
		u.Database = "retort_t_absent_" + strings.ToLower(strings.ReplaceAll(t.Name(), "/", "_"))
		if len(u.Database) > 60 {
			u.Database = u.Database[:60]
		}
	}
	cfgText := "script_location = \"migrations\"\ndatabase_url = \"" + u.String() + "\"\n" + extraConfig
	if err := os.WriteFile(filepath.Join(dir, "retort.toml"), []byte(cfgText), 0o644); err != nil {
		t.Fatal(err)
	}
	return &tproj{t: t, dialect: dialectName, dir: dir, url: u, exists: exists}
}

// serverURL is the URL testdb reaches a server with.
func serverURL(t *testing.T, dialectName string) *config.URL {
	t.Helper()
	env, def := testdb.EnvPostgres, testdb.DefaultPostgresURL
	if dialectName == config.MySQL {
		env, def = testdb.EnvMySQL, testdb.DefaultMySQLURL
	}
	raw := os.Getenv(env)
	if raw == "" {
		raw = def
	}
	u, err := config.ParseURL(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func (tp *tproj) project() *retort.Project {
	tp.t.Helper()
	cfg, err := config.Load(config.LoadOptions{Path: filepath.Join(tp.dir, "retort.toml"), Getenv: func(string) (string, bool) { return "", false }})
	if err != nil {
		tp.t.Fatal(err)
	}
	p, err := retort.Open(cfg)
	if err != nil {
		tp.t.Fatal(err)
	}
	return p
}

// test runs Project.Test and checks what every run must guarantee: the
// configured database untouched, the temporary databases dropped.
func (tp *tproj) test(o retort.TestOptions) *retort.TestReport {
	tp.t.Helper()
	rep, err := tp.project().Test(context.Background(), o)
	if err != nil {
		tp.t.Fatalf("Test: %v", err)
	}
	tp.assertUntouched()
	tp.assertDropped(rep.Created)
	if tp.dialect != config.SQLite && o.URL == "" && len(rep.Created) == 0 && slices.ContainsFunc(rep.Results, func(r retort.TestResult) bool {
		return r.Check != retort.CheckSingleHead && r.Check != retort.CheckDowngrades
	}) {
		tp.t.Errorf("no temporary database was created on %s", tp.dialect)
	}
	return rep
}

// admin is a connection to the server (or the SQLite file) of the project.
func (tp *tproj) admin() *sql.DB {
	if tp.dialect == config.SQLite {
		return testdb.Open(tp.t, tp.url)
	}
	return testdb.Open(tp.t, serverURL(tp.t, tp.dialect))
}

func (tp *tproj) assertUntouched() {
	tp.t.Helper()
	if !tp.exists {
		tp.assertDropped([]string{tp.url.String()})
		return
	}
	d, _ := testdb.Dialect(tp.dialect)
	db := testdb.Open(tp.t, tp.url)
	for _, name := range []string{"alembic_version", "users"} {
		ok, err := d.TableExists(context.Background(), db, dialect.Table{Name: name})
		if err != nil {
			tp.t.Fatal(err)
		}
		if ok {
			tp.t.Errorf("the configured database has a table %s: retort test touched it", name)
		}
	}
}

// assertDropped checks that none of the databases (URLs) exists.
func (tp *tproj) assertDropped(urls []string) {
	tp.t.Helper()
	if len(urls) == 0 {
		return
	}
	q := "SELECT count(*) FROM information_schema.schemata WHERE schema_name = ?"
	if tp.dialect == config.PostgreSQL {
		q = "SELECT count(*) FROM pg_database WHERE datname = $1"
	}
	db := tp.admin()
	for _, raw := range urls {
		u, err := config.ParseURL(raw)
		if err != nil {
			tp.t.Fatal(err)
		}
		var c int
		if err := db.QueryRow(q, u.Database).Scan(&c); err != nil {
			tp.t.Fatal(err)
		}
		if c != 0 {
			tp.t.Errorf("the database %s exists after the run", u.Database)
		}
	}
}

// trev writes a revision file; downSQL "-" leaves out the downgrade section.
func trev(id, down, up, downSQL string) string {
	s := "-- " + id + "\n--\n-- Revision ID: " + id + "\n-- Revises: " + down + "\n\n-- retort:upgrade\n" + up + "\n"
	if downSQL != "-" {
		s += "\n-- retort:downgrade\n" + downSQL + "\n"
	}
	return s
}

func dropIndex(dialectName, index, table string) string {
	if dialectName == config.MySQL {
		return "DROP INDEX " + index + " ON " + table + ";"
	}
	return "DROP INDEX " + index + ";"
}

// cleanProject is a branch and a merge whose every revision undoes itself.
func cleanProject(dialectName string) map[string]string {
	return map[string]string{
		"a1_users.sql": trev("a1", "", "CREATE TABLE users (id INTEGER PRIMARY KEY, email VARCHAR(200) NOT NULL);", "DROP TABLE users;"),
		"b1_index.sql": trev("b1", "a1", "CREATE INDEX ix_users_email ON users (email);", dropIndex(dialectName, "ix_users_email", "users")),
		"b2_posts.sql": trev("b2", "a1", "CREATE TABLE posts (\n  id INTEGER PRIMARY KEY,\n  user_id INTEGER NOT NULL,\n  FOREIGN KEY (user_id) REFERENCES users (id)\n);", "DROP TABLE posts;"),
		"c1_merge.sql": trev("c1", "b1, b2", "ALTER TABLE users ADD COLUMN name VARCHAR(50);", "ALTER TABLE users DROP COLUMN name;"),
	}
}

type rkey struct{ check, rev string }

func results(rep *retort.TestReport) map[rkey]retort.TestResult {
	m := map[rkey]retort.TestResult{}
	for _, r := range rep.Results {
		m[rkey{r.Check, r.Revision}] = r
	}
	return m
}

func dump(rep *retort.TestReport) string {
	var b strings.Builder
	for _, r := range rep.Results {
		b.WriteString("  " + r.Check + " " + r.Revision + " " + string(r.Status) + " " + r.Step + " " + r.Message + "\n")
	}
	return b.String()
}

func wantStatus(t *testing.T, rep *retort.TestReport, check, rev string, want retort.TestStatus) retort.TestResult {
	t.Helper()
	r, ok := results(rep)[rkey{check, rev}]
	if !ok {
		t.Fatalf("no result for %s %s; results:\n%s", check, rev, dump(rep))
	}
	if r.Status != want {
		t.Fatalf("%s %s: %s, want %s (%s: %s); results:\n%s", check, rev, r.Status, want, r.Step, r.Message, dump(rep))
	}
	return r
}

// onServers restricts a server run to the checks a test looks at: each
// check that needs heads costs a database there.
func onServers(dialectName string, checks ...string) []string {
	if dialectName == config.SQLite {
		return nil
	}
	return checks
}

// forEachDialect runs f on every reachable dialect, in parallel.
func forEachDialect(t *testing.T, f func(t *testing.T, dialectName string)) {
	t.Parallel()
	for _, name := range testdb.Dialects(t) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			f(t, name)
		})
	}
}

func TestTestCleanProjectPasses(t *testing.T) {
	forEachDialect(t, func(t *testing.T, name string) {
		tp := newTProjOn(t, name, cleanProject(name), "", true)
		var streamed int
		rep := tp.test(retort.TestOptions{OnResult: func(retort.TestResult) { streamed++ }})
		if rep.Failed() {
			t.Fatalf("a clean project failed: %s\n%s", rep.FirstFailure().Summary(), dump(rep))
		}
		if streamed != len(rep.Results) {
			t.Errorf("OnResult saw %d results, the report has %d", streamed, len(rep.Results))
		}
		wantStatus(t, rep, retort.CheckSingleHead, "", retort.TestPass)
		for _, rev := range []string{"a1", "b1", "b2", "c1"} {
			for _, c := range []string{retort.CheckDowngrades, retort.CheckUpgrade, retort.CheckStairway} {
				wantStatus(t, rep, c, rev, retort.TestPass)
			}
		}
		wantStatus(t, rep, retort.CheckRoundTrip, "", retort.TestPass)
		wantStatus(t, rep, retort.CheckOffline, "", retort.TestPass)
		r := wantStatus(t, rep, retort.CheckTarget, "", retort.TestSkip)
		if !strings.Contains(r.Message, "no [autogenerate] target") {
			t.Errorf("target skipped for another reason: %s", r.Message)
		}
		// The walk follows `upgrade heads`: a1, then the branches, then the merge.
		var order []string
		for _, r := range rep.Results {
			if r.Check == retort.CheckUpgrade {
				order = append(order, r.Revision)
			}
		}
		if order[0] != "a1" || order[3] != "c1" {
			t.Errorf("upgrade order %v", order)
		}
	})
}

func TestTestStairwayCatchesForgottenIndex(t *testing.T) {
	forEachDialect(t, func(t *testing.T, name string) {
		files := cleanProject(name)
		files["b1_index.sql"] = trev("b1", "a1", "CREATE INDEX ix_users_email ON users (email);", "")
		tp := newTProj(t, name, files, "")
		rep := tp.test(retort.TestOptions{Only: onServers(name, retort.CheckUpgrade, retort.CheckStairway)})
		r := wantStatus(t, rep, retort.CheckStairway, "b1", retort.TestFail)
		if r.Step != "compare after downgrade" || !strings.Contains(r.Message, "ix_users_email") {
			t.Errorf("stairway b1: step %q, message %q; want the index named", r.Step, r.Message)
		}
		if f := rep.FirstFailure(); f.Revision != "b1" || f.Check != retort.CheckStairway {
			t.Errorf("first failure %s", f.Summary())
		}
		wantStatus(t, rep, retort.CheckUpgrade, "b1", retort.TestPass)
		if name != config.SQLite {
			return
		}
		wantStatus(t, rep, retort.CheckDowngrades, "b1", retort.TestPass)
		// The walk stopped in an unknown state; the checks at heads ran on a
		// fresh database. The round trip passes: DROP TABLE users drops the
		// index with it, which is why the stairway exists.
		wantStatus(t, rep, retort.CheckRoundTrip, "", retort.TestPass)
		wantStatus(t, rep, retort.CheckOffline, "", retort.TestPass)
	})
}

func TestTestCatchesMissingDowngrade(t *testing.T) {
	forEachDialect(t, func(t *testing.T, name string) {
		files := cleanProject(name)
		files["b2_posts.sql"] = trev("b2", "a1", "CREATE TABLE posts (id INTEGER PRIMARY KEY);", "-")
		tp := newTProj(t, name, files, "")
		rep := tp.test(retort.TestOptions{Only: onServers(name, retort.CheckDowngrades, retort.CheckStairway, retort.CheckRoundTrip)})
		r := wantStatus(t, rep, retort.CheckDowngrades, "b2", retort.TestFail)
		if !strings.Contains(r.Message, "b2_posts.sql") {
			t.Errorf("message does not name the file: %s", r.Message)
		}
		if f := rep.FirstFailure(); f.Revision != "b2" || f.Check != retort.CheckDowngrades {
			t.Errorf("first failure %s", f.Summary())
		}
		wantStatus(t, rep, retort.CheckStairway, "b2", retort.TestFail)
		// The failed downgrade changed nothing, so the walk went on.
		wantStatus(t, rep, retort.CheckStairway, "c1", retort.TestPass)
		r = wantStatus(t, rep, retort.CheckRoundTrip, "", retort.TestFail)
		if r.Step != "downgrade to base" || !strings.Contains(r.Message, "b2") {
			t.Errorf("round-trip: step %q, message %q", r.Step, r.Message)
		}
		if name == config.SQLite {
			wantStatus(t, rep, retort.CheckOffline, "", retort.TestPass)
		}
	})
}

func TestTestCatchesTwoHeads(t *testing.T) {
	forEachDialect(t, func(t *testing.T, name string) {
		files := cleanProject(name)
		delete(files, "c1_merge.sql")
		tp := newTProj(t, name, files, "")
		rep := tp.test(retort.TestOptions{Only: onServers(name, retort.CheckSingleHead, retort.CheckUpgrade)})
		r := wantStatus(t, rep, retort.CheckSingleHead, "", retort.TestFail)
		if !strings.Contains(r.Message, "found 2") || !strings.Contains(r.Message, "b1") || !strings.Contains(r.Message, "b2") {
			t.Errorf("single-head message %q", r.Message)
		}
		if n := rep.Count(retort.TestFail); n != 1 {
			t.Errorf("%d failures, want only single-head:\n%s", n, dump(rep))
		}
		if name != config.SQLite {
			return
		}
		tp2 := newTProj(t, name, files, "[test]\nexpected_heads = 2\n")
		rep = tp2.test(retort.TestOptions{Only: []string{retort.CheckSingleHead}})
		wantStatus(t, rep, retort.CheckSingleHead, "", retort.TestPass)
	})
}

func TestTestNamesRevisionAndStepOfFailingUpgrade(t *testing.T) {
	forEachDialect(t, func(t *testing.T, name string) {
		files := cleanProject(name)
		files["b1_index.sql"] = trev("b1", "a1", "CREATE INDEX ix_users_email ON users (email);\nCREATE INDEX ix_broken ON no_such_table (x);", dropIndex(name, "ix_users_email", "users"))
		tp := newTProj(t, name, files, "")
		rep := tp.test(retort.TestOptions{})
		f := rep.FirstFailure()
		if f == nil || f.Check != retort.CheckUpgrade || f.Revision != "b1" || f.Step != "upgrade" {
			t.Fatalf("first failure %+v\n%s", f, dump(rep))
		}
		if !strings.Contains(f.Message, "no_such_table") || !strings.Contains(f.Message, "b1_index.sql:") {
			t.Errorf("message does not name the statement and file line: %s", f.Message)
		}
		wantStatus(t, rep, retort.CheckUpgrade, "a1", retort.TestPass)
		if _, ran := results(rep)[rkey{retort.CheckUpgrade, "c1"}]; ran {
			t.Errorf("the walk went on after the failure:\n%s", dump(rep))
		}
		wantStatus(t, rep, retort.CheckUpgrade, "", retort.TestSkip)
		// The checks that need heads are not run, and not failed again.
		wantStatus(t, rep, retort.CheckRoundTrip, "", retort.TestSkip)
		wantStatus(t, rep, retort.CheckOffline, "", retort.TestSkip)
		if n := rep.Count(retort.TestFail); n != 1 {
			t.Errorf("%d failures, want 1:\n%s", n, dump(rep))
		}
	})
}

func TestTestFromAndOnly(t *testing.T) {
	t.Parallel()
	tp := newTProj(t, config.SQLite, cleanProject(config.SQLite), "")
	rep := tp.test(retort.TestOptions{From: "c1"})
	if rep.Failed() {
		t.Fatalf("failed:\n%s", dump(rep))
	}
	for _, rev := range []string{"a1", "b1", "b2"} {
		if _, ok := results(rep)[rkey{retort.CheckStairway, rev}]; ok {
			t.Errorf("--from c1 tested %s", rev)
		}
	}
	wantStatus(t, rep, retort.CheckStairway, "c1", retort.TestPass)
	wantStatus(t, rep, retort.CheckRoundTrip, "", retort.TestPass)

	rep = tp.test(retort.TestOptions{Only: []string{"stairway,offline"}})
	for _, r := range rep.Results {
		if r.Check != retort.CheckStairway && r.Check != retort.CheckOffline {
			t.Errorf("--only stairway,offline ran %s", r.Check)
		}
	}
	if len(rep.Results) != 5 || rep.Failed() {
		t.Errorf("results:\n%s", dump(rep))
	}

	_, err := tp.project().Test(context.Background(), retort.TestOptions{Only: []string{"nope"}})
	var ue *retort.UsageError
	if !errors.As(err, &ue) || !strings.Contains(err.Error(), "stairway") {
		t.Errorf("unknown check: %v", err)
	}
	if _, err := tp.project().Test(context.Background(), retort.TestOptions{From: "zzz"}); err == nil {
		t.Error("--from zzz: no error")
	}
}

func TestTestOnGivenDatabase(t *testing.T) {
	forEachDialect(t, func(t *testing.T, name string) {
		tp := newTProj(t, name, cleanProject(name), "")
		scratch := testdb.New(t, name)
		rep := tp.test(retort.TestOptions{URL: scratch.String()})
		if rep.Failed() {
			t.Fatalf("failed:\n%s", dump(rep))
		}
		if rep.Database != scratch.Redacted() {
			t.Errorf("Database %q", rep.Database)
		}
		// Left empty, ready for the next run.
		d, _ := testdb.Dialect(name)
		db := testdb.Open(t, scratch)
		for _, tbl := range []string{"alembic_version", "retort_history", "users"} {
			if ok, err := d.TableExists(context.Background(), db, dialect.Table{Name: tbl}); err != nil || ok {
				t.Errorf("table %s left behind (%v)", tbl, err)
			}
		}
		rep = tp.test(retort.TestOptions{URL: scratch.String(), Only: []string{retort.CheckUpgrade}})
		if rep.Failed() {
			t.Fatalf("second run failed:\n%s", dump(rep))
		}
		// A database in use is refused before anything runs.
		if _, err := db.Exec("CREATE TABLE keep_me (id INTEGER PRIMARY KEY)"); err != nil {
			t.Fatal(err)
		}
		_, err := tp.project().Test(context.Background(), retort.TestOptions{URL: scratch.String()})
		if err == nil || !strings.Contains(err.Error(), "keep_me") {
			t.Fatalf("non-empty database: %v", err)
		}
		if ok, _ := d.TableExists(context.Background(), db, dialect.Table{Name: "alembic_version"}); ok {
			t.Error("the refused database got a version table")
		}
	})
}

func TestTestComparesWithTarget(t *testing.T) {
	forEachDialect(t, func(t *testing.T, name string) {
		tp := newTProj(t, name, cleanProject(name), "[autogenerate]\ntarget = \"schema.sql\"\n")
		target := `CREATE TABLE users (id INTEGER PRIMARY KEY, email VARCHAR(200) NOT NULL, name VARCHAR(50));
CREATE INDEX ix_users_email ON users (email);
CREATE TABLE posts (
  id INTEGER PRIMARY KEY,
  user_id INTEGER NOT NULL,
  FOREIGN KEY (user_id) REFERENCES users (id)
);
`
		path := filepath.Join(tp.dir, "schema.sql")
		if err := os.WriteFile(path, []byte(target), 0o644); err != nil {
			t.Fatal(err)
		}
		rep := tp.test(retort.TestOptions{Only: []string{retort.CheckTarget}})
		wantStatus(t, rep, retort.CheckTarget, "", retort.TestPass)

		// The target gained a column no migration adds.
		drifted := strings.Replace(target, "name VARCHAR(50)", "name VARCHAR(50), age INTEGER", 1)
		if err := os.WriteFile(path, []byte(drifted), 0o644); err != nil {
			t.Fatal(err)
		}
		rep = tp.test(retort.TestOptions{Only: []string{retort.CheckTarget}})
		r := wantStatus(t, rep, retort.CheckTarget, "", retort.TestFail)
		if r.Step != "compare" || !strings.Contains(r.Message, "- table users: column age") {
			t.Errorf("target: step %q, message %q", r.Step, r.Message)
		}

		if name != config.SQLite {
			return
		}
		// A target the database refuses is a failure that names the file.
		if err := os.WriteFile(path, []byte("CREATE TABLE broken (;\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		rep = tp.test(retort.TestOptions{Only: []string{retort.CheckTarget}})
		r = wantStatus(t, rep, retort.CheckTarget, "", retort.TestFail)
		if r.Step != "load the target" || !strings.Contains(r.Message, "schema.sql:1") {
			t.Errorf("broken target: step %q, message %q", r.Step, r.Message)
		}
	})
}

// A downgrade that leaves behind what introspection does not model (a
// view) is caught when the upgrade runs again.
func TestTestCatchesUpgradeThatCannotRunAgain(t *testing.T) {
	t.Parallel()
	files := cleanProject(config.SQLite)
	files["c1_merge.sql"] = trev("c1", "b1, b2", "CREATE VIEW user_emails AS SELECT email FROM users;", "")
	tp := newTProj(t, config.SQLite, files, "")
	rep := tp.test(retort.TestOptions{})
	r := wantStatus(t, rep, retort.CheckStairway, "c1", retort.TestFail)
	if r.Step != "upgrade again" || !strings.Contains(r.Message, "user_emails") {
		t.Errorf("stairway c1: step %q, message %q", r.Step, r.Message)
	}
	// The checks at heads ran on a fresh database; the round trip leaves
	// the view behind at base too.
	wantStatus(t, rep, retort.CheckOffline, "", retort.TestPass)
	r = wantStatus(t, rep, retort.CheckRoundTrip, "c1", retort.TestFail)
	if r.Step != "upgrade to heads" {
		t.Errorf("round-trip step %q", r.Step)
	}
}

func TestTestDropsTemporaryDatabasesWhenCancelled(t *testing.T) {
	forEachDialect(t, func(t *testing.T, name string) {
		if name == config.SQLite {
			t.Skip("no temporary databases on SQLite")
		}
		tp := newTProj(t, name, cleanProject(name), "")
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		rep, err := tp.project().Test(ctx, retort.TestOptions{OnResult: func(r retort.TestResult) {
			if r.Check == retort.CheckStairway {
				cancel()
			}
		}})
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("err %v", err)
		}
		if len(rep.Created) == 0 {
			t.Error("no temporary database was created")
		}
		tp.assertDropped(rep.Created)
		tp.assertUntouched()
	})
}
