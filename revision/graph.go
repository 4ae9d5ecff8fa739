package revision

import (
	"fmt"
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
// NewGraph; all methods are safe for concurrent use.
//
// Slices returned by its methods are fresh copies; *Revision values point
// into the graph and must not be modified.
type Graph struct {
	nodes     []node
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

// node is a revision with its resolved edges, all as node indexes (= load
// order positions).
type node struct {
	rev      *Revision
	id       string
	own      []string // declared branch labels
	labels   []string // propagated branch labels, sorted
	down     []int    // Down
	deps     []int    // DependsOn resolved to ids
	normDeps []int    // deps not already implied by an ancestor's deps
	allDown  []int    // down + deps
	normDown []int    // down + normDeps
	next     []int    // children through Down
	allNext  []int    // children through allDown
	normNext []int    // children through normDown
	declDeps bool     // DependsOn was declared (Alembic's "real base" test)
}

// prefixKey is a key of Alembic's revision map (an id or a branch label)
// eligible for partial matching.
type prefixKey struct {
	key   string
	order int // position in Alembic's map order: ids in load order, then labels
	node  int
}

// NewGraph builds the graph of revs. The slice order is the load order, which
// breaks ties between independent branches when ordering steps (Alembic
// loads files sorted by name). NewGraph copies revs.
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
	g := &Graph{
		nodes:   make([]node, len(revs)),
		byID:    make(map[string]int, len(revs)),
		byLabel: map[string]int{},
	}
	store := make([]Revision, len(revs))
	lists := newListSlab(revs)
	for i := range revs {
		r := revs[i]
		r.Down = lists.clean(r.Down)
		r.DependsOn = lists.clean(r.DependsOn)
		r.BranchLabels = lists.clean(r.BranchLabels)
		store[i] = r
		n := &g.nodes[i]
		n.rev = &store[i]
		n.id = r.ID
		n.own = r.BranchLabels
		n.declDeps = len(r.DependsOn) > 0
		if err := checkRevision(n.rev); err != nil {
			return nil, err
		}
	}
	for i := range g.nodes {
		id := g.nodes[i].id
		if j, dup := g.byID[id]; dup {
			msg := fmt.Sprintf("Revision %s is present more than once", id)
			if p := g.nodes[j].rev.Path; p != "" {
				msg += " (also in " + p + ")"
			}
			return nil, &GraphError{Revision: id, Path: g.nodes[i].rev.Path, Message: msg}
		}
		g.byID[id] = i
	}
	for i := range g.nodes {
		n := &g.nodes[i]
		for _, l := range n.own {
			other, taken := g.byID[l]
			if !taken {
				other, taken = g.byLabel[l]
			}
			if taken {
				return nil, &GraphError{Revision: n.id, Path: n.rev.Path, Message: fmt.Sprintf(
					"Branch name '%s' in revision %s already used by revision %s", l, n.id, g.nodes[other].id)}
			}
			g.byLabel[l] = i
		}
	}
	if err := g.resolveEdges(); err != nil {
		return nil, err
	}
	if err := g.detectCycles(); err != nil {
		return nil, err
	}
	g.normalizeDeps()
	g.propagateLabels()
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
		return &CycleError{Kind: KindSelfLoop, Revisions: []string{r.ID}, Paths: []string{r.Path}}
	}
	if slices.Contains(r.DependsOn, r.ID) {
		return &CycleError{Kind: KindDependencySelfLoop, Revisions: []string{r.ID}, Paths: []string{r.Path}}
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
	for i := range g.nodes {
		if len(g.nodes[i].id) > 3 {
			g.keys = append(g.keys, prefixKey{key: g.nodes[i].id, order: order, node: i})
		}
		order++
	}
	for i := range g.nodes {
		for _, l := range g.nodes[i].own {
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
func (g *Graph) resolveEdges() error {
	// Every node's down list in one shared array.
	total := 0
	for i := range g.nodes {
		total += len(g.nodes[i].rev.Down)
	}
	downs := make([]int, 0, total)
	for i := range g.nodes {
		n := &g.nodes[i]
		r := n.rev
		start := len(downs)
		for _, d := range r.Down {
			j, ok := g.byID[d]
			if !ok {
				msg := fmt.Sprintf("Revision %s referenced from %s is not present", d, describe(r))
				if _, isLabel := g.byLabel[d]; isLabel {
					msg += fmt.Sprintf("; '%s' is a branch label, but Revises must name revision ids", d)
				}
				return &GraphError{Revision: n.id, Path: r.Path, Message: msg}
			}
			downs = append(downs, j)
		}
		if len(downs) > start {
			n.down = downs[start:len(downs):len(downs)]
		}
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
					return &GraphError{Revision: n.id, Path: r.Path, Message: fmt.Sprintf(
						"Revision %s depends on '%s', which is ambiguous: Multiple revisions start with '%s': %s...",
						n.id, d, d, quoteList(names))}
				default:
					return &GraphError{Revision: n.id, Path: r.Path, Message: fmt.Sprintf(
						"Revision %s referenced from %s is not present", d, describe(r))}
				}
			}
			if j == i {
				return &CycleError{Kind: KindDependencySelfLoop, Revisions: []string{n.id}, Paths: []string{r.Path}}
			}
			if !containsInt(n.deps, j) {
				n.deps = append(n.deps, j)
			}
		}
		if len(n.deps) == 0 {
			n.allDown = n.down
		} else {
			n.allDown = dedupeInts(append(append([]int(nil), n.down...), n.deps...))
		}
	}
	g.buildNext()
	g.reverseEdges(func(n *node) []int { return n.deps }, func(n *node) *[]int { return &n.allNext })
	for i := range g.nodes {
		n := &g.nodes[i]
		if len(n.next) == 0 {
			g.heads = append(g.heads, i)
		}
		if len(n.allNext) == 0 {
			g.realHeads = append(g.realHeads, i)
		}
		if len(n.down) == 0 {
			g.bases = append(g.bases, i)
			if !n.declDeps {
				g.realBases = append(g.realBases, i)
			}
		}
	}
	return nil
}

// detectCycles runs a complete topological sort, which also yields rank,
// first along Down, then along Down and DependsOn. Where it finds a cycle,
// the error is the one Alembic's _detect_cycles reports (heads reach down
// to bases and back) when that check fails too. On an acyclic graph
// Alembic's check cannot fail (every revision reaches a base going down
// and a head going up), so it only runs after the sort found a cycle.
func (g *Graph) detectCycles() error {
	if len(g.nodes) == 0 {
		return nil
	}
	if left := g.kahn(eDown, eNext); left != nil {
		if err := g.alembicCycleCheck(KindCycle, g.heads, g.bases, eDown, eNext); err != nil {
			return err
		}
		return g.cycleError(KindCycle, left)
	}
	if !g.hasDeps() {
		return nil // the edges are the same: the sort stands
	}
	if left := g.kahn(eAllDown, eAllNext); left != nil {
		if err := g.alembicCycleCheck(KindDependencyCycle, g.realHeads, g.realBases, eAllDown, eAllNext); err != nil {
			return err
		}
		return g.cycleError(KindDependencyCycle, left)
	}
	return nil
}

// hasDeps reports whether any revision declares DependsOn.
func (g *Graph) hasDeps() bool {
	for i := range g.nodes {
		if len(g.nodes[i].deps) > 0 {
			return true
		}
	}
	return false
}

func (g *Graph) cycleError(kind string, revs []int) error {
	e := &CycleError{Kind: kind}
	sort.Slice(revs, func(a, b int) bool { return g.nodes[revs[a]].id < g.nodes[revs[b]].id })
	for _, i := range revs {
		e.Revisions = append(e.Revisions, g.nodes[i].id)
		e.Paths = append(e.Paths, g.nodes[i].rev.Path)
	}
	return e
}

func (g *Graph) alembicCycleCheck(kind string, heads, bases []int, down, up edge) error {
	if len(heads) == 0 || len(bases) == 0 {
		e := &CycleError{Kind: kind}
		for i := range g.nodes {
			e.Revisions = append(e.Revisions, g.nodes[i].id)
			e.Paths = append(e.Paths, g.nodes[i].rev.Path)
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

// kahn topologically sorts the graph along down edges; it returns the
// revisions it could not sort (those on or above a cycle), or nil, in which
// case it has set g.rank.
func (g *Graph) kahn(down, up edge) []int {
	n := len(g.nodes)
	indeg := make([]int32, n)
	queue := make([]int, 0, n)
	for i := range g.nodes {
		indeg[i] = int32(len(g.adj(i, down)))
		if indeg[i] == 0 {
			queue = append(queue, i)
		}
	}
	rank := make([]int32, n)
	for k := 0; k < len(queue); k++ {
		x := queue[k]
		rank[x] = int32(k)
		for _, y := range g.adj(x, up) {
			indeg[y]--
			if indeg[y] == 0 {
				queue = append(queue, y)
			}
		}
	}
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
// also depends on d.
func (g *Graph) normalizeDeps() {
	dependents := map[int][]int{}
	for i := range g.nodes {
		for _, d := range g.nodes[i].deps {
			dependents[d] = append(dependents[d], i)
		}
	}
	redundant := map[[2]int]bool{}
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
			for _, c := range g.nodes[u].next {
				if !seen.has(c) && g.rank[c] <= maxRank {
					seen.set(c)
					stack = append(stack, c)
				}
			}
		}
		for len(stack) > 0 {
			x := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			for _, c := range g.nodes[x].next {
				if !seen.has(c) && g.rank[c] <= maxRank {
					seen.set(c)
					stack = append(stack, c)
				}
			}
		}
		for _, u := range users {
			if seen.has(u) {
				redundant[[2]int{u, d}] = true
			}
		}
	}
	for i := range g.nodes {
		n := &g.nodes[i]
		for _, d := range n.deps {
			if !redundant[[2]int{i, d}] {
				n.normDeps = append(n.normDeps, d)
			}
		}
		if len(n.normDeps) == 0 {
			n.normDown = n.down
		} else {
			n.normDown = dedupeInts(append(append([]int(nil), n.down...), n.normDeps...))
		}
	}
	g.reverseEdges(func(n *node) []int { return n.normDeps }, func(n *node) *[]int { return &n.normNext })
}

// buildNext sets every revision's children through Down, in load order,
// in one shared array.
func (g *Graph) buildNext() {
	counts := make([]int32, len(g.nodes))
	total := 0
	for i := range g.nodes {
		for _, d := range g.nodes[i].down {
			counts[d]++
			total++
		}
	}
	backing := make([]int, total)
	off := 0
	for i := range g.nodes {
		c := int(counts[i])
		g.nodes[i].next = backing[off : off : off+c]
		off += c
	}
	for i := range g.nodes {
		for _, d := range g.nodes[i].down {
			g.nodes[d].next = append(g.nodes[d].next, i)
		}
	}
}

// reverseEdges sets the children through Down plus extra (dependencies),
// sharing next's array when there are no extra children. Children come in
// load order.
func (g *Graph) reverseEdges(extra func(*node) []int, out func(*node) *[]int) {
	more := map[int][]int{}
	for i := range g.nodes {
		n := &g.nodes[i]
		for _, d := range extra(n) {
			if !containsInt(n.down, d) {
				more[d] = append(more[d], i)
			}
		}
	}
	for i := range g.nodes {
		n := &g.nodes[i]
		if m, ok := more[i]; ok {
			merged := append(slices.Clone(n.next), m...)
			slices.Sort(merged)
			*out(n) = slices.Compact(merged)
		} else {
			*out(n) = n.next
		}
	}
}

// propagateLabels computes the branch labels every revision carries, with
// the result of Alembic's _add_branches: a declared label is carried by the
// revision and all its descendants (through Down) and, when those
// descendants form a single line without branch or merge points, by its
// ancestors down to the nearest branch point (counting dependents) or merge
// point.
func (g *Graph) propagateLabels() {
	if len(g.byLabel) == 0 {
		return
	}
	order := g.topoOrder()
	n := len(g.nodes)
	stop := func(i int) bool { return len(g.nodes[i].allNext) > 1 || len(g.nodes[i].down) > 1 }
	// desc[i]: labels declared on i or on an ancestor through Down.
	desc := make([][]string, n)
	for _, i := range order {
		nd := &g.nodes[i]
		var acc []string
		for _, p := range nd.down {
			acc = unionSorted(acc, desc[p])
		}
		if len(nd.own) > 0 {
			own := append([]string(nil), nd.own...)
			slices.Sort(own)
			acc = unionSorted(acc, own)
		}
		desc[i] = acc
	}
	// clean[i]: i and all its descendants form a line with no stop point,
	// so a walk down from the tip reaches i and goes on below it.
	clean := make([]bool, n)
	// flow[i]: labels that walks starting at or above i carry below i.
	flow := make([][]string, n)
	for k := len(order) - 1; k >= 0; k-- {
		i := order[k]
		nd := &g.nodes[i]
		if stop(i) {
			continue
		}
		var child = -1
		if len(nd.next) == 1 {
			child = nd.next[0]
		}
		clean[i] = child < 0 || clean[child]
		var f []string
		if child >= 0 {
			f = flow[child]
		}
		if clean[i] && len(nd.own) > 0 {
			own := append([]string(nil), nd.own...)
			slices.Sort(own)
			f = unionSorted(f, own)
		}
		flow[i] = f
	}
	for i := range g.nodes {
		nd := &g.nodes[i]
		l := desc[i]
		if !stop(i) && len(nd.next) == 1 {
			l = unionSorted(l, flow[nd.next[0]])
		}
		nd.labels = l
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

// unionSorted merges two sorted, duplicate-free lists. It returns one of its
// arguments unchanged when the other adds nothing, so callers must not
// modify the result.
func unionSorted(a, b []string) []string {
	if len(b) == 0 {
		return a
	}
	if len(a) == 0 {
		return b
	}
	out := make([]string, 0, len(a)+len(b))
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		switch {
		case a[i] < b[j]:
			out = append(out, a[i])
			i++
		case a[i] > b[j]:
			out = append(out, b[j])
			j++
		default:
			out = append(out, a[i])
			i++
			j++
		}
	}
	out = append(out, a[i:]...)
	out = append(out, b[j:]...)
	if len(out) == len(a) {
		return a
	}
	if len(out) == len(b) {
		return b
	}
	return out
}
