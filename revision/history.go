package revision

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
		out[i] = g.revision(r)
	}
	return out, nil
}

// Applied returns every revision the version rows stand for: the rows and
// all their ancestors through Revises and Depends On, in load order. An
// unknown row is a *ResolutionError.
func (g *Graph) Applied(rows []string) ([]string, error) {
	starts := make([]int, 0, len(rows))
	for _, r := range rows {
		i, ok := g.byID[r]
		if !ok {
			return nil, &ResolutionError{Arg: r, Reason: "No such revision or branch '" + r + "'", VersionRow: true}
		}
		starts = append(starts, i)
	}
	set := g.closure(starts, eAllDown)
	var out []string
	for i := range g.nodes {
		if set.has(i) {
			out = append(out, g.id(i))
		}
	}
	return out, nil
}
