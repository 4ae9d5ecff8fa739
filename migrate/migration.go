// Package migrate is retort's runner: it turns planned steps of the revision
// graph into statements, runs them online through one connection or writes
// them as an offline script, keeps the version and history tables, and owns
// transaction policy and the lock.
package migrate

import (
	"github.com/retortdb/retort/internal/sqlsplit"
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
}

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
