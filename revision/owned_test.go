package revision

import (
	"fmt"
	"slices"
	"testing"
)

// graphText renders what a graph answers about itself and its plans, so
// that two graphs can be compared.
func graphText(t *testing.T, g *Graph) []string {
	t.Helper()
	out := []string{
		fmt.Sprint("heads ", g.Heads()),
		fmt.Sprint("real heads ", g.RealHeads()),
		fmt.Sprint("bases ", g.Bases()),
	}
	for i, r := range g.Revisions() {
		if j, ok := g.Index(r.ID); !ok || j != i {
			t.Fatalf("Index(%q) = %d, %v; want %d", r.ID, j, ok, i)
		}
		out = append(out, fmt.Sprint(r.ID, " down ", r.Down, " deps ", r.DependsOn, " own ", r.BranchLabels,
			" labels ", g.BranchLabelsOf(r.ID), " dep ids ", g.DependsOnIDs(r.ID), " children ", g.Children(r.ID),
			" head ", g.IsHead(r.ID), g.IsEffectiveHead(r.ID), " branch/merge ", g.IsBranchPoint(r.ID), g.IsMergePoint(r.ID)))
	}
	up, err := g.PlanUpgrade("heads", nil)
	if err != nil {
		t.Fatalf("upgrade heads: %v", err)
	}
	end := endRows(up, nil)
	down, err := g.PlanDowngrade("base", end)
	if err != nil {
		t.Fatalf("downgrade base: %v", err)
	}
	for _, plan := range [][]Step{up, down} {
		for _, s := range plan {
			out = append(out, fmt.Sprint(stepsText([]Step{s}), s.From, s.To, s.Writes, s.HeadsAfter))
		}
	}
	hist, err := g.History("", "", nil)
	if err != nil {
		t.Fatalf("history: %v", err)
	}
	for _, r := range hist {
		out = append(out, "history "+r.ID)
	}
	return out
}

func TestNewGraphOwnedMatchesNewGraph(t *testing.T) {
	fixtures := map[string][]string{
		"linear": linearSpecs, "branched": branchedSpecs, "merged": mergedSpecs, "labeled": labeledSpecs,
		"multi branch": multiBranchSpecs, "travelling": travellingSpecs, "multi base": multiBaseSpecs,
		"normalized down": normDownSpecs, "effective head": effHeadSpecs, "fuzz graph": fuzzGraphSpecs,
	}
	for name, specs := range fixtures {
		copied, err := NewGraph(revs(specs...))
		if err != nil {
			t.Fatalf("%s: NewGraph: %v", name, err)
		}
		owned, err := NewGraphOwned(revs(specs...))
		if err != nil {
			t.Fatalf("%s: NewGraphOwned: %v", name, err)
		}
		eqStrings(t, name, graphText(t, owned), graphText(t, copied))
	}
	// Same errors.
	for _, specs := range [][]string{
		{"a", "b:a", "a"},               // duplicate id
		{"a", "b:a::x", "c:b::x"},       // duplicate label
		{"a", "b:nope"},                 // missing Down
		{"a", "b:a:nope"},               // missing DependsOn
		{"a:c", "b:a", "c:b"},           // cycle
		{"a", "b:a:c", "c:b"},           // dependency cycle
		{"a", "b:a", "c:b:a,b,", "d:c"}, // repeated and empty entries (no error)
	} {
		_, want := NewGraph(revs(specs...))
		_, got := NewGraphOwned(revs(specs...))
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%v: NewGraphOwned error %v, NewGraph error %v", specs, got, want)
		}
	}
}

func TestNewGraphOwnedCleansWithoutWritingIntoLists(t *testing.T) {
	down := []string{"a", "", "a"}
	labels := []string{"l", "l"}
	rs := []Revision{{ID: "a"}, {ID: "b", Down: down, BranchLabels: labels}}
	g, err := NewGraphOwned(rs)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := g.Get("b")
	eqStrings(t, "cleaned Down", b.Down, []string{"a"})
	eqStrings(t, "cleaned labels", b.BranchLabels, []string{"l"})
	eqStrings(t, "Down left alone", down, []string{"a", "", "a"})
	eqStrings(t, "labels left alone", labels, []string{"l", "l"})
	if b != &rs[1] {
		t.Error("NewGraphOwned copied the revisions")
	}
}

// TestNewGraphCopies checks that NewGraph keeps nothing of its argument:
// changing the slice and every list in it afterwards changes nothing the
// graph answers (TestNewGraphCopiesInput checks two fields).
func TestNewGraphCopies(t *testing.T) {
	rs := revs(mergedSpecs...)
	g, err := NewGraph(rs)
	if err != nil {
		t.Fatal(err)
	}
	want := graphText(t, g)
	for i := range rs {
		for _, list := range [][]string{rs[i].Down, rs[i].DependsOn, rs[i].BranchLabels} {
			for k := range list {
				list[k] = "changed"
			}
		}
		rs[i].ID = fmt.Sprintf("changed%d", i)
	}
	rs[0] = Revision{ID: "replaced"}
	eqStrings(t, "after changing the argument", graphText(t, g), want)
	if _, ok := g.Get("e"); !ok || slices.Contains(g.Heads(), "replaced") {
		t.Error("the graph sees the caller's changes")
	}
}

// FuzzNewGraphOwned checks that NewGraphOwned accepts, rejects and builds
// exactly what NewGraph does.
func FuzzNewGraphOwned(f *testing.F) {
	f.Add([]byte("\x03\x00\x00\x01\x04\x09\x01\x01\x05\x0e\x03\x05"))
	f.Add([]byte{39, 0, 1, 1, 40, 4, 1, 1, 41, 4, 1, 1, 42, 18, 1, 1, 43, 4, 3, 10})
	f.Fuzz(func(t *testing.T, data []byte) {
		copied, err := NewGraph(fuzzRevisions(data))
		owned, ownedErr := NewGraphOwned(fuzzRevisions(data))
		if fmt.Sprint(err) != fmt.Sprint(ownedErr) {
			t.Fatalf("NewGraph error %v, NewGraphOwned error %v", err, ownedErr)
		}
		if err == nil {
			eqStrings(t, "graph", graphText(t, owned), graphText(t, copied))
		}
	})
}
