package integration

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/retortdb/retort/config"
	"github.com/retortdb/retort/dialect"
	"github.com/retortdb/retort/internal/testdb"
)

// holdLock takes, from the test process, the lock a retort run on p's
// database takes, and releases it when the test ends (or on release()).
func holdLock(t *testing.T, p *project) (lock dialect.Lock, release func()) {
	t.Helper()
	d, err := testdb.Dialect(p.dialect)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	conn, err := p.DB().Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	lock, err = d.NewLock(conn, p.url, dialect.Table{Name: "alembic_version"})
	if err != nil || lock == nil {
		t.Fatalf("NewLock: %v %v", lock, err)
	}
	ok, err := lock.TryLock(ctx)
	if err != nil || !ok {
		t.Fatalf("TryLock: %v %v", ok, err)
	}
	released := false
	release = func() {
		if released {
			return
		}
		released = true
		if err := lock.Unlock(ctx); err != nil {
			t.Errorf("Unlock: %v", err)
		}
		conn.Close()
	}
	t.Cleanup(release)
	return lock, release
}

// TestSixteenConcurrentUpgrades starts 16 processes running `upgrade head`
// at the same instant on one database: one applies every revision, the
// others wait for the lock, re-read the version table and find nothing to
// do. A revision that ran twice would hit the unique key of ran.rev.
func TestSixteenConcurrentUpgrades(t *testing.T) {
	t.Parallel()
	dialects(t, func(t *testing.T, name string) {
		const n = 12
		files := map[string]string{
			revID(1) + "_ran.sql": rev(revID(1), "", "CREATE TABLE ran (rev VARCHAR(32) NOT NULL PRIMARY KEY);\nINSERT INTO ran (rev) VALUES ('"+revID(1)+"');", "DROP TABLE ran;"),
		}
		for i := 2; i <= n; i++ {
			files[revID(i)+"_step.sql"] = rev(revID(i), revID(i-1),
				fmt.Sprintf("INSERT INTO ran (rev) VALUES ('%s');\nCREATE TABLE t%04d (id INTEGER PRIMARY KEY);", revID(i), i), fmt.Sprintf("DROP TABLE t%04d;", i))
		}
		p := newProject(t, name, files, "")
		at := time.Now().Add(1500 * time.Millisecond)
		procs := make([]*started, 16)
		for i := range procs {
			cmd := p.command(context.Background(), "upgrade", "head")
			cmd.Env = append(cmd.Env, startAtEnv+"="+strconv.FormatInt(at.UnixNano(), 10))
			procs[i] = startCmd(t, cmd, []string{"upgrade", "head"})
		}
		applied, nothing, waited := 0, 0, 0
		for i, s := range procs {
			r := s.wait(t)
			if r.code != 0 {
				t.Fatalf("process %d: %s", i, r)
			}
			switch {
			case strings.Contains(r.stderr, fmt.Sprintf("Applied %d revisions", n)):
				applied++
			case strings.Contains(r.stderr, "Nothing to upgrade"):
				nothing++
			default:
				t.Fatalf("process %d: unexpected output; %s", i, r)
			}
			if strings.Contains(r.stderr, "waiting for the ") {
				waited++
			}
		}
		if applied != 1 || nothing != 15 {
			t.Fatalf("%d processes applied the revisions and %d found nothing to do; want 1 and 15", applied, nothing)
		}
		if waited == 0 {
			t.Fatalf("no process printed a lock-waiting line")
		}
		if got := p.queryInt("SELECT count(*) FROM ran"); got != n {
			t.Fatalf("ran has %d rows, want %d", got, n)
		}
		if got := p.queryInt("SELECT count(*) FROM retort_history WHERE status = 'applied'"); got != n {
			t.Fatalf("retort_history has %d applied rows, want %d", got, n)
		}
		if got := p.versions(); !slices.Equal(got, []string{revID(n)}) {
			t.Fatalf("versions %v", got)
		}
	})
}

// TestLockTimeoutNoLockAndCancel: while another session holds the lock, a
// run prints a waiting line, gives up after --lock-timeout naming the lock,
// stops promptly on SIGINT, and --no-lock runs anyway.
func TestLockTimeoutNoLockAndCancel(t *testing.T) {
	t.Parallel()
	dialects(t, func(t *testing.T, name string) {
		p := newProject(t, name, linearTables(3), "")
		lock, release := holdLock(t, p)

		r := p.fail([]string{"FAILED: another retort run holds the " + lock.String() + "; gave up after", "waiting for the " + lock.String()},
			"--lock-timeout", "400ms", "upgrade", "head")
		if lines := strings.Count(strings.TrimSpace(r.stderr), "\n") + 1; lines != 2 {
			t.Errorf("want a waiting line and a FAILED line; %s", r)
		}
		if got := p.tables(); len(got) != 0 {
			t.Fatalf("a run that never got the lock created %v", got)
		}

		// SIGINT while waiting: the run stops at once, not when its hour
		// of lock timeout is up.
		s := p.start("--lock-timeout", "1h", "upgrade", "head")
		s.waitFor(t, "waiting for the "+lock.String(), 30*time.Second)
		time.Sleep(100 * time.Millisecond) // into the backoff sleep
		sent := time.Now()
		if err := s.cmd.Process.Signal(syscall.SIGINT); err != nil {
			t.Fatal(err)
		}
		r = s.wait(t)
		if took := time.Since(sent); took > 10*time.Second {
			t.Errorf("the run took %s to stop after SIGINT", took)
		}
		if r.code != 1 || !strings.Contains(r.stderr, "context canceled") {
			t.Fatalf("after SIGINT: %s", r)
		}

		// --no-lock does not wait.
		p.ok("--no-lock", "upgrade", "+1")
		if got := p.versions(); !slices.Equal(got, []string{revID(1)}) {
			t.Fatalf("versions %v", got)
		}
		release()
		p.ok("--lock-timeout", "5s", "upgrade", "head")
		if got := p.versions(); !slices.Equal(got, []string{revID(3)}) {
			t.Fatalf("versions %v", got)
		}
	})
}

// TestWaitingRunDoesNotBlockCreateIndexConcurrently: run A holds the lock
// while its no-transaction migration runs CREATE INDEX CONCURRENTLY, which
// waits for every transaction that could see the table; run B waits for
// the lock meanwhile. B polls pg_try_advisory_lock and holds no transaction
// open while it waits, so A's index build is not stuck behind B: both
// finish.
func TestWaitingRunDoesNotBlockCreateIndexConcurrently(t *testing.T) {
	t.Parallel()
	files := map[string]string{
		"r0001_items.sql": rev("r0001", "", "CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT);", "DROP TABLE items;"),
		"r0002_index.sql": rev("r0002", "r0001", "-- retort:no-transaction\nCREATE INDEX CONCURRENTLY ix_items_name ON items (name);", "-- retort:no-transaction\nDROP INDEX CONCURRENTLY ix_items_name;"),
	}
	p := newProject(t, config.PostgreSQL, files, "")
	p.ok("upgrade", "r0001")

	// A writer with an open transaction holds CREATE INDEX CONCURRENTLY of
	// run A in its first wait, so A is still building when B arrives.
	ctx := context.Background()
	writer, err := p.DB().Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer writer.Close()
	tx, err := writer.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = tx.Rollback() }()
	if _, err := tx.Exec("INSERT INTO items VALUES (1, 'x')"); err != nil {
		t.Fatal(err)
	}

	a := p.start("upgrade", "head")
	waitUntil(t, 30*time.Second, "A's CREATE INDEX CONCURRENTLY to wait", func() bool {
		return p.queryInt("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'CREATE INDEX CONCURRENTLY%' AND wait_event_type = 'Lock'") == 1
	})
	b := p.start("upgrade", "head")
	b.waitFor(t, "waiting for the PostgreSQL advisory lock", 30*time.Second)
	// B keeps polling for a while before the writer lets A go on.
	time.Sleep(300 * time.Millisecond)
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	ra, rb := a.wait(t), b.wait(t)
	if ra.code != 0 || rb.code != 0 {
		t.Fatalf("A: %s\nB: %s", ra, rb)
	}
	if !strings.Contains(ra.stderr, "Applied 1 revision") || !strings.Contains(rb.stderr, "Nothing to upgrade") {
		t.Fatalf("A: %s\nB: %s", ra, rb)
	}
	if !p.indexValid("ix_items_name") {
		t.Fatal("ix_items_name is missing or invalid")
	}
}

// indexValid reports whether a PostgreSQL index exists and is valid.
func (p *project) indexValid(name string) bool {
	p.t.Helper()
	return p.queryInt("SELECT count(*) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname = $1 AND i.indisvalid", name) == 1
}

func waitUntil(t testing.TB, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s after %s", what, timeout)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestMySQLLockIsPerDatabase: GET_LOCK names are server-wide; the database
// in retort's lock name keeps runs on two databases of one server apart.
func TestMySQLLockIsPerDatabase(t *testing.T) {
	t.Parallel()
	p1 := newProject(t, config.MySQL, linearTables(2), "")
	p2 := newProject(t, config.MySQL, linearTables(2), "")
	lock, _ := holdLock(t, p1)
	if !strings.Contains(lock.String(), p1.url.Database) {
		t.Fatalf("lock %s does not name database %s", lock, p1.url.Database)
	}
	r := p2.ok("--lock-timeout", "2s", "upgrade", "head")
	if strings.Contains(r.stderr, "waiting for") {
		t.Fatalf("a run on another database waited; %s", r)
	}
	p1.fail([]string{"gave up after", p1.url.Database}, "--lock-timeout", "300ms", "upgrade", "head")
}

func TestMain_helperSanity(t *testing.T) {
	// The CLI mode is reachable: `retort --version` through the test binary.
	r := runCmd(retortCommand(context.Background(), os.TempDir(), "--version"), []string{"--version"})
	if r.code != 0 || !strings.Contains(r.stdout, "retort") {
		t.Fatalf("%s", r)
	}
}
