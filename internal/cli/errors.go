package cli

import (
	"errors"

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
		return re.CLIMessage() + "\n  " + re.Reason
	}
	var ce revision.CLIError
	if errors.As(err, &ce) {
		return ce.CLIMessage()
	}
	return err.Error()
}
