package revision

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

func TestNewGraphErrors(t *testing.T) {
	tests := []struct {
		name  string
		specs []string
		kind  string // "graph" or "cycle"
		msg   string
	}{
		// test_revision.GraphWithLoopTest
		{"solitary loop", []string{"a:a"}, "cycle", "Self-loop is detected in revisions (a)"},
		{"base loop", []string{"a:a", "b:a", "c:b"}, "cycle", "Self-loop is detected in revisions (a)"},
		{"head loop", []string{"a", "b:a", "c:b,c"}, "cycle", "Self-loop is detected in revisions (c)"},
		{"branch point loop", []string{"a", "b:a,b", "c1:b", "c2:b"}, "cycle", "Self-loop is detected in revisions (b)"},
		{"merge point loop", []string{"a", "b1:a", "b2:a", "c:b1,b2,c"}, "cycle", "Self-loop is detected in revisions (c)"},
		{"solitary dependency loop", []string{"a::a"}, "cycle", "Dependency self-loop is detected in revisions (a)"},
		{"base dependency loop", []string{"a::a", "b:a", "c:b"}, "cycle", "Dependency self-loop is detected in revisions (a)"},
		{"head dependency loop", []string{"a", "b:a", "c:b:c"}, "cycle", "Dependency self-loop is detected in revisions (c)"},
		{"branch point dependency loop", []string{"a", "b:a:b", "c1:b", "c2:b"}, "cycle", "Dependency self-loop is detected in revisions (b)"},
		{"merge point dependency loop", []string{"a", "b1:a", "b2:a", "c:b1,b2:c"}, "cycle", "Dependency self-loop is detected in revisions (c)"},
		{"dependency loop through own label", []string{"a", "b:a:bl:bl"}, "cycle", "Dependency self-loop is detected in revisions (b)"},
		// test_revision.GraphWithCycleTest
		{"simple cycle", []string{"a:c", "b:a", "c:b"}, "cycle", "Cycle is detected in revisions (a, b, c)"},
		{"extra simple cycle", []string{"a:c", "b:a", "c:b", "d", "e:d"}, "cycle", "Cycle is detected in revisions (a, b, c)"},
		{"lower simple cycle", []string{"a:c", "b:a", "c:b", "d:c", "e:d"}, "cycle", "Cycle is detected in revisions (a, b, c, d, e)"},
		{"upper simple cycle", []string{"a", "b:a", "c:b,e", "d:c", "e:d"}, "cycle", "Cycle is detected in revisions (a, b, c, d, e)"},
		{"simple dependency cycle", []string{"a::c", "b:a", "c:b"}, "cycle", "Dependency cycle is detected in revisions (a, b, c)"},
		{"extra simple dependency cycle", []string{"a::c", "b:a", "c:b", "d", "e:d"}, "cycle", "Dependency cycle is detected in revisions (a, b, c)"},
		{"lower simple dependency cycle", []string{"a::c", "b:a", "c:b", "d:c", "e:d"}, "cycle", "Dependency cycle is detected in revisions (a, b, c, d, e)"},
		{"upper simple dependency cycle", []string{"a", "b:a", "c:b:e", "d:c", "e:d"}, "cycle", "Dependency cycle is detected in revisions (a, b, c, d, e)"},
		// cycles Alembic's reachability test misses: every node is both
		// above a base and below a head.
		{"hidden cycle", []string{"a", "b:a,c", "c:b", "d:b"}, "cycle", "Cycle is detected in revisions (b, c, d)"},
		{"hidden dependency cycle", []string{"a", "b:a:c", "c:b", "d:b"}, "cycle", "Dependency cycle is detected in revisions (b, c, d)"},
		{"no head at all", []string{"a:b", "b:a"}, "cycle", "Cycle is detected in revisions (a, b)"},
		// LabeledBranchTest.test_dupe_branch_collection
		{"duplicate branch label", []string{"a", "b:a", "c:b::xy1", "d", "e:d::xy1", "f:e"}, "graph",
			"Branch name 'xy1' in revision e already used by revision c (in e.sql)"},
		{"branch label equal to a revision id", []string{"a", "b:a::a"}, "graph",
			"Branch name 'a' in revision b already used by revision a (in b.sql)"},
		{"duplicate id", []string{"a", "b:a", "a"}, "graph", "Revision a is present more than once (also in a.sql) (in a.sql)"},
		{"missing down revision", []string{"a", "c:zzzz"}, "graph", "Revision zzzz referenced from zzzz -> c is not present (in c.sql)"},
		{"down revision naming a label", []string{"a:::lbl", "c:lbl"}, "graph",
			"Revision lbl referenced from lbl -> c is not present; 'lbl' is a branch label, but Revises must name revision ids (in c.sql)"},
		{"missing dependency", []string{"a", "c:a:zzzz"}, "graph", "Revision zzzz referenced from a (zzzz) -> c is not present (in c.sql)"},
		{"ambiguous dependency prefix", []string{"abcd1", "abcd2", "c::abcd"}, "graph",
			"Revision c depends on 'abcd', which is ambiguous: Multiple revisions start with 'abcd': 'abcd1', 'abcd2'... (in c.sql)"},
		{"illegal dash", []string{"a-b"}, "graph", "Character(s) '-' not allowed in revision identifier 'a-b' (in a-b.sql)"},
		{"illegal several", []string{"a@b+c,d e"}, "graph", "Character(s) ' , +, ,, @' not allowed in revision identifier 'a@b+c,d e' (in a@b+c,d e.sql)"},
		{"illegal tab", []string{"a\tb"}, "graph", "Character(s) '\\t' not allowed in revision identifier 'a\tb' (in a\tb.sql)"},
		{"too long", []string{strings.Repeat("a", 33)}, "graph",
			"Revision identifier '" + strings.Repeat("a", 33) + "' is longer than 32 characters (in " + strings.Repeat("a", 33) + ".sql)"},
		{"reserved", []string{"heads"}, "graph", "Revision identifier 'heads' is reserved: it names a symbol in revision specs (in heads.sql)"},
		{"empty id", []string{""}, "graph", "Revision identifier is empty (in .sql)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewGraph(revs(tt.specs...))
			switch tt.kind {
			case "cycle":
				wantErr[*CycleError](t, tt.name, err, tt.msg)
			default:
				wantErr[*GraphError](t, tt.name, err, tt.msg)
			}
		})
	}
}

func TestNewGraphErrorFields(t *testing.T) {
	_, err := NewGraph([]Revision{{ID: "a", Path: "v/a.sql"}, {ID: "b", Down: []string{"nope"}, Path: "v/b.sql"}})
	var ge *GraphError
	if !errors.As(err, &ge) || ge.Revision != "b" || ge.Path != "v/b.sql" {
		t.Fatalf("got %#v", err)
	}
	if cliMessage(err) != err.Error() {
		t.Errorf("CLIMessage %q", cliMessage(err))
	}
	_, err = NewGraph([]Revision{{ID: "a", Down: []string{"c"}, Path: "a.sql"}, {ID: "b", Down: []string{"a"}, Path: "b.sql"}, {ID: "c", Down: []string{"b"}, Path: "c.sql"}})
	var ce *CycleError
	if !errors.As(err, &ce) || ce.Kind != KindCycle || !slices.Equal(ce.Paths, []string{"a.sql", "b.sql", "c.sql"}) {
		t.Fatalf("got %#v", err)
	}
}

func TestNewGraphAccepts(t *testing.T) {
	// test_revision_map_no_loop_w_overlapping_substrings(_dependencies),
	// test_revision_dupe_head, #843 (depending on one's own parent).
	for _, specs := range [][]string{
		{"user_foo", "user:user_foo"},
		{"user_foo", "user::user_foo"},
		{"user_foo", "user:user_foo:user_foo"},
		{"a1", "a2:a1:a1"},
		{strings.Repeat("x", 32)},
		{"ÄÖÜ"},
		{"a", "b:a,a,::", "c:b:a,a"}, // repeated and empty entries are ignored
	} {
		if _, err := NewGraph(revs(specs...)); err != nil {
			t.Errorf("%v: %v", specs, err)
		}
	}
	g := graphOf(t, "a", "b:a,a")
	if g.IsMergePoint("b") {
		t.Errorf("b: repeated Down entry made a merge point")
	}
	if g, err := NewGraph(nil); err != nil || g.Len() != 0 || len(g.Heads()) != 0 {
		t.Errorf("empty graph: %v", err)
	}
}

func TestNewGraphCopiesInput(t *testing.T) {
	in := revs("a", "b:a")
	g, err := NewGraph(in)
	if err != nil {
		t.Fatal(err)
	}
	in[1].Down[0] = "zzz"
	in[0].ID = "q"
	if r, _ := g.Get("b"); r.Down[0] != "a" {
		t.Errorf("graph shares the caller's slices")
	}
	if _, ok := g.Get("a"); !ok {
		t.Errorf("graph shares the caller's revisions")
	}
}

func TestHeadsAndBases(t *testing.T) {
	tests := []struct {
		name                    string
		specs                   []string
		heads, realHeads, bases []string
	}{
		{"linear", []string{"a", "b:a", "c:b"}, []string{"c"}, []string{"c"}, []string{"a"}},
		// APITest.test_add_revision_two_head
		{"two heads", []string{"a", "b:a", "c1:b", "c2:b"}, []string{"c1", "c2"}, []string{"c1", "c2"}, []string{"a"}},
		{"multiple bases", []string{"a", "b:a", "c", "d:c"}, []string{"b", "d"}, []string{"b", "d"}, []string{"a", "c"}},
		// MultipleBaseCrossDependencyTestOne.test_what_are_the_heads
		{"cross dependencies one", crossDep1Specs, []string{"b1a", "b1b", "d2", "b3"}, []string{"b1a", "b1b", "d2", "b3"},
			[]string{"base1", "base2", "base3"}},
		// MultipleBaseCrossDependencyTestTwo.test_what_are_the_heads
		{"cross dependencies two", crossDep2Specs, []string{"c1", "d2", "d3"}, []string{"c1", "d2", "d3"},
			[]string{"base1", "base2", "base3"}},
		// an effective head: x2 is a head, x1 is only depended on.
		{"effective head", []string{"x1", "y1", "y2:y1:x1"}, []string{"x1", "y2"}, []string{"y2"}, []string{"x1", "y1"}},
		{"load order", []string{"z", "y:z", "x:z"}, []string{"y", "x"}, []string{"y", "x"}, []string{"z"}},
	}
	for _, tt := range tests {
		g := graphOf(t, tt.specs...)
		eqStrings(t, tt.name+" heads", g.Heads(), tt.heads)
		eqStrings(t, tt.name+" real heads", g.RealHeads(), tt.realHeads)
		eqStrings(t, tt.name+" bases", g.Bases(), tt.bases)
	}
}

func TestQueries(t *testing.T) {
	g := graphOf(t, "a", "b:a", "c1:b", "c2:b", "d:c1,c2", "x", "y:x:d")
	if g.Len() != 7 {
		t.Errorf("Len %d", g.Len())
	}
	eqStrings(t, "revisions", idsOfRevs(g.Revisions()), []string{"a", "b", "c1", "c2", "d", "x", "y"})
	eqStrings(t, "children", g.Children("b"), []string{"c1", "c2"})
	eqStrings(t, "children of unknown", g.Children("nope"), nil)
	checks := []struct {
		id                                 string
		head, eff, branchPoint, mergePoint bool
	}{
		{"b", false, false, true, false},
		{"d", true, true, false, true},
		{"y", true, false, false, false},
		{"a", false, false, false, false},
		{"nope", false, false, false, false},
	}
	for _, c := range checks {
		if g.IsHead(c.id) != c.head || g.IsEffectiveHead(c.id) != c.eff || g.IsBranchPoint(c.id) != c.branchPoint || g.IsMergePoint(c.id) != c.mergePoint {
			t.Errorf("%s: head=%v eff=%v bp=%v mp=%v", c.id, g.IsHead(c.id), g.IsEffectiveHead(c.id), g.IsBranchPoint(c.id), g.IsMergePoint(c.id))
		}
	}
	if _, ok := g.Get("c"); ok {
		t.Errorf("Get matched a prefix")
	}
	if r, ok := g.Get("c1"); !ok || r.ID != "c1" || r.Path != "c1.sql" {
		t.Errorf("Get c1: %v %v", r, ok)
	}
}

func TestDependsOnNormalisation(t *testing.T) {
	// DependsOn may name ids, unique prefixes (> 3 characters) or labels.
	g := graphOf(t, "abcdef", "lib:::libl", "x1", "z::abcd,libl,x1,abcdef")
	eqStrings(t, "deps", g.DependsOnIDs("z"), []string{"abcdef", "lib", "x1"})
	eqStrings(t, "deps of unknown", g.DependsOnIDs("nope"), nil)

	// NormalizedDownRevTest: a dependency already implied by an ancestor's
	// dependency is dropped from the normalized down revisions.
	g = graphOf(t, normDownSpecs...)
	n := func(id string) int { return g.byID[id] }
	eqStrings(t, "b4 all down", g.idsOf(g.allDown(n("b4"))), []string{"b3", "a3"})
	eqStrings(t, "b4 normalized down", g.idsOf(g.normDown(n("b4"))), []string{"b3"})
	eqStrings(t, "b5 all down", g.idsOf(g.allDown(n("b5"))), []string{"b4"})
	eqStrings(t, "b5 normalized down", g.idsOf(g.normDown(n("b5"))), []string{"b4"})
	eqStrings(t, "b4 declared deps", g.DependsOnIDs("b4"), []string{"a3"})
}

func TestBranchLabels(t *testing.T) {
	tests := []struct {
		name   string
		specs  []string
		labels map[string][]string
	}{
		// a label covers its descendants and, on a plain line, its
		// ancestors down to the nearest branch or merge point.
		{"line", []string{"a", "b:a::lb", "c:b"}, map[string][]string{"a": {"lb"}, "b": {"lb"}, "c": {"lb"}}},
		{"above a branch point", []string{"a", "b:a", "c1:b::l1", "d1:c1", "c2:b::l2", "d2:c2"},
			map[string][]string{"a": nil, "b": nil, "c1": {"l1"}, "d1": {"l1"}, "c2": {"l2"}, "d2": {"l2"}}},
		{"descendants branch: no ancestors", []string{"a", "b:a::lb", "c1:b", "c2:b"},
			map[string][]string{"a": nil, "b": {"lb"}, "c1": {"lb"}, "c2": {"lb"}}},
		{"across a merge", []string{"a", "b:a", "c1:b::l1", "c2:b", "d:c1,c2"},
			map[string][]string{"b": nil, "c1": {"l1"}, "c2": nil, "d": {"l1"}}},
		{"dependent stops the walk", []string{"a", "b:a", "c:b::lc", "x::b"},
			map[string][]string{"a": nil, "b": nil, "c": {"lc"}}},
		{"two labels on a line", []string{"a:::la", "b:a::lb", "c:b::lc"},
			map[string][]string{"a": {"la", "lb", "lc"}, "b": {"la", "lb", "lc"}, "c": {"la", "lb", "lc"}}},
		// MultipleBranchEffectiveHead
		{"effective head", effHeadSpecs, map[string][]string{"y1": {"y"}, "x1": {"x"}, "y2": {"y"}, "x2": {"x"}}},
		// LabeledBranchTest
		{"labeled", labeledSpecs, map[string][]string{"a": {"abranch"}, "c": {"abranch"}, "d": {"ebranch"}, "f": {"ebranch"}}},
	}
	for _, tt := range tests {
		g := graphOf(t, tt.specs...)
		for id, want := range tt.labels {
			eqStrings(t, tt.name+" "+id, g.BranchLabelsOf(id), want)
		}
	}
}
