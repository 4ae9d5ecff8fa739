package revision

import (
	"math/bits"
	"slices"
)

// bitset is a fixed-size set of node indexes.
type bitset []uint64

func newBitset(n int) bitset { return make(bitset, (n+63)/64) }

func (b bitset) has(i int) bool { return b[i>>6]&(1<<(uint(i)&63)) != 0 }
func (b bitset) set(i int)      { b[i>>6] |= 1 << (uint(i) & 63) }
func (b bitset) clear(i int)    { b[i>>6] &^= 1 << (uint(i) & 63) }

func (b bitset) clone() bitset { return append(bitset(nil), b...) }

func (b bitset) count() int {
	n := 0
	for _, w := range b {
		n += bits.OnesCount64(w)
	}
	return n
}

func (b bitset) and(o bitset) {
	for i := range b {
		b[i] &= o[i]
	}
}

func (b bitset) or(o bitset) {
	for i := range b {
		b[i] |= o[i]
	}
}

func (b bitset) andNot(o bitset) {
	for i := range b {
		b[i] &^= o[i]
	}
}

func (b bitset) empty() bool {
	for _, w := range b {
		if w != 0 {
			return false
		}
	}
	return true
}

// each calls f for every member in increasing order (= load order).
func (b bitset) each(f func(int)) {
	for wi, w := range b {
		for w != 0 {
			t := bits.TrailingZeros64(w)
			f(wi<<6 + t)
			w &= w - 1
		}
	}
}

func (b bitset) members() []int {
	out := make([]int, 0, 8)
	b.each(func(i int) { out = append(out, i) })
	return out
}

// edge selects the adjacency used by a traversal: a direction (parents or
// children) and a scope, packed as bits so that adj can take them apart
// without arithmetic.
type edge uint8

const (
	eDown     edge = edge(throughDown)      // Down (Alembic's _versioned_down_revisions)
	eNormDown edge = edge(throughNormDeps)  // Down + normalized DependsOn (_normalized_down_revisions)
	eAllDown  edge = edge(throughAllDeps)   // Down + DependsOn (_all_down_revisions)
	eNext          = toChildren | eDown     // children through Down (nextrev)
	eNormNext      = toChildren | eNormDown // reverse of eNormDown
	eAllNext       = toChildren | eAllDown  // children through Down or DependsOn (_all_nextrev)

	toChildren edge = 4 // the direction bit; the scope is below it
)

func (e edge) scope() scope { return scope(e &^ toChildren) }

// adj returns the parents or children of node i that e follows.
func (g *Graph) adj(i int, e edge) []int {
	start, end := g.adjBounds(i, e)
	return g.edges[start:end:end]
}

// adjBounds returns where adj(i, e) lies in g.edges. The traversals that
// dominate queries on large graphs (closure, allCurrent) loop over
// g.edges[start:end] by index: slicing would add several dependent
// instructions (bounds checks and the empty-slice pointer mask) per step
// of a walk, about a third more time on a long line of revisions.
func (g *Graph) adjBounds(i int, e edge) (start, end uint32) {
	r := &g.nodes[i].parents
	if e&toChildren != 0 {
		r = &g.nodes[i].children
	}
	return r.start, r.end[e.scope()]
}

// closure returns the starts and everything reachable from them along e.
func (g *Graph) closure(starts []int, e edge) bitset {
	seen := newBitset(len(g.nodes))
	stack := make([]int, 0, 16)
	edges := g.edges
	for _, s := range starts {
		if s < 0 || seen.has(s) {
			continue
		}
		seen.set(s)
		stack = append(stack, s)
		for len(stack) > 0 {
			x := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			start, end := g.adjBounds(x, e)
			for k := start; k < end; k++ {
				y := edges[k]
				if !seen.has(y) {
					seen.set(y)
					stack = append(stack, y)
				}
			}
		}
	}
	return seen
}

// checkedClosure is closure with Alembic's overlap check
// (_iterate_related_revisions with check=True): it fails when the traversal
// from one target reaches another target, naming the first such target in
// targets order.
func (g *Graph) checkedClosure(targets []int, e edge) (bitset, error) {
	seen := newBitset(len(g.nodes))
	isTarget := make(map[int]bool, len(targets))
	for _, t := range targets {
		isTarget[t] = true
	}
	stack := make([]int, 0, 16)
	for _, t := range targets {
		var overlaps []int
		found := map[int]bool{}
		stack = append(stack[:0], t)
		for len(stack) > 0 {
			x := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			if x != t && isTarget[x] && !found[x] {
				found[x] = true
				overlaps = append(overlaps, x)
			}
			if seen.has(x) {
				continue
			}
			seen.set(x)
			stack = append(stack, g.adj(x, e)...)
		}
		if len(overlaps) > 0 {
			sortInts(overlaps)
			e := revErr("Requested revision %s overlaps with other requested revisions %s",
				g.id(t), joinIDs(g, overlaps)).(*RevisionError)
			e.Overlap = append([]string{g.id(t)}, g.idsOf(overlaps)...)
			return nil, e
		}
	}
	return seen, nil
}

// markRows records on an overlap error that the overlapping revisions are
// the version-table rows a.
func markRows(err error, a arg) error {
	re, ok := err.(*RevisionError)
	if !ok || !a.rows || len(re.Overlap) == 0 {
		return err
	}
	for _, id := range re.Overlap {
		if !slices.Contains(a.specs, id) {
			return err
		}
	}
	re.VersionRows = slices.Clone(a.specs)
	return re
}

func joinIDs(g *Graph, xs []int) string {
	s := ""
	for i, x := range xs {
		if i > 0 {
			s += ", "
		}
		s += g.id(x)
	}
	return s
}

func sortInts(xs []int) { slices.Sort(xs) }

func containsInt(xs []int, x int) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// dedupeInts removes repeated values, keeping the first occurrence.
func dedupeInts(xs []int) []int {
	if len(xs) < 2 {
		return xs
	}
	out := make([]int, 0, len(xs))
	if len(xs) <= 16 {
		for _, x := range xs {
			if !containsInt(out, x) {
				out = append(out, x)
			}
		}
		return out
	}
	seen := make(map[int]bool, len(xs))
	for _, x := range xs {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}
