package migrate

import "strings"

// sessionOnly reports whether a statement changes only the connection's
// session (SQLite's foreign_keys pragmas, SET and RESET of session
// settings), so it leaves nothing behind in the database if the step fails
// after it: it is not listed among the statements that "stay applied", and
// a failure after only such statements is not a half-applied step. SET
// GLOBAL and SET PERSIST (MySQL) change the server and do not count.
func sessionOnly(stmt string) bool {
	words := strings.Fields(strings.ToLower(stmt))
	if len(words) < 2 {
		return false
	}
	switch words[0] {
	case "pragma":
		name, _, _ := strings.Cut(words[1], "=")
		name = strings.TrimPrefix(name, "main.")
		switch name {
		case "foreign_keys", "defer_foreign_keys", "legacy_alter_table", "recursive_triggers":
			return true
		}
		return false
	case "set":
		switch w := words[1]; {
		case w == "global", w == "persist", w == "persist_only",
			strings.HasPrefix(w, "@@global."), strings.HasPrefix(w, "@@persist"):
			return false
		}
		return true
	case "reset":
		return true
	}
	return false
}
