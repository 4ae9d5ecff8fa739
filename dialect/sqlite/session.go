package sqlite

import (
	"strings"

	"github.com/retortdb/retort/dialect"
)

var _ dialect.SessionStatements = Dialect{}

// SessionOnly implements dialect.SessionStatements: the pragmas that only
// change the connection (foreign key enforcement and friends), not those
// that persist in the file, such as user_version or journal_mode.
func (Dialect) SessionOnly(stmt string) bool {
	words := strings.Fields(strings.ToLower(stmt))
	if len(words) < 2 || words[0] != "pragma" {
		return false
	}
	name, _, _ := strings.Cut(words[1], "=")
	switch strings.TrimPrefix(name, "main.") {
	case "foreign_keys", "defer_foreign_keys", "legacy_alter_table", "recursive_triggers":
		return true
	}
	return false
}
