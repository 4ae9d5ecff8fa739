package revision

import (
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Special values of a resolved revision (Alembic's None and "base").
const (
	rvNone = -1 // no revision (Alembic's None)
	rvBase = -2 // below every root (Alembic's "base" string, from walks)
)

// ctx carries the caches and warnings of one top-level operation. The
// methods mirror RevisionMap's private methods one for one.
type ctx struct {
	g       *Graph
	lineage map[lineageKey]bitset
	anc     map[int]bitset // closure along eNormDown, per node
	// noNegWalk disables get_revisions' "-N walks down from the heads"
	// reading of a bare negative number (used by stamp).
	noNegWalk bool
}

type lineageKey struct {
	node int
	deps bool
}

func newCtx(g *Graph) *ctx {
	return &ctx{g: g, lineage: map[lineageKey]bitset{}, anc: map[int]bitset{}}
}

// arg is an argument of RevisionMap's methods: a single string spec, a tuple
// of specs, or None (no specs, not str).
type arg struct {
	specs []string
	str   bool // a single string, not a tuple
	rows  bool // version-table rows: resolved as exact ids
}

func strArg(s string) arg       { return arg{specs: []string{s}, str: true} }
func rowsArg(rows []string) arg { return arg{specs: rows, rows: true} }
func tupleArg(s []string) arg   { return arg{specs: s} }
func (a arg) isNone() bool      { return len(a.specs) == 0 }
func (c *ctx) id(i int) string  { return c.g.id(i) }
func (c *ctx) ids(xs []int) []string {
	out := make([]string, 0, len(xs))
	for _, x := range xs {
		if x >= 0 {
			out = append(out, c.g.id(x))
		}
	}
	return out
}

// display renders an arg as Alembic formats it in messages (a tuple as its
// Python repr).
func (a arg) display() string {
	if a.str {
		return a.specs[0]
	}
	if len(a.specs) == 0 {
		return ""
	}
	q := make([]string, len(a.specs))
	for i, s := range a.specs {
		q[i] = "'" + s + "'"
	}
	if len(q) == 1 {
		return "(" + q[0] + ",)"
	}
	return "(" + strings.Join(q, ", ") + ")"
}

func noSuchRevision(id string) *ResolutionError {
	reason := "No such revision or branch '" + id + "'"
	if id != "" && utf8.RuneCountInString(id) < 4 {
		reason += "; please ensure at least four characters are present for partial revision identifier matches"
	}
	return &ResolutionError{Arg: id, Reason: reason}
}

// row resolves a version-table row: it must be an exact revision id.
func (c *ctx) row(r string) (int, error) {
	if i, ok := c.g.byID[r]; ok {
		return i, nil
	}
	e := noSuchRevision(r)
	e.VersionRow = true
	return 0, e
}

// resolveNumber is _resolve_revision_number for a string: it splits
// "label@id" on the first '@' and expands head, heads and base.
func (c *ctx) resolveNumber(spec string) (ids []string, label string, hasLabel bool, err error) {
	id := spec
	if i := strings.IndexByte(spec, '@'); i >= 0 {
		label, id, hasLabel = spec[:i], spec[i+1:], true
	}
	switch id {
	case "heads":
		if label != "" {
			hs, err := c.filterForLineage(c.g.heads, label, false)
			return c.ids(hs), label, hasLabel, err
		}
		return c.ids(c.g.realHeads), label, hasLabel, nil
	case "head":
		h, err := c.currentHead(label)
		if err != nil || h < 0 {
			return nil, label, hasLabel, err
		}
		return []string{c.id(h)}, label, hasLabel, nil
	case "base":
		return nil, label, hasLabel, nil
	}
	return []string{id}, label, hasLabel, nil
}

// currentHead is get_current_head: the single head (through Down) in the
// lineage of label, rvNone if there is none.
func (c *ctx) currentHead(label string) (int, error) {
	heads := c.g.heads
	if label != "" {
		var err error
		if heads, err = c.filterForLineage(heads, label, false); err != nil {
			return 0, err
		}
	}
	if len(heads) > 1 {
		a := "head"
		if label != "" {
			a = label + "@head"
		}
		return 0, &MultipleHeadsError{Heads: c.ids(heads), Arg: a}
	}
	if len(heads) == 1 {
		return heads[0], nil
	}
	return rvNone, nil
}

// getRevisions is get_revisions: every revision an argument designates.
// Results may include rvBase and rvNone (from walks).
func (c *ctx) getRevisions(a arg) ([]int, error) {
	var out []int
	for _, s := range a.specs {
		var rs []int
		var err error
		if a.rows {
			var r int
			r, err = c.row(s)
			rs = []int{r}
		} else {
			rs, err = c.getRevisionsSpec(s)
		}
		if err != nil {
			return nil, err
		}
		out = append(out, rs...)
	}
	return out, nil
}

func (c *ctx) getRevisionsSpec(spec string) ([]int, error) {
	ids, label, hasLabel, err := c.resolveNumber(spec)
	if err != nil {
		return nil, err
	}
	if len(ids) == 1 && !c.noNegWalk {
		if steps, ok := negativeInt(ids[0]); ok {
			// "label@-N": walk down from the heads carrying the label.
			heads, err := c.getRevisionsSpec("heads")
			if err != nil {
				return nil, err
			}
			var out []int
			for _, h := range heads {
				if hasLabel && !hasString(c.g.labelsOf(h), label) {
					continue
				}
				r, err := c.walk(h, -steps, "", true)
				if err != nil {
					return nil, err
				}
				out = append(out, r)
			}
			return out, nil
		}
	}
	out := make([]int, 0, len(ids))
	for _, id := range ids {
		r, err := c.revisionForIdent(id, false, label)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

func hasString(xs []string, s string) bool {
	for _, x := range xs {
		if x == s {
			return true
		}
	}
	return false
}

// negativeInt reports whether s reads as a negative integer to Python's
// int(), returning its magnitude (clamped).
func negativeInt(s string) (int, bool) {
	s = strings.TrimSpace(s)
	if len(s) < 2 || s[0] != '-' {
		return 0, false
	}
	n := 0
	for _, ch := range s[1:] {
		if ch < '0' || ch > '9' {
			return 0, false
		}
		if n < 1<<30 {
			n = n*10 + int(ch-'0')
		}
	}
	return n, n > 0
}

// getRevision is get_revision: the single revision a spec designates, or
// rvNone for base.
func (c *ctx) getRevision(spec string) (int, error) {
	ids, label, _, err := c.resolveNumber(spec)
	if err != nil {
		return 0, err
	}
	if len(ids) > 1 {
		return 0, &MultipleHeadsError{Heads: ids, Arg: spec}
	}
	if len(ids) == 0 {
		return c.revisionForIdent("", true, label)
	}
	return c.revisionForIdent(ids[0], false, label)
}

// revisionForIdent is _revision_for_ident: an exact id or branch label, or
// else a unique partial match among keys longer than three characters; with
// branch, the result must share the branch's lineage. isBase stands for
// Alembic's empty tuple (resolves to rvNone after checking the branch).
func (c *ctx) revisionForIdent(id string, isBase bool, branch string) (int, error) {
	branchRev := -1
	if branch != "" {
		var err error
		if branchRev, err = c.resolveBranch(branch); err != nil {
			return 0, err
		}
	}
	if isBase {
		return rvNone, nil
	}
	r, ok := c.g.lookupKey(id)
	if !ok {
		if id == "" {
			return 0, &ResolutionError{Arg: id, Reason: "No such revision or branch ''"}
		}
		matches := c.g.prefixMatches(id)
		if branchRev >= 0 && len(matches) > 0 {
			nodes := make([]int, len(matches))
			for i, m := range matches {
				nodes[i] = m.node
			}
			lin, err := c.lineageOf(branch, false)
			if err != nil {
				return 0, err
			}
			kept := matches[:0:0]
			for _, m := range matches {
				if lin == nil || lin.has(m.node) {
					kept = append(kept, m)
				}
			}
			matches = kept
		}
		switch {
		case len(matches) == 0:
			return 0, noSuchRevision(id)
		case len(matches) > 1:
			e := &ResolutionError{Arg: id}
			for _, m := range matches {
				e.Candidates = append(e.Candidates, m.key)
			}
			e.Reason = "Multiple revisions start with '" + id + "': " + quoteList(e.Candidates[:min(3, len(e.Candidates))]) + "..."
			return 0, e
		}
		r = matches[0].node
	}
	if branch != "" && !c.lineageOfNode(branchRev, false).has(r) {
		return 0, &ResolutionError{Arg: id, Reason: "Revision " + c.id(r) + " is not a member of branch '" + branch + "'"}
	}
	return r, nil
}

// resolveBranch is _resolve_branch: the revision a branch label (or any
// revision id or prefix) before '@' designates.
func (c *ctx) resolveBranch(label string) (int, error) {
	if r, ok := c.g.lookupKey(label); ok {
		return r, nil
	}
	r, err := c.revisionForIdent(label, false, "")
	if err != nil {
		if _, ok := err.(*ResolutionError); ok {
			return 0, &ResolutionError{Arg: label, Reason: "No such branch: '" + label + "'"}
		}
		return 0, err
	}
	return r, nil
}

// lineageOfNode returns the revisions sharing lineage with r: its ancestors
// and descendants (through Down only, or through Down and DependsOn).
func (c *ctx) lineageOfNode(r int, deps bool) bitset {
	k := lineageKey{r, deps}
	if b, ok := c.lineage[k]; ok {
		return b
	}
	down, up := eDown, eNext
	if deps {
		down, up = eAllDown, eAllNext
	}
	b := c.g.closure([]int{r}, down)
	b.or(c.g.closure([]int{r}, up))
	c.lineage[k] = b
	return b
}

// lineageOf resolves check as filter_for_lineage does and returns the union
// of the lineages it designates, or nil when it designates nothing (every
// target then passes).
func (c *ctx) lineageOf(check string, deps bool) (bitset, error) {
	ids, label, _, err := c.resolveNumber(check)
	if err != nil {
		return nil, err
	}
	var shares []string
	if label != "" {
		shares = append(shares, label)
	}
	shares = append(shares, ids...)
	if len(shares) == 0 {
		return nil, nil
	}
	var out bitset
	for _, s := range shares {
		r, err := c.revisionForIdent(s, false, "")
		if err != nil {
			return nil, err
		}
		l := c.lineageOfNode(r, deps)
		if out == nil {
			out = l.clone()
		} else {
			out.or(l)
		}
	}
	return out, nil
}

// filterForLineage is filter_for_lineage: the targets that share lineage
// with what check designates.
func (c *ctx) filterForLineage(targets []int, check string, deps bool) ([]int, error) {
	if len(targets) == 0 {
		// Alembic resolves check first.
		if _, _, _, err := c.resolveNumber(check); err != nil {
			return nil, err
		}
		return nil, nil
	}
	lin, err := c.lineageOf(check, deps)
	if err != nil {
		return nil, err
	}
	if lin == nil {
		return targets, nil
	}
	out := make([]int, 0, len(targets))
	for _, t := range targets {
		if t >= 0 && lin.has(t) {
			out = append(out, t)
		}
	}
	return out, nil
}

// walk is _walk: steps up (steps > 0, children restricted to the lineage of
// label) or down from start. It returns rvNone when walking past the end if
// noOverwalk, else stops where it is; walking down past a root yields
// rvBase.
func (c *ctx) walk(start, steps int, label string, noOverwalk bool) (int, error) {
	g := c.g
	cur := start
	n := steps
	if n < 0 {
		n = -n
	}
	for range n {
		var children []int
		if steps > 0 {
			var up []int
			switch {
			case cur == rvNone:
				up = g.bases
			case cur >= 0:
				up = g.next(cur)
			}
			children = up
			if label != "" {
				var err error
				if children, err = c.filterForLineage(up, label, false); err != nil {
					return 0, err
				}
			}
		} else if cur != rvBase {
			if cur == rvNone {
				children = g.heads
			} else {
				children = g.down(cur)
			}
			if len(children) == 0 {
				children = []int{rvBase}
			}
		}
		if len(children) == 0 {
			if noOverwalk {
				return rvNone, nil
			}
			return cur, nil
		}
		if len(children) > 1 {
			return 0, revErr("Ambiguous walk")
		}
		cur = children[0]
	}
	return cur, nil
}

// relSpec is a parsed relative spec: [label@][symbol](+|-)N.
type relSpec struct {
	label, symbol string
	hasSymbol     bool
	neg           bool
	n             int    // magnitude, clamped
	raw           string // the "+N"/"-N" text as typed
	abs           string // the magnitude in decimal
}

// value is the signed step count.
func (r relSpec) value() int {
	if r.neg {
		return -r.n
	}
	return r.n
}

// intText formats the signed value as Python's %s of an int.
func (r relSpec) intText() string {
	if r.n == 0 && r.abs == "0" {
		return "0"
	}
	if r.neg {
		return "-" + r.abs
	}
	return r.abs
}

// relRe is Alembic's _relative_destination, matched at the start of the spec
// only (Python's re.match): trailing text is ignored.
var relRe = regexp.MustCompile(`^(?:(.+?)@)?([\p{L}\p{N}_]+)?([+-][0-9]+)`)

func parseRelative(s string) (relSpec, bool) {
	m := relRe.FindStringSubmatchIndex(s)
	if m == nil {
		return relSpec{}, false
	}
	var r relSpec
	if m[2] >= 0 {
		r.label = s[m[2]:m[3]]
	}
	if m[4] >= 0 {
		r.symbol, r.hasSymbol = s[m[4]:m[5]], true
	}
	r.raw = s[m[6]:m[7]]
	r.neg = r.raw[0] == '-'
	digits := strings.TrimLeft(r.raw[1:], "0")
	if digits == "" {
		digits = "0"
	}
	r.abs = digits
	if v, err := strconv.Atoi(digits); err == nil && v <= 1<<30 {
		r.n = v
	} else {
		r.n = 1 << 30
	}
	return r, true
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
			out = append(out, g.id(r))
		}
	}
	return out, nil
}
