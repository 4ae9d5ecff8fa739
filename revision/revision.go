// Package revision is retort's revision graph: Alembic's RevisionMap in Go.
//
// It is pure: it is built from values (never from a directory), never touches
// a database, and answers every question about the graph — heads, bases,
// branch labels, resolution of revision specs such as "ab12@head" or "+2",
// and the ordered steps (with their version-table writes) that move a set of
// applied revisions to a target.
//
// # Compatibility with Alembic
//
// Resolution (Graph.Resolve), planning (PlanUpgrade, PlanDowngrade,
// PlanStamp), History and Current reproduce Alembic's RevisionMap,
// ScriptDirectory._upgrade_revs/_downgrade_revs/_stamp_revs and
// HeadMaintainer, including their step order and error messages; the tests
// check them against ~40,000 cases produced by running Alembic itself
// (testdata/gen_alembic_cases.py). Errors carry Alembic's internal message
// (Error) and the sentence its command line prints (CLIMessage).
//
// Where Alembic's result depends on Python's hash order, retort is
// deterministic: at a merge the row of the first Down parent is updated and
// the other parents' rows are deleted; at an unmerge the row is updated to the
// first parent and the others are inserted; several dependencies are taken
// in declaration order. The end state is always Alembic's.
//
// Where Alembic fails with an uncaught exception (AssertionError, KeyError),
// retort returns a typed error or the evident result instead:
//   - upgrade "<rev>+N" or "<rev>-N" walking past the end of the graph:
//     *RevisionError "Walked too far"; walking down exactly to base: no steps;
//   - downgrade "label@-N" with no or several current rows in the branch:
//     "Relative revision -N didn't produce N migrations" or "Ambiguous walk";
//   - history "<rev>@base:..." where <rev> carries no or several branch
//     labels: the lineage of <rev> is used; history ranges that mix branches
//     and dependencies: *RangeNotAncestorError;
//   - a merge parent that is neither a row nor implied by one (a redundant
//     Revises entry) is left alone instead of deleted;
//   - stamp targets that are each other's ancestors, and other inconsistent
//     stamps: *RevisionError ("version table bookkeeping failed: ...");
//   - an empty spec: *ResolutionError.
//
// Deliberate differences: a duplicate revision id is an error; Down must list
// exact revision ids; version-table rows must be exact ids (Alembic also
// accepts prefixes there); the ids head, heads, base and current are
// reserved; stamp does not read a bare "-N" as "N below the heads".
package revision

// Revision is one node of the graph, as declared by a migration file's header.
type Revision struct {
	// ID is the revision identifier ("Revision ID:").
	ID string
	// Down lists the revisions this one revises ("Revises:"), in file order.
	// Empty for a base; two or more for a merge point.
	Down []string
	// BranchLabels are the labels declared on this revision ("Branch Labels:").
	BranchLabels []string
	// DependsOn lists revisions (ids, unique prefixes or branch labels) that
	// must be applied before this one without being its parents ("Depends On:").
	DependsOn []string
	// Message is the first line of the header: Alembic's short doc.
	Message string
	// LongDoc is the whole free text of the header (message and any further
	// comment lines that are not fields).
	LongDoc string
	// Path is the file the revision was loaded from, used in messages. It may
	// be empty for revisions built in code.
	Path string
}
