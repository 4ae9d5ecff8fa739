package migrate

import (
	"errors"
	"strings"
	"testing"

	"github.com/retortdb/retort/dialect"
	"github.com/retortdb/retort/dialect/mysql"
	"github.com/retortdb/retort/dialect/postgres"
	"github.com/retortdb/retort/dialect/sqlite"
)

// TestFirstStatementHintPerDialect: the note on a step that failed on its
// first statement and could not be rolled back speaks of the database at
// hand: CREATE INDEX CONCURRENTLY is PostgreSQL's only.
func TestFirstStatementHintPerDialect(t *testing.T) {
	dialects := map[string]dialect.Dialect{"postgresql": postgres.Dialect{}, "mysql": mysql.Dialect{}, "sqlite": sqlite.Dialect{}}
	for name, want := range map[string]string{
		"postgresql": "CREATE INDEX CONCURRENTLY",
		"mysql":      "DROP TABLE a, b",
		"sqlite":     "",
	} {
		e := &StepError{Revision: "a1", Direction: "upgrade", Path: "v/a1.sql", Statement: "X",
			FailedStatementNote: failedStatementNote(dialects[name]), Err: errors.New("boom")}
		msg := e.Error()
		if !strings.Contains(msg, "it failed on its first statement, so none of its statements stays applied") {
			t.Errorf("%s: %s", name, msg)
		}
		if want != "" && !strings.Contains(msg, want) {
			t.Errorf("%s: message does not say %q:\n%s", name, want, msg)
		}
		if name != "postgresql" && strings.Contains(msg, "CONCURRENTLY") {
			t.Errorf("%s: message names PostgreSQL's CREATE INDEX CONCURRENTLY:\n%s", name, msg)
		}
	}
}
