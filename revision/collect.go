package revision

import (
	"slices"
	"strings"
)

const downgradeMinusWarning = "downgrade -1 from multiple heads is ambiguous; this usage will be disallowed in a future release."

// resolveStart resolves one element of the "current" argument of a relative
// spec the way _walk resolves a string start (get_revision).
func (c *ctx) resolveStart(cur arg, s string) (int, error) {
	if cur.rows {
		return c.row(s)
	}
	return c.getRevision(s)
}

// parseUpgradeTarget is _parse_upgrade_target: the revisions an upgrade
// target designates, given the current revisions for relative forms.
func (c *ctx) parseUpgradeTarget(current, target arg, assertRel bool) ([]int, error) {
	var m relSpec
	var ok bool
	if target.str {
		m, ok = parseRelative(target.specs[0])
	}
	if !ok {
		return c.getRevisions(target)
	}
	g := c.g
	if m.value() > 0 {
		if !m.hasSymbol {
			// start from the current revision(s), as strings, nodes or None.
			var starts []int
			if len(current.specs) == 0 {
				starts = []int{rvNone}
			}
			if m.label != "" {
				revs, err := c.getRevisions(current)
				if err != nil {
					return nil, err
				}
				sr, err := c.filterForLineage(nonNeg(revs), m.label, false)
				if err != nil {
					return nil, err
				}
				if len(sr) == 0 {
					// the branch has no current head: start from the tip of
					// the branch among the ancestors of the current revisions.
					anc := g.closure(nonNeg(revs), eNormDown).members()
					active, err := c.filterForLineage(anc, m.label, false)
					if err != nil {
						return nil, err
					}
					below := newBitset(len(g.nodes))
					for _, a := range active {
						for _, d := range g.normDown(a) {
							below.set(d)
						}
					}
					for _, a := range active {
						if !below.has(a) {
							sr = append(sr, a)
						}
					}
					if len(sr) == 0 {
						sr = []int{rvNone}
					}
				}
				starts = sr
			} else if len(current.specs) > 0 {
				if len(current.specs) > 1 {
					return nil, revErr("Ambiguous upgrade from multiple current revisions")
				}
				s, err := c.resolveStart(current, current.specs[0])
				if err != nil {
					return nil, err
				}
				starts = []int{s}
			}
			if len(starts) > 1 {
				return nil, revErr("Ambiguous upgrade from multiple current revisions")
			}
			r, err := c.walk(starts[0], m.value(), m.label, assertRel)
			if err != nil {
				return nil, err
			}
			if r == rvNone {
				return nil, relErr(m.raw, m.abs)
			}
			return []int{r}, nil
		}
		start, err := c.getRevision(m.symbol)
		if err != nil {
			return nil, err
		}
		r, err := c.walk(start, m.value(), m.label, assertRel)
		if err != nil {
			return nil, err
		}
		return []int{r}, nil
	}
	if !m.hasSymbol {
		return nil, relErr(m.intText(), m.abs)
	}
	spec := m.symbol
	if m.label != "" {
		spec = m.label + "@" + m.symbol
	}
	start, err := c.getRevision(spec)
	if err != nil {
		return nil, err
	}
	r, err := c.walk(start, m.value(), "", assertRel)
	if err != nil {
		return nil, err
	}
	return []int{r}, nil
}

func nonNeg(xs []int) []int {
	out := make([]int, 0, len(xs))
	for _, x := range xs {
		if x >= 0 {
			out = append(out, x)
		}
	}
	return out
}

// parseDowngradeTarget is _parse_downgrade_target: the branch label (or ""),
// and the revision a downgrade target designates (rvNone or rvBase for base).
func (c *ctx) parseDowngradeTarget(current, target arg, assertRel bool) (string, int, error) {
	if target.isNone() {
		return "", rvNone, nil
	}
	s := target.specs[0]
	if m, ok := parseRelative(s); ok {
		v := m.value()
		if v >= 0 {
			if !m.hasSymbol {
				return "", 0, relErr(m.raw, m.abs)
			}
			start, err := c.getRevision(m.symbol)
			if err != nil {
				return "", 0, err
			}
			r, err := c.walk(start, v, m.label, assertRel)
			if err != nil {
				return "", 0, err
			}
			if r == rvNone {
				return "", 0, revErr("Walked too far")
			}
			return m.label, r, nil
		}
		label, symbol := m.label, m.symbol
		relative := !m.hasSymbol
		if relative {
			if label != "" {
				var cur []int
				for _, sp := range current.specs {
					var r int
					var err error
					if current.rows {
						r, err = c.row(sp)
					} else {
						r, err = c.revisionForIdent(sp, false, "")
					}
					if err != nil {
						return "", 0, err
					}
					cur = append(cur, r)
				}
				sl, err := c.filterForLineage(cur, label, false)
				if err != nil {
					return "", 0, err
				}
				if len(sl) == 0 {
					// all branch heads may be implied by dependencies of
					// the current revisions.
					all, err := c.allCurrent(current)
					if err != nil {
						return "", 0, err
					}
					if sl, err = c.filterForLineage(all, label, false); err != nil {
						return "", 0, err
					}
				}
				sl = dedupeInts(sl)
				switch {
				case len(sl) == 0: // Alembic: AssertionError
					return "", 0, relErr(m.raw, m.abs)
				case len(sl) > 1: // Alembic: AssertionError
					return "", 0, revErr("Ambiguous walk")
				}
				symbol = c.id(sl[0])
			} else {
				if len(current.specs) == 0 {
					return "", 0, relErr(m.raw, m.abs)
				}
				// With several distinct rows Alembic warns (see
				// DowngradeWarnings) and uses the first.
				symbol = current.specs[0]
				// Restrict to the branch of the selected revision.
				label = symbol
			}
		}
		spec := symbol
		if label != "" {
			spec = label + "@" + symbol
		}
		start, err := c.getRevision(spec)
		if err != nil {
			// "row@row" for a row no file declares: still a row.
			if re, ok := err.(*ResolutionError); ok && current.rows && slices.Contains(current.specs, re.Arg) {
				re.VersionRow = true
			}
			return "", 0, err
		}
		r, err := c.walk(start, v, "", assertRel)
		if err != nil {
			return "", 0, err
		}
		if r == rvNone {
			if relative {
				return "", 0, relErr(m.raw, m.abs)
			}
			return "", 0, revErr("Walked too far")
		}
		return label, r, nil
	}
	label, symbol := "", s
	if i := strings.LastIndexByte(s, '@'); i >= 0 {
		label, symbol = s[:i], s[i+1:]
	}
	r, err := c.getRevision(symbol)
	if err != nil {
		return "", 0, err
	}
	return label, r, nil
}

func distinctCount(xs []string) int {
	seen := map[string]bool{}
	for _, x := range xs {
		seen[x] = true
	}
	return len(seen)
}

// collectDowngrade is _collect_downgrade_revisions: the revisions to remove
// to go from upper (the current rows) down to lower, and the current heads.
func (c *ctx) collectDowngrade(upper, lower arg, inclusive, implicitBase, assertRel bool) (bitset, []int, error) {
	g := c.g
	label, target, err := c.parseDowngradeTarget(upper, lower, assertRel)
	if err != nil {
		return nil, nil, err
	}
	if target == rvBase {
		target = rvNone
	}
	var roots []int
	switch {
	case target == rvNone:
		roots = g.bases
	case inclusive:
		roots = []int{target}
	default:
		roots = g.next(target)
	}
	if label != "" && len(roots) > 1 {
		br, err := c.resolveBranch(label)
		if err != nil {
			return nil, nil, err
		}
		anc := g.closure([]int{br}, eDown)
		var kept []int
		for _, r := range roots {
			if anc.has(r) {
				kept = append(kept, r)
			}
		}
		roots = kept
		if len(roots) == 0 {
			return nil, nil, revErr("Not a valid downgrade target from current heads")
		}
	}
	heads, err := c.getRevisions(upper)
	if err != nil {
		return nil, nil, err
	}
	heads = nonNeg(heads)
	remove := g.closure(roots, eAllNext)
	active := g.closure(heads, eNormDown)
	remove.and(active)
	if implicitBase {
		extra := active.clone()
		extra.andNot(g.closure(roots, eNormDown))
		remove.or(extra)
	}
	if target != rvNone && remove.empty() && !containsInt(heads, target) {
		return nil, nil, &RangeNotAncestorError{Lower: "Nothing to drop", Upper: upper.display()}
	}
	return remove, heads, nil
}

// collectUpgrade is _collect_upgrade_revisions: the revisions needed to go
// from lower (current revisions) up to upper, and the upgrade targets.
func (c *ctx) collectUpgrade(upper, lower arg, inclusive, implicitBase, assertRel bool) (bitset, []int, error) {
	g := c.g
	raw, err := c.parseUpgradeTarget(lower, upper, assertRel)
	if err != nil {
		return nil, nil, err
	}
	var targets []int
	for _, t := range raw {
		switch t {
		case rvNone: // Alembic: AssertionError
			return nil, nil, revErr("Walked too far")
		case rvBase: // walked down to base: nothing to upgrade to
		default:
			targets = append(targets, t)
		}
	}
	if lower.str && strings.Contains(lower.specs[0], "@") {
		// a named lower end ("branch@rev"): keep the targets on that branch.
		branch, _, _ := strings.Cut(lower.specs[0], "@")
		br, err := c.getRevision(branch)
		if err != nil {
			return nil, nil, err
		}
		var lin bitset
		if br >= 0 && g.id(br) == branch {
			// a revision id was used as the label: use its branch.
			if l := g.labelsOf(br); len(l) == 1 {
				branch = l[0]
			} else {
				// Alembic: AssertionError; retort keeps its lineage.
				lin = c.lineageOfNode(br, false)
			}
		}
		var kept []int
		for _, t := range dedupeInts(targets) {
			if (lin != nil && lin.has(t)) || (lin == nil && hasString(g.labelsOf(t), branch)) {
				kept = append(kept, t)
			}
		}
		sortInts(kept)
		targets = kept
	}
	required, err := g.checkedClosure(targets, eNormDown)
	if err != nil {
		return nil, nil, err
	}
	curRaw, err := c.getRevisions(lower)
	if err != nil {
		return nil, nil, err
	}
	cur := curRaw
	if !implicitBase {
		// a relative lower end that walked down to base ("base" in Alembic)
		// is not an ancestor either.
		for _, r := range cur {
			if r != rvNone && (r == rvBase || !required.has(r)) {
				return nil, nil, &RangeNotAncestorError{Lower: lower.display(), Upper: upper.display()}
			}
		}
	}
	if len(cur) > 0 && cur[0] == rvNone {
		// a relative lower end walked too far: read it as a downgrade target.
		_, r, err := c.parseDowngradeTarget(upper, lower, assertRel)
		if err != nil {
			return nil, nil, err
		}
		switch r {
		case rvNone:
			return nil, nil, revErr("Walked too far")
		case rvBase:
			cur, lower = nil, arg{}
		default:
			cur, lower = []int{r}, strArg(g.id(r))
		}
	}
	cur = nonNeg(cur)
	curSet, err := g.checkedClosure(cur, eNormDown)
	if err != nil {
		return nil, nil, markRows(err, lower)
	}
	needs := required.clone()
	needs.andNot(curSet)
	if inclusive {
		lr, err := c.getRevisions(lower)
		if err != nil {
			return nil, nil, err
		}
		for _, r := range lr {
			if r >= 0 {
				needs.set(r)
			}
		}
	}
	if len(cur) > 0 && !implicitBase {
		desc, err := g.checkedClosure(cur, eNext)
		if err != nil {
			return nil, nil, markRows(err, lower)
		}
		needs.and(desc)
	}
	return needs, targets, nil
}

// iterate is iterate_revisions: the revisions between lower and upper in
// downgrade order (children first).
func (c *ctx) iterate(upper, lower arg, implicitBase, inclusive, assertRel, forDowngrade bool) ([]int, error) {
	var set bitset
	var heads []int
	var err error
	if forDowngrade {
		set, heads, err = c.collectDowngrade(upper, lower, inclusive, implicitBase, assertRel)
	} else {
		set, heads, err = c.collectUpgrade(upper, lower, inclusive, implicitBase, assertRel)
	}
	if err != nil {
		return nil, err
	}
	return c.g.topoSort(set, heads)
}

// allCurrent is _get_all_current: the current rows plus the revisions their
// dependencies imply, reduced to branch heads (revisions with no child
// through Down among them), in load order.
func (c *ctx) allCurrent(rows arg) ([]int, error) {
	revs, err := c.getRevisions(rows)
	if err != nil {
		return nil, err
	}
	g := c.g
	all := g.closure(nonNeg(revs), eNormDown)
	var out []int
	all.each(func(i int) {
		start, end := g.adjBounds(i, eNext) // see adjBounds
		for k := start; k < end; k++ {
			if all.has(g.edges[k]) {
				return
			}
		}
		out = append(out, i)
	})
	return out, nil
}
