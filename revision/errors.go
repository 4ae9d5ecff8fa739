package revision

import (
	"fmt"
	"strings"
)

// Command names the operation an error arose in. It selects the sentence
// Alembic's command layer (ScriptDirectory._catch_revision_errors) prints for
// the error, returned by the CLIMessage methods. The zero value means the
// error came from a plain query (Resolve, Current, ...).
type Command string

// The commands whose wording differs in Alembic's command layer.
const (
	CmdUpgrade   Command = "upgrade"
	CmdDowngrade Command = "downgrade"
	CmdStamp     Command = "stamp"
	CmdHistory   Command = "history"
)

// CLIError is implemented by every error of this package. CLIMessage returns
// the sentence Alembic's command line prints for the error (after
// "FAILED: "); Error returns Alembic's internal, more precise message.
type CLIError interface {
	error
	CLIMessage() string
}

// ResolutionError reports a revision spec, branch label or version-table row
// that names no revision, or names several (an ambiguous prefix). Error
// returns Alembic's precise internal message, such as
// "No such revision or branch 'x'" or "Multiple revisions start with 'abcd':
// 'abcd1111', 'abcd2222'..."; Alembic's CLI prints only
// "Can't locate revision identified by '<Arg>'" (CLIMessage), and retort adds
// Reason after it.
type ResolutionError struct {
	// Arg is the identifier Alembic's CLI shows: the part after '@' for
	// "label@rev" forms, the label for an unknown "label@...", or the row.
	Arg string
	// Reason is Alembic's internal message; Error returns it.
	Reason string
	// Candidates lists, for an ambiguous prefix, every matching revision id
	// or branch label in map order (ids in load order, then labels).
	Candidates []string
	// VersionRow is set when Arg is a row of the database's version table
	// rather than something the user typed: Alembic's sentence then sends
	// the user looking for a typo that is not there, so the CLI adds where
	// the id came from and how to recover.
	VersionRow bool
}

// Error returns Alembic's message for the error.
func (e *ResolutionError) Error() string { return e.Reason }

// CLIMessage returns "Can't locate revision identified by '<Arg>'".
func (e *ResolutionError) CLIMessage() string {
	return fmt.Sprintf("Can't locate revision identified by '%s'", e.Arg)
}

// MultipleHeadsError reports a spec such as "head" (or "heads" where a single
// revision is needed) that designates several heads.
type MultipleHeadsError struct {
	// Heads are the heads the argument designates.
	Heads []string
	// Arg is the argument as Alembic names it: "head", "label@head", or the
	// spec given.
	Arg string
	// Command is the operation the error arose in; it selects CLIMessage.
	Command Command
	// Dest is the destination spec of an upgrade or downgrade (or the upper
	// end of a history range); CLIMessage names it instead of Arg when set.
	Dest string
}

// Error returns Alembic's message for the error.
func (e *MultipleHeadsError) Error() string {
	return fmt.Sprintf("Multiple heads are present for given argument '%s'; %s",
		e.Arg, strings.Join(e.Heads, ", "))
}

// CLIMessage returns the sentence of Alembic's command layer for the error's
// Command.
func (e *MultipleHeadsError) CLIMessage() string {
	if e.Command == CmdStamp {
		return "Multiple heads are present; please specify a single target revision"
	}
	arg := e.Dest
	if arg == "" {
		arg = e.Arg
	}
	return fmt.Sprintf("Multiple head revisions are present for given argument '%s'; "+
		"please specify a specific target revision, '<branchname>@%s' to narrow to a "+
		"specific head, or 'heads' for all heads", arg, arg)
}

// RangeNotAncestorError reports a range whose ends are not ancestor and
// descendant of each other: a downgrade destination that is not below the
// current rows, or a history range across branches.
type RangeNotAncestorError struct {
	// Lower and Upper are Alembic's internal range ends ("" means base).
	// For a downgrade with nothing to drop Alembic sets Lower to
	// "Nothing to drop" and Upper to the current rows.
	Lower, Upper string
	// Command is the operation the error arose in; it selects CLIMessage.
	Command Command
	// Dest is the destination spec of an upgrade or downgrade.
	Dest string
}

// Error returns Alembic's message for the error.
func (e *RangeNotAncestorError) Error() string {
	lower, upper := e.Lower, e.Upper
	if lower == "" {
		lower = "base"
	}
	if upper == "" {
		upper = "base"
	}
	return fmt.Sprintf("Revision %s is not an ancestor of revision %s", lower, upper)
}

// CLIMessage returns Alembic's command-layer sentence: "Destination X is not
// a valid downgrade target from current head(s)" (or upgrade) for planners,
// "Requested range A:B does not refer to ancestor/descendant revisions along
// the same branch" otherwise.
func (e *RangeNotAncestorError) CLIMessage() string {
	switch e.Command {
	case CmdUpgrade, CmdDowngrade:
		return fmt.Sprintf("Destination %s is not a valid %s target from current head(s)", e.Dest, e.Command)
	}
	return fmt.Sprintf("Requested range %s:%s does not refer to ancestor/descendant "+
		"revisions along the same branch", e.Lower, e.Upper)
}

// RevisionError is any other failure of resolution or planning, with
// Alembic's message: "Ambiguous walk", "Walked too far", "Relative revision
// -2 didn't produce 2 migrations", "Ambiguous upgrade from multiple current
// revisions", "Requested revision X overlaps with other requested revisions
// Y", "Not a valid downgrade target from current heads", ...
type RevisionError struct {
	Message string
	// Overlap is set for "Requested revision X overlaps with other
	// requested revisions Y": X first, then the Y, its ancestors.
	Overlap []string
	// VersionRows holds the version table's rows when the overlapping
	// revisions are rows of it (both a revision and its ancestor are
	// recorded, which Alembic never writes); nil otherwise.
	VersionRows []string
}

// Error returns Alembic's message for the error.
func (e *RevisionError) Error() string { return e.Message }

// CLIMessage returns Message: Alembic prints these verbatim.
func (e *RevisionError) CLIMessage() string { return e.Message }

// Kinds of CycleError, as Alembic names them.
const (
	KindCycle              = "Cycle"
	KindDependencyCycle    = "Dependency cycle"
	KindSelfLoop           = "Self-loop"
	KindDependencySelfLoop = "Dependency self-loop"
)

// CycleError reports a cycle in the graph found by NewGraph: through Down
// (Kind "Cycle", or "Self-loop" for a revision that revises itself) or
// through Down and DependsOn ("Dependency cycle", "Dependency self-loop").
type CycleError struct {
	// Kind is one of KindCycle, KindDependencyCycle, KindSelfLoop,
	// KindDependencySelfLoop.
	Kind string
	// Revisions are the revisions Alembic names: the ones on or above the
	// cycle (sorted), or every revision when the graph has no head or base.
	Revisions []string
	// Paths are the files of Revisions, in the same order ("" if unknown).
	Paths []string
	// Down and DependsOn are the Revises and Depends On lists of
	// Revisions, in the same order.
	Down, DependsOn [][]string
}

func newCycleError(kind string, r *Revision) *CycleError {
	e := &CycleError{Kind: kind}
	e.add(r.ID, r)
	return e
}

func (e *CycleError) add(id string, r *Revision) {
	e.Revisions = append(e.Revisions, id)
	e.Paths = append(e.Paths, r.Path)
	e.Down = append(e.Down, r.Down)
	e.DependsOn = append(e.DependsOn, r.DependsOn)
}

// maxCycleLines is how many revisions Details lists.
const maxCycleLines = 20

// Details returns one line per revision of the error (at most
// maxCycleLines), each indented by two spaces: its id, file and the
// Revises and Depends On lists that close the cycle, as in
// "  4d5e6f708192: versions/4d5e6f708192_x.sql (Revises: 4d5e6f708192)".
func (e *CycleError) Details() string {
	var b strings.Builder
	for i, id := range e.Revisions {
		if i == maxCycleLines {
			fmt.Fprintf(&b, "\n  … and %d more", len(e.Revisions)-i)
			break
		}
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString("  " + id + ":")
		if i < len(e.Paths) && e.Paths[i] != "" {
			b.WriteString(" " + e.Paths[i])
		}
		var parts []string
		if i < len(e.Down) {
			parts = append(parts, "Revises: "+strings.Join(e.Down[i], ", "))
		}
		if i < len(e.DependsOn) && len(e.DependsOn[i]) > 0 {
			parts = append(parts, "Depends On: "+strings.Join(e.DependsOn[i], ", "))
		}
		if len(parts) > 0 {
			b.WriteString(" (" + strings.Join(parts, "; ") + ")")
		}
	}
	return b.String()
}

// Error returns Alembic's message for the error.
func (e *CycleError) Error() string {
	return fmt.Sprintf("%s is detected in revisions (%s)", e.Kind, strings.Join(e.Revisions, ", "))
}

// CLIMessage returns Error().
func (e *CycleError) CLIMessage() string { return e.Error() }

// GraphError reports a revision that cannot be loaded into a graph: an
// invalid or duplicate id, a duplicate branch label, or a Down or DependsOn
// entry that names no revision.
type GraphError struct {
	// Revision is the id of the offending revision.
	Revision string
	// Path is its file ("" if built in code).
	Path string
	// Message describes the problem, in Alembic's words where Alembic has
	// them.
	Message string
}

// Error returns the message, followed by the file when known.
func (e *GraphError) Error() string {
	if e.Path == "" {
		return e.Message
	}
	return e.Message + " (in " + e.Path + ")"
}

// CLIMessage returns Error().
func (e *GraphError) CLIMessage() string { return e.Error() }

func revErr(format string, args ...any) error {
	return &RevisionError{Message: fmt.Sprintf(format, args...)}
}

func relErr(rel string, abs string) error {
	return revErr("Relative revision %s didn't produce %s migrations", rel, abs)
}
