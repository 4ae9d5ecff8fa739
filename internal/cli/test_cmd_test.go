package cli_test

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/retortdb/retort/config"
	"github.com/retortdb/retort/internal/testdb"
)

// testProject is a branch and a merge; leaky makes b1's downgrade forget
// its index.
func testProject(leaky bool) map[string]string {
	b1Down := "DROP INDEX ix_t1_name;"
	if leaky {
		b1Down = ""
	}
	return map[string]string{
		"a1_first.sql":  rev("a1", "", "first", "CREATE TABLE t1 (id INTEGER PRIMARY KEY, name VARCHAR(20));", "DROP TABLE t1;"),
		"b1_index.sql":  rev("b1", "a1", "index", "CREATE INDEX ix_t1_name ON t1 (name);", b1Down),
		"b2_second.sql": rev("b2", "a1", "second", "CREATE TABLE t2 (id INTEGER PRIMARY KEY);", "DROP TABLE t2;"),
		"c1_merge.sql":  rev("c1", "b1, b2", "merge", "", ""),
	}
}

// hasRow reports whether the table has a row with these first three
// columns.
func hasRow(table, rev, check, result string) bool {
	for _, l := range strings.Split(table, "\n") {
		f := strings.Fields(l)
		if len(f) >= 3 && f[0] == rev && f[1] == check && f[2] == result {
			return true
		}
	}
	return false
}

func TestTestCommandPasses(t *testing.T) {
	t.Parallel()
	p := newProject(t, "", testProject(false))
	r := p.ok("test")
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	if !strings.HasPrefix(lines[0], "REVISION  CHECK") || !strings.HasSuffix(lines[0], "RESULT TIME") {
		t.Errorf("header %q", lines[0])
	}
	for _, row := range [][3]string{{"a1", "stairway", "pass"}, {"c1", "upgrade", "pass"}, {"-", "round-trip", "pass"}, {"-", "offline", "pass"}, {"-", "target", "skip"}} {
		if !hasRow(r.stdout, row[0], row[1], row[2]) {
			t.Errorf("stdout lacks the row %v:\n%s", row, r.stdout)
		}
	}
	for _, want := range []string{"(no [autogenerate] target is configured)", "15 passed, 0 failed, 1 skipped"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, r.stdout)
		}
	}
	if !strings.Contains(r.stderr, "Testing migrations on an in-memory database") {
		t.Errorf("stderr: %s", r.stderr)
	}
	if _, err := os.Stat(p.dbPath()); !os.IsNotExist(err) {
		t.Errorf("retort test created the configured database file (%v)", err)
	}
	if q := p.ok("-q", "test"); q.stderr != "" {
		t.Errorf("-q printed %q", q.stderr)
	}
}

func TestTestCommandFails(t *testing.T) {
	t.Parallel()
	p := newProject(t, "", testProject(true))
	r := p.fail(1, "FAILED: stairway failed at revision b1 (step: compare after downgrade): the schema after the downgrade differs", "test")
	if !strings.Contains(r.stderr, "ix_t1_name") {
		t.Errorf("stderr does not name the index:\n%s", r.stderr)
	}
	if !hasRow(r.stdout, "b1", "stairway", "fail") || !strings.Contains(r.stdout, "12 passed, 1 failed, 3 skipped") {
		t.Errorf("stdout:\n%s", r.stdout)
	}

	r = p.fail(1, "FAILED: stairway failed at revision b1", "test", "--json")
	var out struct {
		Passed  bool
		Counts  map[string]int
		Failure struct {
			Revision *string
			Check    string
			Step     string
			Message  string
		} `json:"first_failure"`
		Results []struct {
			Revision *string
			Check    string
			Result   string
			Seconds  float64
		}
	}
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
		t.Fatalf("--json output: %v\n%s", err, r.stdout)
	}
	if out.Passed || out.Failure.Revision == nil || *out.Failure.Revision != "b1" || out.Failure.Check != "stairway" ||
		out.Failure.Step != "compare after downgrade" || !strings.Contains(out.Failure.Message, "ix_t1_name") || out.Counts["fail"] != 1 {
		t.Errorf("--json: %+v", out)
	}
	if len(out.Results) == 0 || out.Results[0].Check != "single-head" || out.Results[0].Revision != nil {
		t.Errorf("--json results: %+v", out.Results)
	}

	// The other checks still pass on their own.
	p.ok("test", "--only", "upgrade", "--only", "round-trip,offline")
	p.ok("test", "--from", "c1")
}

func TestTestCommandUsage(t *testing.T) {
	t.Parallel()
	p := newProject(t, "", testProject(false))
	p.fail(2, "unknown check", "test", "--only", "stairs")
	p.fail(2, "test takes no arguments", "test", "head")
	// A bad --from is reported alone: no table header, no announcement.
	r := p.fail(1, "Can't locate revision identified by 'zz'", "test", "--from", "zz")
	if r.stdout != "" || strings.Contains(r.stderr, "Testing migrations") {
		t.Fatalf("printed before the error:\nstdout:\n%s\nstderr:\n%s", r.stdout, r.stderr)
	}
	two := testProject(false)
	delete(two, "c1_merge.sql")
	p2 := newProject(t, "", two)
	p2.fail(1, "FAILED: single-head failed: Expected 1 head revision(s), found 2: b1, b2", "test")
	p3 := newProject(t, defaultConfig+"\n[test]\nexpected_heads = 2\n", two)
	p3.ok("test")
}

func TestTestCommandOnServers(t *testing.T) {
	t.Parallel()
	for _, name := range testdb.Dialects(t) {
		if name == config.SQLite {
			continue
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			files := testProject(true)
			if name == config.MySQL {
				files["b1_index.sql"] = rev("b1", "a1", "index", "CREATE INDEX ix_t1_name ON t1 (name);", "")
			}
			u := testdb.New(t, name)
			p := newProject(t, "script_location = \"migrations\"\ndatabase_url = \""+u.String()+"\"\n", files)
			r := p.fail(1, "FAILED: stairway failed at revision b1", "test", "--json", "--only", "upgrade,stairway")
			var out struct{ Database string }
			if err := json.Unmarshal([]byte(r.stdout), &out); err != nil || !strings.Contains(out.Database, "temporary databases beside") {
				t.Errorf("--json database %q (%v)", out.Database, err)
			}
			// --url runs on that (empty) database instead.
			scratch := testdb.New(t, name)
			p.fail(1, "FAILED: stairway failed at revision b1", "test", "--url", scratch.String(), "--only", "stairway")
		})
	}
}
