package op

import (
	"context"
	"database/sql"
	"errors"

	"github.com/retortdb/retort/schema"
)

// ErrOffline is wrapped by the error of anything a Go migration cannot do
// while retort writes an offline script (--sql): reading data, inspecting
// the live schema. The runner reports it before printing anything.
var ErrOffline = errors.New("cannot run offline (--sql): it needs a live database")

// DB is the open transaction or connection a Go migration reads and
// writes data through (Alembic's op.get_bind()): a *sql.Tx or *sql.Conn.
type DB interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// Backend is what the runner hands a Go migration's Operations: the
// dialect's planner and the one executor every statement of a run goes
// through, online or offline. Package migrate implements it; a Go
// migration never sees it.
type Backend interface {
	// Dialect is the database family: "sqlite", "postgresql" or "mysql".
	Dialect() string
	// Plan renders an op as the dialect's statements, in order.
	Plan(o Op) ([]string, error)
	// Exec runs one statement. Arguments use the driver's placeholders
	// (Placeholder). Online it runs on the migration's transaction, or
	// its connection when the migration runs outside one; offline the
	// statement is written to the script with the arguments as literals.
	Exec(ctx context.Context, query string, args ...any) error
	// Placeholder is the n-th (1-based) bind placeholder: "$1" on
	// PostgreSQL, "?" elsewhere.
	Placeholder(n int) string
	// DB returns the open transaction or connection (Alembic's get_bind);
	// offline an error wrapping ErrOffline.
	DB() (DB, error)
	// Offline reports whether the run writes a script instead of running.
	Offline() bool
	// InspectTable returns the live definition of a table in the
	// connection's default schema when schemaName is ""; nil, nil when it
	// does not exist; offline an error wrapping ErrOffline.
	InspectTable(ctx context.Context, schemaName, name string) (*schema.Table, error)
}
