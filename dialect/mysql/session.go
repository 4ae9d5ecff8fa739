package mysql

import (
	"strings"

	"github.com/retortdb/retort/dialect"
)

var _ dialect.SessionStatements = Dialect{}

// SessionOnly implements dialect.SessionStatements: SET of session
// variables, but not SET GLOBAL or SET PERSIST, which change the server.
func (Dialect) SessionOnly(stmt string) bool {
	words := strings.Fields(strings.ToLower(stmt))
	if len(words) < 2 || words[0] != "set" {
		return false
	}
	switch w := words[1]; {
	case w == "global", w == "persist", w == "persist_only",
		strings.HasPrefix(w, "@@global."), strings.HasPrefix(w, "@@persist"):
		return false
	}
	return true
}
