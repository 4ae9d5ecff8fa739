package cli

import (
	"errors"
	"fmt"
	"slices"
	"strings"

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
	var cyc *revision.CycleError
	if errors.As(err, &cyc) {
		// Alembic's sentence names ids only: add the files to edit.
		if d := cyc.Details(); d != "" {
			return cyc.CLIMessage() + "\n" + d
		}
		return cyc.CLIMessage()
	}
	var rev *revision.RevisionError
	if errors.As(err, &rev) && len(rev.VersionRows) > 0 && len(rev.Overlap) > 1 {
		// Alembic never writes a revision and its ancestor as two rows:
		// the table was edited, or written by hand. Keep the newer one
		// and every row on another branch.
		var keep []string
		for _, r := range rev.VersionRows {
			if !slices.Contains(rev.Overlap[1:], r) && !slices.Contains(keep, r) {
				keep = append(keep, r)
			}
		}
		return rev.CLIMessage() + fmt.Sprintf("\n  the version table holds both %s and its ancestor %s: "+
			"if the schema is at %s, rewrite the table with `retort stamp --purge %s`",
			rev.Overlap[0], strings.Join(rev.Overlap[1:], ", "), rev.Overlap[0], strings.Join(keep, " "))
	}
	var ce revision.CLIError
	if errors.As(err, &ce) {
		return ce.CLIMessage()
	}
	return err.Error()
}
