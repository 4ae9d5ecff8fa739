package dialect

import "github.com/retortdb/retort/op"

// Planner is implemented by dialects that can turn schema operations into
// SQL. Plan is pure: it looks at nothing but o and returns the statements,
// in order, without a trailing semicolon. An op the dialect cannot express
// yet is an error naming it, never approximate SQL.
type Planner interface {
	Plan(o op.Op) ([]string, error)
}
