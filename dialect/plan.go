package dialect

import (
	"github.com/retortdb/retort/op"
	"github.com/retortdb/retort/schema"
)

// Planner is implemented by dialects that can turn schema operations into
// SQL. Plan is pure: it looks at nothing but o and returns the statements,
// in order, without a trailing semicolon. An op the dialect cannot express
// yet is an error naming it, never approximate SQL.
type Planner interface {
	Plan(o op.Op) ([]string, error)
}

// Rebuilder may be implemented by a Dialect whose ALTER TABLE cannot add or
// drop constraints or change columns (SQLite). Autogenerate then keeps
// foreign keys inside CREATE TABLE, turns other table changes into
// op.RebuildTable, and wraps a section holding a rebuild in
// RebuildSection's text, which runs outside retort's transaction
// (`-- retort:no-transaction`) and manages its own.
type Rebuilder interface {
	RebuildSection() (head, tail string)
	// RebuildGuard returns statements that fail, inside a transaction,
	// when another table references t: with foreign keys on (they cannot
	// be switched off inside a transaction), dropping the old table would
	// fire those tables' ON DELETE actions. A rebuild of a table nothing
	// references is safe inside retort's transaction behind this guard.
	RebuildGuard(t Table) []string
}

// ColumnRecreator may be implemented by a Planner whose ALTER cannot make
// every column change: RecreatesColumn reports whether the column must be
// dropped and added again to go from `from` to `to` (a generated column:
// PostgreSQL cannot change a generation expression, MariaDB cannot MODIFY
// a column to or from VIRTUAL). Autogenerate then drops and adds it, with
// what names it.
type ColumnRecreator interface {
	RecreatesColumn(from, to schema.Column) bool
}
