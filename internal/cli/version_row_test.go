package cli_test

import (
	"strings"
	"testing"
)

// TestUnknownVersionRowMessage: an id in the version table that no file
// declares fails with Alembic's sentence and reason, then says where the id
// came from and how to recover; an unknown id the user typed does not get
// that line.
func TestUnknownVersionRowMessage(t *testing.T) {
	t.Parallel()
	p := newProject(t, "", linear())
	p.ok("upgrade", "b2")
	if _, err := p.db().Exec("UPDATE alembic_version SET version_num = '5e6f708192a4'"); err != nil {
		t.Fatal(err)
	}
	// The reason line is Alembic's internal message, which depends on the
	// command ("No such revision or branch", "No such branch:").
	hint := "\n  '5e6f708192a4' is in the database's version table, but no revision file declares it: " +
		"restore that file, or rewrite the version table with `retort stamp --purge REV`"
	for _, args := range [][]string{{"current"}, {"upgrade", "head"}, {"downgrade", "-1"}, {"stamp", "c3"}, {"history", "-r", "current:"}} {
		r := p.fail(1, "FAILED: Can't locate revision identified by '5e6f708192a4'\n  No such ", args...)
		if !strings.Contains(r.stderr, "'5e6f708192a4'"+hint) {
			t.Errorf("retort %s: no hint after the reason:\n%s", strings.Join(args, " "), r.stderr)
		}
	}
	r := p.fail(1, "Can't locate revision identified by 'zzzz'", "show", "zzzz")
	if strings.Contains(r.stderr, "version table") {
		t.Errorf("a typed revision is said to come from the version table:\n%s", r.stderr)
	}
	p.ok("stamp", "--purge", "b2")
	p.ok("current")
}
