// Package migrate is retort's runner: it turns planned steps of the revision
// graph into statements, runs them online through one connection or writes
// them as an offline script, keeps the version and history tables, and owns
// transaction policy and the lock.
//
// # Transactions
//
// Online and offline runs go through one executor, so an offline script has
// BEGIN and COMMIT exactly where the online run opens and commits
// transactions:
//
//   - Where DDL is transactional (SQLite, PostgreSQL), a migration's
//     statements, its version-row writes and its retort_history row share
//     one transaction: per migration (transaction_per_migration = true), or
//     one for the run (false), split around no-transaction sections.
//   - A step the database cannot roll back (every step on MySQL, and a
//     `-- retort:no-transaction` section anywhere) runs outside any
//     transaction. Its `started` history row is committed first; once its
//     statements have run, its version-row writes and the history row's
//     completion are committed together in a short transaction of their own
//     (BEGIN … COMMIT in a MySQL script too: InnoDB rolls that bookkeeping
//     back as a unit if the script stops in the middle of it).
//   - The version and history tables are created before the first step,
//     outside any transaction.
//
// # Steps left half-done
//
// A step that could not be rolled back and failed after its first
// statement, or was interrupted (its `started` row is all that is left),
// stops every later run with a PartialStepError, except a stamp
// (Options.Stamp): the stamp is how the user tells retort the state the
// database is in after finishing or undoing the step by hand, and it writes
// a `settled` history row for each such step.
package migrate

import (
	"context"

	"github.com/retortdb/retort/internal/sqlsplit"
	"github.com/retortdb/retort/op"
	"github.com/retortdb/retort/revision"
)

// Migration is the runnable side of a revision: its upgrade and downgrade
// bodies.
type Migration struct {
	// ID is the revision id.
	ID string
	// Path is the file it came from, for messages.
	Path string
	// Checksum is the hex SHA-256 of the file's normalised content, recorded
	// in retort_history.
	Checksum string
	// Upgrade runs when the revision is applied.
	Upgrade *Body
	// Downgrade runs when the revision is reverted; nil means the revision
	// cannot be downgraded.
	Downgrade *Body
}

// Body is one direction of a migration.
type Body struct {
	// SQL is the section's text; Line is the file line its first line is on,
	// so statement errors can name the file line.
	SQL  string
	Line int
	// NoTransaction runs the body outside any transaction
	// (-- retort:no-transaction).
	NoTransaction bool
	// Go, when set, is the body of a Go migration and SQL is unused: the
	// function's statements go through the same executor as a SQL body's,
	// so transactions, bookkeeping and offline scripts work alike.
	Go GoFunc
}

// GoFunc is one direction of a Go migration.
type GoFunc func(ctx context.Context, o *op.Operations) error

// compiledBody is a body split into statements for one dialect.
type compiledBody struct {
	body  *Body
	stmts []sqlsplit.Statement
}

// planned is one step ready to run: the graph's step with its body.
type planned struct {
	step revision.Step
	mig  *Migration // nil for stamp steps
	body *compiledBody
}
