package retort

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/retortdb/retort/dialect"
	"github.com/retortdb/retort/migrate"
	"github.com/retortdb/retort/revision"
)

// The checks of Project.Test (`retort test`), in the order they run.
const (
	// CheckSingleHead: the graph has one head, or [test] expected_heads.
	CheckSingleHead = "single-head"
	// CheckDowngrades: every revision has a downgrade section.
	CheckDowngrades = "downgrades"
	// CheckUpgrade: from an empty database, each revision upgrades on its
	// own, one at a time, in the order `upgrade heads` runs them.
	CheckUpgrade = "upgrade"
	// CheckStairway: for each revision, up, down and up again; the schema
	// after the down equals the schema before the up, and the second up
	// gives the schema of the first.
	CheckStairway = "stairway"
	// CheckRoundTrip: heads → base → heads with the planner's own
	// `downgrade base` and `upgrade heads`, comparing the schema at each end.
	CheckRoundTrip = "round-trip"
	// CheckTarget: at heads, the database matches the autogenerate target.
	CheckTarget = "target"
	// CheckOffline: the offline SQL of base:heads, run statement by
	// statement on a fresh database, gives the schema of the online run.
	CheckOffline = "offline"
)

// TestChecks lists every check of Project.Test in the order they run.
var TestChecks = []string{CheckSingleHead, CheckDowngrades, CheckUpgrade, CheckStairway, CheckRoundTrip, CheckTarget, CheckOffline}

// TestStatus is the outcome of one check.
type TestStatus string

// Outcomes of a check.
const (
	TestPass TestStatus = "pass"
	TestFail TestStatus = "fail"
	// TestSkip: the check did not run (not configured, not available, or
	// an earlier failure left nothing to check); Message says why.
	TestSkip TestStatus = "skip"
)

// TestOptions tune Project.Test.
type TestOptions struct {
	// Only restricts the run to these checks (names of TestChecks); empty
	// runs them all.
	Only []string
	// From starts the revision-by-revision checks at this revision (any
	// spec resolving to one revision): the revisions before it in upgrade
	// order are applied at once, untested. For large projects.
	From string
	// URL, when set, is the scratch database to use as it is, instead of a
	// temporary one. It must be empty (no tables): the checks upgrade and
	// downgrade it. When every check passes it is left empty again.
	URL string
	// OnResult receives each result as soon as it is known.
	OnResult func(TestResult)
	// OnStart, if not nil, is called once the options are checked (Only,
	// From resolved), before the scratch database is opened: a caller that
	// announces the run there prints nothing for options Test refuses.
	OnStart func()
}

// TestResult is one row of a test report.
type TestResult struct {
	// Revision is the revision checked; "" for checks of the whole graph.
	Revision string
	// Check is one of TestChecks.
	Check  string
	Status TestStatus
	// Step names where a failing check failed ("downgrade", "compare
	// after downgrade", "upgrade again", "run statement 12", …).
	Step string
	// Message explains a failure or a skip.
	Message  string
	Duration time.Duration
}

// Summary is a one-paragraph description of a failed or skipped result.
func (r TestResult) Summary() string {
	var b strings.Builder
	b.WriteString(r.Check)
	if r.Status == TestFail {
		b.WriteString(" failed")
	} else {
		b.WriteString(" " + string(r.Status))
	}
	if r.Revision != "" {
		b.WriteString(" at revision " + r.Revision)
	}
	if r.Step != "" {
		fmt.Fprintf(&b, " (step: %s)", r.Step)
	}
	if r.Message != "" {
		b.WriteString(": " + r.Message)
	}
	return b.String()
}

// TestReport is what Project.Test found.
type TestReport struct {
	// Database is the scratch database the checks ran on, password masked.
	Database string
	// Results, in the order they were found.
	Results []TestResult
	// Created are the temporary databases the run created (URLs, password
	// masked); all are dropped by the time Test returns.
	Created []string
	// Duration is the time of the whole run.
	Duration time.Duration
}

// Failed reports whether any check failed.
func (r *TestReport) Failed() bool { return r.FirstFailure() != nil }

// FirstFailure returns the first failing result, or nil.
func (r *TestReport) FirstFailure() *TestResult {
	for i := range r.Results {
		if r.Results[i].Status == TestFail {
			return &r.Results[i]
		}
	}
	return nil
}

// Count returns how many results have status s.
func (r *TestReport) Count(s TestStatus) int {
	n := 0
	for _, x := range r.Results {
		if x.Status == s {
			n++
		}
	}
	return n
}

// Test checks the project's migrations on a scratch database of its own
// dialect: an in-memory database for SQLite, a temporary database created
// beside the configured one (and dropped afterwards, even on failure) for
// PostgreSQL and MySQL, or the empty database o.URL names. It never
// touches the configured database's schema.
//
// The checks are TestChecks (see the Check constants). The walk of the
// upgrade and stairway checks follows `upgrade heads` from an empty
// database one step at a time; a stairway takes a step down with the exact
// inverse of its version-table writes. Schemas are compared as the dialect's
// Inspector reads them, without the version and history tables. A failure
// that leaves the database as it was (a rolled-back step, a missing
// downgrade) lets the walk go on; any other stops it, and the checks that
// need heads start again on a fresh database.
//
// The returned error is about the run itself (bad options, an unreachable
// server, a cancelled ctx); what the checks find is in the report.
func (p *Project) Test(ctx context.Context, o TestOptions) (rep *TestReport, err error) {
	only := map[string]bool{}
	for _, c := range o.Only {
		for _, name := range strings.Split(c, ",") {
			name = strings.TrimSpace(name)
			if !slices.Contains(TestChecks, name) {
				return nil, &UsageError{fmt.Sprintf("unknown check %q; the checks are %s", name, strings.Join(TestChecks, ", "))}
			}
			only[name] = true
		}
	}
	if len(only) == 0 {
		for _, c := range TestChecks {
			only[c] = true
		}
	}
	plan, err := p.Graph.PlanUpgrade("heads", nil)
	if err != nil {
		return nil, err
	}
	start := 0
	if o.From != "" {
		ids, err := p.Graph.Resolve(o.From)
		if err != nil {
			return nil, err
		}
		if len(ids) != 1 {
			return nil, &UsageError{fmt.Sprintf("--from %s names %d revisions (%s); name one", o.From, len(ids), strings.Join(ids, ", "))}
		}
		start = slices.IndexFunc(plan, func(s revision.Step) bool { return s.Revision.ID == ids[0] })
		if start < 0 {
			return nil, &UsageError{fmt.Sprintf("--from %s: revision %s is not on the way from base to heads", o.From, ids[0])}
		}
	}

	if o.OnStart != nil {
		o.OnStart()
	}
	src, err := p.scratchSource(ctx, o.URL)
	if err != nil {
		return nil, err
	}
	began := time.Now()
	rep = &TestReport{Database: src.describe()}
	t := &tester{p: p, o: o, only: only, src: src, d: src.d, rep: rep, plan: plan, start: start}
	t.r = migrate.New(src.d, p.migration, migrate.Options{
		VersionTable: t.vt(), HistoryTable: t.ht(),
		TransactionPerMigration: p.Config.TransactionPerMigration,
		Now:                     p.now,
		XArgs:                   p.xArgs,
	})
	defer func() {
		err = errors.Join(err, src.close(context.WithoutCancel(ctx)))
		rep.Created = src.created
		rep.Duration = time.Since(began)
	}()
	if err := t.run(ctx); err != nil {
		return rep, err
	}
	return rep, ctx.Err()
}

// tester is one run of Project.Test.
type tester struct {
	p    *Project
	o    TestOptions
	only map[string]bool
	src  *scratchSource
	d    dialect.Dialect
	r    *migrate.Runner
	rep  *TestReport
	// plan is `upgrade heads` from an empty database; the walk covers
	// plan[start:].
	plan  []revision.Step
	start int

	db        *scratchDB // the database the online checks run on
	clean     bool       // the version rows of db say exactly what its schema is
	atHeads   *snapshot  // schema at heads, online; nil when heads cannot be reached
	startSnap *snapshot  // schema where the walk starts

	walkStopped   bool // the walk stopped before heads
	upgradeFailed bool // an upgrade failure is already reported
}

func (t *tester) vt() dialect.Table {
	vt, _ := t.p.tables(t.d)
	return vt
}

func (t *tester) ht() dialect.Table {
	_, ht := t.p.tables(t.d)
	return ht
}

func (t *tester) add(r TestResult) {
	t.rep.Results = append(t.rep.Results, r)
	if t.o.OnResult != nil {
		t.o.OnResult(r)
	}
}

func (t *tester) pass(check, rev string, d time.Duration) {
	t.add(TestResult{Check: check, Revision: rev, Status: TestPass, Duration: d})
}

func (t *tester) fail(check, rev, step string, err error, d time.Duration) {
	t.add(TestResult{Check: check, Revision: rev, Status: TestFail, Step: step, Message: errText(err), Duration: d})
}

func (t *tester) skip(check, rev, why string) {
	t.add(TestResult{Check: check, Revision: rev, Status: TestSkip, Message: why})
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	var ce revision.CLIError
	if errors.As(err, &ce) {
		return ce.CLIMessage()
	}
	return err.Error()
}

// startHeads are the version rows where the walk starts.
func (t *tester) startHeads() []string {
	if t.start == 0 {
		return nil
	}
	return t.plan[t.start-1].HeadsAfter
}

// finalHeads are the version rows at heads.
func (t *tester) finalHeads() []string {
	if len(t.plan) == 0 {
		return nil
	}
	return t.plan[len(t.plan)-1].HeadsAfter
}

// walked are the steps checked one by one.
func (t *tester) walked() []revision.Step { return t.plan[t.start:] }

func (t *tester) run(ctx context.Context) error {
	if t.only[CheckSingleHead] {
		t.checkHeads()
	}
	if t.only[CheckDowngrades] {
		if err := t.checkDowngrades(); err != nil {
			return err
		}
	}
	needHeads := t.only[CheckRoundTrip] || t.only[CheckTarget] || t.only[CheckOffline]
	if !t.only[CheckUpgrade] && !t.only[CheckStairway] && !needHeads {
		return nil
	}
	if err := t.freshAtStart(ctx, true); err != nil {
		return err
	}
	if t.only[CheckOffline] && t.src.fixed == nil {
		t.src.prefetch(ctx)
	}
	if t.only[CheckUpgrade] || t.only[CheckStairway] {
		if err := t.walk(ctx); err != nil {
			return err
		}
	}
	if !needHeads {
		return t.finish(ctx)
	}
	if err := t.reachHeads(ctx); err != nil {
		return err
	}
	if t.only[CheckRoundTrip] {
		if err := t.roundTrip(ctx); err != nil {
			return err
		}
	}
	if t.only[CheckTarget] {
		if err := t.checkTarget(ctx); err != nil {
			return err
		}
	}
	if t.only[CheckOffline] {
		if err := t.checkOffline(ctx); err != nil {
			return err
		}
	}
	return t.finish(ctx)
}

func (t *tester) checkHeads() {
	began := time.Now()
	heads := t.p.Graph.Heads()
	want := t.p.Config.Test.ExpectedHeads
	if want == 0 {
		want = 1
	}
	if len(heads) == want {
		t.pass(CheckSingleHead, "", time.Since(began))
		return
	}
	msg := fmt.Sprintf("Expected %d head revision(s), found %d: %s", want, len(heads), strings.Join(heads, ", "))
	if len(heads) > want {
		msg += "; merge them with `retort merge heads -m MESSAGE`, or set [test] expected_heads if the branches are meant to stay apart"
	}
	t.fail(CheckSingleHead, "", "", errors.New(msg), time.Since(began))
}

func (t *tester) checkDowngrades() error {
	for _, st := range t.walked() {
		began := time.Now()
		m, err := t.p.migration(st.Revision.ID)
		if err != nil {
			return err
		}
		if m.Downgrade == nil {
			t.fail(CheckDowngrades, m.ID, "", fmt.Errorf("%s has no `-- retort:downgrade` section, so it cannot be downgraded; add one (an empty section if there is truly nothing to undo)", m.Path), time.Since(began))
			continue
		}
		t.pass(CheckDowngrades, m.ID, time.Since(began))
	}
	return nil
}

// apply runs steps on db, checking that they start from the rows db holds.
func (t *tester) apply(ctx context.Context, db *scratchDB, steps ...revision.Step) error {
	if len(steps) == 0 {
		return nil
	}
	before := db.heads
	_, err := t.r.Apply(ctx, db.conn, func(current []string) ([]revision.Step, error) {
		if !sameSet(current, before) {
			return nil, fmt.Errorf("retort test: the version table holds [%s], expected [%s]", strings.Join(current, ", "), strings.Join(before, ", "))
		}
		return steps, nil
	})
	if err != nil {
		return err
	}
	db.heads = steps[len(steps)-1].HeadsAfter
	return nil
}

// invert is the step that exactly undoes st, applied on top of the rows
// before: the same revision downgraded, its version writes reversed.
func invert(st revision.Step, before []string) revision.Step {
	inv := revision.Step{Revision: st.Revision, Direction: revision.Downgrade, Stamp: st.Stamp,
		From: st.To, To: st.From, HeadsAfter: slices.Clone(before)}
	if st.Direction == revision.Downgrade {
		inv.Direction = revision.Upgrade
	}
	for i := len(st.Writes) - 1; i >= 0; i-- {
		w := st.Writes[i]
		switch w.Op {
		case revision.Insert:
			w = revision.VersionWrite{Op: revision.Delete, From: w.To}
		case revision.Delete:
			w = revision.VersionWrite{Op: revision.Insert, To: w.From}
		case revision.Update:
			w = revision.VersionWrite{Op: revision.Update, From: w.To, To: w.From}
		}
		inv.Writes = append(inv.Writes, w)
	}
	return inv
}

// stepClean reports whether a failed step left the database as it was
// before it: rolled back, or stopped before its first statement ran.
func stepClean(err error) bool {
	var se *migrate.StepError
	if errors.As(err, &se) {
		return se.RolledBack || len(se.Ran) == 0
	}
	var ie *migrate.IrreversibleError
	return errors.As(err, &ie)
}

// walk upgrades one revision at a time (the upgrade check) and, for the
// stairway, takes each one down and up again, comparing schemas. A failure
// that leaves the database in a known state lets the walk go on; any other
// stops it.
func (t *tester) walk(ctx context.Context) error {
	stairs := t.only[CheckStairway]
	prev := t.startSnap
	steps := t.walked()
	for i, st := range steps {
		id := st.Revision.ID
		began := time.Now()
		before := t.db.heads
		if err := t.apply(ctx, t.db, st); err != nil {
			t.clean = stepClean(err)
			t.upgradeFailed = true
			if t.only[CheckUpgrade] {
				t.fail(CheckUpgrade, id, "upgrade", err, time.Since(began))
				if stairs {
					t.skip(CheckStairway, id, "the upgrade failed")
				}
			} else {
				t.fail(CheckStairway, id, "upgrade", err, time.Since(began))
			}
			t.stopWalk(steps[i+1:], id)
			return nil
		}
		if t.only[CheckUpgrade] {
			t.pass(CheckUpgrade, id, time.Since(began))
		}
		if !stairs {
			continue
		}
		began = time.Now()
		up, err := t.snapshot(ctx, t.db)
		if err != nil {
			return err
		}
		failAt := func(step string, err error) {
			t.fail(CheckStairway, id, step, err, time.Since(began))
		}
		down := invert(st, before)
		if err := t.apply(ctx, t.db, down); err != nil {
			failAt("downgrade", err)
			if stepClean(err) {
				prev = up // still at the upgraded state: go on
				continue
			}
			t.clean = false
			t.stopWalk(steps[i+1:], id)
			return nil
		}
		after, err := t.snapshot(ctx, t.db)
		if err != nil {
			return err
		}
		if diff := prev.diff(after); len(diff) > 0 {
			failAt("compare after downgrade", &SchemaDiffError{What: "the schema after the downgrade differs from the schema before the upgrade (- only before the upgrade, + left by the downgrade)", Diffs: diff})
			t.clean = false
			t.stopWalk(steps[i+1:], id)
			return nil
		}
		if err := t.apply(ctx, t.db, st); err != nil {
			failAt("upgrade again", err)
			t.clean = stepClean(err)
			t.stopWalk(steps[i+1:], id)
			return nil
		}
		again, err := t.snapshot(ctx, t.db)
		if err != nil {
			return err
		}
		if diff := up.diff(again); len(diff) > 0 {
			failAt("compare after upgrade again", &SchemaDiffError{What: "upgrading again gives another schema than the first upgrade (- first, + again)", Diffs: diff})
			t.clean = false
			t.stopWalk(steps[i+1:], id)
			return nil
		}
		t.pass(CheckStairway, id, time.Since(began))
		prev = again
	}
	return nil
}

// stopWalk reports the revisions the walk did not reach.
func (t *tester) stopWalk(rest []revision.Step, failed string) {
	t.walkStopped = true
	if len(rest) == 0 {
		return
	}
	why := fmt.Sprintf("not run for the %d revision(s) after %s: the walk stopped there", len(rest), failed)
	if t.only[CheckUpgrade] {
		t.skip(CheckUpgrade, "", why)
	}
	if t.only[CheckStairway] {
		t.skip(CheckStairway, "", why)
	}
}

// freshAtStart opens a fresh database and brings it to where the walk
// starts: base, or with --from the revisions before it.
func (t *tester) freshAtStart(ctx context.Context, first bool) error {
	if t.db != nil {
		if err := t.db.close(ctx); err != nil {
			return err
		}
		t.db = nil
	}
	var err error
	if t.db, err = t.src.fresh(ctx); err != nil {
		t.db = nil // closed with the source
		return err
	}
	if t.startSnap, err = t.snapshot(ctx, t.db); err != nil {
		return err
	}
	if first && t.src.fixed != nil {
		// The checks downgrade whatever they find: refuse a database in use.
		if tables := t.startSnap.tableNames(); len(tables) > 0 {
			return fmt.Errorf("retort test needs an empty database, and %s has tables (%s): its migrations would be run up and down there; use an empty database", t.src.describe(), strings.Join(tables, ", "))
		}
		if ok, err := t.d.TableExists(ctx, t.db.conn, t.vt()); err != nil || ok {
			if err == nil {
				err = fmt.Errorf("retort test needs an empty database, and %s has a version table %s", t.src.describe(), t.vt().Name)
			}
			return err
		}
	}
	t.clean, t.walkStopped = true, false
	if t.start == 0 {
		return nil
	}
	prefix := t.plan[:t.start]
	if err := t.apply(ctx, t.db, prefix...); err != nil {
		return fmt.Errorf("--from %s: upgrading the %d revision(s) before it failed: %w", t.o.From, len(prefix), err)
	}
	t.startSnap, err = t.snapshot(ctx, t.db)
	return err
}

// reachHeads brings the online database to heads for the checks that need
// it: the walk's database when the walk got there, else a fresh one.
func (t *tester) reachHeads(ctx context.Context) error {
	t.atHeads = nil
	if t.upgradeFailed {
		// A fresh database would fail the same upgrade again.
		for _, c := range []string{CheckRoundTrip, CheckTarget, CheckOffline} {
			if t.only[c] {
				t.skip(c, "", "needs the database at heads, and the upgrade fails (see the upgrade check)")
			}
		}
		return nil
	}
	if !t.clean || t.walkStopped || !sameSet(t.db.heads, t.startHeads()) && !sameSet(t.db.heads, t.finalHeads()) {
		if err := t.freshAtStart(ctx, false); err != nil {
			if t.src.fixed == nil {
				return err
			}
			// The given database is spoilt and no other can be had.
			for _, c := range []string{CheckRoundTrip, CheckTarget, CheckOffline} {
				if t.only[c] {
					t.skip(c, "", "needs a database at heads: the given one is left as the failure above left it, and no fresh one could be created beside it: "+errText(err))
				}
			}
			return nil
		}
	}
	if !sameSet(t.db.heads, t.finalHeads()) {
		if err := t.apply(ctx, t.db, t.walked()...); err != nil {
			t.clean = false
			for _, c := range []string{CheckRoundTrip, CheckTarget, CheckOffline} {
				if t.only[c] {
					t.fail(c, stepRevision(err), "upgrade to heads", err, 0)
				}
			}
			return nil
		}
	}
	var err error
	t.atHeads, err = t.snapshot(ctx, t.db)
	return err
}

// stepRevision is the revision a runner error names, if any.
func stepRevision(err error) string {
	var se *migrate.StepError
	if errors.As(err, &se) {
		return se.Revision
	}
	var oe *migrate.OfflineError
	if errors.As(err, &oe) {
		return oe.Revision
	}
	return ""
}

func (t *tester) roundTrip(ctx context.Context) error {
	if t.atHeads == nil {
		return nil
	}
	began := time.Now()
	heads := slices.Clone(t.db.heads)
	var down []revision.Step
	if t.start == 0 {
		var err error
		if down, err = t.p.Graph.PlanDowngrade("base", heads); err != nil {
			t.fail(CheckRoundTrip, "", "downgrade to base", err, time.Since(began))
			return nil
		}
	} else {
		// --from: down to where the walk started, undoing its steps.
		for i := len(t.plan) - 1; i >= t.start; i-- {
			down = append(down, invert(t.plan[i], t.plan[i-1].HeadsAfter))
		}
	}
	where := "base"
	if t.start > 0 {
		where = "the start of the walk (" + strings.Join(t.plan[t.start-1].HeadsAfter, ", ") + ")"
	}
	if err := t.apply(ctx, t.db, down...); err != nil {
		t.fail(CheckRoundTrip, stepRevision(err), "downgrade to "+where, err, time.Since(began))
		return t.restoreHeads(ctx, err)
	}
	snap, err := t.snapshot(ctx, t.db)
	if err != nil {
		return err
	}
	if diff := t.startSnap.diff(snap); len(diff) > 0 {
		t.fail(CheckRoundTrip, "", "compare at "+where, &SchemaDiffError{What: "after downgrading from heads to " + where + " the schema differs from the one there before the upgrade (- before, + after)", Diffs: diff}, time.Since(began))
		return t.restoreHeads(ctx, nil)
	}
	up, err := t.p.Graph.PlanUpgrade("heads", t.db.heads)
	if err != nil {
		return err
	}
	if err := t.apply(ctx, t.db, up...); err != nil {
		t.fail(CheckRoundTrip, stepRevision(err), "upgrade to heads", err, time.Since(began))
		return t.restoreHeads(ctx, err)
	}
	snap, err = t.snapshot(ctx, t.db)
	if err != nil {
		return err
	}
	if diff := t.atHeads.diff(snap); len(diff) > 0 {
		t.fail(CheckRoundTrip, "", "compare at heads", &SchemaDiffError{What: "upgrading to heads again gives another schema than the first time (- first, + again)", Diffs: diff}, time.Since(began))
		return t.restoreHeads(ctx, nil)
	}
	t.pass(CheckRoundTrip, "", time.Since(began))
	return nil
}

// restoreHeads gives the checks after a failed round trip a database at
// heads again: a fresh one, unless the run failed before it changed
// anything (a revision without a downgrade).
func (t *tester) restoreHeads(ctx context.Context, err error) error {
	var ie *migrate.IrreversibleError
	if errors.As(err, &ie) {
		return nil
	}
	t.clean = false
	if !t.only[CheckTarget] && !t.only[CheckOffline] {
		return nil
	}
	return t.reachHeads(ctx)
}

// finish leaves a database given by TestOptions.URL empty again when every
// check passed.
func (t *tester) finish(ctx context.Context) error {
	if t.db == nil || t.src.fixed == nil || t.rep.Failed() || !t.clean {
		return nil
	}
	if len(t.db.heads) > 0 {
		down, err := t.p.Graph.PlanDowngrade("base", t.db.heads)
		if err != nil {
			return nil
		}
		if err := t.apply(ctx, t.db, down...); err != nil {
			return nil // the report says what fails; the database stays as it is
		}
	}
	for _, tbl := range []dialect.Table{t.ht(), t.vt()} {
		if _, err := t.db.conn.ExecContext(ctx, "DROP TABLE "+t.d.QualifiedName(tbl)); err != nil {
			return fmt.Errorf("leave %s empty: drop %s: %w", t.src.describe(), tbl.Name, err)
		}
	}
	return nil
}

// SchemaDiffError is a schema that is not the one a check expected.
type SchemaDiffError struct {
	What  string
	Diffs []string
}

func (e *SchemaDiffError) Error() string {
	return e.What + ":\n  " + strings.Join(e.Diffs, "\n  ")
}
