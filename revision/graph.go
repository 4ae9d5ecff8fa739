package revision

import (
	"fmt"
	"maps"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// MaxIDLength is the longest revision identifier accepted, in characters: the
// width of alembic_version.version_num.
const MaxIDLength = 32

// Graph is an immutable revision graph: Alembic's RevisionMap. Build it with
// NewGraph or NewGraphOwned; all methods are safe for concurrent use.
//
// Slices returned by its methods are fresh copies; *Revision values point
// into the graph and must not be modified.
type Graph struct {
	revs  []Revision // node i is revs[i]; Down, DependsOn and BranchLabels are cleaned
	nodes []node
	// edges backs every node's edge lists (see node and edgeRun) and the
	// lists of dependencies: one allocation instead of several per revision.
	edges []int
	// deps has an entry for each revision that declares DependsOn: few
	// do, so a map costs less than a field in every node.
	deps map[int]dependencies
	// labels is per node: the branch labels it carries, in labelText; nil
	// when no revision declares a branch label.
	labels    []span
	labelText []string
	byID      map[string]int
	byLabel   map[string]int
	heads     []int // no child through Down (Alembic's heads)
	realHeads []int // no child through Down or DependsOn (Alembic's _real_heads)
	bases     []int // no Down
	realBases []int // no Down and no DependsOn
	rank      []int32
	keysOnce  sync.Once
	keys      []prefixKey // map keys longer than 3 characters, sorted by key (built lazily)
}

// node is a revision's edges, as node indexes (= load order positions).
// Each list of parents is a prefix of the next wider one, and so is each
// list of children, so a node stores two runs of g.edges instead of six
// lists: a node is 32 bytes, and a revision without DependsOn stores its
// parents and its children once.
type node struct {
	// parents: Down, then the normalized DependsOn that are not in Down
	// (in declaration order), then the other DependsOn not in Down. The
	// prefixes are down, normDown (Alembic's _normalized_down_revisions)
	// and allDown (_all_down_revisions).
	parents edgeRun
	// children: the revisions listing this one in Down, then those
	// depending on it through a normalized dependency, then the other
	// dependents (each group in load order). The prefixes are next
	// (nextrev), normNext and allNext (_all_nextrev).
	children edgeRun
}

// edgeRun locates a run of g.edges and its three nested prefixes:
// g.edges[start:end[s]] for each scope s. Ends are absolute offsets to
// keep adj, the inner step of every traversal, short.
type edgeRun struct {
	start uint32
	end   [3]uint32 // by scope
}

// scope says which edges a list of parents or children follows.
type scope uint

const (
	throughDown     scope = iota // Down only
	throughNormDeps              // Down and the normalized DependsOn
	throughAllDeps               // Down and every DependsOn
)

// The edge lists of node i (see node), shorthands for adj.
func (g *Graph) down(i int) []int     { return g.adj(i, eDown) }
func (g *Graph) normDown(i int) []int { return g.adj(i, eNormDown) }
func (g *Graph) allDown(i int) []int  { return g.adj(i, eAllDown) }
func (g *Graph) next(i int) []int     { return g.adj(i, eNext) }
func (g *Graph) normNext(i int) []int { return g.adj(i, eNormNext) }
func (g *Graph) allNext(i int) []int  { return g.adj(i, eAllNext) }

// dependencies locates a revision's DependsOn, resolved to node indexes,
// in g.edges.
type dependencies struct {
	declared   span // deduplicated, in declaration order
	normalized span // declared minus those implied by an ancestor's (Alembic's _normalized_resolved_dependencies)
}

// span locates a list in one of the graph's shared arrays.
type span struct{ start, length uint32 }

// spanOf returns the list s locates in backing, with its capacity ending
// where the list ends.
func spanOf[T any](backing []T, s span) []T {
	end := s.start + s.length
	return backing[s.start:end:end]
}

// depsOf returns the revisions i depends on, in declaration order.
func (g *Graph) depsOf(i int) []int {
	d, ok := g.deps[i]
	if !ok {
		return nil
	}
	return spanOf(g.edges, d.declared)
}

// normDepsOf returns the dependencies of i that no ancestor of i (through
// Down) also depends on.
func (g *Graph) normDepsOf(i int) []int {
	d, ok := g.deps[i]
	if !ok {
		return nil
	}
	return spanOf(g.edges, d.normalized)
}

// labelsOf returns the branch labels i carries, sorted; nil when none.
func (g *Graph) labelsOf(i int) []string {
	if g.labels == nil || g.labels[i].length == 0 {
		return nil
	}
	return spanOf(g.labelText, g.labels[i])
}

// id returns the id of node i.
func (g *Graph) id(i int) string { return g.revs[i].ID }

// revision returns node i's revision.
func (g *Graph) revision(i int) *Revision { return &g.revs[i] }

// prefixKey is a key of Alembic's revision map (an id or a branch label)
// eligible for partial matching.
type prefixKey struct {
	key   string
	order int // position in Alembic's map order: ids in load order, then labels
	node  int
}

// NewGraph builds the graph of revs. The slice order is the load order, which
// breaks ties between independent branches when ordering steps (Alembic
// loads files sorted by name). NewGraph copies revs, including its Down,
// DependsOn and BranchLabels lists; NewGraphOwned does not.
//
// It validates the graph and returns the first problem found, checked in this
// order: per revision, a self-loop (*CycleError), an illegal identifier
// (*GraphError: empty, longer than MaxIDLength, containing white space or one
// of "@-+:,", or one of the reserved words head, heads, base, current); then
// duplicate ids, duplicate branch labels, Down entries that name no revision
// (Down must list full ids), DependsOn entries that name nothing (they may be
// ids, unique prefixes of more than 3 characters, or branch labels; they are
// normalised to ids), and finally cycles (*CycleError). Empty strings in Down,
// DependsOn and BranchLabels are ignored, as are repeated entries.
func NewGraph(revs []Revision) (*Graph, error) {
	store := slices.Clone(revs)
	lists := newListSlab(store)
	for i := range store {
		r := &store[i]
		r.Down = lists.clean(r.Down)
		r.DependsOn = lists.clean(r.DependsOn)
		r.BranchLabels = lists.clean(r.BranchLabels)
	}
	return newGraph(store)
}

// NewGraphOwned is NewGraph without the copy: the graph keeps revs as its
// storage. It accepts and rejects the same revisions as NewGraph, with the
// same errors, and builds the same graph, allocating about half as much
// memory as NewGraph (which copies revs and the lists in it).
//
// revs is handed over to the graph: after the call, whether it succeeds
// or fails, the caller must not use or modify revs, nor the Down, DependsOn
// and BranchLabels slices of its elements. NewGraphOwned replaces those
// fields with copies without empty and repeated entries where they have
// some (it never writes into the lists themselves), and the *Revision
// values the graph returns point into revs.
func NewGraphOwned(revs []Revision) (*Graph, error) {
	for i := range revs {
		r := &revs[i]
		r.Down = cleanOwned(r.Down)
		r.DependsOn = cleanOwned(r.DependsOn)
		r.BranchLabels = cleanOwned(r.BranchLabels)
	}
	return newGraph(revs)
}

// newGraph validates and builds the graph of revs, whose Down, DependsOn
// and BranchLabels lists are already cleaned; the graph keeps revs.
func newGraph(revs []Revision) (*Graph, error) {
	g := &Graph{
		revs:    revs,
		nodes:   make([]node, len(revs)),
		byID:    make(map[string]int, len(revs)),
		byLabel: map[string]int{},
	}
	for i := range revs {
		if err := checkRevision(&revs[i]); err != nil {
			return nil, err
		}
	}
	for i := range revs {
		id := revs[i].ID
		if j, dup := g.byID[id]; dup {
			msg := fmt.Sprintf("Revision %s is present more than once", id)
			if p := revs[j].Path; p != "" {
				msg += " (also in " + p + ")"
			}
			return nil, &GraphError{Revision: id, Path: revs[i].Path, Message: msg}
		}
		g.byID[id] = i
	}
	for i := range revs {
		r := &revs[i]
		for _, l := range r.BranchLabels {
			other, taken := g.byID[l]
			if !taken {
				other, taken = g.byLabel[l]
			}
			if taken {
				return nil, &GraphError{Revision: r.ID, Path: r.Path, Message: fmt.Sprintf(
					"Branch name '%s' in revision %s already used by revision %s", l, r.ID, revs[other].ID)}
			}
			g.byLabel[l] = i
		}
	}
	if err := g.resolveEdges(); err != nil {
		return nil, err
	}
	order, err := g.detectCycles()
	if err != nil {
		return nil, err
	}
	g.normalizeDeps()
	g.propagateLabels(order)
	return g, nil
}

// listSlab holds the cleaned Down, DependsOn and BranchLabels lists of
// every revision in one backing array: a 10,000-revision graph would
// otherwise make 10,000 small allocations.
type listSlab struct{ buf []string }

func newListSlab(revs []Revision) *listSlab {
	n := 0
	for i := range revs {
		n += len(revs[i].Down) + len(revs[i].DependsOn) + len(revs[i].BranchLabels)
	}
	return &listSlab{buf: make([]string, 0, n)}
}

// clean copies xs without empty and repeated entries; nil when nothing is
// left.
func (l *listSlab) clean(xs []string) []string {
	start := len(l.buf)
	for _, x := range xs {
		if x != "" && !slices.Contains(l.buf[start:], x) {
			l.buf = append(l.buf, x)
		}
	}
	if len(l.buf) == start {
		return nil
	}
	return l.buf[start:len(l.buf):len(l.buf)]
}

// cleanOwned returns xs without empty and repeated entries: xs itself when
// it has none (the usual case, which costs no allocation), else a copy;
// nil when nothing is left.
func cleanOwned(xs []string) []string {
	clean := true
	for i, x := range xs {
		if x == "" || slices.Contains(xs[:i], x) {
			clean = false
			break
		}
	}
	switch {
	case len(xs) == 0:
		return nil
	case clean:
		return xs
	}
	var l listSlab
	return l.clean(xs)
}

var reservedIDs = map[string]bool{"head": true, "heads": true, "base": true, "current": true}

// checkRevision performs the per-revision checks of Alembic's Revision
// constructor (self-loops, then verify_rev_id) plus retort's id rules.
func checkRevision(r *Revision) error {
	gerr := func(format string, args ...any) error {
		return &GraphError{Revision: r.ID, Path: r.Path, Message: fmt.Sprintf(format, args...)}
	}
	if r.ID == "" {
		return gerr("Revision identifier is empty")
	}
	if slices.Contains(r.Down, r.ID) {
		return newCycleError(KindSelfLoop, r)
	}
	if slices.Contains(r.DependsOn, r.ID) {
		return newCycleError(KindDependencySelfLoop, r)
	}
	if bad := illegalChars(r.ID); bad != "" {
		return gerr("Character(s) '%s' not allowed in revision identifier '%s'", bad, r.ID)
	}
	if !utf8.ValidString(r.ID) {
		return gerr("Revision identifier %q is not valid UTF-8", r.ID)
	}
	if utf8.RuneCountInString(r.ID) > MaxIDLength {
		return gerr("Revision identifier '%s' is longer than %d characters", r.ID, MaxIDLength)
	}
	if reservedIDs[r.ID] {
		return gerr("Revision identifier '%s' is reserved: it names a symbol in revision specs", r.ID)
	}
	return nil
}

// illegalChars returns the forbidden characters of id, sorted and joined
// with ", " as Alembic prints them, or "".
func illegalChars(id string) string {
	if plainASCII(id) {
		return "" // the common case, without decoding runes
	}
	var bad []rune
	for _, c := range id {
		if (c == '@' || c == '-' || c == '+' || c == ':' || c == ',' || unicode.IsSpace(c)) && !slices.Contains(bad, c) {
			bad = append(bad, c)
		}
	}
	if len(bad) == 0 {
		return ""
	}
	slices.Sort(bad)
	parts := make([]string, len(bad))
	for i, c := range bad {
		if unicode.IsPrint(c) {
			parts[i] = string(c)
		} else {
			q := strconv.QuoteRune(c)
			parts[i] = q[1 : len(q)-1]
		}
	}
	return strings.Join(parts, ", ")
}

// plainASCII reports whether id is ASCII without any character
// illegalChars rejects.
func plainASCII(id string) bool {
	for i := 0; i < len(id); i++ {
		switch c := id[i]; {
		case c >= utf8.RuneSelf, c <= ' ', c == '@', c == '-', c == '+', c == ':', c == ',':
			return false
		}
	}
	return true
}

// buildKeys prepares partial matching over the keys of Alembic's map: ids
// (load order) followed by branch labels, keeping those longer than three
// characters.
func (g *Graph) buildKeys() {
	order := 0
	for i := range g.revs {
		if id := g.revs[i].ID; len(id) > 3 {
			g.keys = append(g.keys, prefixKey{key: id, order: order, node: i})
		}
		order++
	}
	for i := range g.revs {
		for _, l := range g.revs[i].BranchLabels {
			if len(l) > 3 {
				g.keys = append(g.keys, prefixKey{key: l, order: order, node: i})
			}
			order++
		}
	}
	slices.SortFunc(g.keys, func(a, b prefixKey) int { return strings.Compare(a.key, b.key) })
}

// prefixMatches returns the keys that start with prefix, in map order.
func (g *Graph) prefixMatches(prefix string) []prefixKey {
	g.keysOnce.Do(g.buildKeys)
	lo := sort.Search(len(g.keys), func(i int) bool { return g.keys[i].key >= prefix })
	var out []prefixKey
	for i := lo; i < len(g.keys) && strings.HasPrefix(g.keys[i].key, prefix); i++ {
		out = append(out, g.keys[i])
	}
	slices.SortFunc(out, func(a, b prefixKey) int { return a.order - b.order })
	return out
}

// lookupKey finds an exact id or branch label.
func (g *Graph) lookupKey(k string) (int, bool) {
	if i, ok := g.byID[k]; ok {
		return i, true
	}
	i, ok := g.byLabel[k]
	return i, ok
}

// describe renders a revision the way Alembic's history does:
// "down (deps) -> id".
func describe(r *Revision) string {
	down := "<base>"
	if len(r.Down) > 0 {
		down = strings.Join(r.Down, ", ")
	}
	if len(r.DependsOn) > 0 {
		return fmt.Sprintf("%s (%s) -> %s", down, strings.Join(r.DependsOn, ", "), r.ID)
	}
	return fmt.Sprintf("%s -> %s", down, r.ID)
}

func quoteList(xs []string) string {
	q := make([]string, len(xs))
	for i, x := range xs {
		q[i] = "'" + x + "'"
	}
	return strings.Join(q, ", ")
}

// resolveEdges resolves Down and DependsOn to node indexes and derives
// children, heads and bases.
//
// g.edges holds, in this order for each revision, its parents run and its
// declared dependencies, then every revision's children run; normalizeDeps
// may append normalized dependency lists. So a Down entry is stored twice
// (in its revision's parents and its target's children) and a DependsOn
// entry at most four times (also in the declared and normalized lists):
// the capacity below is never exceeded.
func (g *Graph) resolveEdges() error {
	downTotal, depTotal, dependents := 0, 0, 0
	for i := range g.revs {
		downTotal += len(g.revs[i].Down)
		depTotal += len(g.revs[i].DependsOn)
		if len(g.revs[i].DependsOn) > 0 {
			dependents++
		}
	}
	g.edges = make([]int, 0, 2*downTotal+4*depTotal)
	if dependents > 0 {
		g.deps = make(map[int]dependencies, dependents)
	}
	var declared []int // the current revision's dependencies
	for i := range g.revs {
		r := &g.revs[i]
		start := len(g.edges)
		for _, d := range r.Down {
			j, ok := g.byID[d]
			if !ok {
				msg := fmt.Sprintf("Revision %s referenced from %s is not present", d, describe(r))
				if _, isLabel := g.byLabel[d]; isLabel {
					msg += fmt.Sprintf("; '%s' is a branch label, but Revises must name revision ids", d)
				}
				return &GraphError{Revision: r.ID, Path: r.Path, Message: msg}
			}
			g.edges = append(g.edges, j)
		}
		down := g.edges[start:]
		declared = declared[:0]
		for _, d := range r.DependsOn {
			j, ok := g.lookupKey(d)
			if !ok {
				m := g.prefixMatches(d)
				switch {
				case len(m) == 1:
					j = m[0].node
				case len(m) > 1:
					var names []string
					for _, k := range m[:min(3, len(m))] {
						names = append(names, k.key)
					}
					return &GraphError{Revision: r.ID, Path: r.Path, Message: fmt.Sprintf(
						"Revision %s depends on '%s', which is ambiguous: Multiple revisions start with '%s': %s...",
						r.ID, d, d, quoteList(names))}
				default:
					return &GraphError{Revision: r.ID, Path: r.Path, Message: fmt.Sprintf(
						"Revision %s referenced from %s is not present", d, describe(r))}
				}
			}
			if j == i {
				return newCycleError(KindDependencySelfLoop, r)
			}
			if !containsInt(declared, j) {
				declared = append(declared, j)
			}
		}
		for _, j := range declared {
			if !containsInt(down, j) {
				g.edges = append(g.edges, j)
			}
		}
		// Until normalizeDeps runs, every dependency counts as normalized.
		downEnd, allEnd := uint32(start+len(down)), uint32(len(g.edges))
		g.nodes[i].parents = edgeRun{start: uint32(start), end: [3]uint32{downEnd, allEnd, allEnd}}
		if len(declared) > 0 {
			deps := g.appendList(declared)
			g.deps[i] = dependencies{declared: deps, normalized: deps}
		}
	}
	g.buildChildren()
	for i := range g.nodes {
		if len(g.next(i)) == 0 {
			g.heads = append(g.heads, i)
		}
		if len(g.allNext(i)) == 0 {
			g.realHeads = append(g.realHeads, i)
		}
		if len(g.down(i)) == 0 {
			g.bases = append(g.bases, i)
			if len(g.revs[i].DependsOn) == 0 {
				g.realBases = append(g.realBases, i)
			}
		}
	}
	return nil
}

// appendList copies xs to the end of g.edges.
func (g *Graph) appendList(xs []int) span {
	start := len(g.edges)
	g.edges = append(g.edges, xs...)
	return span{start: uint32(start), length: uint32(len(xs))}
}

// buildChildren sets every revision's children run from the parents runs:
// the children through Down first, then the other dependents, each group
// in load order.
func (g *Graph) buildChildren() {
	// While the runs are filled, end[throughAllDeps] is where the next
	// child goes; before, it counts the children, to place the runs.
	total := 0
	for i := range g.nodes {
		for _, p := range g.allDown(i) {
			g.nodes[p].children.end[throughAllDeps]++
			total++
		}
	}
	offset := len(g.edges)
	g.edges = slices.Grow(g.edges, total)[:offset+total]
	for i := range g.nodes {
		c := &g.nodes[i].children
		count := c.end[throughAllDeps]
		c.start, c.end[throughAllDeps] = uint32(offset), uint32(offset)
		offset += int(count)
	}
	place := func(p, child int) {
		c := &g.nodes[p].children
		g.edges[c.end[throughAllDeps]] = child
		c.end[throughAllDeps]++
	}
	for i := range g.nodes {
		for _, p := range g.down(i) {
			place(p, i)
		}
	}
	for i := range g.nodes {
		c := &g.nodes[i].children
		c.end[throughDown] = c.end[throughAllDeps]
	}
	for i := range g.nodes {
		for _, p := range g.allDown(i)[len(g.down(i)):] {
			place(p, i)
		}
	}
	// Until normalizeDeps runs, every dependent counts as normalized.
	for i := range g.nodes {
		c := &g.nodes[i].children
		c.end[throughNormDeps] = c.end[throughAllDeps]
	}
}

// detectCycles runs a complete topological sort, which also yields rank,
// first along Down, then along Down and DependsOn. Where it finds a cycle,
// the error is the one Alembic's _detect_cycles reports (heads reach down
// to bases and back) when that check fails too. On an acyclic graph
// Alembic's check cannot fail (every revision reaches a base going down
// and a head going up), so it only runs after the sort found a cycle.
//
// It returns the revisions in the order of the sort that set rank.
func (g *Graph) detectCycles() ([]int32, error) {
	if len(g.nodes) == 0 {
		return nil, nil
	}
	s := newTopoScratch(len(g.nodes))
	if left := g.kahn(eDown, eNext, s); left != nil {
		if err := g.alembicCycleCheck(KindCycle, g.heads, g.bases, eDown, eNext); err != nil {
			return nil, err
		}
		return nil, g.cycleError(KindCycle, left)
	}
	if len(g.deps) == 0 {
		return s.order, nil // the edges are the same: the sort stands
	}
	if left := g.kahn(eAllDown, eAllNext, s); left != nil {
		if err := g.alembicCycleCheck(KindDependencyCycle, g.realHeads, g.realBases, eAllDown, eAllNext); err != nil {
			return nil, err
		}
		return nil, g.cycleError(KindDependencyCycle, left)
	}
	return s.order, nil
}

func (g *Graph) cycleError(kind string, revs []int) error {
	e := &CycleError{Kind: kind}
	sort.Slice(revs, func(a, b int) bool { return g.id(revs[a]) < g.id(revs[b]) })
	for _, i := range revs {
		e.add(g.id(i), &g.revs[i])
	}
	return e
}

func (g *Graph) alembicCycleCheck(kind string, heads, bases []int, down, up edge) error {
	if len(heads) == 0 || len(bases) == 0 {
		e := &CycleError{Kind: kind}
		for i := range g.revs {
			e.add(g.revs[i].ID, &g.revs[i])
		}
		return e
	}
	space := g.closure(heads, down)
	space.and(g.closure(bases, up))
	if space.count() == len(g.nodes) {
		return nil
	}
	var left []int
	for i := range g.nodes {
		if !space.has(i) {
			left = append(left, i)
		}
	}
	return g.cycleError(kind, left)
}

// topoScratch is the memory of kahn, shared by its two runs.
type topoScratch struct {
	indeg []int32 // parents not yet sorted
	order []int32 // the sorted revisions, also the queue of the sort
	rank  []int32 // becomes g.rank
}

func newTopoScratch(n int) *topoScratch {
	return &topoScratch{indeg: make([]int32, n), order: make([]int32, 0, n), rank: make([]int32, n)}
}

// kahn topologically sorts the graph along down edges; it returns the
// revisions it could not sort (those on or above a cycle), or nil, in which
// case s.order holds the sort and g.rank each revision's position in it.
func (g *Graph) kahn(down, up edge, s *topoScratch) []int {
	n := len(g.nodes)
	indeg, queue, rank := s.indeg, s.order[:0], s.rank
	for i := range g.nodes {
		indeg[i] = int32(len(g.adj(i, down)))
		if indeg[i] == 0 {
			queue = append(queue, int32(i))
		}
	}
	for k := 0; k < len(queue); k++ {
		x := int(queue[k])
		rank[x] = int32(k)
		for _, y := range g.adj(x, up) {
			indeg[y]--
			if indeg[y] == 0 {
				queue = append(queue, int32(y))
			}
		}
	}
	s.order = queue
	if len(queue) == n {
		g.rank = rank
		return nil
	}
	var left []int
	for i := range g.nodes {
		if indeg[i] > 0 {
			left = append(left, i)
		}
	}
	return left
}

// normalizeDeps computes Alembic's _normalized_resolved_dependencies: a
// dependency d of r is dropped when a strict ancestor of r (through Down)
// also depends on d. It narrows the normalized lists, which resolveEdges
// set to every dependency.
func (g *Graph) normalizeDeps() {
	if len(g.deps) == 0 {
		return
	}
	withDeps := slices.Sorted(maps.Keys(g.deps)) // load order
	dependents := map[int][]int{}
	for _, i := range withDeps {
		for _, d := range g.depsOf(i) {
			dependents[d] = append(dependents[d], i)
		}
	}
	type dependency struct{ dependent, target int }
	redundant := map[dependency]bool{}
	var seen bitset
	for d, users := range dependents {
		if len(users) < 2 {
			continue
		}
		maxRank := int32(-1)
		for _, u := range users {
			maxRank = max(maxRank, g.rank[u])
		}
		if seen == nil {
			seen = newBitset(len(g.nodes))
		} else {
			clear(seen)
		}
		// mark every strict descendant (through Down) of a dependent,
		// not looking above the highest dependent.
		stack := []int{}
		for _, u := range users {
			for _, c := range g.next(u) {
				if !seen.has(c) && g.rank[c] <= maxRank {
					seen.set(c)
					stack = append(stack, c)
				}
			}
		}
		for len(stack) > 0 {
			x := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			for _, c := range g.next(x) {
				if !seen.has(c) && g.rank[c] <= maxRank {
					seen.set(c)
					stack = append(stack, c)
				}
			}
		}
		for _, u := range users {
			if seen.has(u) {
				redundant[dependency{u, d}] = true
			}
		}
	}
	if len(redundant) == 0 {
		return
	}
	var normalized []int
	for _, i := range withDeps {
		declared := g.depsOf(i)
		normalized = normalized[:0]
		for _, d := range declared {
			if !redundant[dependency{i, d}] {
				normalized = append(normalized, d)
			}
		}
		if len(normalized) < len(declared) {
			g.deps[i] = dependencies{declared: g.deps[i].declared, normalized: g.appendList(normalized)}
		}
		// normDown: Down, then the dependencies still normalized.
		down, all := g.down(i), g.allDown(i)
		kept := moveFirst(all[len(down):], func(d int) bool { return !redundant[dependency{i, d}] })
		p := &g.nodes[i].parents
		p.end[throughNormDeps] = p.start + uint32(len(down)+kept)
	}
	for _, t := range slices.Sorted(maps.Keys(dependents)) {
		// normNext: the children, then the dependents through a
		// normalized dependency.
		next, all := g.next(t), g.allNext(t)
		kept := moveFirst(all[len(next):], func(u int) bool { return !redundant[dependency{u, t}] })
		c := &g.nodes[t].children
		c.end[throughNormDeps] = c.start + uint32(len(next)+kept)
	}
}

// moveFirst reorders xs so that the entries keep accepts come first, both
// groups keeping their order, and returns how many it accepted.
func moveFirst(xs []int, keep func(int) bool) int {
	var rest []int
	k := 0
	for _, x := range xs {
		if keep(x) {
			xs[k] = x
			k++
		} else {
			rest = append(rest, x)
		}
	}
	copy(xs[k:], rest)
	return k
}

// propagateLabels computes the branch labels every revision carries, with
// the result of Alembic's _add_branches: a declared label is carried by the
// revision and all its descendants (through Down) and, when those
// descendants form a single line without branch or merge points, by its
// ancestors down to the nearest branch point (counting dependents) or merge
// point. order is a topological order (parents first).
func (g *Graph) propagateLabels(order []int32) {
	if len(g.byLabel) == 0 {
		return
	}
	n := len(g.nodes)
	var text labelLists
	stop := func(i int) bool { return len(g.allNext(i)) > 1 || len(g.down(i)) > 1 }
	// First labels[i] collects the labels declared on i or on an ancestor
	// through Down; the last loop adds those from above.
	labels := make([]span, n)
	for _, o := range order {
		i := int(o)
		var acc span
		for _, p := range g.down(i) {
			acc = text.union(acc, labels[p])
		}
		if own := g.revs[i].BranchLabels; len(own) > 0 {
			acc = text.union(acc, text.addSorted(own))
		}
		labels[i] = acc
	}
	// clean[i]: i and all its descendants form a line with no stop point,
	// so a walk down from the tip reaches i and goes on below it.
	clean := make([]bool, n)
	// flow[i]: labels that walks starting at or above i carry below i.
	flow := make([]span, n)
	for k := len(order) - 1; k >= 0; k-- {
		i := int(order[k])
		if stop(i) {
			continue
		}
		var child = -1
		if next := g.next(i); len(next) == 1 {
			child = next[0]
		}
		clean[i] = child < 0 || clean[child]
		var f span
		if child >= 0 {
			f = flow[child]
		}
		if own := g.revs[i].BranchLabels; clean[i] && len(own) > 0 {
			f = text.union(f, text.addSorted(own))
		}
		flow[i] = f
	}
	for i := range g.nodes {
		if next := g.next(i); !stop(i) && len(next) == 1 {
			labels[i] = text.union(labels[i], flow[next[0]])
		}
	}
	g.labels, g.labelText = labels, text.buf
}

// labelLists stores sorted, duplicate-free lists of labels in one array.
// Lists are never modified, so one list can stand for several revisions.
type labelLists struct{ buf []string }

// addSorted stores a sorted copy of xs.
func (l *labelLists) addSorted(xs []string) span {
	start := len(l.buf)
	l.buf = append(l.buf, xs...)
	slices.Sort(l.buf[start:])
	return span{start: uint32(start), length: uint32(len(xs))}
}

// union returns the union of two stored lists: one of them when the other
// adds nothing, else a new list.
func (l *labelLists) union(a, b span) span {
	if b.length == 0 {
		return a
	}
	if a.length == 0 {
		return b
	}
	// as and bs keep pointing at the old array if appending moves l.buf.
	as, bs := spanOf(l.buf, a), spanOf(l.buf, b)
	start := len(l.buf)
	i, j := 0, 0
	for i < len(as) && j < len(bs) {
		switch {
		case as[i] < bs[j]:
			l.buf = append(l.buf, as[i])
			i++
		case as[i] > bs[j]:
			l.buf = append(l.buf, bs[j])
			j++
		default:
			l.buf = append(l.buf, as[i])
			i++
			j++
		}
	}
	l.buf = append(l.buf, as[i:]...)
	l.buf = append(l.buf, bs[j:]...)
	switch n := len(l.buf) - start; n {
	case len(as):
		l.buf = l.buf[:start]
		return a
	case len(bs):
		l.buf = l.buf[:start]
		return b
	default:
		return span{start: uint32(start), length: uint32(n)}
	}
}

// topoOrder returns node indexes ordered by rank (parents first).
func (g *Graph) topoOrder() []int {
	order := make([]int, len(g.nodes))
	for i, r := range g.rank {
		order[r] = i
	}
	return order
}
