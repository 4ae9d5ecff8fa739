package cli_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
)

func TestUpgradeDowngradeLinear(t *testing.T) {
	t.Parallel()
	p := newProject(t, "", linear())
	p.ok("upgrade", "b2")
	if got := p.versions(); !slices.Equal(got, []string{"b2"}) {
		t.Fatalf("versions %v", got)
	}
	p.ok("upgrade", "+1")
	if got := p.versions(); !slices.Equal(got, []string{"c3"}) {
		t.Fatalf("versions %v", got)
	}
	if got := p.tables(); !slices.Equal(got, []string{"alembic_version", "retort_history", "t1", "t2", "t3"}) {
		t.Fatalf("tables %v", got)
	}
	p.ok("downgrade", "-2")
	if got := p.versions(); !slices.Equal(got, []string{"a1"}) {
		t.Fatalf("versions %v", got)
	}
	p.ok("downgrade", "base")
	if got := p.versions(); len(got) != 0 {
		t.Fatalf("versions %v", got)
	}
	if got := p.tables(); !slices.Equal(got, []string{"alembic_version", "retort_history"}) {
		t.Fatalf("tables %v", got)
	}
	// Every step left a history row.
	var n int
	if err := p.db().QueryRow("SELECT count(*) FROM retort_history WHERE status = 'applied'").Scan(&n); err != nil || n != 6 {
		t.Fatalf("history rows %d, %v", n, err)
	}
}

func TestFailingStatementRollsBack(t *testing.T) {
	t.Parallel()
	files := linear()
	files["c3_third.sql"] = rev("c3", "b2", "third", "CREATE TABLE t3 (id INTEGER);\nINSERT INTO t3 VALUES (1);\nINSERT INTO nosuch VALUES (1);", "DROP TABLE t3;")
	p := newProject(t, "", files)
	r := p.fail(1, "FAILED: upgrade c3 failed", "upgrade", "head")
	for _, want := range []string{"c3_third.sql:10", "INSERT INTO nosuch VALUES (1)", "no such table: nosuch", "rolled back"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("error lacks %q:\n%s", want, r.stderr)
		}
	}
	if got := p.versions(); !slices.Equal(got, []string{"b2"}) {
		t.Fatalf("versions %v, want [b2]", got)
	}
	if slices.Contains(p.tables(), "t3") {
		t.Fatal("t3 survived the rollback")
	}
	var status, errText, stmts string
	if err := p.db().QueryRow("SELECT status, error, statements FROM retort_history WHERE revision = 'c3'").Scan(&status, &errText, &stmts); err != nil {
		t.Fatal(err)
	}
	if status != "failed" || !strings.Contains(errText, "nosuch") || !strings.Contains(stmts, "INSERT INTO t3 VALUES (1)") {
		t.Fatalf("history: %q %q %q", status, errText, stmts)
	}
}

func TestOneTransactionForTheRun(t *testing.T) {
	t.Parallel()
	files := linear()
	files["c3_third.sql"] = rev("c3", "b2", "third", "CREATE TABLE t3 (id INTEGER);\nSELECT * FROM nosuch;", "DROP TABLE t3;")
	p := newProject(t, defaultConfig+"transaction_per_migration = false\n", files)
	p.fail(1, "upgrade c3 failed", "upgrade", "head")
	// The whole run was one transaction: nothing of a1 and b2 stays either.
	if got := p.versions(); len(got) != 0 {
		t.Fatalf("versions %v, want none", got)
	}
	if got := p.tables(); slices.Contains(got, "t1") {
		t.Fatalf("tables %v", got)
	}
}

func TestIrreversibleStopsBeforeRunning(t *testing.T) {
	t.Parallel()
	files := linear()
	files["b2_second.sql"] = rev("b2", "a1", "second", "CREATE TABLE t2 (id INTEGER);", "-")
	p := newProject(t, "", files)
	p.ok("upgrade", "head")
	p.fail(1, "has no downgrade section", "downgrade", "base")
	if got := p.versions(); !slices.Equal(got, []string{"c3"}) {
		t.Fatalf("versions %v: the downgrade of c3 must not have run", got)
	}
}

func TestBadInputTouchesNothing(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		files map[string]string
		args  []string
		want  string
	}{
		{"unknown revision", linear(), []string{"upgrade", "zzzz"}, "Can't locate revision identified by 'zzzz'"},
		{"broken file", map[string]string{"a1.sql": "-- msg\n--\n-- Revises:\n\n-- retort:upgrade\nSELECT 1;\n"}, []string{"upgrade", "head"}, "a1.sql"},
		{"missing parent", map[string]string{"a1.sql": rev("a1", "zz", "m", "SELECT 1;", "")}, []string{"upgrade", "head"}, "zz"},
		{"range online", linear(), []string{"upgrade", "a1:b2"}, "Range revision not allowed"},
		{"unterminated string", map[string]string{"a1.sql": rev("a1", "", "m", "CREATE TABLE x (id INTEGER);\nSELECT 'oops;", "")}, []string{"upgrade", "head"}, "a1.sql:9"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			p := newProject(t, "", c.files)
			p.fail(1, c.want, c.args...)
			if _, err := os.Stat(p.dbPath()); err == nil && len(p.tables()) > 0 {
				t.Fatalf("the database was touched: tables %v", p.tables())
			}
		})
	}
}

func TestBranchesAndMerge(t *testing.T) {
	t.Parallel()
	files := map[string]string{
		"a.sql":  rev("aaaa", "", "root", "CREATE TABLE a (id INTEGER);", "DROP TABLE a;"),
		"b1.sql": rev("bbb1", "aaaa", "left", "CREATE TABLE b1 (id INTEGER);", "DROP TABLE b1;"),
		"b2.sql": rev("bbb2", "aaaa", "right", "CREATE TABLE b2 (id INTEGER);", "DROP TABLE b2;", "Branch Labels: right"),
	}
	p := newProject(t, "", files)
	p.fail(1, "Multiple head revisions are present for given argument 'head'", "upgrade", "head")
	p.ok("upgrade", "right@head")
	if got := p.versions(); !slices.Equal(got, []string{"bbb2"}) {
		t.Fatalf("versions %v", got)
	}
	p.fail(1, "Database is not on all head revisions", "current", "--check-heads", "-q")
	p.ok("upgrade", "heads")
	if got := p.versions(); !slices.Equal(got, []string{"bbb1", "bbb2"}) {
		t.Fatalf("versions %v", got)
	}
	p.ok("current", "--check-heads")
	r := p.ok("merge", "heads", "-m", "join them", "--rev-id", "cccc")
	if !strings.Contains(r.stderr, "Generating ") || !strings.Contains(r.stderr, "cccc_join_them.sql") {
		t.Fatalf("merge output: %s", r.stderr)
	}
	r = p.ok("upgrade", "head")
	if !strings.Contains(r.stderr, "Running upgrade bbb1, bbb2 -> cccc, join them") {
		t.Fatalf("merge upgrade output: %s", r.stderr)
	}
	if got := p.versions(); !slices.Equal(got, []string{"cccc"}) {
		t.Fatalf("versions %v", got)
	}
	p.ok("current", "--check-heads")
	// Downgrading one side of the merge removes the merge, keeps the other.
	p.ok("downgrade", "bbb1")
	if got := p.versions(); !slices.Equal(got, []string{"bbb1", "bbb2"}) {
		t.Fatalf("versions after unmerge %v", got)
	}
	r = p.ok("branches")
	if !strings.Contains(r.stdout, "aaaa (branchpoint)") || !strings.Contains(r.stdout, "-> bbb2 (right)") {
		t.Fatalf("branches:\n%s", r.stdout)
	}
}

func TestStamp(t *testing.T) {
	t.Parallel()
	p := newProject(t, "", linear())
	p.ok("stamp", "b2")
	if got := p.versions(); !slices.Equal(got, []string{"b2"}) {
		t.Fatalf("versions %v", got)
	}
	if slices.Contains(p.tables(), "t1") {
		t.Fatal("stamp ran a migration")
	}
	if _, err := p.db().Exec("INSERT INTO alembic_version VALUES ('deadbeef')"); err != nil {
		t.Fatal(err)
	}
	p.fail(1, "Can't locate revision identified by 'deadbeef'", "upgrade", "head")
	r := p.ok("stamp", "--purge", "c3")
	if got := p.versions(); !slices.Equal(got, []string{"c3"}) {
		t.Fatalf("versions %v", got)
	}
	// As Alembic: the table is emptied without a line, then one stamp line.
	if got := strings.Count(r.stderr, "Running stamp_revision"); got != 1 || !strings.Contains(r.stderr, "Running stamp_revision  -> c3") {
		t.Errorf("stamp --purge printed\n%s", r.stderr)
	}
	var n int
	if err := p.db().QueryRow("SELECT count(*) FROM retort_history WHERE status = 'stamped'").Scan(&n); err != nil || n < 2 {
		t.Fatalf("stamped history rows %d %v", n, err)
	}
}

func TestRevisionCommand(t *testing.T) {
	t.Parallel()
	p := newProject(t, "", linear())
	r := p.ok("revision", "-m", "Add the Orders table!", "--rev-id", "d4")
	path := filepath.Join(p.dir, "migrations", "versions", "d4_add_the_orders_table.sql")
	if !strings.Contains(r.stderr, path) {
		t.Fatalf("output %q lacks %s", r.stderr, path)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"-- Add the Orders table!", "-- Revision ID: d4", "-- Revises: c3", "-- retort:upgrade", "-- retort:downgrade"} {
		if !strings.Contains(string(data), want) {
			t.Errorf("new file lacks %q:\n%s", want, data)
		}
	}
	r = p.ok("heads")
	if strings.TrimSpace(r.stdout) != "d4 (head)" {
		t.Fatalf("heads: %q", r.stdout)
	}
	p.fail(1, "Revision c3 is not a head revision; please specify --splice", "revision", "-m", "x", "--head", "c3")
	p.ok("revision", "-m", "x", "--head", "c3", "--splice", "--rev-id", "e5")
	p.fail(1, "Multiple heads are present; please specify the head revision", "revision", "-m", "y")
	p.fail(1, "already present", "revision", "-m", "dup", "--head", "d4", "--rev-id", "e5")
	p.fail(1, "not allowed in revision identifier", "revision", "-m", "bad", "--head", "d4", "--rev-id", "a-b")
}

func TestJSONOutput(t *testing.T) {
	t.Parallel()
	p := newProject(t, "", linear())
	p.ok("upgrade", "b2")
	var cur struct {
		Rows      []string `json:"version_rows"`
		AtHeads   bool     `json:"at_heads"`
		Revisions []struct {
			Revision string `json:"revision"`
		} `json:"revisions"`
	}
	if err := json.Unmarshal([]byte(p.ok("current", "--json").stdout), &cur); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(cur.Rows, []string{"b2"}) || cur.AtHeads || len(cur.Revisions) != 1 || cur.Revisions[0].Revision != "b2" {
		t.Fatalf("current json %+v", cur)
	}
	var hist []struct {
		Revision  string `json:"revision"`
		IsCurrent *bool  `json:"is_current"`
	}
	if err := json.Unmarshal([]byte(p.ok("history", "--json", "-i").stdout), &hist); err != nil {
		t.Fatal(err)
	}
	if len(hist) != 3 || hist[0].Revision != "c3" || hist[1].IsCurrent == nil || !*hist[1].IsCurrent {
		t.Fatalf("history json %+v", hist)
	}
}

func TestHistoryFormat(t *testing.T) {
	t.Parallel()
	p := newProject(t, "", linear())
	p.ok("upgrade", "b2")
	r := p.ok("history", "-i")
	want := "b2 -> c3 (head), third\na1 -> b2 (current), second\n<base> -> a1, first\n"
	if r.stdout != want {
		t.Fatalf("history:\n%s\nwant:\n%s", r.stdout, want)
	}
	r = p.ok("history", "-r-1:current")
	if r.stdout != "a1 -> b2, second\n<base> -> a1, first\n" && r.stdout != "a1 -> b2, second\n" {
		t.Fatalf("history -r-1:current:\n%s", r.stdout)
	}
	r = p.ok("show", "a1")
	if !strings.HasPrefix(r.stdout, "Rev: a1\nParent: <base>\nPath: ") {
		t.Fatalf("show:\n%s", r.stdout)
	}
	// As Alembic prints Script.log_entry: a blank line ends each block.
	r = p.ok("history", "-v", "-r", "a1:b2")
	path := func(f string) string { return filepath.Join(p.dir, "migrations", "versions", f) }
	want = "Rev: b2\nParent: a1\nPath: " + path("b2_second.sql") + "\n\n    second\n\n" +
		"Rev: a1\nParent: <base>\nPath: " + path("a1_first.sql") + "\n\n    first\n\n"
	if r.stdout != want {
		t.Fatalf("history -v:\n%q\nwant:\n%q", r.stdout, want)
	}
}

func TestUsageErrors(t *testing.T) {
	t.Parallel()
	p := newProject(t, "", linear())
	p.fail(2, "unknown flag", "upgrade", "head", "--nope")
	p.fail(2, "upgrade needs the target revision", "upgrade")
	p.fail(2, "unknown command", "frobnicate")
	p.fail(1, "History range requires [start]:[end]", "history", "-r", "a1")
}

func TestQuietAndConfigErrors(t *testing.T) {
	t.Parallel()
	p := newProject(t, "", linear())
	r := p.ok("-q", "upgrade", "head")
	if r.stderr != "" {
		t.Fatalf("-q printed %q", r.stderr)
	}
	q := newProject(t, "script_location = \"migrations\"\ndatabase_url = \"${NOPE}\"\n", linear())
	q.fail(1, "NOPE", "current")
	e := newProject(t, "script_location = \"migrations\"\ndatabase_url = \"postgresql://bob:s3cret@127.0.0.1:1/db\"\n", linear())
	r = e.run("--url", "postgresql://bob:s3cret@127.0.0.1:1/db", "current")
	if r.code != 1 || strings.Contains(r.stderr, "s3cret") {
		t.Fatalf("exit %d, stderr %q (the password must never be printed)", r.code, r.stderr)
	}
}

func TestConcurrentUpgradesApplyEachRevisionOnce(t *testing.T) {
	t.Parallel()
	files := map[string]string{}
	down := ""
	for i := 0; i < 20; i++ {
		id := "r" + string(rune('a'+i)) + "00"
		files[id+".sql"] = rev(id, down, "step", "INSERT INTO log VALUES ('"+id+"');", "")
		down = id
	}
	files["r000.sql"] = rev("r000", "", "log", "CREATE TABLE log (rev TEXT);", "")
	files["ra00.sql"] = rev("ra00", "r000", "step", "INSERT INTO log VALUES ('ra00');", "")
	p := newProject(t, "", files)
	var wg sync.WaitGroup
	codes := make([]int, 8)
	for i := range codes {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			codes[i] = p.run("-q", "upgrade", "head").code
		}(i)
	}
	wg.Wait()
	for i, c := range codes {
		if c != 0 {
			t.Fatalf("run %d exited %d", i, c)
		}
	}
	var n, distinct int
	if err := p.db().QueryRow("SELECT count(*), count(DISTINCT rev) FROM log").Scan(&n, &distinct); err != nil {
		t.Fatal(err)
	}
	if n != 20 || distinct != 20 {
		t.Fatalf("log has %d rows (%d distinct), want each of 20 revisions once", n, distinct)
	}
}

func TestAdoptAlembicDatabase(t *testing.T) {
	t.Parallel()
	p := newProject(t, "", linear())
	// A database Alembic left: its DDL, its row, no retort_history.
	db := p.db()
	for _, s := range []string{
		"CREATE TABLE alembic_version (\n\tversion_num VARCHAR(32) NOT NULL, \n\tCONSTRAINT alembic_version_pkc PRIMARY KEY (version_num)\n)",
		"CREATE TABLE t1 (id INTEGER)", "CREATE TABLE t2 (id INTEGER)",
		"INSERT INTO alembic_version (version_num) VALUES ('b2')",
	} {
		if _, err := db.Exec(s); err != nil {
			t.Fatal(err)
		}
	}
	if r := p.ok("current"); strings.TrimSpace(r.stdout) != "b2" {
		t.Fatalf("current %q", r.stdout)
	}
	r := p.ok("upgrade", "head")
	if !strings.Contains(r.stderr, "Running upgrade b2 -> c3, third") {
		t.Fatalf("upgrade: %s", r.stderr)
	}
	if got := p.versions(); !slices.Equal(got, []string{"c3"}) {
		t.Fatalf("versions %v", got)
	}
}

func TestReadOnlyCommandsCreateNothing(t *testing.T) {
	t.Parallel()
	p := newProject(t, "", linear())
	p.ok("current")
	p.ok("history", "-i")
	if got := p.tables(); len(got) != 0 {
		t.Fatalf("read-only commands created %v", got)
	}
}

func TestInitThenFirstRevision(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	p := &project{t: t, dir: dir, env: map[string]string{"RETORT_CACHE_DIR": "off"}}
	r := p.ok("init", "db/migrations")
	for _, f := range []string{"retort.toml", "db/migrations/script.sql.tmpl", "db/migrations/versions"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Fatalf("init did not create %s: %v\n%s", f, err, r.stderr)
		}
	}
	p.fail(1, "already exists and is not empty", "init", "db/migrations")
	if r := p.ok("list-templates"); !strings.Contains(r.stdout, "generic - ") {
		t.Fatalf("list-templates: %s", r.stdout)
	}
	p.ok("list_templates")
	p.fail(1, "No such template", "init", "-t", "nosuch", "other")
	// The new project works end to end with its default SQLite URL.
	p.ok("revision", "-m", "first", "--rev-id", "f1")
	path := filepath.Join(dir, "db", "migrations", "versions", "f1_first.sql")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	body := strings.Replace(string(data), "-- retort:upgrade\n", "-- retort:upgrade\nCREATE TABLE first (id INTEGER);\n", 1)
	body = strings.Replace(body, "-- retort:downgrade\n", "-- retort:downgrade\nDROP TABLE first;\n", 1)
	write(t, path, body)
	p.ok("upgrade", "head")
	if _, err := os.Stat(filepath.Join(dir, "app.db")); err != nil {
		t.Fatalf("the default database_url should put app.db beside retort.toml: %v", err)
	}
	if r := p.ok("current"); strings.TrimSpace(r.stdout) != "f1 (head)" {
		t.Fatalf("current %q", r.stdout)
	}
	p.ok("downgrade", "base")
}

func TestTagAndOfflineSQL(t *testing.T) {
	t.Parallel()
	p := newProject(t, "", linear())
	r := p.ok("upgrade", "b2", "--sql")
	for _, want := range []string{"CREATE TABLE alembic_version", "CREATE TABLE t1 (id INTEGER);", "INSERT INTO alembic_version (version_num) VALUES ('a1');",
		"UPDATE alembic_version SET version_num='b2' WHERE alembic_version.version_num = 'a1';", "BEGIN;", "COMMIT;"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("offline SQL lacks %q:\n%s", want, r.stdout)
		}
	}
	if _, err := os.Stat(p.dbPath()); err == nil {
		t.Fatal("--sql must not touch the database")
	}
	p.fail(1, "downgrade with --sql requires <fromrev>:<torev>", "downgrade", "base", "--sql")
	r = p.ok("downgrade", "c3:a1", "--sql")
	if !strings.Contains(r.stdout, "DROP TABLE t3;") || !strings.Contains(r.stdout, "DROP TABLE t2;") || strings.Contains(r.stdout, "DROP TABLE t1;") {
		t.Fatalf("downgrade c3:a1 SQL:\n%s", r.stdout)
	}
	p.ok("upgrade", "head", "--tag", "release-42")
	var tags int
	if err := p.db().QueryRow("SELECT count(*) FROM retort_history WHERE tag = 'release-42'").Scan(&tags); err != nil || tags != 3 {
		t.Fatalf("tagged history rows %d, %v", tags, err)
	}
	r = p.ok("downgrade", "-1")
	if !strings.Contains(r.stderr, "Running downgrade c3 -> b2, third") {
		t.Fatalf("downgrade output %q", r.stderr)
	}
}

func TestEditOpensTheFiles(t *testing.T) {
	t.Parallel()
	p := newProject(t, "", linear())
	out := filepath.Join(p.dir, "edited.txt")
	script := filepath.Join(p.dir, "fake-editor.sh")
	write(t, script, "#!/bin/sh\nfor f in \"$@\"; do basename \"$f\"; done > "+out+"\n")
	if err := os.Chmod(script, 0o755); err != nil {
		t.Fatal(err)
	}
	p.env["EDITOR"] = script
	p.ok("edit", "head")
	data, err := os.ReadFile(out)
	if err != nil || strings.TrimSpace(string(data)) != "c3_third.sql" {
		t.Fatalf("editor got %q, %v", data, err)
	}
	p.fail(1, "No revision files indicated by symbol 'base'", "edit", "base")
	p.fail(1, "No current revisions", "edit", "current")
	delete(p.env, "EDITOR")
	p.fail(1, "set $EDITOR", "edit", "a1")
}

func TestVerifyChecksums(t *testing.T) {
	t.Parallel()
	p := newProject(t, "", linear())
	p.ok("upgrade", "head")
	r := p.ok("verify")
	if !strings.Contains(r.stdout, "3 applied revision(s): 3 unchanged, 0 edited, 0 deleted, 0 not checkable") {
		t.Fatalf("verify:\n%s", r.stdout)
	}
	// An applied file edited afterwards.
	path := filepath.Join(p.dir, "migrations", "versions", "b2_second.sql")
	write(t, path, rev("b2", "a1", "second", "CREATE TABLE t2 (id INTEGER, extra TEXT);", "DROP TABLE t2;"))
	r = p.fail(1, "", "verify")
	if !strings.Contains(r.stdout, "edited   b2  "+path) {
		t.Fatalf("verify after an edit:\n%s", r.stdout)
	}
	var rep struct {
		Revisions []struct{ Revision, State string } `json:"revisions"`
	}
	r = p.run("verify", "--json")
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil || r.code != 1 || len(rep.Revisions) != 3 || rep.Revisions[1].State != "edited" {
		t.Fatalf("verify --json: %d %v %+v", r.code, err, rep)
	}
	// upgrade warns, --strict refuses, and the config key does too.
	p.ok("downgrade", "-1")
	r = p.ok("upgrade", "head")
	if !strings.Contains(r.stderr, "WARNING: revision b2 ("+path+") was edited after it ran") {
		t.Fatalf("upgrade did not warn:\n%s", r.stderr)
	}
	p.ok("downgrade", "-1")
	p.fail(1, "refusing to upgrade", "upgrade", "head", "--strict")
	if got := p.versions(); !slices.Equal(got, []string{"b2"}) {
		t.Fatalf("--strict ran something: %v", got)
	}
	// Accepting the edit clears it.
	p.ok("verify", "--accept", "b2")
	p.ok("verify")
	p.ok("upgrade", "head", "--strict")
	// A deleted applied file.
	if err := os.Remove(filepath.Join(p.dir, "migrations", "versions", "c3_third.sql")); err != nil {
		t.Fatal(err)
	}
	r = p.fail(1, "", "verify")
	if !strings.Contains(r.stdout, "deleted  c3") || !strings.Contains(r.stdout, "2 unchanged") {
		t.Fatalf("verify after a delete:\n%s", r.stdout)
	}
}

func TestVerifyAlembicDatabase(t *testing.T) {
	t.Parallel()
	p := newProject(t, "", linear())
	for _, s := range []string{
		"CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL, CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num))",
		"INSERT INTO alembic_version (version_num) VALUES ('b2')",
	} {
		if _, err := p.db().Exec(s); err != nil {
			t.Fatal(err)
		}
	}
	r := p.ok("verify")
	if !strings.Contains(r.stdout, "not checkable (applied before retort recorded checksums): a1, b2") {
		t.Fatalf("verify on an Alembic database:\n%s", r.stdout)
	}
	p.ok("upgrade", "head")
	r = p.ok("verify")
	if !strings.Contains(r.stdout, "1 unchanged, 0 edited, 0 deleted, 2 not checkable") {
		t.Fatalf("verify:\n%s", r.stdout)
	}
}

// A no-transaction section that opens its own transaction and fails inside
// it is rolled back by retort, recorded as a clean failure, and does not
// block the next run.
func TestSelfTransactingSectionFailure(t *testing.T) {
	t.Parallel()
	files := linear()
	files["c3_third.sql"] = rev("c3", "b2", "third",
		"-- retort:no-transaction\nPRAGMA foreign_keys = OFF;\nBEGIN;\nCREATE TABLE t3 (id INTEGER);\nINSERT INTO nosuch VALUES (1);\nCOMMIT;\nPRAGMA foreign_keys = ON;",
		"DROP TABLE t3;")
	p := newProject(t, "", files)
	r := p.fail(1, "upgrade c3 failed", "upgrade", "head")
	if !strings.Contains(r.stderr, "INSERT INTO nosuch") {
		t.Fatalf("error: %s", r.stderr)
	}
	if slices.Contains(p.tables(), "t3") {
		t.Fatal("t3 survived: the section's own transaction was not rolled back")
	}
	if got := p.versions(); !slices.Equal(got, []string{"b2"}) {
		t.Fatalf("versions %v", got)
	}
	var status, stmts string
	if err := p.db().QueryRow("SELECT status, coalesce(statements, '') FROM retort_history WHERE revision = 'c3' ORDER BY id DESC LIMIT 1").Scan(&status, &stmts); err != nil {
		t.Fatal(err)
	}
	if status != "failed" || strings.Contains(stmts, "CREATE TABLE t3") {
		t.Fatalf("history: status %q, statements %q (the rolled-back statements must not be listed as applied)", status, stmts)
	}
	// Fix the file: the next run retries without asking for a stamp.
	files["c3_third.sql"] = rev("c3", "b2", "third",
		"-- retort:no-transaction\nPRAGMA foreign_keys = OFF;\nBEGIN;\nCREATE TABLE t3 (id INTEGER);\nCOMMIT;\nPRAGMA foreign_keys = ON;", "DROP TABLE t3;")
	write(t, filepath.Join(p.dir, "migrations", "versions", "c3_third.sql"), files["c3_third.sql"])
	p.ok("upgrade", "head")
	if got := p.versions(); !slices.Equal(got, []string{"c3"}) {
		t.Fatalf("versions %v", got)
	}
}

// TestPlainBinaryOnGoProject: every command that loads the graph of a
// project with a Go revision this program lacks says so, as revision
// does, instead of reporting the Go revision as not present.
func TestPlainBinaryOnGoProject(t *testing.T) {
	t.Parallel()
	p := newProject(t, "", map[string]string{
		"s2_sql_two.sql": rev("s2", "g1", "sql two", "CREATE TABLE t2 (id INTEGER);", "DROP TABLE t2;"),
	})
	write(t, filepath.Join(p.dir, "migrations", "versions", "g1_go_one.go"),
		"package versions\n\nimport \"github.com/retortdb/retort\"\n\nfunc init() {\n\tretort.Register(retort.GoMigration{Revision: \"g1\"})\n}\n")
	want := "FAILED: " + filepath.Join(p.dir, "migrations", "versions", "g1_go_one.go") + " registers a Go migration, which this program does not have"
	for _, args := range [][]string{{"history"}, {"heads"}, {"current"}, {"upgrade", "head"}, {"revision", "-m", "x"}} {
		r := p.fail(1, want, args...)
		if strings.Contains(r.stderr, "is not present") {
			t.Fatalf("retort %s: %s", strings.Join(args, " "), r.stderr)
		}
	}
}

// A step left half-done (a no-transaction section that failed after its
// first statement ran) is named by `current`, which only reads: the rows
// say b2, but the schema holds part of c3.
func TestCurrentWarnsOfUnsettledStep(t *testing.T) {
	t.Parallel()
	files := linear()
	files["c3_third.sql"] = rev("c3", "b2", "third",
		"-- retort:no-transaction\nCREATE TABLE t3 (id INTEGER);\nINSERT INTO nosuch VALUES (1);", "DROP TABLE t3;")
	p := newProject(t, "", files)
	p.fail(1, "upgrade c3 failed", "upgrade", "head")
	if !slices.Contains(p.tables(), "t3") {
		t.Fatal("t3 missing: the section's first statement should have stayed")
	}
	r := p.ok("current")
	if r.stdout != "b2\n" {
		t.Errorf("stdout %q", r.stdout)
	}
	if !strings.Contains(r.stderr, "WARNING: upgrade of c3 failed part-way") || !strings.Contains(r.stderr, "CREATE TABLE t3") ||
		!strings.Contains(r.stderr, "settled by hand") {
		t.Errorf("stderr:\n%s", r.stderr)
	}
	var out struct {
		Unsettled []struct {
			Revision, Direction, Status string
		} `json:"unsettled_steps"`
	}
	r = p.ok("current", "--json")
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
		t.Fatalf("%v\n%s", err, r.stdout)
	}
	if len(out.Unsettled) != 1 || out.Unsettled[0].Revision != "c3" || out.Unsettled[0].Status != "failed" || out.Unsettled[0].Direction != "upgrade" {
		t.Errorf("unsettled_steps %+v", out.Unsettled)
	}
	// Once settled with a stamp, current is quiet again.
	p.ok("stamp", "c3")
	if r := p.ok("current"); strings.Contains(r.stderr, "WARNING") {
		t.Errorf("after the stamp: %s", r.stderr)
	}
}
