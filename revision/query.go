package revision

import "slices"

// Len returns the number of revisions.
func (g *Graph) Len() int { return len(g.nodes) }

// Revisions returns every revision in load order.
func (g *Graph) Revisions() []*Revision {
	out := make([]*Revision, len(g.nodes))
	for i := range g.nodes {
		out[i] = g.nodes[i].rev
	}
	return out
}

// Get returns the revision with exactly this id.
func (g *Graph) Get(id string) (*Revision, bool) {
	i, ok := g.byID[id]
	if !ok {
		return nil, false
	}
	return g.nodes[i].rev, true
}

func (g *Graph) idsOf(xs []int) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = g.nodes[x].id
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
	return g.idsOf(g.nodes[i].next)
}

// IsHead reports whether no revision revises id (Alembic's is_head; true
// for effective heads too).
func (g *Graph) IsHead(id string) bool {
	i, ok := g.byID[id]
	return ok && len(g.nodes[i].next) == 0
}

// IsEffectiveHead reports whether id is a head that another revision
// depends on (printed "(effective head)").
func (g *Graph) IsEffectiveHead(id string) bool {
	i, ok := g.byID[id]
	return ok && len(g.nodes[i].next) == 0 && len(g.nodes[i].allNext) > 0
}

// IsBranchPoint reports whether two or more revisions revise id.
func (g *Graph) IsBranchPoint(id string) bool {
	i, ok := g.byID[id]
	return ok && len(g.nodes[i].next) > 1
}

// IsMergePoint reports whether id revises two or more revisions.
func (g *Graph) IsMergePoint(id string) bool {
	i, ok := g.byID[id]
	return ok && len(g.nodes[i].down) > 1
}

// BranchLabelsOf returns the branch labels revision id carries, sorted: its
// own and those propagated from the revisions around it, as Alembic's
// "Branch names:" shows them.
func (g *Graph) BranchLabelsOf(id string) []string {
	i, ok := g.byID[id]
	if !ok {
		return nil
	}
	return slices.Clone(g.nodes[i].labels)
}

// DependsOnIDs returns the revisions id depends on, with DependsOn entries
// (ids, prefixes or branch labels) resolved to revision ids, in declaration
// order.
func (g *Graph) DependsOnIDs(id string) []string {
	i, ok := g.byID[id]
	if !ok {
		return nil
	}
	return g.idsOf(g.nodes[i].deps)
}

// Resolve returns the revisions an absolute spec designates, in the order
// Alembic's get_revisions gives them: a full id, a unique prefix (candidates
// must be longer than three characters), a branch label, "head", "heads"
// (the real heads), "base" (no revisions), "x@head", "x@heads", "x@base",
// "x@rev" (x being a label or any revision), and relative specs with a
// symbol ("rev+N", "head-N", "heads-1", "base+N", "label@head-1"; walks
// never cross branch or merge points). A bare "-N" walks N steps down from
// every real head, "label@-N" from those carrying the label. "current" is
// rejected.
//
// Errors: *ResolutionError, *MultipleHeadsError ("head" with several heads),
// *RevisionError ("Ambiguous walk", "Walked too far").
func (g *Graph) Resolve(spec string) ([]string, error) {
	if err := rejectCurrent(spec); err != nil {
		return nil, err
	}
	c := newCtx(g)
	var rs []int
	if m, ok := parseRelative(spec); ok && m.hasSymbol {
		var err error
		if rs, err = c.parseUpgradeTarget(arg{}, strArg(spec), true); err != nil {
			return nil, err
		}
	} else {
		var err error
		if rs, err = c.getRevisions(strArg(spec)); err != nil {
			return nil, err
		}
	}
	var out []string
	for _, r := range dedupeInts(rs) {
		switch {
		case r == rvNone:
			return nil, revErr("Walked too far")
		case r >= 0:
			out = append(out, g.nodes[r].id)
		}
	}
	return out, nil
}

// Current returns what `retort current` prints for the version rows: the
// rows plus the revisions their dependencies imply, reduced to branch heads
// (Alembic's get_all_current), in load order. An unknown row is a
// *ResolutionError.
func (g *Graph) Current(rows []string) ([]string, error) {
	c := newCtx(g)
	rs, err := c.allCurrent(rowsArg(rows))
	if err != nil {
		return nil, err
	}
	return g.idsOf(rs), nil
}

// History returns the revisions of `history -r lower:upper`, newest first
// (the order of a full downgrade): Alembic's walk_revisions. An empty lower
// means base, an empty upper means heads. Either end may be "current" (the
// rows, which must then be given; with no rows it means base or heads), a
// relative spec ("-3" as lower, "+2" as upper; relative ends that go too
// far are clipped) or any absolute spec.
//
// Errors: *ResolutionError, *MultipleHeadsError, *RangeNotAncestorError
// (CLIMessage: "Requested range A:B does not refer to ancestor/descendant
// revisions along the same branch"), *RevisionError.
func (g *Graph) History(lower, upper string, current []string) ([]*Revision, error) {
	start, end := lower, upper
	if start == "" {
		start = "base"
	}
	if end == "" {
		end = "heads"
	}
	lo, up := strArg(start), strArg(end)
	switch {
	case upper == "current":
		up = strArg("heads")
		if len(current) > 0 {
			up = rowsArg(current)
		}
	case lower == "current":
		lo = strArg("base")
		if len(current) > 0 {
			lo = rowsArg(current)
		}
	}
	c := newCtx(g)
	order, err := c.iterate(up, lo, false, true, false, false)
	if err != nil {
		if _, ok := err.(*notBelowError); ok {
			// Alembic fails an assertion here: the range mixes branches.
			err = &RangeNotAncestorError{}
		}
		if rn, ok := err.(*RangeNotAncestorError); ok {
			rn.Lower, rn.Upper = start, end
		}
		return nil, annotate(err, CmdHistory, end)
	}
	out := make([]*Revision, len(order))
	for i, r := range order {
		out[i] = g.nodes[r].rev
	}
	return out, nil
}
