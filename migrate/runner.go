package migrate

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	mathrand "math/rand/v2"
	"strings"
	"time"

	"github.com/retortdb/retort/dialect"
	"github.com/retortdb/retort/internal/sqlsplit"
	"github.com/retortdb/retort/revision"
)

// Options are a runner's settings.
type Options struct {
	// VersionTable is Alembic's version table; HistoryTable is retort_history.
	VersionTable dialect.Table
	HistoryTable dialect.Table
	// TransactionPerMigration commits each migration with its version and
	// history rows (the default). When false the whole run is one transaction,
	// split only around sections that cannot run in one.
	TransactionPerMigration bool
	// Tag is the --tag value, recorded in retort_history.
	Tag string
	// OnEvent receives progress events; nil discards them.
	OnEvent func(Event)
	// Now returns the current time (tests pin it); nil means time.Now.
	Now func() time.Time
	// Stamp marks a stamp run. It runs no migration, so a step an earlier
	// run left half-done (see PartialStepError) does not stop it: the stamp
	// is how the user records the state the database is in once they have
	// finished or undone that step by hand, and it settles every such step
	// in retort_history, even when it changes no version row.
	Stamp bool
	// Session is what the online run's session is prepared with (see
	// dialect.Dialect.PrepareSession). WriteScript starts the script with
	// the same settings, so that --sql is the SQL an online run would run.
	Session dialect.SessionOptions
	// XArgs are the -x key=value pairs Go migrations read with
	// Operations.XArgs (op.XArgs of their context); nil leaves those of
	// the run's context, if any (op.WithXArgs).
	XArgs map[string]string
}

// EventKind says what an Event reports.
type EventKind int

// The events a run reports.
const (
	// StepStarted: a step is about to run (Alembic's "Running upgrade a -> b").
	StepStarted EventKind = iota
	// StepFinished: a step committed (or was written, offline).
	StepFinished
	// LockWaiting: another run holds the lock; Message says for how long.
	LockWaiting
	// Warning: something the user should know that does not stop the run.
	Warning
)

// Event is one progress report of a run.
type Event struct {
	Kind     EventKind
	Step     *revision.Step // StepStarted, StepFinished
	Index    int            // 1-based position of Step in the run
	Total    int            // number of steps in the run
	Duration time.Duration  // StepFinished: time the step took; LockWaiting: time waited
	Message  string
}

// Result summarises a finished run.
type Result struct {
	Steps []revision.Step
	// Heads are the version rows after the run.
	Heads []string
}

// Runner applies planned steps.
type Runner struct {
	d      dialect.Dialect
	source Source
	opts   Options
}

// Source returns the migration of a revision id. The runner asks only for
// the revisions a plan runs, so a source can read bodies lazily.
type Source func(id string) (*Migration, error)

// Migrations is a Source over a fixed list.
func Migrations(list []*Migration) Source {
	m := make(map[string]*Migration, len(list))
	for _, mig := range list {
		m[mig.ID] = mig
	}
	return func(id string) (*Migration, error) {
		if mig, ok := m[id]; ok {
			return mig, nil
		}
		return nil, fmt.Errorf("retort/migrate: no migration body for revision %s", id)
	}
}

// New returns a runner for the given dialect and migrations.
func New(d dialect.Dialect, source Source, opts Options) *Runner {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if source == nil {
		source = Migrations(nil)
	}
	return &Runner{d: d, source: source, opts: opts}
}

func (r *Runner) emit(e Event) {
	if r.opts.OnEvent != nil {
		r.opts.OnEvent(e)
	}
}

// Planner computes the steps of a run from the version rows read once the
// lock is held.
type Planner func(current []string) ([]revision.Step, error)

// Heads reads the version rows in the order the database returns them (which
// decides `downgrade -1` with several rows, as in Alembic). A missing version
// table is an empty one: read-only commands never create it.
func (r *Runner) Heads(ctx context.Context, q dialect.Querier) (rows []string, exists bool, err error) {
	exists, err = r.d.TableExists(ctx, q, r.opts.VersionTable)
	if err != nil || !exists {
		return nil, exists, err
	}
	res, err := q.QueryContext(ctx, "SELECT version_num FROM "+r.d.QualifiedName(r.opts.VersionTable))
	if err != nil {
		return nil, true, fmt.Errorf("read %s: %w", r.opts.VersionTable.Name, err)
	}
	defer res.Close()
	for res.Next() {
		var v string
		if err := res.Scan(&v); err != nil {
			return nil, true, fmt.Errorf("read %s: %w", r.opts.VersionTable.Name, err)
		}
		rows = append(rows, v)
	}
	if err := res.Err(); err != nil {
		return nil, true, fmt.Errorf("read %s: %w", r.opts.VersionTable.Name, err)
	}
	return rows, true, nil
}

// AcquireLock polls lock until it is taken, ctx is done or timeout passes,
// reporting LockWaiting events while it waits. The returned function
// releases the lock even if ctx was cancelled.
func (r *Runner) AcquireLock(ctx context.Context, lock dialect.Lock, timeout time.Duration) (release func() error, err error) {
	start := time.Now()
	delay := 25 * time.Millisecond
	nextReport := time.Duration(0)
	for {
		ok, err := lock.TryLock(ctx)
		if err != nil {
			return nil, fmt.Errorf("take the %s: %w", lock, err)
		}
		if ok {
			return func() error {
				uctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
				defer cancel()
				return lock.Unlock(uctx)
			}, nil
		}
		waited := time.Since(start)
		if timeout > 0 && waited >= timeout {
			return nil, &LockTimeoutError{Lock: lock.String(), Waited: waited}
		}
		if waited >= nextReport {
			msg := fmt.Sprintf("waiting for the %s: another retort run holds it (%s", lock, waited.Round(time.Second))
			if timeout > 0 {
				msg += fmt.Sprintf(" of %s", timeout)
			}
			r.emit(Event{Kind: LockWaiting, Duration: waited, Message: msg + ")"})
			nextReport = waited + 5*time.Second
		}
		// Jitter: runs that started together must not poll in lockstep, or
		// all but one of them miss every release.
		sleep := delay/2 + mathrand.N(delay)
		if timeout > 0 && sleep > timeout-waited {
			sleep = timeout - waited // one last try at the deadline
		}
		t := time.NewTimer(sleep)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, fmt.Errorf("waiting for the %s: %w", lock, ctx.Err())
		case <-t.C:
		}
		delay = min(delay*3/2, time.Second)
	}
}

// Apply reads the version rows, plans with them, checks everything it can
// before the first write, and runs the steps on conn. The caller holds the
// lock.
func (r *Runner) Apply(ctx context.Context, conn *sql.Conn, plan Planner) (*Result, error) {
	current, versionExists, err := r.Heads(ctx, conn)
	if err != nil {
		return nil, err
	}
	histExists, err := r.d.TableExists(ctx, conn, r.opts.HistoryTable)
	if err != nil {
		return nil, err
	}
	// A step left half-done stops every run but a stamp, which is how the
	// user tells retort what state the database is in after fixing it.
	var pending []pendingStep
	if histExists {
		if pending, err = r.pendingSteps(ctx, conn); err != nil {
			return nil, err
		}
		if len(pending) > 0 && !r.opts.Stamp {
			return nil, pending[0].err()
		}
	}
	steps, err := plan(current)
	if err != nil {
		return nil, err
	}
	work, err := r.prepare(steps)
	if err != nil {
		return nil, err
	}
	// Like Alembic, a write command creates the version table when it starts
	// from no rows, even with nothing to do. The tables are committed before
	// any step so a failure of the first step can still be recorded.
	ex := newOnlineExec(r.d, conn)
	if err := r.bootstrap(ctx, ex, !versionExists, !histExists && (len(work) > 0 || !versionExists)); err != nil {
		return nil, err
	}
	if err := r.run(ctx, ex, work); err != nil {
		return nil, err
	}
	heads := current
	if len(steps) > 0 {
		heads = steps[len(steps)-1].HeadsAfter
	}
	if err := r.settle(ctx, conn, pending, current, heads); err != nil {
		return nil, err
	}
	return &Result{Steps: steps, Heads: heads}, nil
}

// WriteScript writes the offline SQL of steps, planned from the start rows,
// to w. It never connects to a database.
func (r *Runner) WriteScript(ctx context.Context, w io.Writer, start []string, steps []revision.Step) error {
	work, err := r.prepare(steps)
	if err != nil {
		return err
	}
	// The script is built in memory and written once complete, so that a
	// Go migration that cannot run offline stops the run before anything
	// is printed.
	var buf bytes.Buffer
	ex := &offlineExec{d: r.d, w: &buf}
	// The online run prepares its session once, on connecting, before the
	// version table is created: the script does so at its top.
	if ss, ok := r.d.(dialect.SessionScripter); ok {
		for _, s := range ss.SessionSQL(r.opts.Session) {
			if err := ex.execSQL(ctx, s, nil); err != nil {
				return fmt.Errorf("write session set-up: %w", err)
			}
		}
	}
	if err := r.bootstrap(ctx, ex, len(start) == 0, len(work) > 0); err != nil {
		return err
	}
	if err := r.run(ctx, ex, work); err != nil {
		return err
	}
	_, err = buf.WriteTo(w)
	return err
}

// bootstrap creates the version table and retort_history, online or in a
// script, outside any transaction (as Alembic creates its version table).
func (r *Runner) bootstrap(ctx context.Context, ex executor, version, history bool) error {
	if version {
		if _, err := ex.execQuery(ctx, q(r.d.VersionTableDDL(r.opts.VersionTable))); err != nil {
			return fmt.Errorf("create %s: %w", r.opts.VersionTable.Name, err)
		}
	}
	if history {
		for _, ddl := range r.d.HistoryTableDDL(r.opts.HistoryTable) {
			if _, err := ex.execQuery(ctx, q(ddl)); err != nil {
				return fmt.Errorf("create %s: %w", r.opts.HistoryTable.Name, err)
			}
		}
	}
	return nil
}

// prepare attaches each step's body and splits it into statements, so a
// missing downgrade or a malformed body stops the run before the first write.
func (r *Runner) prepare(steps []revision.Step) ([]planned, error) {
	work := make([]planned, 0, len(steps))
	for _, st := range steps {
		p := planned{step: st}
		if st.Revision != nil {
			mig, err := r.source(st.Revision.ID)
			if err != nil && !st.Stamp {
				return nil, err
			}
			p.mig = mig
		}
		if st.Stamp {
			work = append(work, p)
			continue
		}
		body := p.mig.Upgrade
		if st.Direction == revision.Downgrade {
			body = p.mig.Downgrade
			if body == nil {
				return nil, &IrreversibleError{Revision: p.mig.ID, Path: p.mig.Path}
			}
		}
		cb, err := r.compile(p.mig, body)
		if err != nil {
			return nil, err
		}
		p.body = cb
		work = append(work, p)
	}
	return work, nil
}

func (r *Runner) compile(m *Migration, body *Body) (*compiledBody, error) {
	if body.Go != nil {
		return &compiledBody{body: body}, nil
	}
	stmts, err := sqlsplit.Split(body.SQL, r.d.SplitDialect())
	if err != nil {
		var se *sqlsplit.SyntaxError
		if errors.As(err, &se) {
			return nil, fmt.Errorf("%s:%d: %s", m.Path, body.Line+se.Line-1, se.Msg)
		}
		return nil, fmt.Errorf("%s: %w", m.Path, err)
	}
	if !body.NoTransaction {
		for _, s := range stmts {
			if s.Kind != sqlsplit.Other {
				return nil, fmt.Errorf("%s:%d: %q controls the transaction, but this section runs inside the transaction retort opens for it; remove the statement, or mark the section with `-- retort:no-transaction` to manage transactions yourself",
					m.Path, body.Line+s.Line-1, oneLine(s.SQL, 40))
			}
		}
	}
	return &compiledBody{body: body, stmts: stmts}, nil
}

func direction(st revision.Step) string {
	switch {
	case st.Stamp:
		return "stamp"
	case st.Direction == revision.Downgrade:
		return "downgrade"
	default:
		return "upgrade"
	}
}

// run executes the prepared steps through ex with the transaction policy.
func (r *Runner) run(ctx context.Context, ex executor, work []planned) error {
	rs := &runState{id: newRunID()}
	caps := r.d.Caps()
	for i := range work {
		p := &work[i]
		r.emit(Event{Kind: StepStarted, Step: &p.step, Index: i + 1, Total: len(work)})
		ex.comment(describe(p.step))
		started := r.opts.Now()
		atomic := p.body == nil || (caps.TransactionalDDL && !p.body.body.NoTransaction)
		var err error
		if atomic {
			err = r.runAtomic(ctx, ex, p, rs, started)
		} else {
			err = r.runNonAtomic(ctx, ex, p, rs, started)
		}
		if err != nil {
			return err
		}
		r.emit(Event{Kind: StepFinished, Step: &p.step, Index: i + 1, Total: len(work), Duration: r.opts.Now().Sub(started)})
	}
	return rs.commit(ctx, ex)
}

// runState is what one run keeps between steps.
type runState struct {
	id string
	// inTx are the steps whose writes are in the open, uncommitted
	// transaction (several with transaction_per_migration = false).
	inTx []string
}

func (rs *runState) commit(ctx context.Context, ex executor) error {
	rs.inTx = nil
	return ex.commit(ctx)
}

func (r *Runner) runAtomic(ctx context.Context, ex executor, p *planned, rs *runState, started time.Time) error {
	if !ex.inTx() {
		if err := ex.begin(ctx); err != nil {
			return err
		}
	}
	if done, err := r.runAtomicInOneTrip(ctx, ex, p, rs, started); done {
		return err
	}
	var ran []string
	if p.body != nil {
		fail := r.runBody(ctx, ex, p, func(st bodyStatement) error {
			if err := ex.execSQL(ctx, st.sql, st.args); err != nil {
				return err
			}
			ran = append(ran, st.sql)
			return nil
		})
		if fail != nil {
			if off, ok := ex.(*offlineExec); ok {
				return off.stepError(p, fail)
			}
			rbErr := ex.rollback(context.WithoutCancel(ctx))
			se := r.stepError(p, fail, ran, true)
			se.AlsoRolledBack, rs.inTx = rs.inTx, nil
			if ex.lost(ctx) {
				// The server rolled back; nothing more can be recorded.
				se.ConnectionLost = true
				return se
			}
			recErr := r.recordFailure(ctx, ex, p, rs.id, started, se, true)
			return errors.Join(se, rbErr, recErr)
		}
	}
	status := "applied"
	if p.step.Stamp {
		status = "stamped"
	}
	if err := r.bookkeep(ctx, ex, p.step, r.historyInsert(p, rs.id, status, true, started, true)); err != nil {
		return errors.Join(fmt.Errorf("%s %s: %w", direction(p.step), stepID(p.step), err), ex.rollback(context.WithoutCancel(ctx)))
	}
	rs.inTx = append(rs.inTx, stepID(p.step))
	if r.opts.TransactionPerMigration {
		return rs.commit(ctx, ex)
	}
	return nil
}

// runAtomicInOneTrip runs a SQL migration and its one version-row write as
// one multi-statement round trip (with the BEGIN held back), where the
// driver allows it (Caps.BatchedBookkeeping): one round trip per migration
// instead of one per statement. Its history row is written once the batch
// has returned, so that finished_at is when the statements finished, and
// travels with the COMMIT. done is false when the step is not one for a
// batch; otherwise err is the step's outcome.
func (r *Runner) runAtomicInOneTrip(ctx context.Context, ex executor, p *planned, rs *runState, started time.Time) (done bool, err error) {
	on, ok := ex.(*onlineExec)
	if !ok || !on.textual || !on.beginPending || p.body == nil || p.body.body.Go != nil || p.step.Stamp || len(p.step.Writes) != 1 {
		return false, nil
	}
	texts := make([]string, 0, len(p.body.stmts)+1)
	for _, st := range p.body.stmts {
		texts = append(texts, st.SQL)
	}
	vq, what := r.versionQuery(p.step.Writes[0])
	texts = append(texts, literalQuery(r.d, vq))
	n, err := on.execScript(ctx, texts)
	if err != nil {
		return true, r.oneTripFailed(ctx, on, p, rs, started, err)
	}
	if err := r.checkVersionWrite(n, nil, what); err != nil {
		return true, errors.Join(fmt.Errorf("%s %s: %w", direction(p.step), stepID(p.step), err), ex.rollback(context.WithoutCancel(ctx)))
	}
	on.holdForCommit(literalQuery(r.d, r.historyInsert(p, rs.id, "applied", true, started, true)))
	rs.inTx = append(rs.inTx, stepID(p.step))
	if r.opts.TransactionPerMigration {
		return true, rs.commit(ctx, ex)
	}
	return true, nil
}

// oneTripFailed handles a failed batch. The batch's failure is the step's
// outcome: it is rolled back and recorded as failed, whatever happens next.
// The driver reports only that the batch failed, not which statement did,
// so the migration is replayed statement by statement, in a transaction
// that is always rolled back, only to name the statement. A failure that
// does not recur (a sequence, random(), a lock timeout, a deadlock) leaves
// the statement unnamed; it never makes the step applied.
func (r *Runner) oneTripFailed(ctx context.Context, on *onlineExec, p *planned, rs *runState, started time.Time, batchErr error) error {
	rbErr := on.rollback(context.WithoutCancel(ctx))
	se := &StepError{Revision: stepID(p.step), Direction: direction(p.step), Path: p.mig.Path,
		RolledBack: true, AlsoRolledBack: rs.inTx, Finish: p.step.To, Undo: p.step.From,
		HistoryTable: r.opts.HistoryTable.Name, Err: batchErr}
	rs.inTx = nil
	if on.lost(ctx) {
		// The server rolled back; nothing more can be recorded.
		se.ConnectionLost = true
		return se
	}
	if rbErr != nil {
		return errors.Join(se, rbErr)
	}
	if lost := r.locate(ctx, on, p, se); lost {
		se.ConnectionLost = true
		return se
	}
	return errors.Join(se, r.recordFailure(ctx, on, p, rs.id, started, se, true))
}

// locate replays a failed batch's statements one by one, in a transaction
// it always rolls back, to find the one that failed: it sets se's
// statement and line when the replay fails with the batch's error, and
// otherwise says why the statement is unknown. It reports whether the
// connection was lost meanwhile.
func (r *Runner) locate(ctx context.Context, on *onlineExec, p *planned, se *StepError) (lost bool) {
	if ctx.Err() != nil {
		if stmts := p.body.stmts; len(stmts) == 1 {
			// The only statement the interruption can have stopped.
			se.Line, se.Statement = p.body.body.Line+stmts[0].Line-1, stmts[0].SQL
			return false
		}
		// Replaying would fail at once, on the first statement.
		se.Unlocated = "the run was interrupted before the migration could be replayed to find it"
		return false
	}
	if err := on.begin(ctx); err != nil {
		se.Unlocated = fmt.Sprintf("replaying the migration to find it could not start: %v", err)
		return false
	}
	var ran []string
	fail := r.runBody(ctx, on, p, func(st bodyStatement) error {
		if err := on.execSQL(ctx, st.sql, st.args); err != nil {
			return err
		}
		ran = append(ran, st.sql)
		return nil
	})
	rbErr := on.rollback(context.WithoutCancel(ctx))
	switch {
	case fail != nil && on.lost(ctx):
		se.Unlocated = "the connection was lost while replaying the migration to find it"
		return true
	case rbErr != nil:
		se.Unlocated = fmt.Sprintf("replaying the migration to find it could not be rolled back: %v", rbErr)
	case fail == nil:
		se.Unlocated = "replaying the migration statement by statement (rolled back afterwards) did not fail again"
	case fail.err.Error() != se.Err.Error():
		se.Unlocated = fmt.Sprintf("replaying the migration statement by statement (rolled back afterwards) failed differently, at line %d: %v", fail.stmt.line, fail.err)
	default:
		se.Line, se.Statement, se.Ran = fail.stmt.line, fail.stmt.sql, ran
	}
	return false
}

// bookkeepingTimeout bounds the version and history writes that record a
// step whose statements have all run.
const bookkeepingTimeout = 30 * time.Second

// runNonAtomic runs a step the database cannot roll back: a `started` row is
// committed first, so an interrupted step is found by the next run. Once its
// statements have run, its version and history rows are committed at once,
// whatever transaction_per_migration says (a later failure must not roll
// back the record of statements that stay applied), and even if ctx is
// cancelled meanwhile.
func (r *Runner) runNonAtomic(ctx context.Context, ex executor, p *planned, rs *runState, started time.Time) error {
	if ex.inTx() {
		if err := rs.commit(ctx, ex); err != nil {
			return err
		}
	}
	if _, err := ex.execQuery(ctx, r.historyInsert(p, rs.id, "started", false, started, false)); err != nil {
		return fmt.Errorf("record start of %s %s in %s: %w", direction(p.step), stepID(p.step), r.opts.HistoryTable.Name, err)
	}
	var ran []string
	userTx := -1 // where in ran the section's own open transaction began
	fail := r.runBody(ctx, ex, p, func(st bodyStatement) error {
		if err := ex.execSQL(ctx, st.sql, st.args); err != nil {
			return err
		}
		switch {
		case st.kind == sqlsplit.Begin:
			userTx = len(ran)
		case st.kind == sqlsplit.Commit, st.kind == sqlsplit.Rollback:
			userTx = -1
		case r.sessionOnly(st.sql):
			return nil // leaves nothing behind: not part of a half-applied step
		}
		ran = append(ran, st.sql)
		return nil
	})
	if fail != nil {
		if off, ok := ex.(*offlineExec); ok {
			return off.stepError(p, fail)
		}
		rolledBack := false
		if userTx >= 0 && !ex.lost(ctx) {
			// The section opened a transaction of its own (a SQLite
			// rebuild that turns foreign keys off, say) and it is still
			// open: roll it back, so its statements are undone and the
			// failure is recorded outside it.
			rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), bookkeepingTimeout)
			if rbErr := ex.execSQL(rctx, "ROLLBACK", nil); rbErr == nil {
				ran = ran[:userTx]
				rolledBack = len(ran) == 0
			}
			cancel()
		}
		se := r.stepError(p, fail, ran, rolledBack)
		if ex.lost(ctx) {
			// The `started` row stays: the next run names the step.
			se.ConnectionLost = true
			return se
		}
		recErr := r.recordFailure(ctx, ex, p, rs.id, started, se, false)
		return errors.Join(se, recErr)
	}
	bctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), bookkeepingTimeout)
	defer cancel()
	if err := ex.begin(bctx); err != nil {
		return err
	}
	if err := r.writeVersions(bctx, ex, p.step); err != nil {
		return errors.Join(fmt.Errorf("%s %s: %w", direction(p.step), stepID(p.step), err), ex.rollback(bctx))
	}
	finish := q("UPDATE ", r.d.QualifiedName(r.opts.HistoryTable), " SET status = 'applied', finished_at = ", arg{clock{r.opts.Now().UTC()}},
		" WHERE run_id = ", arg{rs.id}, " AND revision = ", arg{stepID(p.step)}, " AND status = 'started'")
	if _, err := ex.execQuery(bctx, finish); err != nil {
		return errors.Join(fmt.Errorf("record %s %s in %s: %w", direction(p.step), stepID(p.step), r.opts.HistoryTable.Name, err), ex.rollback(bctx))
	}
	return rs.commit(bctx, ex)
}

func (r *Runner) stepError(p *planned, f *bodyFailure, ran []string, rolledBack bool) *StepError {
	return &StepError{
		Revision:   stepID(p.step),
		Direction:  direction(p.step),
		Path:       p.mig.Path,
		Line:       f.stmt.line,
		Statement:  f.stmt.sql,
		Ran:        ran,
		RolledBack: rolledBack,
		Finish:     p.step.To,
		Undo:       p.step.From,
		Err:        f.err,

		HistoryTable:        r.opts.HistoryTable.Name,
		FailedStatementNote: failedStatementNote(r.d),
	}
}

// failedStatementNote is d's caveat for a step that failed on its first
// statement, "" when it has none.
func failedStatementNote(d dialect.Dialect) string {
	if n, ok := d.(dialect.FailedStatementNoter); ok {
		return n.FailedStatementNote()
	}
	return ""
}

// recordFailure writes the failed step to retort_history after the
// rollback, on a context that survives cancellation.
func (r *Runner) recordFailure(ctx context.Context, ex executor, p *planned, runID string, started time.Time, se *StepError, atomic bool) error {
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	stmts := encodeStatements(se.Ran)
	var qq query
	if atomic {
		qq = r.historyInsert(p, runID, "failed", true, started, true)
		qq = withFailure(qq, se.Err.Error(), stmts)
	} else {
		qq = q("UPDATE ", r.d.QualifiedName(r.opts.HistoryTable), " SET status = 'failed', finished_at = ", arg{clock{r.opts.Now().UTC()}},
			", error = ", arg{se.Err.Error()}, ", statements = ", arg{stmts},
			" WHERE run_id = ", arg{runID}, " AND revision = ", arg{se.Revision}, " AND status = 'started'")
	}
	if _, err := ex.execQuery(rctx, qq); err != nil {
		return fmt.Errorf("also failed to record the failure in %s: %w", r.opts.HistoryTable.Name, err)
	}
	return nil
}

// writeVersions applies the step's version-table writes, checking that each
// UPDATE and DELETE hits exactly one row, as Alembic does online.
func (r *Runner) writeVersions(ctx context.Context, ex executor, st revision.Step) error {
	for _, w := range st.Writes {
		qq, what := r.versionQuery(w)
		n, err := ex.execQuery(ctx, qq)
		if err := r.checkVersionWrite(n, err, what); err != nil {
			return err
		}
	}
	return nil
}

// versionQuery is the statement of one version-table write and, for an
// UPDATE or DELETE, Alembic's description of it for the row-count check.
func (r *Runner) versionQuery(w revision.VersionWrite) (qq query, what string) {
	vt := r.d.QualifiedName(r.opts.VersionTable)
	col := vt + ".version_num"
	switch w.Op {
	case revision.Update:
		return q("UPDATE ", vt, " SET version_num=", arg{w.To}, " WHERE ", col, " = ", arg{w.From}),
			fmt.Sprintf("updating '%s' to '%s'", w.From, w.To)
	case revision.Delete:
		return q("DELETE FROM ", vt, " WHERE ", col, " = ", arg{w.From}), fmt.Sprintf("deleting '%s'", w.From)
	default:
		return q("INSERT INTO ", vt, " (version_num) VALUES (", arg{w.To}, ")"), ""
	}
}

func (r *Runner) checkVersionWrite(n int64, err error, what string) error {
	if err != nil {
		return fmt.Errorf("write %s: %w", r.opts.VersionTable.Name, err)
	}
	if what != "" && n >= 0 && n != 1 {
		return &VersionRowError{Op: what, Table: r.opts.VersionTable.Name, RowsSeen: n}
	}
	return nil
}

// bookkeep writes a step's version rows and its history row. Where the
// dialect allows, the history row and the last version write travel in one
// round trip (history first, so the row count reported is the write's).
func (r *Runner) bookkeep(ctx context.Context, ex executor, st revision.Step, history query) error {
	b, batched := ex.(batcher)
	if !batched || !r.d.Caps().BatchedBookkeeping || len(st.Writes) == 0 {
		if err := r.writeVersions(ctx, ex, st); err != nil {
			return err
		}
		if _, err := ex.execQuery(ctx, history); err != nil {
			return fmt.Errorf("record in %s: %w", r.opts.HistoryTable.Name, err)
		}
		return nil
	}
	last := len(st.Writes) - 1
	if err := r.writeVersions(ctx, ex, revision.Step{Writes: st.Writes[:last]}); err != nil {
		return err
	}
	qq, what := r.versionQuery(st.Writes[last])
	n, err := b.execBatch(ctx, history, qq)
	if err != nil {
		return fmt.Errorf("write %s and %s: %w", r.opts.VersionTable.Name, r.opts.HistoryTable.Name, err)
	}
	return r.checkVersionWrite(n, nil, what)
}

const historyColumns = "(run_id, revision, direction, status, from_revisions, to_revisions, message, checksum, atomic, tag, started_at, finished_at"

func (r *Runner) historyInsert(p *planned, runID, status string, atomic bool, started time.Time, finished bool) query {
	var checksum, message any
	if p.mig != nil {
		checksum = p.mig.Checksum
	}
	if p.step.Revision != nil {
		message = p.step.Revision.Message
	}
	var tag, fin any
	if r.opts.Tag != "" {
		tag = r.opts.Tag
	}
	if finished {
		fin = clock{r.opts.Now().UTC()}
	}
	atomicV := int64(0)
	if atomic {
		atomicV = 1
	}
	return q("INSERT INTO ", r.d.QualifiedName(r.opts.HistoryTable), " ", historyColumns, ") VALUES (",
		arg{runID}, ", ", arg{stepID(p.step)}, ", ", arg{direction(p.step)}, ", ", arg{status}, ", ",
		arg{strings.Join(p.step.From, ",")}, ", ", arg{strings.Join(p.step.To, ",")}, ", ", arg{message}, ", ",
		arg{checksum}, ", ", arg{atomicV}, ", ", arg{tag}, ", ", arg{clock{started.UTC()}}, ", ", arg{fin}, ")")
}

// withFailure extends a history INSERT with the error and the statements
// that had run.
func withFailure(qq query, errText, stmts string) query {
	last := len(qq.parts) - 1
	out := query{parts: append([]string(nil), qq.parts...), args: append([]any(nil), qq.args...)}
	out.parts[last] = ", "
	out.parts = append(out.parts, ", ", ")")
	out.args = append(out.args, errText, stmts)
	// The column list gains error and statements.
	out.parts[0] = strings.Replace(out.parts[0], historyColumns, historyColumns+", error, statements", 1)
	return out
}

// stepID is the revision a step's history row is about.
func stepID(st revision.Step) string {
	if st.Revision != nil {
		return st.Revision.ID
	}
	if len(st.From) > 0 {
		return strings.Join(st.From, ",")
	}
	return "base"
}

// describe is Alembic's log line for a step.
func describe(st revision.Step) string {
	from, to := strings.Join(st.From, ", "), strings.Join(st.To, ", ")
	switch {
	case st.Stamp:
		return fmt.Sprintf("Running stamp_revision %s -> %s", from, to)
	default:
		msg := ""
		if st.Revision != nil && st.Revision.Message != "" {
			msg = ", " + st.Revision.Message
		}
		return fmt.Sprintf("Running %s %s -> %s%s", direction(st), from, to, msg)
	}
}

// Describe is the line a CLI prints for a step (Alembic's wording).
func Describe(st revision.Step) string { return describe(st) }

func newRunID() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// pendingStep is a step retort_history shows as interrupted, or failed
// part-way, on a database that could not roll it back, and that no later
// row (a stamp) has settled.
type pendingStep struct {
	id               int64
	rev, dir, status string
	from, to         []string
	at               time.Time
	errText          string
	ran              []string
}

func (ps pendingStep) err() *PartialStepError {
	return &PartialStepError{Revision: ps.rev, Direction: ps.dir, Status: ps.status, Ran: ps.ran, Error_: ps.errText, At: ps.at,
		From: ps.from, To: ps.to}
}

// pendingSteps reads the steps a run must not guess about, oldest first.
func (r *Runner) pendingSteps(ctx context.Context, conn dialect.Querier) ([]pendingStep, error) {
	ht := r.d.QualifiedName(r.opts.HistoryTable)
	// Only rows after the last `applied` one can be pending: a run that
	// applies anything first checks that nothing is (Apply), so an
	// `applied` row is never written after an unsettled step. Finding that
	// row walks the primary key backwards and stops at once, so neither
	// `current` nor a run scans a history of thousands of rows.
	rows, err := conn.QueryContext(ctx, "SELECT h.id, h.revision, h.direction, h.status, h.from_revisions, h.to_revisions, h.started_at, h.error, h.statements FROM "+ht+
		" h WHERE h.id > coalesce((SELECT id FROM "+ht+" WHERE status = 'applied' ORDER BY id DESC LIMIT 1), 0)"+
		" AND h.atomic = 0 AND h.status IN ('started', 'failed') AND NOT EXISTS (SELECT 1 FROM "+ht+
		" h2 WHERE h2.revision = h.revision AND h2.id > h.id AND h2.status IN ('applied', 'stamped', 'settled')) ORDER BY h.id")
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", r.opts.HistoryTable.Name, err)
	}
	defer rows.Close()
	var out []pendingStep
	for rows.Next() {
		var ps pendingStep
		var at any
		var from, to, errText, stmts sql.NullString
		if err := rows.Scan(&ps.id, &ps.rev, &ps.dir, &ps.status, &from, &to, &at, &errText, &stmts); err != nil {
			return nil, fmt.Errorf("read %s: %w", r.opts.HistoryTable.Name, err)
		}
		if ps.status == "failed" && stmts.String == "" {
			continue // failed on its first statement: nothing was left behind
		}
		ps.at, ps.errText = parseTime(at), errText.String
		ps.from, ps.to = splitList(from.String), splitList(to.String)
		if stmts.String != "" {
			ps.ran = decodeStatements(stmts.String)
		}
		out = append(out, ps)
	}
	return out, rows.Err()
}

func splitList(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}

// settle records, for each pending step, that a stamp has told retort what
// state the database is in: a `settled` row (direction `stamp`) for the
// step's revision, after which pendingSteps no longer reports it.
func (r *Runner) settle(ctx context.Context, conn *sql.Conn, pending []pendingStep, before, after []string) error {
	if len(pending) == 0 {
		return nil
	}
	ex := newOnlineExec(r.d, conn)
	if err := ex.begin(ctx); err != nil {
		return err
	}
	runID := newRunID()
	now := r.opts.Now().UTC()
	var tag any
	if r.opts.Tag != "" {
		tag = r.opts.Tag
	}
	for _, ps := range pending {
		msg := fmt.Sprintf("stamp settled the %s of %s that was left %s (retort_history id %d)", ps.dir, ps.rev, map[string]string{"started": "interrupted", "failed": "half-done"}[ps.status], ps.id)
		qq := q("INSERT INTO ", r.d.QualifiedName(r.opts.HistoryTable), " ", historyColumns, ") VALUES (",
			arg{runID}, ", ", arg{ps.rev}, ", ", arg{"stamp"}, ", ", arg{"settled"}, ", ",
			arg{strings.Join(before, ",")}, ", ", arg{strings.Join(after, ",")}, ", ", arg{msg}, ", ",
			arg{nil}, ", ", arg{int64(1)}, ", ", arg{tag}, ", ", arg{clock{now}}, ", ", arg{clock{now}}, ")")
		if _, err := ex.execQuery(ctx, qq); err != nil {
			return errors.Join(fmt.Errorf("record in %s that the stamp settled %s: %w", r.opts.HistoryTable.Name, ps.rev, err), ex.rollback(context.WithoutCancel(ctx)))
		}
		r.emit(Event{Kind: Warning, Message: msg + "; retort now trusts the version table as stamped"})
	}
	return ex.commit(ctx)
}

func parseTime(v any) time.Time {
	switch x := v.(type) {
	case time.Time:
		return x
	case string:
		return parseTimeString(x)
	case []byte:
		return parseTimeString(string(x))
	}
	return time.Time{}
}

func parseTimeString(s string) time.Time {
	for _, layout := range []string{"2006-01-02 15:04:05.999999999", time.RFC3339Nano, "2006-01-02 15:04:05.999999999-07:00"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t
		}
	}
	return time.Time{}
}

// encodeStatements stores the statements of a failed step in
// retort_history as a JSON array, so statements that contain ";\n"
// themselves (trigger and function bodies) come back whole.
func encodeStatements(stmts []string) string {
	if len(stmts) == 0 {
		return ""
	}
	b, _ := json.Marshal(stmts) // []string always marshals
	return string(b)
}

// decodeStatements reads what encodeStatements wrote; a row written in
// the earlier ";\n"-joined form is split on that.
func decodeStatements(s string) []string {
	var out []string
	if strings.HasPrefix(s, "[") && json.Unmarshal([]byte(s), &out) == nil {
		return out
	}
	return strings.Split(s, ";\n")
}

// sessionOnly asks the dialect whether a statement changes only the
// session, so a failure after it leaves nothing behind.
func (r *Runner) sessionOnly(stmt string) bool {
	ss, ok := r.d.(dialect.SessionStatements)
	return ok && ss.SessionOnly(stmt)
}
