package revision

import (
	"bufio"
	"os"
	"slices"
	"strings"
	"testing"
)

func iterArg(v any) arg {
	switch x := v.(type) {
	case nil:
		return arg{}
	case string:
		return strArg(x)
	case []string:
		return tupleArg(x)
	}
	panic("bad arg")
}

// iterate is RevisionMap.iterate_revisions (assert_relative_length=True).
func iterate(g *Graph, upper, lower any, inclusive, implicitBase, forDowngrade bool) ([]string, error) {
	c := newCtx(g)
	order, err := c.iterate(iterArg(upper), iterArg(lower), implicitBase, inclusive, true, forDowngrade)
	if err != nil {
		return nil, err
	}
	return g.idsOf(order), nil
}

// conformsPartialOrdering checks that, read backwards, every revision comes
// after its (normalized) down revisions.
func conformsPartialOrdering(g *Graph, order []string) bool {
	pos := map[string]int{}
	for i, id := range order {
		pos[id] = len(order) - i
	}
	for i := range g.nodes {
		c, ok := pos[g.id(i)]
		if !ok {
			continue
		}
		for _, d := range g.normDown(i) {
			if p, ok := pos[g.id(d)]; ok && p > c {
				return false
			}
		}
	}
	return true
}

type iterCase struct {
	name         string
	upper, lower any
	want         []string
	exclusive    bool // Alembic's tests default to inclusive=True
	implicitBase bool
	downgrade    bool
	err          string
}

func runIterCases(t *testing.T, g *Graph, cases []iterCase) {
	t.Helper()
	for _, tt := range cases {
		got, err := iterate(g, tt.upper, tt.lower, !tt.exclusive, tt.implicitBase, tt.downgrade)
		if tt.err != "" {
			if err == nil || !strings.HasPrefix(err.Error(), tt.err) {
				t.Errorf("%s: got %v, %v; want error %q", tt.name, got, err, tt.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		if !slices.Equal(got, tt.want) && !(len(got) == 0 && len(tt.want) == 0) {
			t.Errorf("%s:\n got %v\nwant %v", tt.name, got, tt.want)
		}
		if !conformsPartialOrdering(g, got) {
			t.Errorf("%s: %v breaks the partial ordering", tt.name, got)
		}
	}
}

// test_revision.py: the DownIterateTest family.
func TestIterateRevisions(t *testing.T) {
	t.Run("diamond", func(t *testing.T) {
		g := graphOf(t, "a", "b1:a", "b2:a", "c:b1,b2", "d:c")
		runIterCases(t, g, []iterCase{{name: "simple diamond", upper: "d", lower: "a", want: []string{"d", "c", "b1", "b2", "a"}}})
	})
	t.Run("empty map", func(t *testing.T) {
		runIterCases(t, graphOf(t), []iterCase{{name: "head to base", upper: "head", lower: "base", want: nil}})
	})
	t.Run("tolerates duplicate targets", func(t *testing.T) {
		g := graphOf(t, "a", "b:a", "c:b")
		runIterCases(t, g, []iterCase{{name: "dupes", upper: []string{"c", "c"}, lower: "a", exclusive: true, want: []string{"c", "b"}}})
	})
	t.Run("labeled branch", func(t *testing.T) {
		g := graphOf(t, labeledSpecs...)
		runIterCases(t, g, []iterCase{
			{name: "head to named base e", upper: "heads", lower: "ebranch@base", want: []string{"f", "someothername", "e", "d"}},
			{name: "head to named base a", upper: "heads", lower: "abranch@base", want: []string{"c", "somelongername", "b", "a"}},
			{name: "named head to base e", upper: "ebranch@head", lower: "base", want: []string{"f", "someothername", "e", "d"}},
			{name: "named head to base a", upper: "abranch@head", lower: "base", want: []string{"c", "somelongername", "b", "a"}},
			{name: "named head to heads", upper: "heads", lower: "ebranch@head", want: []string{"f"}},
			{name: "named rev to heads", upper: "heads", lower: "ebranch@d", want: []string{"f", "someothername", "e", "d"}},
			{name: "version specific base e", upper: "heads", lower: "e@base", want: []string{"f", "someothername", "e", "d"}},
			{name: "version specific base c", upper: "heads", lower: "c@base", want: []string{"c", "somelongername", "b", "a"}},
			{name: "branch at rev", upper: "heads", lower: "ebranch@d", want: []string{"f", "someothername", "e", "d"}},
			{name: "branch w down relative", upper: "heads", lower: "ebranch@-2", want: []string{"f", "someothername", "e"}},
			{name: "branch w up relative", upper: "ebranch@+2", lower: "base", want: []string{"e", "d"}},
		})
	})
	t.Run("long short branch", func(t *testing.T) {
		g := graphOf(t, "a", "b1:a", "b2:a", "c1:b1", "d11:c1", "d12:c1")
		runIterCases(t, g, []iterCase{{name: "full", upper: "heads", lower: "base", want: []string{"b2", "d11", "d12", "c1", "b1", "a"}}})
	})
	t.Run("multiple branch", func(t *testing.T) {
		g := graphOf(t, multiBranchSpecs...)
		runIterCases(t, g, []iterCase{
			{name: "from merge point", upper: "d1d2cb2", lower: "a", want: []string{"d1d2cb2", "d1cb2", "d2cb2", "cb2", "b2", "a"}},
			{name: "multiple heads", upper: []string{"d2cb2", "d3cb2"}, lower: "a", want: []string{"d2cb2", "d3cb2", "cb2", "b2", "a"}},
			{name: "single branch", upper: "d3cb2", lower: "a", want: []string{"d3cb2", "cb2", "b2", "a"}},
			{name: "single branch to base", upper: "d3cb2", lower: "base", want: []string{"d3cb2", "cb2", "b2", "a"}},
			{name: "multiple branch to base", upper: []string{"d3cb2", "cb1"}, lower: "base", want: []string{"cb1", "b1", "d3cb2", "cb2", "b2", "a"}},
			{name: "multiple heads single base", upper: []string{"d1cb1", "d2cb2", "d3cb2"}, lower: "b2", want: []string{"d2cb2", "d3cb2", "cb2", "b2"}},
			{name: "same branch wrong direction", upper: "b1", lower: "d1cb1", err: "Revision d1cb1 is not an ancestor of revision b1"},
			{name: "distinct branches", upper: "d2cb2", lower: "b1", err: "Revision b1 is not an ancestor of revision d2cb2"},
			{name: "wrong direction to base as none", upper: nil, lower: "d1cb1", err: "Revision d1cb1 is not an ancestor of revision base"},
			{name: "wrong direction to base as empty", upper: []string{}, lower: "d1cb1", err: "Revision d1cb1 is not an ancestor of revision base"},
		})
	})
	t.Run("multiple branch effective head", func(t *testing.T) {
		g := graphOf(t, effHeadSpecs...)
		runIterCases(t, g, []iterCase{
			{name: "other downgrade", upper: []string{"x2", "y2"}, lower: "x@-1", exclusive: true, downgrade: true, want: []string{"x2"}},
			{name: "use all current", upper: []string{"x1", "y2"}, lower: "x@-1", exclusive: true, downgrade: true, want: []string{"y2", "x1"}},
			{name: "effective head", upper: "y2", lower: "x@-1", exclusive: true, downgrade: true, want: []string{"y2", "x1"}},
		})
	})
	t.Run("branch travelling", func(t *testing.T) {
		g := graphOf(t, travellingSpecs...)
		runIterCases(t, g, []iterCase{
			{name: "one branch both to merge", upper: "merge", lower: "db1", implicitBase: true,
				want: []string{"merge", "e2b1", "db1", "e2b2", "db2", "cb2", "b2"}},
			{name: "three branches end in single branch", upper: []string{"merge", "fe1b1"}, lower: "a3",
				want: []string{"fe1b1", "e1b1", "merge", "e2b1", "db1", "cb1", "b1", "e2b2", "db2", "cb2", "b2", "a3"}},
			{name: "two branches to root", upper: "merge", lower: "a1",
				want: []string{"merge", "e2b1", "db1", "cb1", "b1", "e2b2", "db2", "cb2", "b2", "a3", "a2", "a1"}},
			{name: "two branches end in branch", upper: "merge", lower: "b1", want: []string{"merge", "e2b1", "db1", "cb1", "b1"}},
			{name: "two branches end behind branch", upper: "merge", lower: "a2",
				want: []string{"merge", "e2b1", "db1", "cb1", "b1", "e2b2", "db2", "cb2", "b2", "a3", "a2"}},
			{name: "three branches to root", upper: []string{"merge", "fe1b1"}, lower: "a1",
				want: []string{"fe1b1", "e1b1", "merge", "e2b1", "db1", "cb1", "b1", "e2b2", "db2", "cb2", "b2", "a3", "a2", "a1"}},
			{name: "three branches end multiple bases", upper: []string{"merge", "fe1b1"}, lower: []string{"cb1", "cb2"},
				want: []string{"fe1b1", "e1b1", "merge", "e2b1", "db1", "cb1", "e2b2", "db2", "cb2"}},
			{name: "three branches end multiple bases exclusive", upper: []string{"merge", "fe1b1"}, lower: []string{"cb1", "cb2"}, exclusive: true,
				want: []string{"fe1b1", "e1b1", "merge", "e2b1", "db1", "e2b2", "db2"}},
			{name: "detect invalid head selection", upper: []string{"db1", "b2", "fe1b1"}, lower: []string{},
				err: "Requested revision fe1b1 overlaps with other requested revisions db1"},
			{name: "three branches end multiple bases exclusive blank", upper: []string{"e2b1", "b2", "fe1b1"}, lower: []string{}, exclusive: true,
				want: []string{"b2", "fe1b1", "e1b1", "e2b1", "db1", "cb1", "b1", "a3", "a2", "a1"}},
			{name: "to symbolic base", upper: []string{"fe1b1"}, lower: "base", exclusive: true,
				want: []string{"fe1b1", "e1b1", "db1", "cb1", "b1", "a3", "a2", "a1"}},
		})
		// test_ancestor_nodes
		anc, err := g.checkedClosure([]int{g.byID["merge"]}, eNormDown)
		if err != nil {
			t.Fatal(err)
		}
		got := g.idsOf(anc.members())
		slices.Sort(got)
		eqStrings(t, "ancestor nodes", got, []string{"a1", "a2", "a3", "b1", "b2", "cb1", "cb2", "db1", "db2", "e2b1", "e2b2", "merge"})
	})
	t.Run("multiple base", func(t *testing.T) {
		g := graphOf(t, multiBaseSpecs...)
		all := []string{"b1a", "a1a", "b1b", "a1b", "base1", "mergeb3d2", "b3", "a3", "base3", "d2", "c2", "b2", "a2", "base2"}
		runIterCases(t, g, []iterCase{
			{name: "heads to base", upper: "heads", lower: "base", want: all},
			{name: "heads to base exclusive", upper: "heads", lower: "base", exclusive: true, want: all},
			{name: "heads to blank", upper: "heads", lower: nil, want: all},
			{name: "detect invalid base selection", upper: []string{"c2"}, lower: []string{"a2", "b2"}, err: "Requested revision b2 overlaps with other requested revisions a2"},
			{name: "heads to revs plus implicit base exclusive", upper: "heads", lower: []string{"c2"}, exclusive: true, implicitBase: true,
				want: []string{"b1a", "a1a", "b1b", "a1b", "base1", "mergeb3d2", "b3", "a3", "base3", "d2"}},
			{name: "heads to revs base exclusive", upper: "heads", lower: []string{"c2"}, exclusive: true, want: []string{"mergeb3d2", "d2"}},
			{name: "heads to revs plus implicit base inclusive", upper: "heads", lower: []string{"c2"}, implicitBase: true,
				want: []string{"b1a", "a1a", "b1b", "a1b", "base1", "mergeb3d2", "b3", "a3", "base3", "d2", "c2"}},
			{name: "specific path one", upper: "b3", lower: "base3", want: []string{"b3", "a3", "base3"}},
			{name: "specific path two implicit base", upper: []string{"b3", "b2"}, lower: "base3", exclusive: true, implicitBase: true,
				want: []string{"b2", "a2", "base2", "b3", "a3"}},
		})
	})
	t.Run("cross dependency one", func(t *testing.T) {
		g := graphOf(t, crossDep1Specs...)
		all := []string{"b1a", "a1a", "b1b", "a1b", "base1", "d2", "c2", "b2", "a2", "base2", "b3", "a3", "base3"}
		runIterCases(t, g, []iterCase{
			{name: "heads to base", upper: "heads", lower: "base", want: all},
			{name: "heads to base downgrade", upper: "heads", lower: "base", downgrade: true, want: all},
			{name: "same branch wrong direction", upper: "b2", lower: "d2", err: "Revision d2 is not an ancestor of revision b2"},
			{name: "different branch not wrong direction", upper: "b3", lower: "d2", err: "Revision d2 is not an ancestor of revision b3"},
			{name: "need head2 upgrade", upper: "b_2@head", lower: "base", want: []string{"d2", "c2", "b2", "a2", "base2", "a3", "base3"}},
			{name: "need head2 downgrade", upper: "b_2@head", lower: "b_2@base", downgrade: true, want: []string{"d2", "c2", "b2", "a2", "base2"}},
			{name: "need head3 upgrade", upper: "b_3@head", lower: "base", want: []string{"b3", "a3", "base3"}},
			{name: "need head3 downgrade", upper: "b_3@head", lower: "base", downgrade: true, want: []string{"b3", "a3", "base3"}},
			{name: "need head1 upgrade", upper: "b1b@head", lower: "base", want: []string{"b1b", "a1b", "base1", "a3", "base3"}},
			{name: "need head1 downgrade", upper: "b1b@head", lower: "b1b@base", downgrade: true, want: []string{"b1b", "a1b", "base1"}},
			{name: "need base2 upgrade", upper: "heads", lower: "b_2@base", want: []string{"d2", "c2", "b2", "a2", "base2", "a3", "base3"}},
			{name: "need base2 downgrade", upper: "heads", lower: "b_2@base", downgrade: true, want: []string{"d2", "c2", "b2", "a2", "base2"}},
			{name: "need base3 upgrade", upper: "heads", lower: "b_3@base", want: []string{"b3", "a3", "base3"}},
			{name: "need base3 downgrade", upper: "heads", lower: "b_3@base", downgrade: true, want: []string{"b1b", "d2", "c2", "b3", "a3", "base3"}},
		})
	})
	t.Run("cross dependency two", func(t *testing.T) {
		g := graphOf(t, crossDep2Specs...)
		runIterCases(t, g, []iterCase{
			{name: "heads to base", upper: "heads", lower: "base",
				want: []string{"c1", "b1", "a1", "d2", "c2", "d3", "c3", "b3", "a3", "base3", "b2", "a2", "base2", "base1"}},
			{name: "need head2", upper: "b_2@head", lower: "base", want: []string{"d2", "c2", "b2", "a2", "base2", "base1"}},
			{name: "need head3", upper: "b_3@head", lower: "base", want: []string{"d3", "c3", "b3", "a3", "base3", "b2", "a2", "base2", "base1"}},
			{name: "need head1", upper: "b_1@head", lower: "base", want: []string{"c1", "b1", "a1", "base1"}},
			{name: "need base1", upper: "heads", lower: "b_1@base", want: []string{"c1", "b1", "a1", "base1"}},
			{name: "need base2", upper: "heads", lower: "b_2@base", want: []string{"d2", "c2", "b2", "a2", "base2", "base1"}},
			{name: "need base3", upper: "heads", lower: "b_3@base", want: []string{"d3", "c3", "b3", "a3", "base3", "b2", "a2", "base2", "base1"}},
		})
	})
	t.Run("cross dependency three", func(t *testing.T) {
		g := graphOf(t, "base1", "a1:base1", "b1:a1", "c2::a1", "c3:c2")
		runIterCases(t, g, []iterCase{{name: "no parent but a dep", upper: "heads", lower: "base", want: []string{"b1", "c3", "c2", "a1", "base1"}}})
	})
	t.Run("graph with loop tests that load", func(t *testing.T) {
		runIterCases(t, graphOf(t, "user_foo", "user:user_foo:user_foo"), []iterCase{{name: "dupe head", upper: "heads", lower: nil, want: []string{"user", "user_foo"}}})
		runIterCases(t, graphOf(t, "user_foo", "user:user_foo"), []iterCase{{name: "overlapping substrings", upper: "heads", lower: nil, want: []string{"user", "user_foo"}}})
		runIterCases(t, graphOf(t, "user_foo", "user::user_foo"), []iterCase{{name: "overlapping substrings deps", upper: "heads", lower: nil, want: []string{"user", "user_foo"}}})
	})
	t.Run("normalized down revisions", func(t *testing.T) {
		g := graphOf(t, normDownSpecs...)
		runIterCases(t, g, []iterCase{
			{name: "branch traversal", upper: "b4", lower: "b1@base", downgrade: true, want: []string{"b4", "b3", "b2", "b1"}},
			{name: "all traversal", upper: "heads", lower: "base", downgrade: true, want: []string{"b5", "b4", "b3", "b2", "b1", "a3", "a2", "a1"}},
			{name: "partial traversal", upper: "heads", lower: "a2", downgrade: true, want: []string{"b5", "b4", "b3", "b2", "a3", "a2"}},
			{name: "partial traversal implicit base one", upper: "heads", lower: "a2", downgrade: true, implicitBase: true,
				want: []string{"b5", "b4", "b3", "b2", "b1", "a3", "a2"}},
			{name: "partial traversal implicit base two", upper: "b5", lower: []string{"b1"}, implicitBase: true,
				want: []string{"b5", "b4", "b3", "b2", "b1", "a3", "a2", "a1"}},
		})
		g3 := graphOf(t, "c1", "a1", "a2:a1:c1", "a3:a2:c1", "b1", "b2:b1:a3", "b3:b2", "b4:b3:a3", "b5:b4")
		runIterCases(t, g3, []iterCase{{name: "partial traversal implicit base three", upper: "b5", lower: []string{"b1"}, implicitBase: true,
			want: []string{"b5", "b4", "b3", "b2", "b1", "a3", "a2", "a1", "c1"}}})
	})
}

// LargeMapTest: Alembic's 142-revision map of many merges.
func TestIterateLargeMap(t *testing.T) {
	g := loadLargeMap(t)
	order, err := iterate(g, "heads", "base", true, false, false)
	if err != nil {
		t.Fatal(err)
	}
	if len(order) != g.Len() {
		t.Fatalf("%d revisions iterated, want %d", len(order), g.Len())
	}
	pos := map[string]int{}
	for i, id := range order {
		pos[id] = i
	}
	for idx, id := range order {
		i := g.byID[id]
		anc := g.closure([]int{i}, eNormDown)
		desc := g.closure([]int{i}, eAllNext)
		anc.clear(i)
		desc.clear(i)
		both := anc.clone()
		both.and(desc)
		if !both.empty() {
			t.Fatalf("%s: ancestors and descendants overlap", id)
		}
		if idx+1 < len(order) {
			// some remaining revision must be an ancestor
			found := false
			for _, rest := range order[idx+1:] {
				if anc.has(g.byID[rest]) {
					found = true
					break
				}
			}
			if !found && !anc.empty() {
				t.Fatalf("%s: no remaining ancestor", id)
			}
		}
		for _, a := range anc.members() {
			if pos[g.id(a)] < idx {
				t.Fatalf("%s comes after its ancestor %s", id, g.id(a))
			}
		}
	}
}

func loadLargeMap(t testing.TB) *Graph {
	f, err := os.Open("testdata/large_map.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var rs []Revision
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "#") || line == "" {
			continue
		}
		id, down, _ := strings.Cut(line, " ")
		r := Revision{ID: id}
		if down != "" {
			r.Down = strings.Split(down, ",")
		}
		rs = append(rs, r)
	}
	g, err := NewGraph(rs)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func TestFilterForLineage(t *testing.T) {
	// test_filter_for_lineage_labeled_head_across_merge
	g := graphOf(t, "a", "b:a", "c1:b::c1branch", "c2:b", "d:c1,c2")
	c := newCtx(g)
	all := []int{g.byID["c1"], g.byID["c2"], g.byID["d"]}
	got, err := c.filterForLineage(all, "c1branch@head", false)
	if err != nil || !slices.Equal(got, all) {
		t.Errorf("across merge: %v %v", g.idsOf(got), err)
	}
	// test_filter_for_lineage_heads, test_get_base_revisions(_labeled)
	g = graphOf(t, labeledSpecs...)
	c = newCtx(g)
	got, err = c.filterForLineage([]int{g.byID["f"]}, "heads", false)
	if err != nil || !slices.Equal(g.idsOf(got), []string{"f"}) {
		t.Errorf("heads: %v %v", got, err)
	}
	got, _ = c.filterForLineage(g.bases, "somelongername@base", false)
	eqStrings(t, "labeled base", g.idsOf(got), []string{"a"})
	got, _ = c.filterForLineage(g.bases, "base", false)
	eqStrings(t, "bases", g.idsOf(got), []string{"a", "d"})
}
