// Package revision is retort's revision graph: Alembic's RevisionMap in Go.
//
// It is pure: it is built from values (never from a directory), never touches
// a database, and answers every question about the graph — heads, bases,
// branch labels, resolution of revision specs such as "ab12@head" or "+2",
// and the ordered steps (with their version-table writes) that move a set of
// applied revisions to a target.
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
