package integration

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/retortdb/retort/config"
)

// TestStatementLockTimeout: with statement_lock_timeout, DDL that waits for
// a table another session holds fails fast (PostgreSQL lock_timeout, MySQL
// lock_wait_timeout) instead of queueing every query behind it; without
// it, the same run waits.
func TestStatementLockTimeout(t *testing.T) {
	t.Parallel()
	for _, name := range []string{config.PostgreSQL, config.MySQL} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			files := map[string]string{
				"r0001_items.sql": rev("r0001", "", "CREATE TABLE items (id INTEGER PRIMARY KEY);", "DROP TABLE items;"),
				"r0002_alter.sql": rev("r0002", "r0001", "ALTER TABLE items ADD COLUMN note VARCHAR(20);", "ALTER TABLE items DROP COLUMN note;"),
			}
			p := newProject(t, name, files, "statement_lock_timeout = \"1s\"\n")
			p.ok("upgrade", "r0001")
			release := holdTableLock(t, p, "items")
			want := "lock timeout" // PostgreSQL: canceling statement due to lock timeout
			if name == config.MySQL {
				want = "Lock wait timeout exceeded"
			}
			p.fail([]string{"FAILED: upgrade r0002 failed", want, "ALTER TABLE items ADD COLUMN note"}, "upgrade", "head")
			if got := p.versions(); !slices.Equal(got, []string{"r0001"}) {
				t.Fatalf("versions %v", got)
			}

			// Without the setting the run waits for the other session.
			writeFile(t, p.cfg, baseConfig)
			s := p.start("upgrade", "head")
			time.Sleep(2500 * time.Millisecond)
			select {
			case <-s.done:
				t.Fatalf("without statement_lock_timeout the run did not wait; %s", s.wait(t))
			default:
			}
			release()
			if r := s.wait(t); r.code != 0 {
				t.Fatalf("%s", r)
			}
			if got := p.versions(); !slices.Equal(got, []string{"r0002"}) {
				t.Fatalf("versions %v", got)
			}
		})
	}
}

// TestTransactionPerMigration: a failure in the third migration. With
// transaction_per_migration = true the first two stay applied everywhere;
// with false, PostgreSQL and SQLite roll all three back (one transaction
// for the run) and MySQL keeps the first two (its DDL commits itself).
func TestTransactionPerMigration(t *testing.T) {
	t.Parallel()
	dialects(t, func(t *testing.T, name string) {
		for _, perMigration := range []bool{true, false} {
			t.Run(fmt.Sprintf("transaction_per_migration=%v", perMigration), func(t *testing.T) {
				t.Parallel()
				files := linearTables(3)
				files[revID(3)+"_step.sql"] = rev(revID(3), revID(2), "CREATE TABLE t0003 (id INTEGER PRIMARY KEY);\nINSERT INTO nosuch VALUES (1);", "DROP TABLE t0003;")
				p := newProject(t, name, files, fmt.Sprintf("transaction_per_migration = %v\n", perMigration))
				r := p.fail([]string{"FAILED: upgrade r0003 failed", "nosuch"}, "upgrade", "head")
				wantVersions, wantTables := []string{revID(2)}, []int{1, 2}
				switch {
				case name == config.MySQL:
					wantTables = []int{1, 2, 3} // CREATE TABLE t0003 committed itself
				case !perMigration:
					wantVersions, wantTables = nil, nil
					if !strings.Contains(r.stderr, "the run's transaction was rolled back, with the earlier steps in it (r0001, r0002)") {
						t.Fatalf("%s", r)
					}
				}
				if got := p.versions(); !slices.Equal(got, wantVersions) {
					t.Fatalf("versions %v, want %v", got, wantVersions)
				}
				if got := tableIndexes(t, p); !slices.Equal(got, wantTables) {
					t.Fatalf("tables %v, want %v", got, wantTables)
				}
				// Only the failure is in retort_history when it was all rolled back.
				applied := p.queryInt("SELECT count(*) FROM retort_history WHERE status = 'applied'")
				if applied != len(wantVersions)*2 {
					t.Fatalf("%d applied history rows", applied)
				}
			})
		}
	})
}

// TestNoTransactionSectionWithOneTransactionForTheRun: with
// transaction_per_migration = false, a no-transaction section splits the
// run's transaction, and its version row is committed as soon as it
// succeeds: a later failure rolls back only the steps after it, and the
// next run does not report it as half-done.
func TestNoTransactionSectionWithOneTransactionForTheRun(t *testing.T) {
	t.Parallel()
	for _, name := range []string{config.PostgreSQL, config.SQLite} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			concurrently := ""
			if name == config.PostgreSQL {
				concurrently = "CONCURRENTLY "
			}
			files := map[string]string{
				"r0001_items.sql": rev("r0001", "", "CREATE TABLE items (id INTEGER PRIMARY KEY, name VARCHAR(20));", "DROP TABLE items;"),
				"r0002_index.sql": rev("r0002", "r0001", "-- retort:no-transaction\nCREATE INDEX "+concurrently+"ix_items_name ON items (name);", "DROP INDEX ix_items_name;"),
				"r0003_more.sql":  rev("r0003", "r0002", "CREATE TABLE more (id INTEGER PRIMARY KEY);", "DROP TABLE more;"),
				"r0004_fail.sql":  rev("r0004", "r0003", "INSERT INTO nosuch VALUES (1);", ""),
			}
			p := newProject(t, name, files, "transaction_per_migration = false\n")
			p.fail([]string{"FAILED: upgrade r0004 failed", "with the earlier steps in it (r0003)"}, "upgrade", "head")
			if got := p.versions(); !slices.Equal(got, []string{"r0002"}) {
				t.Fatalf("versions %v, want [r0002]", got)
			}
			if slices.Contains(p.tables(), "more") {
				t.Fatal("r0003 was not rolled back")
			}
			writeFile(t, p.dir+"/migrations/versions/r0004_fail.sql", rev("r0004", "r0003", "", ""))
			p.ok("upgrade", "head")
			if got := p.versions(); !slices.Equal(got, []string{"r0004"}) {
				t.Fatalf("versions %v", got)
			}
		})
	}
}

// TestNoTransactionSectionPostgres: CREATE INDEX CONCURRENTLY in a
// no-transaction section. While it runs, retort_history has a `started`
// row and the version row is still the previous one; it is written once the
// section succeeds. (A failing section leaves the version row as it was:
// TestPartialStepStopsTheNextRun.)
func TestNoTransactionSectionPostgres(t *testing.T) {
	t.Parallel()
	files := map[string]string{
		"r0001_items.sql": rev("r0001", "", "CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT);", "DROP TABLE items;"),
		"r0002_index.sql": rev("r0002", "r0001", "-- retort:no-transaction\nCREATE INDEX CONCURRENTLY ix_items_name ON items (name);",
			"-- retort:no-transaction\nDROP INDEX CONCURRENTLY ix_items_name;"),
	}
	p := newProject(t, config.PostgreSQL, files, "")
	p.ok("upgrade", "r0001")
	release := holdTableWrite(t, p)
	s := p.start("upgrade", "head")
	waitUntil(t, 30*time.Second, "CREATE INDEX CONCURRENTLY to wait", func() bool {
		return p.queryInt("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'CREATE INDEX CONCURRENTLY%' AND wait_event_type = 'Lock'") == 1
	})
	if got := p.versions(); !slices.Equal(got, []string{"r0001"}) {
		t.Fatalf("versions while the section runs: %v", got)
	}
	if n := p.queryInt("SELECT count(*) FROM retort_history WHERE revision = 'r0002' AND status = 'started' AND atomic = 0"); n != 1 {
		t.Fatalf("%d started rows for r0002", n)
	}
	release()
	if r := s.wait(t); r.code != 0 {
		t.Fatalf("%s", r)
	}
	if got := p.versions(); !slices.Equal(got, []string{"r0002"}) || !p.indexValid("ix_items_name") {
		t.Fatalf("versions %v, index valid %v", got, p.indexValid("ix_items_name"))
	}
	if n := p.queryInt("SELECT count(*) FROM retort_history WHERE revision = 'r0002' AND status = 'applied' AND finished_at IS NOT NULL"); n != 1 {
		t.Fatalf("%d applied rows for r0002", n)
	}
	p.ok("downgrade", "r0001")
	if p.queryInt("SELECT count(*) FROM pg_indexes WHERE indexname = 'ix_items_name'") != 0 {
		t.Fatal("the index survived the downgrade")
	}
}

// holdTableWrite opens a transaction that has written to items, which
// CREATE INDEX CONCURRENTLY waits for.
func holdTableWrite(t *testing.T, p *project) (release func()) {
	t.Helper()
	tx, err := p.DB().Begin()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec("INSERT INTO items VALUES (1, 'x')"); err != nil {
		t.Fatal(err)
	}
	done := false
	release = func() {
		if !done {
			done = true
			if err := tx.Commit(); err != nil {
				t.Error(err)
			}
		}
	}
	t.Cleanup(release)
	return release
}

// TestTLSParametersPassThrough: the URL's TLS parameters reach the driver.
// PostgreSQL's sslmode=require gives an encrypted session (the migration
// records what pg_stat_ssl says); the test MariaDB has no TLS, so tls=true
// is refused in one clear line while tls=preferred falls back to plain.
func TestTLSParametersPassThrough(t *testing.T) {
	t.Parallel()
	t.Run(config.PostgreSQL, func(t *testing.T) {
		t.Parallel()
		files := map[string]string{"r0001_tls.sql": rev("r0001", "", "CREATE TABLE tls AS SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid();", "DROP TABLE tls;")}
		p := newProject(t, config.PostgreSQL, files, "")
		var serverSSL string
		if err := p.DB().QueryRow("SHOW ssl").Scan(&serverSSL); err != nil || serverSSL != "on" {
			t.Skipf("the server has ssl = %q (%v)", serverSSL, err)
		}
		u := *p.url
		u.Query = map[string][]string{"sslmode": {"require"}}
		p.url = &u
		p.ok("upgrade", "head")
		var ssl bool
		if err := p.DB().QueryRow("SELECT ssl FROM tls").Scan(&ssl); err != nil || !ssl {
			t.Fatalf("the migration's session used TLS: %v (%v)", ssl, err)
		}
	})
	t.Run(config.MySQL, func(t *testing.T) {
		t.Parallel()
		p := newProject(t, config.MySQL, linearTables(1), "")
		var haveSSL string
		if err := p.DB().QueryRow("SELECT @@have_ssl").Scan(&haveSSL); err != nil {
			t.Fatal(err)
		}
		if haveSSL == "YES" {
			t.Skip("this server has TLS; the test covers a server without it")
		}
		u := *p.url
		u.Query = map[string][]string{"tls": {"true"}}
		connectFails(t, &u, "TLS")
		u.Query = map[string][]string{"tls": {"preferred"}}
		newProjectOn(t, &u, linearTables(1), "").ok("upgrade", "head")
	})
}

// TestStatementLockTimeoutOffline: --sql writes the session setting the
// online run applies on connecting, once, at the top of the script, before
// the version table is created (SQLite sets nothing online, so nothing).
func TestStatementLockTimeoutOffline(t *testing.T) {
	t.Parallel()
	dialects(t, func(t *testing.T, name string) {
		p := newProject(t, name, linearTables(2), "statement_lock_timeout = \"1500ms\"\n")
		script := p.ok("upgrade", "head", "--sql").stdout
		want := map[string]string{
			config.PostgreSQL: "SET lock_timeout = '1500ms';\n\n",
			config.MySQL:      "SET SESSION lock_wait_timeout = 2;\n\n",
		}[name]
		if want == "" {
			if !strings.HasPrefix(script, "CREATE TABLE alembic_version") {
				t.Fatalf("SQLite script does not start with the version table:\n%s", script)
			}
			return
		}
		if !strings.HasPrefix(script, want+"CREATE TABLE alembic_version") {
			t.Fatalf("script does not start with %q and the version table:\n%s", want, script)
		}
		if n := strings.Count(script, want); n != 1 {
			t.Fatalf("setting written %d times, want once per session:\n%s", n, script)
		}
		// A range from a revision writes it too: it is a new session.
		if script := p.ok("upgrade", revID(1)+":head", "--sql").stdout; !strings.HasPrefix(script, want) {
			t.Fatalf("range script does not start with %q:\n%s", want, script)
		}
		// And without the key, nothing.
		writeFile(t, p.cfg, baseConfig)
		if script := p.ok("upgrade", "head", "--sql").stdout; !strings.HasPrefix(script, "CREATE TABLE alembic_version") {
			t.Fatalf("script without statement_lock_timeout sets something:\n%s", script)
		}
	})
}
