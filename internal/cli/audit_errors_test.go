package cli_test

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestCycleErrorsNameFiles: Alembic's cycle sentences name ids only; the
// files and their Revises lines follow.
func TestCycleErrorsNameFiles(t *testing.T) {
	t.Parallel()
	p := newProject(t, "", map[string]string{
		"a1_first.sql": rev("a1", "", "first", "SELECT 1;", "SELECT 1;"),
		"b2_self.sql":  rev("b2", "b2", "self", "SELECT 1;", "SELECT 1;"),
	})
	r := p.fail(1, "FAILED: Self-loop is detected in revisions (b2)\n  b2: ", "heads")
	if !strings.Contains(r.stderr, filepath.Join("versions", "b2_self.sql")+" (Revises: b2)") {
		t.Errorf("no file line:\n%s", r.stderr)
	}
	p = newProject(t, "", map[string]string{
		"a1_first.sql": rev("a1", "", "first", "SELECT 1;", "SELECT 1;"),
		"c3_x.sql":     rev("c3", "d4", "x", "SELECT 1;", "SELECT 1;"),
		"d4_y.sql":     rev("d4", "c3", "y", "SELECT 1;", "SELECT 1;"),
	})
	r = p.fail(1, "FAILED: Cycle is detected in revisions (c3, d4)\n  c3: ", "upgrade", "heads")
	for _, w := range []string{filepath.Join("versions", "c3_x.sql") + " (Revises: d4)", "\n  d4: ", filepath.Join("versions", "d4_y.sql") + " (Revises: c3)"} {
		if !strings.Contains(r.stderr, w) {
			t.Errorf("stderr does not contain %q:\n%s", w, r.stderr)
		}
	}
}

// TestOverlappingVersionRows: a revision and its ancestor both in the
// version table. upgrade keeps Alembic's sentence and says how to fix the
// table; current shows what Alembic shows (the newer row) and warns.
func TestOverlappingVersionRows(t *testing.T) {
	t.Parallel()
	p := newProject(t, "", linear())
	p.ok("upgrade", "c3")
	if _, err := p.db().Exec("INSERT INTO alembic_version VALUES ('a1')"); err != nil {
		t.Fatal(err)
	}
	p.fail(1, "FAILED: Requested revision c3 overlaps with other requested revisions a1\n"+
		"  the version table holds both c3 and its ancestor a1: if the schema is at c3, rewrite the table with `retort stamp --purge c3`",
		"upgrade", "heads")
	cur := p.ok("current")
	if strings.TrimSpace(cur.stdout) != "c3 (head)" {
		t.Errorf("current stdout = %q; want Alembic's c3 (head)", cur.stdout)
	}
	if !strings.Contains(cur.stderr, "WARNING: the version table also holds a1, an ancestor of another row") ||
		!strings.Contains(cur.stderr, "`retort stamp --purge c3`") {
		t.Errorf("current stderr = %q; want a warning about a1", cur.stderr)
	}
	p.ok("stamp", "--purge", "c3")
	if cur := p.ok("current"); cur.stderr != "" {
		t.Errorf("current after the fix warns: %q", cur.stderr)
	}
}

// TestSQLiteURLProblems: a missing directory is named; mode=ro reads but
// refuses to write; unknown parameters are refused.
func TestSQLiteURLProblems(t *testing.T) {
	t.Parallel()
	p := newProject(t, "", linear())
	missing := filepath.Join(p.dir, "nonexistent", "dir")
	p.fail(1, "directory "+missing+" does not exist", "--url", "sqlite:///"+filepath.Join(missing, "x.db"), "current")

	p.ok("upgrade", "b2")
	ro := "sqlite:///" + p.dbPath() + "?mode=ro"
	if r := p.ok("--url", ro, "current"); strings.TrimSpace(r.stdout) != "b2" {
		t.Errorf("current with mode=ro: %q", r.stdout)
	}
	p.fail(1, "the URL opens the database read-only (mode=ro)", "--url", ro, "upgrade", "head")
	p.fail(1, "the URL opens the database read-only (mode=ro)", "--url", ro, "--no-lock", "stamp", "c3")
	if v := p.versions(); len(v) != 1 || v[0] != "b2" {
		t.Errorf("versions after refused writes = %v", v)
	}
	p.fail(2, `unknown sqlite URL parameter "bogus"`, "--url", "sqlite:///"+p.dbPath()+"?bogus=1", "current")
	p.ok("--url", "sqlite:///"+p.dbPath()+"?check_same_thread=false&timeout=3", "current")
}
