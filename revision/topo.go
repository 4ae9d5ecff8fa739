package revision

import "slices"

// topoSort is Alembic's _topological_sort: the members of set in downgrade
// order (every revision before its ancestors), walking depth first down each
// branch from the heads in load order, but stopping at a revision while
// another pending head still descends from it.
//
// Alembic keeps one ancestor set per pending head and recomputes it at every
// merge, branch or dependency, which is quadratic on large graphs. When the
// set is convex (no path between two members leaves the set) and every member
// lies below a head, topoSortFast computes the same order in near-linear
// time; otherwise topoSortLiteral follows Alembic step by step.
func (g *Graph) topoSort(set bitset, heads []int) ([]int, error) {
	start := g.sortedHeads(set, heads)
	if g.fastSortable(set, start) {
		if out, ok := g.topoSortFast(set, start); ok {
			return out, nil
		}
	}
	return g.topoSortLiteral(set, start)
}

// sortedHeads returns the distinct heads in set, in load order.
func (g *Graph) sortedHeads(set bitset, heads []int) []int {
	var out []int
	for _, h := range heads {
		if h >= 0 && set.has(h) {
			out = append(out, h)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// fastSortable reports whether every member of set lies below one of heads
// within set, and no path between two members leaves the set.
func (g *Graph) fastSortable(set bitset, heads []int) bool {
	total := set.count()
	if total == 0 {
		return true
	}
	seen := newBitset(len(g.nodes))
	stack := append([]int(nil), heads...)
	for _, h := range heads {
		seen.set(h)
	}
	reached := len(heads)
	minRank := int32(len(g.nodes))
	var exits []int
	for len(stack) > 0 {
		x := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		minRank = min(minRank, g.rank[x])
		for _, d := range g.normDown(x) {
			if !set.has(d) {
				exits = append(exits, d)
				continue
			}
			if !seen.has(d) {
				seen.set(d)
				reached++
				stack = append(stack, d)
			}
		}
	}
	if reached != total {
		return false
	}
	// Convexity: nothing below an exit may be in the set. Revisions ranked
	// below every member cannot lead back into it.
	out := newBitset(len(g.nodes))
	for _, e := range exits {
		if out.has(e) || g.rank[e] < minRank {
			continue
		}
		out.set(e)
		stack = append(stack[:0], e)
		for len(stack) > 0 {
			x := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			for _, d := range g.normDown(x) {
				if set.has(d) {
					return false
				}
				if !out.has(d) && g.rank[d] >= minRank {
					out.set(d)
					stack = append(stack, d)
				}
			}
		}
	}
	return true
}

// topoSortFast is the order of topoSortLiteral for convex sets. There a
// pending head is an ancestor of another pending head exactly when it still
// has an unemitted child in the set, so a counter replaces Alembic's
// ancestor sets; the head to switch to (the first, in list order, that
// descends from the blocked one) is found by searching upwards among the
// unemitted members.
func (g *Graph) topoSortFast(set bitset, heads []int) ([]int, bool) {
	todo := set.clone()
	pending := make([]int32, len(g.nodes)) // unemitted children within set
	todo.each(func(x int) {
		for _, d := range g.normDown(x) {
			if todo.has(d) {
				pending[d]++
			}
		}
	})
	inHeads := newBitset(len(g.nodes))
	cur := append([]int(nil), heads...)
	for _, h := range cur {
		inHeads.set(h)
	}
	out := make([]int, 0, set.count())
	mark := make([]uint32, len(g.nodes))
	var stamp uint32
	var stack []int
	idx := 0
	for len(cur) > 0 {
		cand := cur[idx]
		if pending[cand] > 0 {
			// Find the first other head that descends from cand.
			stamp++
			stack = append(stack[:0], cand)
			for len(stack) > 0 {
				x := stack[len(stack)-1]
				stack = stack[:len(stack)-1]
				for _, y := range g.normNext(x) {
					if todo.has(y) && mark[y] != stamp {
						mark[y] = stamp
						stack = append(stack, y)
					}
				}
			}
			next := -1
			for j, h := range cur {
				if j != idx && mark[h] == stamp {
					next = j
					break
				}
			}
			if next < 0 {
				return nil, false // cannot happen for a convex set
			}
			idx = next
			continue
		}
		out = append(out, cand)
		todo.clear(cand)
		inHeads.clear(cand)
		var add []int
		for _, d := range g.normDown(cand) {
			if todo.has(d) {
				pending[d]--
				if !inHeads.has(d) {
					add = append(add, d)
				}
			}
		}
		if len(add) == 0 {
			cur = slices.Delete(cur, idx, idx+1)
			idx = max(idx-1, 0)
			continue
		}
		cur[idx] = add[0]
		cur = append(cur, add[1:]...)
		for _, d := range add {
			inHeads.set(d)
		}
	}
	return out, true
}

// topoSortLiteral is Alembic's algorithm as written.
func (g *Graph) topoSortLiteral(set bitset, heads []int) ([]int, error) {
	todo := set.clone()
	cur := append([]int(nil), heads...)
	anc := make([]bitset, len(cur))
	for i, h := range cur {
		anc[i] = g.closure([]int{h}, eNormDown)
	}
	out := make([]int, 0, set.count())
	idx := 0
	for len(cur) > 0 {
		cand := cur[idx]
		switched := false
		for j, a := range anc {
			if j != idx && a.has(cand) {
				idx = j
				switched = true
				break
			}
		}
		if switched {
			continue
		}
		if todo.has(cand) {
			out = append(out, cand)
			todo.clear(cand)
		}
		var add []int
		for _, d := range g.normDown(cand) {
			if todo.has(d) && !containsInt(cur, d) {
				add = append(add, d)
			}
		}
		if len(add) == 0 {
			cur = slices.Delete(cur, idx, idx+1)
			anc = slices.Delete(anc, idx, idx+1)
			idx = max(idx-1, 0)
			continue
		}
		cur[idx] = add[0]
		if len(g.normDepsOf(cand)) == 0 && len(g.down(cand)) == 1 {
			anc[idx].clear(cand)
		} else {
			cur = append(cur, add[1:]...)
			anc[idx] = g.closure([]int{add[0]}, eNormDown)
			for _, h := range add[1:] {
				anc = append(anc, g.closure([]int{h}, eNormDown))
			}
		}
	}
	if !todo.empty() {
		// Alembic: AssertionError (revisions not below any head).
		return nil, &notBelowError{ids: joinIDs(g, todo.members())}
	}
	return out, nil
}

// notBelowError reports members of a set that no head leads to, where
// Alembic fails an assertion (history ranges mixing branches and
// dependencies).
type notBelowError struct{ ids string }

// Error returns the message.
func (e *notBelowError) Error() string {
	return "Revisions " + e.ids + " are not below the requested heads"
}

// CLIMessage returns Error().
func (e *notBelowError) CLIMessage() string { return e.Error() }
