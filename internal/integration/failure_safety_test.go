package integration

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/retortdb/retort/config"
)

// partialProject has r0002 fail on its second statement after its first
// (CREATE TABLE b) committed: on MySQL any section does that; on
// PostgreSQL and SQLite a no-transaction section does.
func partialProject(t *testing.T, name string) *project {
	noTx := ""
	if name != config.MySQL {
		noTx = "-- retort:no-transaction\n"
	}
	files := map[string]string{
		"r0001_a.sql": rev("r0001", "", "CREATE TABLE a (id INTEGER PRIMARY KEY);", "DROP TABLE a;"),
		"r0002_b.sql": rev("r0002", "r0001", noTx+"CREATE TABLE b (id INTEGER PRIMARY KEY);\nINSERT INTO nosuch VALUES (1);", "DROP TABLE b;"),
		"r0003_c.sql": rev("r0003", "r0002", "CREATE TABLE c (id INTEGER PRIMARY KEY);", "DROP TABLE c;"),
	}
	return newProject(t, name, files, "")
}

// TestPartialStepStopsTheNextRun: a step that could not be rolled back
// fails half-way. The error says which statements had run; `current` shows
// the last good revision; the next run refuses to guess and says how to
// finish; `stamp` records the user's fix and clears it.
func TestPartialStepStopsTheNextRun(t *testing.T) {
	t.Parallel()
	dialects(t, func(t *testing.T, name string) {
		for _, finish := range []string{"completed", "undone"} {
			t.Run(finish, func(t *testing.T) {
				t.Parallel()
				p := partialProject(t, name)
				file := filepath.Join("migrations", "versions", "r0002_b.sql")
				line := 9
				if name == config.MySQL {
					line = 8
				}
				p.fail([]string{
					fmt.Sprintf("FAILED: upgrade r0002 failed (%s:%d): ", filepath.Join(p.dir, file), line),
					"nosuch",
					"statement: INSERT INTO nosuch VALUES (1)",
					"1 statement(s) of this step had already run",
					"CREATE TABLE b (id INTEGER PRIMARY KEY)",
					"`retort stamp r0002`",
				}, "upgrade", "head")
				if got := p.versions(); !slices.Equal(got, []string{"r0001"}) {
					t.Fatalf("versions %v", got)
				}
				if r := p.ok("current"); !strings.Contains(r.stdout, "r0001") {
					t.Fatalf("current: %s", r)
				}
				var status, stmts string
				if err := p.DB().QueryRow("SELECT status, statements FROM retort_history WHERE revision = 'r0002'").Scan(&status, &stmts); err != nil {
					t.Fatal(err)
				}
				if status != "failed" || !strings.Contains(stmts, "CREATE TABLE b") {
					t.Fatalf("history row: %s %q", status, stmts)
				}

				// The next run stops before anything, naming the revision and
				// what had run, and how to finish.
				p.fail([]string{"upgrade of r0002 failed part-way", "CREATE TABLE b (id INTEGER PRIMARY KEY)",
					"`retort stamp r0002`", "`retort stamp r0001`"}, "upgrade", "head")
				if slices.Contains(p.tables(), "c") {
					t.Fatal("r0003 ran after a partial step")
				}

				if finish == "completed" {
					// The user finishes r0002 by hand and records it.
					p.ok("stamp", "r0002")
					p.ok("upgrade", "head")
				} else {
					// The user undoes what ran, fixes the file and records
					// that the database is still at r0001: a stamp that
					// changes no row.
					p.exec("DROP TABLE b")
					r := p.ok("stamp", "r0001")
					if !strings.Contains(r.stderr, "r0002") {
						t.Errorf("stamp does not say it settled r0002; %s", r)
					}
					noTx := ""
					if name != config.MySQL {
						noTx = "-- retort:no-transaction\n"
					}
					writeFile(t, filepath.Join(p.dir, file), rev("r0002", "r0001", noTx+"CREATE TABLE b (id INTEGER PRIMARY KEY);", "DROP TABLE b;"))
					p.ok("upgrade", "head")
				}
				if got := p.versions(); !slices.Equal(got, []string{"r0003"}) {
					t.Fatalf("versions %v", got)
				}
				for _, tbl := range []string{"a", "b", "c"} {
					if !slices.Contains(p.tables(), tbl) {
						t.Fatalf("table %s missing: %v", tbl, p.tables())
					}
				}
			})
		}
	})
}
