package postgres

import (
	"strings"

	"github.com/retortdb/retort/dialect"
)

var _ dialect.SessionStatements = Dialect{}

// SessionOnly implements dialect.SessionStatements: SET and RESET change
// only the session (or the transaction, with LOCAL).
func (Dialect) SessionOnly(stmt string) bool {
	words := strings.Fields(strings.ToLower(stmt))
	return len(words) >= 2 && (words[0] == "set" || words[0] == "reset")
}
