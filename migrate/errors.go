package migrate

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// StepError is a migration that failed: which revision, which file and line,
// which statement, and what the database said.
type StepError struct {
	Revision  string
	Direction string // "upgrade" or "downgrade"
	Path      string
	Line      int    // file line of the failing statement (0 if unknown)
	Statement string // the failing statement
	// Ran lists the statements of this step that had run before the failure.
	Ran []string
	// RolledBack is true when the database undid the step (transactional
	// DDL); false means the statements in Ran stay applied.
	RolledBack bool
	// AlsoRolledBack lists the earlier steps of the run that shared the
	// step's transaction (transaction_per_migration = false) and were
	// rolled back with it.
	AlsoRolledBack []string
	// Finish and Undo are the revisions to stamp after finishing, or
	// undoing, by hand a step that could not be rolled back ("base" for
	// none).
	Finish, Undo []string
	// ConnectionLost is true when the connection was gone after the
	// failure: the server ended the session or the network failed. A
	// transactional step was rolled back by the server; a step that could
	// not be rolled back keeps its `started` row in retort_history, so the
	// next run asks for it to be settled.
	ConnectionLost bool
	// Unlocated, when set, says why Statement and Line are unknown: the
	// migration failed as one batch, and replaying it statement by
	// statement to find the statement did not reproduce the failure.
	Unlocated string
	// HistoryTable names retort_history (history_table) for messages.
	HistoryTable string
	// FailedStatementNote is the database's caveat for a step that failed
	// on its first statement (dialect.FailedStatementNoter): what a single
	// failed statement can still have left behind there; "" for none.
	FailedStatementNote string
	Err                 error
}

func (e *StepError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s failed", e.Direction, e.Revision)
	if e.Path != "" {
		fmt.Fprintf(&b, " (%s", e.Path)
		if e.Line > 0 {
			fmt.Fprintf(&b, ":%d", e.Line)
		}
		b.WriteString(")")
	}
	if e.ConnectionLost {
		if errors.Is(e.Err, context.Canceled) || errors.Is(e.Err, context.DeadlineExceeded) {
			b.WriteString(": interrupted, which closed the connection")
		} else {
			b.WriteString(": the connection to the database was lost")
		}
	} else if errors.Is(e.Err, context.Canceled) || errors.Is(e.Err, context.DeadlineExceeded) {
		// SQLite stops the statement and keeps the connection.
		b.WriteString(": interrupted")
	}
	fmt.Fprintf(&b, ": %v", e.Err)
	if e.Statement != "" {
		fmt.Fprintf(&b, "\n  statement: %s", oneLine(e.Statement, 300))
	}
	if e.Unlocated != "" {
		fmt.Fprintf(&b, "\n  the failing statement could not be pinpointed: %s", e.Unlocated)
	}
	history := e.HistoryTable
	if history == "" {
		history = "retort_history"
	}
	switch {
	case e.ConnectionLost && e.RolledBack && len(e.AlsoRolledBack) > 0:
		fmt.Fprintf(&b, "\n  the server rolled back the run's transaction when the session ended, with the earlier steps in it (%s); the version table is as it was before them; the failure could not be recorded in %s",
			strings.Join(e.AlsoRolledBack, ", "), history)
	case e.ConnectionLost && e.RolledBack:
		fmt.Fprintf(&b, "\n  the server rolled the step back when the session ended; the version table is as it was before it; the failure could not be recorded in %s", history)
	case e.ConnectionLost:
		fmt.Fprintf(&b, "\n  the step could not be rolled back and which of its statements ran is not recorded; the next run will name it until it is settled by hand: %s", finishHint(e.Direction, e.Revision, e.Finish, e.Undo))
	case e.RolledBack && len(e.AlsoRolledBack) > 0:
		fmt.Fprintf(&b, "\n  the run's transaction was rolled back, with the earlier steps in it (%s); the version table is as it was before them", strings.Join(e.AlsoRolledBack, ", "))
	case e.RolledBack:
		b.WriteString("\n  the step was rolled back; the version table is as it was before it")
	case len(e.Ran) > 0:
		fmt.Fprintf(&b, "\n  %d statement(s) of this step had already run and stay applied (they could not be rolled back):", len(e.Ran))
		for _, s := range e.Ran {
			fmt.Fprintf(&b, "\n    %s", oneLine(s, 200))
		}
		fmt.Fprintf(&b, "\n  settle it by hand: %s", finishHint(e.Direction, e.Revision, e.Finish, e.Undo))
	default:
		b.WriteString("\n  it failed on its first statement, so none of its statements stays applied")
		if e.FailedStatementNote != "" {
			fmt.Fprintf(&b, " (though %s)", e.FailedStatementNote)
		}
	}
	return b.String()
}

// finishHint says how to settle a step that stopped half-way.
func finishHint(direction, rev string, finish, undo []string) string {
	stamp := func(revs []string) string {
		if len(revs) == 0 {
			return "`retort stamp base`"
		}
		return "`retort stamp " + strings.Join(revs, " ") + "`"
	}
	return fmt.Sprintf("either finish the %s of %s (run the rest of its statements), then %s; or undo what of it ran, then %s", direction, rev, stamp(finish), stamp(undo))
}

func (e *StepError) Unwrap() error { return e.Err }

// PartialStepError is returned before anything runs when retort_history shows
// a step that was interrupted or failed half-way on a database that could not
// roll it back: retort will not guess what state the schema is in. A stamp
// settles it (see Options.Stamp).
type PartialStepError struct {
	Revision  string
	Direction string
	Status    string // "started" (interrupted) or "failed"
	Ran       []string
	Error_    string
	At        time.Time
	// From and To are the version rows the step was moving from and to.
	From, To []string
}

func (e *PartialStepError) Error() string {
	var b strings.Builder
	what := "was interrupted"
	if e.Status == "failed" {
		what = "failed part-way"
	}
	fmt.Fprintf(&b, "%s of %s %s (retort_history, started %s) and could not be rolled back", e.Direction, e.Revision, what, e.At.UTC().Format(time.RFC3339))
	if e.Error_ != "" {
		fmt.Fprintf(&b, ": %s", oneLine(e.Error_, 300))
	}
	if len(e.Ran) > 0 {
		fmt.Fprintf(&b, "\n  statements that had run:")
		for _, s := range e.Ran {
			fmt.Fprintf(&b, "\n    %s", oneLine(s, 200))
		}
	} else if e.Status == "started" {
		b.WriteString("\n  which of its statements ran is unknown (the process stopped before recording them): compare the schema with the migration")
	}
	fmt.Fprintf(&b, "\n  retort runs nothing until it is settled by hand: %s", finishHint(e.Direction, e.Revision, e.To, e.From))
	return b.String()
}

// LockTimeoutError is returned when another run held the lock for longer
// than the lock timeout.
type LockTimeoutError struct {
	Lock   string
	Waited time.Duration
}

func (e *LockTimeoutError) Error() string {
	return fmt.Sprintf("another retort run holds the %s; gave up after %s (raise --lock-timeout, or use --no-lock if you are sure no other run is active)", e.Lock, e.Waited.Round(time.Millisecond))
}

// IrreversibleError is returned, before anything runs, when a downgrade
// would cross a revision that has no downgrade section.
type IrreversibleError struct {
	Revision string
	Path     string
}

func (e *IrreversibleError) Error() string {
	return fmt.Sprintf("revision %s (%s) has no downgrade section, so it cannot be downgraded; add a `-- retort:downgrade` section, or stamp past it", e.Revision, e.Path)
}

// VersionRowError is Alembic's check that an UPDATE or DELETE of the version
// table hit exactly one row.
type VersionRowError struct {
	Op       string // "updating 'a' to 'b'" or "deleting 'a'"
	Table    string
	RowsSeen int64
}

func (e *VersionRowError) Error() string {
	return fmt.Sprintf("Online migration expected to match one row when %s in '%s'; %d found", e.Op, e.Table, e.RowsSeen)
}

func oneLine(s string, max int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > max {
		s = s[:max] + "…"
	}
	return s
}
