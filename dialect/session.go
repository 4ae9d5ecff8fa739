package dialect

// SessionStatements may be implemented by a Dialect that can tell which
// statements change only the connection's session (SQLite's foreign_keys
// pragma, PostgreSQL's SET, MySQL's SET SESSION). The runner does not count
// such statements as work a failed step leaves behind. Without it, every
// statement counts.
type SessionStatements interface {
	SessionOnly(stmt string) bool
}
