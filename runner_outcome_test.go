package retort_test

import (
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/retortdb/retort/config"
	"github.com/retortdb/retort/internal/testdb"
	"github.com/retortdb/retort/migrate"
	"modernc.org/sqlite"
)

// failedOnce holds the keys retort_test_fail_once has failed for.
var failedOnce sync.Map

// SQLite test functions, for what PostgreSQL and MySQL do with a sequence
// or a sleep: retort_test_fail_once(key) fails the first time it is called
// with a key and returns 0 after (a failure that does not recur, as a
// deadlock or a sequence value can be); retort_test_sleep(ms) sleeps.
func init() {
	sqlite.MustRegisterScalarFunction("retort_test_fail_once", 1, func(_ *sqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
		if _, seen := failedOnce.LoadOrStore(fmt.Sprint(args[0]), true); !seen {
			return nil, errors.New("retort_test_fail_once: first call")
		}
		return int64(0), nil
	})
	sqlite.MustRegisterScalarFunction("retort_test_sleep", 1, func(_ *sqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
		ms, _ := args[0].(int64)
		time.Sleep(time.Duration(ms) * time.Millisecond)
		return ms, nil
	})
}

// TestFailureThatDoesNotRecur: a migration sent as one batch (SQLite,
// PostgreSQL) that fails, then does not fail when replayed statement by
// statement to find the failing statement, is failed: the batch's error is
// reported (without a statement, saying why), a `failed` row is recorded,
// nothing of it stays and the version table is unchanged. It used to be
// applied by the replay, its first failure never mentioned.
// transaction_per_migration = false batches the first step of the run's
// transaction alike. MySQL runs statement by statement and never replays:
// the statements before the failure run once.
func TestFailureThatDoesNotRecur(t *testing.T) {
	t.Parallel()
	for _, name := range testdb.Dialects(t) {
		for _, perMigration := range []bool{true, false} {
			t.Run(fmt.Sprintf("%s/transaction_per_migration=%v", name, perMigration), func(t *testing.T) {
				t.Parallel()
				// The key is new to every run of the test (-count=2).
				setup, flaky := "CREATE TABLE setup_t (id INTEGER PRIMARY KEY);", fmt.Sprintf("SELECT retort_test_fail_once('%s %d');", t.Name(), time.Now().UnixNano())
				switch name {
				case config.PostgreSQL:
					// The repro of the audit: nextval is 1 in the batch, 2 in the replay.
					setup, flaky = "CREATE SEQUENCE s;", "SELECT 1/(v-1) FROM t2;"
				case config.MySQL:
					flaky = "INSERT INTO no_such_table VALUES (1);"
				}
				body := "CREATE TABLE t2 (v INTEGER);\nINSERT INTO t2 VALUES (1);\n" + flaky
				if name == config.PostgreSQL {
					body = "CREATE TABLE t2 AS SELECT nextval('s') AS v;\n" + flaky
				}
				files := map[string]string{
					"a.sql": sqlRev("aaaa", "", "setup", setup, "-"),
					"b.sql": sqlRev("bbbb", "aaaa", "flaky", body, "DROP TABLE t2;"),
				}
				f := newFixture(t, name, files, fmt.Sprintf("transaction_per_migration = %v\n", perMigration))
				if err := f.upgrade("aaaa"); err != nil {
					t.Fatal(err)
				}
				err := f.upgrade("head")
				var se *migrate.StepError
				if !errors.As(err, &se) || se.Revision != "bbbb" {
					t.Fatalf("want bbbb's StepError, got %v", err)
				}
				if got := f.rows(); !slices.Equal(got, []string{"aaaa"}) {
					t.Fatalf("rows %v, want [aaaa]", got)
				}
				db := testdb.Open(t, f.url)
				var status, errText string
				if err := db.QueryRow("SELECT status, error FROM retort_history WHERE revision = 'bbbb'").Scan(&status, &errText); err != nil {
					t.Fatalf("bbbb's history row: %v", err)
				}
				if status != "failed" || errText != se.Err.Error() {
					t.Fatalf("history row %q %q, error %v", status, errText, se.Err)
				}
				var n int
				if name == config.MySQL {
					// Nothing replayed: the INSERT before the failure ran once.
					if err := db.QueryRow("SELECT count(*) FROM t2").Scan(&n); err != nil || n != 1 || se.Line == 0 || se.Unlocated != "" {
						t.Fatalf("t2 has %d rows (%v), want 1; %+v", n, err, se)
					}
					return
				}
				if err := db.QueryRow("SELECT count(*) FROM t2").Scan(&n); err == nil {
					t.Fatal("t2 survived the failed migration")
				}
				msg := se.Error()
				if se.Statement != "" || se.Line != 0 || !se.RolledBack ||
					!strings.Contains(msg, "the failing statement could not be pinpointed: replaying the migration statement by statement (rolled back afterwards) did not fail again") ||
					strings.Contains(msg, "statement: ") {
					t.Fatalf("StepError %+v:\n%s", se, msg)
				}
				want := "division by zero"
				if name == config.SQLite {
					want = "retort_test_fail_once: first call"
				}
				if !strings.Contains(se.Err.Error(), want) {
					t.Fatalf("the batch's error is not reported: %v", se.Err)
				}
			})
		}
	}
}

// TestHistoryFinishedAt: retort_history.finished_at is when the step's
// statements finished. For a migration sent as one batch it used to be
// taken when the batch was built, microseconds after started_at.
func TestHistoryFinishedAt(t *testing.T) {
	t.Parallel()
	const sleep = 200 * time.Millisecond
	for _, name := range testdb.Dialects(t) {
		for _, perMigration := range []bool{true, false} {
			t.Run(fmt.Sprintf("%s/transaction_per_migration=%v", name, perMigration), func(t *testing.T) {
				t.Parallel()
				slow := "SELECT retort_test_sleep(200);"
				switch name {
				case config.PostgreSQL:
					slow = "SELECT pg_sleep(0.2);"
				case config.MySQL:
					slow = "DO SLEEP(0.2);"
				}
				files := map[string]string{
					"a.sql": sqlRev("aaaa", "", "slow", slow, "-"),
					"b.sql": sqlRev("bbbb", "aaaa", "next", "CREATE TABLE b_t (id INTEGER PRIMARY KEY);", "DROP TABLE b_t;"),
				}
				f := newFixture(t, name, files, fmt.Sprintf("transaction_per_migration = %v\n", perMigration))
				if err := f.upgrade("head"); err != nil {
					t.Fatal(err)
				}
				db := testdb.Open(t, f.url)
				var started, finished any
				if err := db.QueryRow("SELECT started_at, finished_at FROM retort_history WHERE revision = 'aaaa' AND status = 'applied'").Scan(&started, &finished); err != nil {
					t.Fatal(err)
				}
				s, fin := storedTime(t, started), storedTime(t, finished)
				if d := fin.Sub(s); d < sleep {
					t.Fatalf("finished_at - started_at = %s (%v, %v), want at least the migration's %s sleep", d, started, finished, sleep)
				}
			})
		}
	}
}

// storedTime reads a retort_history time: a time column, or SQLite's text.
func storedTime(t *testing.T, v any) time.Time {
	t.Helper()
	switch x := v.(type) {
	case time.Time:
		return x
	case []byte:
		v = string(x)
	}
	s, _ := v.(string)
	tm, err := time.Parse("2006-01-02 15:04:05.999999", s)
	if err != nil {
		t.Fatalf("stored time %#v: %v", v, err)
	}
	return tm
}

// TestPostgresLostConnectionSharedTransaction: with
// transaction_per_migration = false, the server ending the session while a
// step runs rolls back the earlier steps of the run with it. The message
// used to say only that the step was rolled back; it names the earlier
// steps, and says the failure could not be recorded.
func TestPostgresLostConnectionSharedTransaction(t *testing.T) {
	t.Parallel()
	if !slices.Contains(testdb.Dialects(t), config.PostgreSQL) {
		t.Skip("no PostgreSQL server")
	}
	files := map[string]string{
		"a.sql": sqlRev("aaaa", "", "one", "CREATE TABLE one_t (id INTEGER PRIMARY KEY);", "DROP TABLE one_t;"),
		"b.sql": sqlRev("bbbb", "aaaa", "two", "CREATE TABLE two_t (id INTEGER PRIMARY KEY);", "DROP TABLE two_t;"),
		"c.sql": sqlRev("cccc", "bbbb", "slow", "SELECT pg_sleep(5);", "-"),
	}
	f := newFixture(t, config.PostgreSQL, files, "transaction_per_migration = false\n")
	db := testdb.Open(t, f.url)
	done := make(chan error, 1)
	go func() { done <- f.upgrade("head") }()
	// Wait for the sleep to be running, then end its session.
	var pid int64
	for pid == 0 {
		select {
		case err := <-done:
			t.Fatalf("the upgrade ended before its session was terminated: %v", err)
		case <-time.After(20 * time.Millisecond):
		}
		err := db.QueryRow("SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND query LIKE '%pg_sleep(5)%'").Scan(&pid)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			t.Fatal(err)
		}
	}
	if _, err := db.Exec("SELECT pg_terminate_backend($1)", pid); err != nil {
		t.Fatal(err)
	}
	err := <-done
	var se *migrate.StepError
	if !errors.As(err, &se) || se.Revision != "cccc" || !se.ConnectionLost || !slices.Equal(se.AlsoRolledBack, []string{"aaaa", "bbbb"}) {
		t.Fatalf("want cccc's lost connection with aaaa and bbbb rolled back, got %v (%+v)", err, se)
	}
	msg := se.Error()
	for _, want := range []string{"the connection to the database was lost",
		"with the earlier steps in it (aaaa, bbbb); the version table is as it was before them",
		"the failure could not be recorded in retort_history"} {
		if !strings.Contains(msg, want) {
			t.Errorf("message lacks %q:\n%s", want, msg)
		}
	}
	if strings.Contains(msg, "as it was before it;") {
		t.Errorf("message says only the step was rolled back:\n%s", msg)
	}
	if got := f.rows(); len(got) != 0 {
		t.Fatalf("rows %v, want none", got)
	}
	var n int
	if err := db.QueryRow("SELECT count(*) FROM retort_history").Scan(&n); err != nil || n != 0 {
		t.Fatalf("%d history rows (%v), want none", n, err)
	}
}
