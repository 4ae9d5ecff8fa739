package integration

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/retortdb/retort/config"
	"github.com/retortdb/retort/internal/testdb"
)

// offlineFiles is a project with a branch (bbb1, bbb2 labelled "right"), a
// dependency, a merge (dddd), a compound statement (a trigger), data with a
// quote in it, and a no-transaction section (eeee), in each dialect's SQL.
func offlineFiles(name string) map[string]string {
	fk, trigger, dropTrigger, noTxIndex, dropIndex := "", "", "", "", ""
	switch name {
	case config.SQLite:
		fk = " REFERENCES root_t (id)"
		trigger = "CREATE TRIGGER trg_root AFTER INSERT ON root_t BEGIN INSERT INTO audit (msg) VALUES ('new root; ' || NEW.name); END;"
		dropTrigger = "DROP TRIGGER trg_root;"
		noTxIndex = "CREATE INDEX ix_left_root ON left_t (root_id);"
		dropIndex = "DROP INDEX ix_left_root;"
	case config.PostgreSQL:
		fk = " REFERENCES root_t (id)"
		trigger = "CREATE FUNCTION audit_root() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n  INSERT INTO audit (msg) VALUES ('new root; ' || NEW.name);\n  RETURN NEW;\nEND\n$$;\n" +
			"CREATE TRIGGER trg_root AFTER INSERT ON root_t FOR EACH ROW EXECUTE FUNCTION audit_root();"
		dropTrigger = "DROP TRIGGER trg_root ON root_t;\nDROP FUNCTION audit_root();"
		noTxIndex = "CREATE INDEX CONCURRENTLY ix_left_root ON left_t (root_id);"
		dropIndex = "DROP INDEX CONCURRENTLY ix_left_root;"
	case config.MySQL:
		trigger = "CREATE TRIGGER trg_root AFTER INSERT ON root_t FOR EACH ROW\nBEGIN\n  INSERT INTO audit (msg) VALUES (CONCAT('new root; ', NEW.name));\nEND;"
		dropTrigger = "DROP TRIGGER trg_root;"
		noTxIndex = "CREATE INDEX ix_left_root ON left_t (root_id);"
		dropIndex = "DROP INDEX ix_left_root ON left_t;"
	}
	return map[string]string{
		"a_root.sql": rev("aaaa", "", "CREATE TABLE root_t (id INTEGER PRIMARY KEY, name VARCHAR(50) NOT NULL);", "DROP TABLE root_t;"),
		"b1_left.sql": rev("bbb1", "aaaa", "CREATE TABLE left_t (id INTEGER PRIMARY KEY, root_id INTEGER"+fk+");\nCREATE INDEX ix_left_id ON left_t (id);",
			"DROP TABLE left_t;"),
		"b2_right.sql": rev("bbb2", "aaaa", "ALTER TABLE root_t ADD COLUMN note VARCHAR(20);", "ALTER TABLE root_t DROP COLUMN note;", "Branch Labels: right"),
		"c2_audit.sql": rev("ccc2", "bbb2", "CREATE TABLE audit (msg VARCHAR(100));\n"+trigger, dropTrigger+"\nDROP TABLE audit;", "Depends On: bbb1"),
		"d_merge.sql":  rev("dddd", "bbb1, ccc2", "INSERT INTO root_t (id, name, note) VALUES (1, 'it''s', 'x');", "DELETE FROM audit;\nDELETE FROM root_t;"),
		"e_index.sql":  rev("eeee", "dddd", "-- retort:no-transaction\n"+noTxIndex, "-- retort:no-transaction\n"+dropIndex),
	}
}

// on returns the project with another database.
func (p *project) on(u *config.URL) *project {
	return &project{t: p.t, dialect: u.Dialect, dir: p.dir, url: u, cfg: p.cfg}
}

// feedSQL runs script with the dialect's own command-line client, stopping
// at the first error.
func feedSQL(t *testing.T, u *config.URL, script string) {
	t.Helper()
	var cmd *exec.Cmd
	switch u.Dialect {
	case config.SQLite:
		cmd = exec.Command("sqlite3", "-bail", u.Path)
	case config.PostgreSQL:
		args := []string{"-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", u.Database}
		if u.Host != "" {
			args = append(args, "-h", u.Host)
		}
		if u.Port != 0 {
			args = append(args, "-p", strconv.Itoa(u.Port))
		}
		if u.User != "" {
			args = append(args, "-U", u.User)
		}
		cmd = exec.Command("psql", args...)
		cmd.Env = append(os.Environ(), "PGPASSWORD="+u.Password)
	case config.MySQL:
		host := u.Host
		if host == "" {
			host = "127.0.0.1"
		}
		args := []string{"--protocol=TCP", "-h", host, "-u", u.User}
		if u.Port != 0 {
			args = append(args, "-P", strconv.Itoa(u.Port))
		}
		args = append(args, u.Database)
		cmd = exec.Command("mysql", args...)
		cmd.Env = append(os.Environ(), "MYSQL_PWD="+u.Password)
	}
	if _, err := exec.LookPath(cmd.Path); err != nil {
		t.Skipf("%s client not installed: %v", u.Dialect, err)
	}
	cmd.Stdin = strings.NewReader(script)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s: %v\n%s\nscript:\n%s", cmd, err, out.String(), script)
	}
}

// state is what the online and offline runs must agree on.
func (p *project) state() string {
	p.t.Helper()
	var b strings.Builder
	for _, line := range schemaOf(p.t, p.DB(), p.dialect) {
		b.WriteString(line + "\n")
	}
	fmt.Fprintf(&b, "versions: %v\n", p.versions())
	if slices.Contains(p.tables(), "audit") {
		fmt.Fprintf(&b, "audit: %v\n", sortedStrings(p.t, p.DB(), "SELECT msg FROM audit"))
	}
	if slices.Contains(p.tables(), "root_t") {
		fmt.Fprintf(&b, "root_t: %v\n", sortedStrings(p.t, p.DB(), "SELECT name FROM root_t"))
	}
	// retort_history: the same steps with the same outcome.
	rows, err := p.DB().Query("SELECT revision, direction, status, atomic FROM retort_history")
	if err != nil {
		p.t.Fatal(err)
	}
	defer rows.Close()
	var hist []string
	for rows.Next() {
		var r, d, s string
		var a int
		if err := rows.Scan(&r, &d, &s, &a); err != nil {
			p.t.Fatal(err)
		}
		hist = append(hist, fmt.Sprintf("%s %s %s %d", r, d, s, a))
	}
	slices.Sort(hist)
	fmt.Fprintf(&b, "history: %v\n", hist)
	return b.String()
}

// TestOfflineSQLMatchesOnline: the SQL `upgrade --sql` and `downgrade --sql`
// print, fed to psql, mysql and sqlite3 on a fresh database, leaves the
// schema, the version rows and the history the online run leaves, for a
// project with a branch, a dependency, a merge, a trigger and a
// no-transaction section; in ranges and from base; with
// transaction_per_migration true and false.
func TestOfflineSQLMatchesOnline(t *testing.T) {
	t.Parallel()
	dialects(t, func(t *testing.T, name string) {
		for _, perMigration := range []bool{true, false} {
			t.Run(fmt.Sprintf("transaction_per_migration=%v", perMigration), func(t *testing.T) {
				t.Parallel()
				online := newProject(t, name, offlineFiles(name), fmt.Sprintf("transaction_per_migration = %v\n", perMigration))
				offline := online.on(testdb.New(t, name))
				compare := func(stage string) {
					t.Helper()
					if a, b := online.state(), offline.state(); a != b {
						t.Fatalf("%s: online and offline differ\nonline:\n%s\noffline:\n%s", stage, a, b)
					}
				}

				online.ok("upgrade", "heads")
				first := offline.ok("upgrade", "--sql", "aaaa").stdout
				rest := offline.ok("upgrade", "--sql", "aaaa:heads").stdout
				checkTransactions(t, name, perMigration, first+rest)
				if strings.Contains(first+rest, "CREATE INDEX CONCURRENTLY") != (name == config.PostgreSQL) {
					t.Fatal("wrong dialect's SQL")
				}
				feedSQL(t, offline.url, first)
				feedSQL(t, offline.url, rest)
				if got := offline.versions(); !slices.Equal(got, []string{"eeee"}) {
					t.Fatalf("offline versions %v", got)
				}
				compare("upgrade heads")

				online.ok("downgrade", "aaaa")
				feedSQL(t, offline.url, offline.ok("downgrade", "--sql", "heads:aaaa").stdout)
				compare("downgrade aaaa")

				online.ok("downgrade", "base")
				down := offline.ok("downgrade", "--sql", "aaaa:base").stdout
				feedSQL(t, offline.url, down)
				compare("downgrade base")
				if got := offline.tables(); !slices.Equal(got, []string{"alembic_version", "retort_history"}) {
					t.Fatalf("after downgrade to base: %v", got)
				}
			})
		}
		t.Run("stamp", func(t *testing.T) {
			t.Parallel()
			p := newProject(t, name, offlineFiles(name), "")
			feedSQL(t, p.url, p.ok("stamp", "--sql", "bbb1").stdout)
			feedSQL(t, p.url, p.ok("stamp", "--sql", "bbb1:heads").stdout)
			if got := p.versions(); !slices.Equal(got, []string{"eeee"}) {
				t.Fatalf("versions after offline stamps %v", got)
			}
			if got := p.tables(); !slices.Equal(got, []string{"alembic_version", "retort_history"}) {
				t.Fatalf("a stamp ran migrations: %v", got)
			}
			if n := p.queryInt("SELECT count(*) FROM retort_history WHERE status = 'stamped'"); n != 2 {
				t.Fatalf("%d stamped history rows, want 2", n)
			}
		})
		t.Run("usage", func(t *testing.T) {
			t.Parallel()
			p := newProject(t, name, offlineFiles(name), "")
			r := p.run("downgrade", "--sql", "base")
			if r.code == 0 || !strings.Contains(r.stderr, "requires <fromrev>:<torev>") {
				t.Fatalf("downgrade --sql without a range: %s", r)
			}
			r = p.run("upgrade", "--sql", "current:heads")
			if r.code == 0 || !strings.Contains(r.stderr, "current") {
				t.Fatalf("offline upgrade from current: %s", r)
			}
			if got := p.tables(); len(got) != 0 {
				t.Fatalf("offline mode touched the database: %v", got)
			}
		})
	})
}

// checkTransactions follows BEGIN and COMMIT through an offline upgrade
// script of offlineFiles from base: the statements of eeee's no-transaction
// section run outside any transaction, every other migration inside one,
// committed with its version row (transaction_per_migration = true) or
// with the whole run (false); MySQL, whose DDL commits implicitly, wraps
// only each step's version and history rows.
func checkTransactions(t *testing.T, name string, perMigration bool, script string) {
	t.Helper()
	inTx, begins := false, 0
	step := ""
	for _, stmt := range strings.Split(script, ";\n\n") {
		stmt = strings.TrimSpace(stmt)
		for strings.HasPrefix(stmt, "-- ") {
			comment, rest, _ := strings.Cut(stmt, "\n")
			if strings.HasPrefix(comment, "-- Running ") {
				step = comment
				if perMigration && inTx {
					t.Fatalf("a transaction is open at %q:\n%s", step, script)
				}
			}
			stmt = strings.TrimSpace(rest)
		}
		switch {
		case stmt == "BEGIN":
			if inTx {
				t.Fatalf("BEGIN inside a transaction in %q:\n%s", step, script)
			}
			inTx = true
			begins++
		case stmt == "COMMIT":
			inTx = false
		case strings.HasPrefix(stmt, "CREATE INDEX ix_left_root"), strings.HasPrefix(stmt, "CREATE INDEX CONCURRENTLY"):
			if inTx {
				t.Fatalf("the no-transaction section runs inside a transaction:\n%s", script)
			}
		case strings.HasPrefix(stmt, "CREATE TABLE root_t"), strings.HasPrefix(stmt, "INSERT INTO root_t"):
			if inTx != (name != config.MySQL) {
				t.Fatalf("%q: in a transaction: %v:\n%s", stmt, inTx, script)
			}
		}
	}
	if inTx {
		t.Fatalf("the script ends inside a transaction:\n%s", script)
	}
	// Transactions: one per migration, or one per script for the run; and
	// one for the version row of the no-transaction step (of every step, on
	// MySQL).
	want := map[bool]int{true: 5 + 1, false: 2 + 1}[perMigration]
	if name == config.MySQL {
		want = 6
	}
	if begins != want {
		t.Fatalf("%d transactions, want %d:\n%s", begins, want, script)
	}
}
