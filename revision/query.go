package revision

import "slices"

// Len returns the number of revisions.
func (g *Graph) Len() int { return len(g.nodes) }

// Revisions returns every revision in load order.
func (g *Graph) Revisions() []*Revision {
	out := make([]*Revision, len(g.nodes))
	for i := range g.nodes {
		out[i] = g.revision(i)
	}
	return out
}

// Get returns the revision with exactly this id.
func (g *Graph) Get(id string) (*Revision, bool) {
	i, ok := g.byID[id]
	if !ok {
		return nil, false
	}
	return g.revision(i), true
}

// Index returns the position of the revision with exactly this id in the
// slice NewGraph or NewGraphOwned was given (the load order), so that a caller can keep
// per-revision data in a parallel slice instead of a second map.
func (g *Graph) Index(id string) (int, bool) {
	i, ok := g.byID[id]
	return i, ok
}

func (g *Graph) idsOf(xs []int) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = g.id(x)
	}
	return out
}

// Heads returns the revisions no revision revises (no child through Down),
// in load order: Alembic's get_heads, which includes "effective heads" that
// another revision depends on. `retort heads` prints these.
func (g *Graph) Heads() []string { return g.idsOf(g.heads) }

// RealHeads returns the heads that no revision depends on either, in load
// order: what the symbol "heads" designates and what `heads
// --resolve-dependencies` prints.
func (g *Graph) RealHeads() []string { return g.idsOf(g.realHeads) }

// Bases returns the revisions with no Down, in load order.
func (g *Graph) Bases() []string { return g.idsOf(g.bases) }

// Children returns the revisions that list id in their Down, in load order.
func (g *Graph) Children(id string) []string {
	i, ok := g.byID[id]
	if !ok {
		return nil
	}
	return g.idsOf(g.next(i))
}

// IsHead reports whether no revision revises id (Alembic's is_head; true
// for effective heads too).
func (g *Graph) IsHead(id string) bool {
	i, ok := g.byID[id]
	return ok && len(g.next(i)) == 0
}

// IsEffectiveHead reports whether id is a head that another revision
// depends on (printed "(effective head)").
func (g *Graph) IsEffectiveHead(id string) bool {
	i, ok := g.byID[id]
	return ok && len(g.next(i)) == 0 && len(g.allNext(i)) > 0
}

// IsBranchPoint reports whether two or more revisions revise id.
func (g *Graph) IsBranchPoint(id string) bool {
	i, ok := g.byID[id]
	return ok && len(g.next(i)) > 1
}

// IsMergePoint reports whether id revises two or more revisions.
func (g *Graph) IsMergePoint(id string) bool {
	i, ok := g.byID[id]
	return ok && len(g.down(i)) > 1
}

// BranchLabelsOf returns the branch labels revision id carries, sorted: its
// own and those propagated from the revisions around it, as Alembic's
// "Branch names:" shows them.
func (g *Graph) BranchLabelsOf(id string) []string {
	i, ok := g.byID[id]
	if !ok {
		return nil
	}
	return slices.Clone(g.labelsOf(i))
}

// DependsOnIDs returns the revisions id depends on, with DependsOn entries
// (ids, prefixes or branch labels) resolved to revision ids, in declaration
// order.
func (g *Graph) DependsOnIDs(id string) []string {
	i, ok := g.byID[id]
	if !ok {
		return nil
	}
	return g.idsOf(g.depsOf(i))
}
