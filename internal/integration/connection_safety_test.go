package integration

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/retortdb/retort/config"
	"github.com/retortdb/retort/internal/testdb"
)

// closedPort returns a TCP port on 127.0.0.1 nothing listens on.
func closedPort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	return port
}

func randomName(prefix string) string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return prefix + hex.EncodeToString(b)
}

// connectFails runs `upgrade head` on u and wants exactly one stderr line,
// "FAILED: cannot connect to <u without its password>: …<want>…".
func connectFails(t *testing.T, u *config.URL, want string) {
	t.Helper()
	p := newProjectOn(t, u, linearTables(1), "")
	r := p.run("upgrade", "head")
	line := strings.TrimSuffix(r.stderr, "\n")
	if r.code != 1 || strings.Contains(line, "\n") || !strings.HasPrefix(line, "FAILED: cannot connect to "+u.Redacted()+": ") || !strings.Contains(line, want) {
		t.Fatalf("want one line \"FAILED: cannot connect to %s: …%s…\"; %s", u.Redacted(), want, r)
	}
	if u.Password != "" && strings.Contains(r.stderr+r.stdout, u.Password) {
		t.Fatalf("the password was printed; %s", r)
	}
}

// TestCannotConnect: a wrong password, a missing database or role, a server
// that is down: one clear line each, without the password.
func TestCannotConnect(t *testing.T) {
	t.Parallel()
	for _, name := range testdb.Dialects(t) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			base := testdb.New(t, name)
			with := func(f func(u *config.URL)) *config.URL {
				u := *base
				f(&u)
				return &u
			}
			switch name {
			case config.SQLite:
				t.Run("no such directory", func(t *testing.T) {
					t.Parallel()
					// Said before connecting, for a write command (which
					// takes the lock file beside the database first) as for
					// a read.
					u := with(func(u *config.URL) { u.Path = filepath.Join(t.TempDir(), "missing", "app.db") })
					p := newProjectOn(t, u, linearTables(1), "")
					want := "FAILED: retort/sqlite: cannot open database " + u.Path + ": directory " + filepath.Dir(u.Path) +
						" does not exist (SQLite creates the database file, not its directory): create it or fix the URL\n"
					for _, args := range [][]string{{"upgrade", "head"}, {"current"}} {
						if r := p.run(args...); r.code != 1 || r.stderr != want {
							t.Errorf("retort %s: want exit 1 and %q; %s", strings.Join(args, " "), want, r)
						}
					}
				})
				return
			case config.PostgreSQL:
				t.Run("no such database", func(t *testing.T) {
					t.Parallel()
					connectFails(t, with(func(u *config.URL) { u.Database = randomName("missing_") }), "does not exist")
				})
				t.Run("no such role", func(t *testing.T) {
					t.Parallel()
					connectFails(t, with(func(u *config.URL) { u.User, u.Password = randomName("nobody_"), "hunter2secret" }), "does not exist")
				})
				t.Run("wrong password", func(t *testing.T) {
					t.Parallel()
					role := randomName("retort_pw_")
					admin := testdb.Open(t, base)
					if _, err := admin.Exec("CREATE ROLE " + role + " LOGIN PASSWORD 'right-password'"); err != nil {
						t.Fatal(err)
					}
					t.Cleanup(func() { _, _ = admin.Exec("DROP ROLE " + role) })
					wrong := with(func(u *config.URL) { u.User, u.Password = role, "wrong-password" })
					db := testdb.Open(t, wrong)
					if err := db.Ping(); err == nil {
						t.Skipf("the server lets %s in with a wrong password (pg_hba.conf trusts %s): a wrong password cannot be tested here", role, base.Host)
					}
					connectFails(t, wrong, "password authentication failed")
				})
			case config.MySQL:
				t.Run("no such database", func(t *testing.T) {
					t.Parallel()
					connectFails(t, with(func(u *config.URL) { u.Database = randomName("missing_") }), "Unknown database")
				})
				t.Run("wrong password", func(t *testing.T) {
					t.Parallel()
					user := randomName("retort_pw_")
					admin := testdb.Open(t, base)
					for _, q := range []string{"CREATE USER '" + user + "'@'%' IDENTIFIED BY 'right-password'", "GRANT ALL ON " + base.Database + ".* TO '" + user + "'@'%'"} {
						if _, err := admin.Exec(q); err != nil {
							t.Fatal(err)
						}
					}
					t.Cleanup(func() { _, _ = admin.Exec("DROP USER '" + user + "'@'%'") })
					// The right password works; the wrong one is one clear line.
					right := with(func(u *config.URL) { u.User, u.Password = user, "right-password" })
					newProjectOn(t, right, linearTables(1), "").ok("upgrade", "head")
					connectFails(t, with(func(u *config.URL) { u.User, u.Password = user, "wrong-password" }), "Access denied for user")
				})
			}
			t.Run("server down", func(t *testing.T) {
				t.Parallel()
				connectFails(t, with(func(u *config.URL) { u.Host, u.Port, u.Password = "127.0.0.1", closedPort(t), "hunter2secret" }), "connection refused")
			})
		})
	}
}

// TestLostConnection: the server ends the runner's session while a
// migration waits for a table lock. The run fails with one clear message
// naming the revision; the version table is as before; on PostgreSQL the
// next run finishes, on MySQL (whose DDL cannot be rolled back) it names
// the interrupted step until a stamp settles it.
func TestLostConnection(t *testing.T) {
	t.Parallel()
	for _, name := range []string{config.PostgreSQL, config.MySQL} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			files := map[string]string{
				"r0001_items.sql": rev("r0001", "", "CREATE TABLE items (id INTEGER PRIMARY KEY);", "DROP TABLE items;"),
				"r0002_alter.sql": rev("r0002", "r0001", "ALTER TABLE items ADD COLUMN note VARCHAR(20);", "ALTER TABLE items DROP COLUMN note;"),
			}
			p := newProject(t, name, files, "")
			p.ok("upgrade", "r0001")
			blocker := holdTableLock(t, p, "items")
			s := p.start("upgrade", "head")
			var pid int64
			waitUntil(t, 30*time.Second, "the runner to wait for the table lock", func() bool {
				q := "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'retort' AND wait_event_type = 'Lock'"
				if name == config.MySQL {
					q = "SELECT id FROM information_schema.processlist WHERE db = DATABASE() AND state LIKE 'Waiting for table metadata lock%'"
				}
				return p.DB().QueryRow(q).Scan(&pid) == nil
			})
			if name == config.PostgreSQL {
				p.exec("SELECT pg_terminate_backend($1)", pid)
			} else {
				p.exec("KILL ?", pid)
			}
			r := s.wait(t)
			blocker()
			if r.code != 1 || !strings.HasPrefix(r.stderr, "Running upgrade r0001 -> r0002, r0002\nFAILED: upgrade r0002 failed (") ||
				!strings.Contains(r.stderr, "the connection to the database was lost") || strings.Contains(r.stderr, "closed\n") {
				t.Fatalf("%s", r)
			}
			if got := p.versions(); !slices.Equal(got, []string{"r0001"}) {
				t.Fatalf("versions %v", got)
			}
			if name == config.MySQL {
				p.fail([]string{"upgrade of r0002 was interrupted", "`retort stamp r0001`"}, "upgrade", "head")
				p.ok("stamp", "r0001")
			}
			p.ok("upgrade", "head")
			if got := p.versions(); !slices.Equal(got, []string{"r0002"}) {
				t.Fatalf("versions %v", got)
			}
		})
	}
}

// holdTableLock opens a transaction that reads table, so DDL on it waits
// (PostgreSQL AccessShareLock, MySQL metadata lock), until the returned
// function (or the end of the test) ends it.
func holdTableLock(t *testing.T, p *project, table string) (release func()) {
	t.Helper()
	ctx := context.Background()
	conn, err := p.DB().Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := tx.Query("SELECT * FROM " + table)
	if err != nil {
		t.Fatal(err)
	}
	rows.Close()
	done := false
	release = func() {
		if !done {
			done = true
			_ = tx.Rollback()
			conn.Close()
		}
	}
	t.Cleanup(release)
	return release
}
