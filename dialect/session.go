package dialect

import (
	"context"
	"database/sql"

	"github.com/retortdb/retort/config"
)

// SessionStatements may be implemented by a Dialect that can tell which
// statements change only the connection's session (SQLite's foreign_keys
// pragma, PostgreSQL's SET, MySQL's SET SESSION). The runner does not count
// such statements as work a failed step leaves behind. Without it, every
// statement counts.
type SessionStatements interface {
	SessionOnly(stmt string) bool
}

// SessionScripter is implemented by a dialect whose PrepareSession runs
// SQL. SessionSQL returns those statements, without terminators, so that an
// offline script (--sql) sets up its session as an online run would.
type SessionScripter interface {
	SessionSQL(opts SessionOptions) []string
}

// RunHolder may be implemented by a Dialect that sets a connection up for the
// length of a write run (upgrade, downgrade, stamp) and undoes it afterwards.
// SQLite uses it to keep its file lock from the run's first write to its
// end instead of taking and dropping it around every commit.
type RunHolder interface {
	// HoldForRun is called on the run's connection once the run lock is
	// held, before the version table is read. On success release is never
	// nil; the runner calls it when the run ends, however it ends.
	HoldForRun(ctx context.Context, conn *sql.Conn, u *config.URL) (release func(context.Context) error, err error)
}

// ErrorHinter may be implemented by a Dialect that can say what to do about
// a driver error it recognises. Hint returns "" for any other error.
type ErrorHinter interface {
	Hint(err error) string
}

// FileLocker may be implemented by a Dialect whose run lock lives outside
// the database (SQLite's lock file beside it), so that write runs can take
// it before they connect: connecting to SQLite already reads the database
// file, which a run in progress keeps locked, and a second run must wait for
// the run lock (lock_timeout, with progress lines) rather than fail on the
// database's busy timeout. NewFileLock returns nil when no lock is possible.
type FileLocker interface {
	NewFileLock(u *config.URL, versionTable Table) (Lock, error)
}

// WriteChecker may be implemented by a Dialect that can tell, before a
// command writes anything, that the database cannot be written (a
// read-only SQLite file), so the command fails with that rather than on
// whichever migration happens to write first.
type WriteChecker interface {
	CheckWritable(ctx context.Context, conn *sql.Conn, u *config.URL) error
}

// TxEnder may be implemented by a Dialect whose database ends a
// transaction by itself on some failures and then refuses the ROLLBACK:
// SQLite rolls back when a statement is interrupted (a cancelled context)
// or fails with SQLITE_FULL, IOERR, BUSY or NOMEM. TxAlreadyEnded reports
// whether err, from a ROLLBACK, says exactly that; the step is rolled back
// all the same, and that error must not hide the step's failure.
type TxEnder interface {
	TxAlreadyEnded(err error) bool
}

// FailedStatementNoter may be implemented by a Dialect where one statement
// that fails outside a transaction can still leave something behind. The
// note completes "it failed on its first statement, so none of its
// statements stays applied (though …)".
type FailedStatementNoter interface {
	FailedStatementNote() string
}
