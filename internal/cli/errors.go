package cli

import (
	"errors"
	"fmt"

	"github.com/retortdb/retort"
	"github.com/retortdb/retort/revision"
)

// explain turns a library error into the FAILED line: Alembic's sentence
// where Alembic has one, and for a revision that cannot be located the
// precise reason on the next line.
func (a *app) explain(err error) string {
	// A command's own sentence wins over the graph error it wraps.
	var cmdErr *retort.CommandError
	if errors.As(err, &cmdErr) {
		return cmdErr.Msg
	}
	var re *revision.ResolutionError
	if errors.As(err, &re) {
		msg := re.CLIMessage() + "\n  " + re.Reason
		if re.VersionRow {
			// Not a typo of the user's: the id came from the database.
			msg += fmt.Sprintf("\n  '%s' is in the database's version table, but no revision file declares it: "+
				"restore that file, or rewrite the version table with `retort stamp --purge REV` (REV: the revision the schema is really at)", re.Arg)
		}
		return msg
	}
	var ce revision.CLIError
	if errors.As(err, &ce) {
		return ce.CLIMessage()
	}
	return err.Error()
}
