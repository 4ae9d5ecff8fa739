package retort_test

import (
	"context"
	"errors"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/retortdb/retort"
	"github.com/retortdb/retort/config"
	"github.com/retortdb/retort/dialect"
	"github.com/retortdb/retort/dialect/sqlite"
	"github.com/retortdb/retort/internal/testdb"
	"github.com/retortdb/retort/migrate"
	"github.com/retortdb/retort/op"
)

// lockWaitSignal returns an OnEvent callback and a channel closed at the
// first LockWaiting event.
func lockWaitSignal() (func(migrate.Event), <-chan struct{}) {
	waiting := make(chan struct{})
	var once sync.Once
	return func(e migrate.Event) {
		if e.Kind == migrate.LockWaiting {
			once.Do(func() { close(waiting) })
		}
	}, waiting
}

// TestSQLiteSecondUpgradeWaitsForTheRunInProgress: an upgrade started while
// another holds the SQLite database (its run lock and, in the default
// locking mode, the database's own lock) waits for the run lock, saying so,
// instead of failing on SQLite's busy timeout when it connects, and then
// finds nothing to do.
func TestSQLiteSecondUpgradeWaitsForTheRunInProgress(t *testing.T) {
	files := map[string]string{
		"a.sql": sqlRev("aaaa", "", "table", "CREATE TABLE t (x INTEGER);", "DROP TABLE t;"),
	}
	f := newFixture(t, config.SQLite, files, "")
	entered, release := make(chan struct{}), make(chan struct{})
	gos := []retort.GoMigration{{
		Revision: "bbbb", Revises: []string{"aaaa"}, Message: "blocks",
		Upgrade: func(ctx context.Context, o *op.Operations) error {
			close(entered)
			<-release
			return nil
		},
		Downgrade: func(ctx context.Context, o *op.Operations) error { return nil },
	}}
	first := make(chan error, 1)
	go func() {
		_, err := goProject(t, f, gos...).Upgrade(context.Background(), "heads", retort.RunOptions{})
		first <- err
	}()
	select {
	case <-entered:
	case err := <-first:
		t.Fatalf("first upgrade ended before its blocking migration: %v", err)
	}
	// The database is locked now (the first run committed aaaa in
	// exclusive locking mode).
	var n int
	if err := testdb.SQLiteNoWait(t, f.url.Path).QueryRow("SELECT count(*) FROM t").Scan(&n); err == nil {
		close(release)
		t.Fatal("the first run does not hold the database's lock; the test would prove nothing")
	}

	onEvent, waiting := lockWaitSignal()
	type outcome struct {
		res *migrate.Result
		err error
	}
	second := make(chan outcome, 1)
	go func() {
		res, err := goProject(t, f, gos...).Upgrade(context.Background(), "heads", retort.RunOptions{OnEvent: onEvent})
		second <- outcome{res, err}
	}()
	select {
	case <-waiting:
	case o := <-second:
		close(release)
		<-first
		t.Fatalf("second upgrade returned instead of waiting for the run lock: %v", o.err)
	}
	close(release)
	if err := <-first; err != nil {
		t.Fatalf("first upgrade: %v", err)
	}
	o := <-second
	if o.err != nil {
		t.Fatalf("second upgrade after the first ended: %v", o.err)
	}
	if len(o.res.Steps) != 0 || !slices.Equal(o.res.Heads, []string{"bbbb"}) {
		t.Fatalf("second upgrade: %d steps, heads %v; want nothing to do at bbbb", len(o.res.Steps), o.res.Heads)
	}
}

// TestSQLiteWriteCommandsTakeTheRunLockBeforeConnecting: every command that
// writes waits for the run lock before it opens the database, which a run
// holds locked (here, the test holds both), and completes once both are
// released.
func TestSQLiteWriteCommandsTakeTheRunLockBeforeConnecting(t *testing.T) {
	files := map[string]string{
		"a.sql": sqlRev("aaaa", "", "table", "CREATE TABLE t (x INTEGER);", "DROP TABLE t;"),
		"b.sql": sqlRev("bbbb", "aaaa", "table u", "CREATE TABLE u (x INTEGER);", "DROP TABLE u;"),
	}
	for _, tc := range []struct {
		name string
		run  func(p *retort.Project, o retort.RunOptions) error
		want []string // version rows afterwards
	}{
		{"upgrade nothing to do", func(p *retort.Project, o retort.RunOptions) error {
			res, err := p.Upgrade(context.Background(), "aaaa", o)
			if err == nil && len(res.Steps) != 0 {
				return errors.New("upgrade to the current revision ran steps")
			}
			return err
		}, []string{"aaaa"}},
		{"upgrade", func(p *retort.Project, o retort.RunOptions) error {
			_, err := p.Upgrade(context.Background(), "head", o)
			return err
		}, []string{"bbbb"}},
		{"downgrade", func(p *retort.Project, o retort.RunOptions) error {
			_, err := p.Downgrade(context.Background(), "base", o)
			return err
		}, nil},
		{"stamp", func(p *retort.Project, o retort.RunOptions) error {
			_, err := p.Stamp(context.Background(), []string{"bbbb"}, false, o)
			return err
		}, []string{"bbbb"}},
		{"verify accept", func(p *retort.Project, o retort.RunOptions) error {
			_, err := p.Accept(context.Background(), []string{"aaaa"}, o)
			return err
		}, []string{"aaaa"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, config.SQLite, files, "")
			p := f.project()
			if _, err := p.Upgrade(context.Background(), "aaaa", retort.RunOptions{}); err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			lock, err := sqlite.New().NewFileLock(f.url, dialect.Table{Name: "alembic_version"})
			if err != nil {
				t.Fatal(err)
			}
			if ok, err := lock.TryLock(ctx); !ok || err != nil {
				t.Fatalf("take the run lock: %v %v", ok, err)
			}
			// As a run in progress does, hold the database's lock too.
			holder, err := testdb.SQLiteNoWait(t, f.url.Path).Conn(ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer holder.Close()
			if _, err := holder.ExecContext(ctx, "BEGIN EXCLUSIVE"); err != nil {
				t.Fatal(err)
			}
			onEvent, waiting := lockWaitSignal()
			done := make(chan error, 1)
			go func() { done <- tc.run(p, retort.RunOptions{OnEvent: onEvent}) }()
			select {
			case <-waiting:
			case err := <-done:
				t.Fatalf("returned instead of waiting for the run lock: %v", err)
			}
			if _, err := holder.ExecContext(ctx, "ROLLBACK"); err != nil {
				t.Fatal(err)
			}
			if err := lock.Unlock(ctx); err != nil {
				t.Fatal(err)
			}
			if err := <-done; err != nil {
				t.Fatalf("after the lock was released: %v", err)
			}
			got := testdb.Strings(t, testdb.Open(t, f.url), "SELECT version_num FROM alembic_version")
			if !slices.Equal(got, tc.want) {
				t.Fatalf("version rows %v, want %v", got, tc.want)
			}
		})
	}
}

// TestSQLiteInterruptedUpgrade: cancelling the context while a SQLite
// migration's statement runs makes SQLite stop it and roll its transaction
// back; the error names the step and says it was interrupted and rolled
// back (not that the ROLLBACK found no transaction), and the failure is
// recorded in retort_history.
func TestSQLiteInterruptedUpgrade(t *testing.T) {
	// Long enough to be running when the context is cancelled; it writes
	// one row, so the disk does not fill if it were not interrupted.
	slow := "CREATE TABLE big AS SELECT count(*) AS n FROM (WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c WHERE x < 2000000000) SELECT x FROM c);"
	files := map[string]string{
		"a.sql": sqlRev("aaaa", "", "table", "CREATE TABLE t (x INTEGER);", "DROP TABLE t;"),
		"b.sql": sqlRev("bbbb", "aaaa", "slow", slow, "DROP TABLE big;"),
	}
	f := newFixture(t, config.SQLite, files, "")
	p := f.project()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	onEvent := func(e migrate.Event) {
		if e.Kind == migrate.StepStarted && e.Step.Revision != nil && e.Step.Revision.ID == "bbbb" {
			go func() {
				// Let the statement start; cancelling earlier would
				// still be an interruption, just not of SQLite.
				time.Sleep(200 * time.Millisecond)
				cancel()
			}()
		}
	}
	_, err := p.Upgrade(ctx, "head", retort.RunOptions{OnEvent: onEvent})
	if err == nil {
		t.Fatal("upgrade succeeded despite the cancelled context")
	}
	var se *migrate.StepError
	if !errors.As(err, &se) || se.Revision != "bbbb" || !se.RolledBack || se.Line == 0 {
		t.Fatalf("want a rolled-back StepError for bbbb with its line, got %#v: %v", se, err)
	}
	msg := err.Error()
	for _, want := range []string{"upgrade bbbb failed (", "b.sql:", "interrupted", "rolled back"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error lacks %q:\n%s", want, msg)
		}
	}
	if strings.Contains(msg, "cannot rollback") || strings.Contains(msg, "also failed") {
		t.Errorf("error reports a failed rollback or record:\n%s", msg)
	}
	if !errors.Is(err, context.Canceled) {
		t.Errorf("error does not wrap context.Canceled: %v", err)
	}
	db := testdb.Open(t, f.url)
	if got := testdb.Strings(t, db, "SELECT version_num FROM alembic_version"); !slices.Equal(got, []string{"aaaa"}) {
		t.Errorf("version rows %v, want [aaaa]", got)
	}
	if got := testdb.Strings(t, db, "SELECT status FROM retort_history WHERE revision = 'bbbb'"); !slices.Equal(got, []string{"failed"}) {
		t.Errorf("history of bbbb %v, want [failed]", got)
	}
	if got := testdb.Strings(t, db, "SELECT name FROM sqlite_master WHERE name = 'big'"); len(got) != 0 {
		t.Errorf("table big exists after the rollback")
	}
}

// TestSQLiteReadOnlyFileFailsBeforeAnyMigration: a database file SQLite can
// only open read-only (here immutable, which stops root too) fails a write
// command up front, saying the file is read-only, instead of blaming the
// first migration and failing again to record that.
func TestSQLiteReadOnlyFileFailsBeforeAnyMigration(t *testing.T) {
	files := map[string]string{
		"a.sql": sqlRev("aaaa", "", "table", "CREATE TABLE t (x INTEGER);", "DROP TABLE t;"),
		"b.sql": sqlRev("bbbb", "aaaa", "table u", "CREATE TABLE u (x INTEGER);", "DROP TABLE u;"),
	}
	for _, tc := range []struct {
		name string
		run  func(p *retort.Project, o retort.RunOptions) error
	}{
		{"upgrade", func(p *retort.Project, o retort.RunOptions) error {
			_, err := p.Upgrade(context.Background(), "head", o)
			return err
		}},
		{"downgrade", func(p *retort.Project, o retort.RunOptions) error {
			_, err := p.Downgrade(context.Background(), "base", o)
			return err
		}},
		{"stamp", func(p *retort.Project, o retort.RunOptions) error {
			_, err := p.Stamp(context.Background(), []string{"bbbb"}, false, o)
			return err
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, config.SQLite, files, "")
			p := f.project()
			if _, err := p.Upgrade(context.Background(), "aaaa", retort.RunOptions{}); err != nil {
				t.Fatal(err)
			}
			if out, err := exec.Command("chattr", "+i", f.url.Path).CombinedOutput(); err != nil {
				t.Skipf("cannot make the database file immutable: %v %s", err, out)
			}
			t.Cleanup(func() {
				if out, err := exec.Command("chattr", "-i", f.url.Path).CombinedOutput(); err != nil {
					t.Errorf("chattr -i: %v %s", err, out)
				}
			})
			var started []string
			err := tc.run(p, retort.RunOptions{OnEvent: func(e migrate.Event) {
				if e.Kind == migrate.StepStarted {
					started = append(started, migrate.Describe(*e.Step))
				}
			}})
			if err == nil || !strings.Contains(err.Error(), "database file "+f.url.Path+" is read-only") {
				t.Fatalf("want the database file named read-only, got %v", err)
			}
			if strings.Contains(err.Error(), "failed (") || strings.Contains(err.Error(), "also failed") {
				t.Errorf("a step is blamed:\n%v", err)
			}
			if len(started) > 0 {
				t.Errorf("steps started on a read-only database: %v", started)
			}
			if got := testdb.Strings(t, testdb.Open(t, f.url), "SELECT version_num FROM alembic_version"); !slices.Equal(got, []string{"aaaa"}) {
				t.Errorf("version rows %v, want [aaaa]", got)
			}
		})
	}
}
