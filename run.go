package retort

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/retortdb/retort/dialect"
	"github.com/retortdb/retort/migrate"
	"github.com/retortdb/retort/revision"
)

// RunOptions tune a write command (upgrade, downgrade, stamp).
type RunOptions struct {
	// Tag is Alembic's --tag, recorded with each step in retort_history.
	Tag string
	// NoLock skips the lock that serialises runs (--no-lock).
	NoLock bool
	// LockTimeout overrides the config's lock_timeout when non-zero.
	LockTimeout time.Duration
	// OnEvent receives progress: one event as each step starts and ends,
	// and while waiting for the lock.
	OnEvent func(migrate.Event)
	// SQL, when set, makes the run offline (--sql): the statements are
	// written to it and no database is touched.
	SQL io.Writer

	stamp bool // set by Stamp
	// oneTransaction runs every step in one transaction whatever
	// transaction_per_migration says (set by Stamp for --purge).
	oneTransaction bool
	// Strict refuses to upgrade when an applied migration file was edited
	// since it ran (--strict; also the config's strict_checksums). Without
	// it, edited files are reported as Warning events.
	Strict bool
}

// UsageError is a request that cannot be carried out as asked (a range
// where none is allowed, --purge with --sql); the CLI adds no hint to it.
type UsageError struct{ Msg string }

func (e *UsageError) Error() string { return e.Msg }

// Upgrade applies revisions up to target ("head", "heads", an id, "+2",
// "label@head"…). With o.SQL set, target may be a "start:end" range.
func (p *Project) Upgrade(ctx context.Context, target string, o RunOptions) (*migrate.Result, error) {
	if o.SQL != nil {
		start, end, err := p.offlineRange(target, false)
		if err != nil {
			return nil, err
		}
		steps, err := p.Graph.PlanUpgrade(end, start)
		if err != nil {
			return nil, err
		}
		return p.writeOffline(ctx, o, start, steps)
	}
	if strings.Contains(target, ":") {
		return nil, &UsageError{"Range revision not allowed"}
	}
	return p.runOnline(ctx, o, func(current []string) ([]revision.Step, error) {
		return p.Graph.PlanUpgrade(target, current)
	}, p.checkEdited(o))
}

// checkEdited is the upgrade's look at applied files edited since they ran:
// a warning each, or with Strict an error before anything runs.
func (p *Project) checkEdited(o RunOptions) func(ctx context.Context, s *session, r *migrate.Runner) error {
	return func(ctx context.Context, s *session, r *migrate.Runner) error {
		rows, _, err := r.Heads(ctx, s.conn)
		if err != nil {
			return err
		}
		recorded, err := r.Checksums(ctx, s.conn)
		if err != nil || len(recorded) == 0 {
			return err
		}
		rep, err := p.verifyAgainst(rows, recorded)
		if err != nil {
			return nil // unknown rows: the planner reports them precisely
		}
		problems := rep.Problems()
		if len(problems) == 0 {
			return nil
		}
		if o.Strict || p.Config.StrictChecksums {
			return &ChecksumError{Problems: problems}
		}
		if o.OnEvent != nil {
			for _, c := range problems {
				o.OnEvent(migrate.Event{Kind: migrate.Warning, Message: describeCheck(c) + " (`retort verify` lists them; `retort verify --accept REV` records a deliberate edit)"})
			}
		}
		return nil
	}
}

// ChecksumError is an upgrade refused because applied files changed.
type ChecksumError struct{ Problems []RevisionCheck }

func (e *ChecksumError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d applied migration file(s) changed since they ran; refusing to upgrade (strict checksums):", len(e.Problems))
	for _, c := range e.Problems {
		b.WriteString("\n  " + describeCheck(c))
	}
	b.WriteString("\n  restore the files, or record deliberate edits with `retort verify --accept REV`")
	return b.String()
}

func (e *ChecksumError) Unwrap() error { return ErrChecksumMismatch }

func describeCheck(c RevisionCheck) string {
	switch c.State {
	case ChecksumDeleted:
		return fmt.Sprintf("revision %s is applied but its file is gone", c.Revision)
	default:
		return fmt.Sprintf("revision %s (%s) was edited after it ran", c.Revision, c.Path)
	}
}

// Downgrade reverts revisions down to target ("base", an id, "-1",
// "label@base"…). With o.SQL set, target must be a "start:end" range.
func (p *Project) Downgrade(ctx context.Context, target string, o RunOptions) (*migrate.Result, error) {
	if o.SQL != nil {
		if !strings.Contains(target, ":") {
			return nil, &UsageError{"downgrade with --sql requires <fromrev>:<torev>"}
		}
		start, end, err := p.offlineRange(target, true)
		if err != nil {
			return nil, err
		}
		steps, err := p.Graph.PlanDowngrade(end, start)
		if err != nil {
			return nil, err
		}
		return p.writeOffline(ctx, o, start, steps)
	}
	if strings.Contains(target, ":") {
		return nil, &UsageError{"Range revision not allowed"}
	}
	return p.runOnline(ctx, o, func(current []string) ([]revision.Step, error) {
		if o.OnEvent != nil {
			for _, w := range p.Graph.DowngradeWarnings(target, current) {
				o.OnEvent(migrate.Event{Kind: migrate.Warning, Message: w})
			}
		}
		return p.Graph.PlanDowngrade(target, current)
	})
}

// Stamp sets the version table to targets without running migrations.
// purge first deletes every row, even ones naming unknown revisions.
func (p *Project) Stamp(ctx context.Context, targets []string, purge bool, o RunOptions) (*migrate.Result, error) {
	if len(targets) == 0 {
		return nil, &UsageError{"stamp needs at least one revision"}
	}
	if o.SQL != nil {
		if purge {
			return nil, &UsageError{"Can't use --purge with --sql mode"}
		}
		var start []string
		ends := make([]string, len(targets))
		startSpec := ""
		for i, t := range targets {
			if s, e, ok := strings.Cut(t, ":"); ok {
				if i > 0 && s != startSpec {
					return nil, &UsageError{"Stamp operation with --sql only supports a single starting revision at a time"}
				}
				startSpec = s
				ends[i] = e
			} else {
				if i > 0 && startSpec != "" {
					return nil, &UsageError{"Stamp operation with --sql only supports a single starting revision at a time"}
				}
				ends[i] = t
			}
		}
		if startSpec != "" {
			var err error
			if start, err = p.resolveStart(startSpec); err != nil {
				return nil, err
			}
		}
		steps, err := p.Graph.PlanStamp(ends, start, false)
		if err != nil {
			return nil, err
		}
		return p.writeOffline(ctx, o, start, steps)
	}
	o.stamp = true // a stamp settles steps left half-done (migrate.Options.Stamp)
	// A purge runs as one transaction, so a failed stamp leaves the table
	// as it was rather than emptied.
	o.oneTransaction = purge
	return p.runOnline(ctx, o, func(current []string) ([]revision.Step, error) {
		steps, err := p.Graph.PlanStamp(targets, current, purge)
		if err != nil || !purge || len(current) == 0 {
			return steps, err
		}
		return append(purgeSteps(current), steps...), nil
	})
}

// purgeSteps are the steps of --purge before the stamp proper: one stamp to
// base per row, known or not, as a plain `stamp base` has for each head.
// Each gets its own retort_history row (revision the row, from the row, to
// nothing): a single step for all of them would record the ids joined with
// commas as one revision, which overflows the revision column and reads as
// a revision no file declares. The stamp steps planned after them start
// from the empty table, so their rows say they replaced nothing.
func purgeSteps(current []string) []revision.Step {
	steps := make([]revision.Step, len(current))
	for i, row := range current {
		after := slices.Clone(current[i+1:])
		slices.Sort(after)
		steps[i] = revision.Step{Stamp: true, Purge: true, Direction: revision.Downgrade, From: []string{row}, To: []string{},
			Writes: []revision.VersionWrite{{Op: revision.Delete, From: row}}, HeadsAfter: after}
	}
	return steps
}

// offlineRange splits "start:end" for --sql. Without a start, offline mode
// begins at base: it never reads the database.
func (p *Project) offlineRange(spec string, downgrade bool) (start []string, end string, err error) {
	s, e, ok := strings.Cut(spec, ":")
	if !ok {
		return nil, spec, nil
	}
	if s == "current" || e == "current" {
		return nil, "", &UsageError{"offline mode (--sql) never reads the database, so it cannot use 'current'; give the starting revision explicitly, as START:END"}
	}
	if s != "" {
		if start, err = p.resolveStart(s); err != nil {
			return nil, "", err
		}
	}
	return start, e, nil
}

// resolveStart resolves the start of an offline range to the version rows
// it stands for.
func (p *Project) resolveStart(spec string) ([]string, error) {
	if spec == "base" {
		return nil, nil
	}
	return p.Graph.Resolve(spec)
}

func (p *Project) runner(o RunOptions) (*migrate.Runner, *target, error) {
	t, err := p.target()
	if err != nil {
		return nil, nil, err
	}
	vt, ht := p.tables(t.d)
	r := migrate.New(t.d, p.migration, migrate.Options{
		VersionTable:            vt,
		HistoryTable:            ht,
		TransactionPerMigration: p.Config.TransactionPerMigration && !o.oneTransaction,
		Tag:                     o.Tag,
		OnEvent:                 p.eventSink(o.OnEvent),
		Now:                     p.now,
		Stamp:                   o.stamp,
		XArgs:                   p.xArgs,
		Session:                 dialect.SessionOptions{StatementLockTimeout: p.Config.StatementLockTimeout},
	})
	return r, t, nil
}

func (p *Project) writeOffline(ctx context.Context, o RunOptions, start []string, steps []revision.Step) (*migrate.Result, error) {
	r, _, err := p.runner(o)
	if err != nil {
		return nil, err
	}
	if err := r.WriteScript(ctx, o.SQL, start, steps); err != nil {
		return nil, err
	}
	heads := start
	if len(steps) > 0 {
		heads = steps[len(steps)-1].HeadsAfter
	}
	return &migrate.Result{Steps: steps, Heads: heads}, nil
}

// runOnline takes the lock, connects (in the order withWriteSession
// explains), and applies what plan computes from the version rows read
// under the lock.
func (p *Project) runOnline(ctx context.Context, o RunOptions, plan migrate.Planner, checks ...func(context.Context, *session, *migrate.Runner) error) (res *migrate.Result, err error) {
	r, _, err := p.runner(o)
	if err != nil {
		return nil, err
	}
	err = p.withWriteSession(ctx, o, r, true, func(s *session) error {
		for _, check := range checks {
			if err := check(ctx, s, r); err != nil {
				return err
			}
		}
		res, err = r.Apply(ctx, s.conn, plan)
		return err
	})
	return res, err
}

// withWriteSession runs fn on a connection for a command that writes, with
// the lock that serialises runs held (unless o.NoLock) and, when hold is
// set, the connection set up for a run (dialect.RunHolder). A lock that
// needs no connection (dialect.FileLocker: SQLite's lock file) is taken
// before connecting: opening a SQLite connection already reads the file,
// which a run in progress keeps locked, so a second run would otherwise
// fail on SQLite's busy timeout instead of waiting for the first one.
func (p *Project) withWriteSession(ctx context.Context, o RunOptions, r *migrate.Runner, hold bool, fn func(*session) error) (err error) {
	t, err := p.target()
	if err != nil {
		return err
	}
	vt, _ := p.tables(t.d)
	// The deferred releases below join their errors into the named result
	// err: the blocks that declare them name their own errors otherwise,
	// or the closures would capture a shadowing err and lose the error.
	fl, preConnect := t.d.(dialect.FileLocker)
	if !o.NoLock && preConnect {
		// What connecting would refuse (a missing directory, a bad
		// parameter) is said as connecting says it, not as a lock file
		// that cannot be created.
		if _, dsnErr := t.d.DSN(t.url); dsnErr != nil {
			return dsnErr
		}
		release, lockErr := p.takeRunLock(ctx, o, r, func() (dialect.Lock, error) { return fl.NewFileLock(t.url, vt) })
		if lockErr != nil {
			return lockErr
		}
		defer func() { err = errors.Join(err, release()) }()
	}
	s, err := p.connect(ctx)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, s.close()) }()
	if !o.NoLock && !preConnect {
		release, lockErr := p.takeRunLock(ctx, o, r, func() (dialect.Lock, error) { return s.t.d.NewLock(s.conn, s.t.url, vt) })
		if lockErr != nil {
			return lockErr
		}
		defer func() { err = errors.Join(err, release()) }()
	}
	if wc, ok := s.t.d.(dialect.WriteChecker); ok {
		if err := wc.CheckWritable(ctx, s.conn, s.t.url); err != nil {
			return err
		}
	}
	if holder, ok := s.t.d.(dialect.RunHolder); ok && hold {
		release, holdErr := holder.HoldForRun(ctx, s.conn, s.t.url)
		if holdErr != nil {
			return holdErr
		}
		defer func() {
			if rerr := release(context.WithoutCancel(ctx)); rerr != nil {
				err = errors.Join(err, rerr)
			}
		}()
	}
	return fn(s)
}

// takeRunLock makes the run's lock with newLock (a nil lock: there is
// none), waits for it up to the run's lock timeout and returns what
// releases it.
func (p *Project) takeRunLock(ctx context.Context, o RunOptions, r *migrate.Runner, newLock func() (dialect.Lock, error)) (func() error, error) {
	lock, err := newLock()
	if err != nil {
		return nil, err
	}
	if lock == nil {
		return func() error { return nil }, nil
	}
	timeout := o.LockTimeout
	if timeout == 0 {
		timeout = p.Config.LockTimeout
	}
	release, err := r.AcquireLock(ctx, lock, timeout)
	if err != nil {
		return nil, err
	}
	return func() error {
		if err := release(); err != nil {
			return fmt.Errorf("release the %s: %w", lock, err)
		}
		return nil
	}, nil
}

// eventSink sends a run's events to the project's logger and then to the
// caller's callback.
func (p *Project) eventSink(onEvent func(migrate.Event)) func(migrate.Event) {
	return func(e migrate.Event) {
		p.logEvent(e)
		if onEvent != nil {
			onEvent(e)
		}
	}
}

// logEvent writes one run event as a structured log record.
func (p *Project) logEvent(e migrate.Event) {
	ctx := context.Background()
	switch e.Kind {
	case migrate.StepStarted:
		p.logger.LogAttrs(ctx, slog.LevelInfo, migrate.Describe(*e.Step),
			slog.String("revision", eventRevision(e.Step)), slog.Int("step", e.Index), slog.Int("steps", e.Total))
	case migrate.StepFinished:
		p.logger.LogAttrs(ctx, slog.LevelInfo, "step done",
			slog.String("revision", eventRevision(e.Step)), slog.Int("step", e.Index), slog.Int("steps", e.Total),
			slog.Duration("took", e.Duration))
	case migrate.LockWaiting:
		p.logger.LogAttrs(ctx, slog.LevelWarn, e.Message, slog.Duration("waited", e.Duration))
	case migrate.Warning:
		p.logger.LogAttrs(ctx, slog.LevelWarn, e.Message)
	}
}

func eventRevision(st *revision.Step) string {
	if st.Revision != nil {
		return st.Revision.ID
	}
	return strings.Join(st.To, ",")
}

// checkNoUnregisteredGo stops Open in a program that has no Go migrations
// (the plain retort binary) on a project whose versions hold Go revisions:
// it would not see them, and every command would stop short of them, plan
// around them or fail on a revision that is "not present" without a word
// about why.
func (p *Project) checkNoUnregisteredGo() error {
	if len(p.goByID) > 0 || p.goExplicit || p.fsys != nil {
		return nil
	}
	for _, m := range p.goFiles { // listed when the project was loaded
		data, err := os.ReadFile(m)
		if err == nil && strings.Contains(string(data), "retort.Register(") {
			return fmt.Errorf("%s registers a Go migration, which this program does not have: run the project's own binary (the main.go `retort init --template go` writes, e.g. `go run ./%s upgrade head`), which compiles the Go revisions in", m, filepath.Base(p.Config.ScriptLocation))
		}
	}
	return nil
}
