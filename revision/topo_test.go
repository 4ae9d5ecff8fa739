package revision

import (
	"fmt"
	"math/rand"
	"slices"
	"testing"
)

// randomRevisions builds a random acyclic graph with branches, merges,
// several roots, dependencies and labels, in a shuffled load order.
func randomRevisions(rnd *rand.Rand, n int) []Revision {
	rs := make([]Revision, n)
	for i := range rs {
		r := Revision{ID: fmt.Sprintf("r%d", i)}
		switch {
		case i == 0 || rnd.Intn(8) == 0:
		case i >= 2 && rnd.Intn(6) == 0:
			k := 2 + rnd.Intn(2)
			for _, p := range rnd.Perm(i)[:min(k, i)] {
				r.Down = append(r.Down, fmt.Sprintf("r%d", p))
			}
		default:
			r.Down = []string{fmt.Sprintf("r%d", max(0, i-1-rnd.Intn(4)))}
		}
		if i > 0 && rnd.Intn(5) == 0 {
			d := fmt.Sprintf("r%d", rnd.Intn(i))
			if !slices.Contains(r.Down, d) || rnd.Intn(4) == 0 {
				r.DependsOn = []string{d}
			}
		}
		if rnd.Intn(7) == 0 {
			r.BranchLabels = []string{fmt.Sprintf("l%d", i)}
		}
		rs[i] = r
	}
	if rnd.Intn(3) == 0 {
		rnd.Shuffle(len(rs), func(a, b int) { rs[a], rs[b] = rs[b], rs[a] })
	}
	return rs
}

// TestTopoSortFastMatchesLiteral checks the near-linear ordering against
// Alembic's algorithm on every set the planners and iterate produce.
func TestTopoSortFastMatchesLiteral(t *testing.T) {
	rnd := rand.New(rand.NewSource(7))
	fast, total := 0, 0
	for iter := 0; iter < 300; iter++ {
		g, err := NewGraph(randomRevisions(rnd, 3+rnd.Intn(25)))
		if err != nil {
			t.Fatal(err)
		}
		ids := g.idsOf(g.topoOrder())
		pick := func() string {
			switch rnd.Intn(6) {
			case 0:
				return "heads"
			case 1:
				return "base"
			}
			return ids[rnd.Intn(len(ids))]
		}
		for k := 0; k < 20; k++ {
			upper, lower := iterArg(pick()), iterArg(pick())
			if rnd.Intn(3) == 0 {
				upper = tupleArg([]string{pick(), pick()})
			}
			c := newCtx(g)
			inclusive, implicit := rnd.Intn(2) == 0, rnd.Intn(2) == 0
			var set bitset
			var heads []int
			if rnd.Intn(2) == 0 {
				set, heads, err = c.collectUpgrade(upper, lower, inclusive, implicit, false)
			} else {
				set, heads, err = c.collectDowngrade(upper, lower, inclusive, implicit, true)
			}
			if err != nil {
				continue
			}
			start := g.sortedHeads(set, heads)
			lit, litErr := g.topoSortLiteral(set, start)
			total++
			if !g.fastSortable(set, start) {
				continue
			}
			fast++
			got, ok := g.topoSortFast(set, start)
			if !ok || litErr != nil || !slices.Equal(got, lit) {
				t.Fatalf("graph %v\nset %v heads %v\nfast %v (%v)\nliteral %v (%v)",
					g.Revisions(), g.idsOf(set.members()), g.idsOf(start), g.idsOf(got), ok, g.idsOf(lit), litErr)
			}
		}
	}
	t.Logf("%d of %d sets sorted by the fast path", fast, total)
	if fast < total/2 {
		t.Errorf("fast path used for only %d of %d sets", fast, total)
	}
}

// TestPlansOnRandomGraphs replays every plan's writes and checks that
// upgrading to heads then downgrading to base round-trips.
func TestPlansOnRandomGraphs(t *testing.T) {
	rnd := rand.New(rand.NewSource(11))
	for iter := 0; iter < 200; iter++ {
		g, err := NewGraph(randomRevisions(rnd, 2+rnd.Intn(30)))
		if err != nil {
			t.Fatal(err)
		}
		up, err := g.PlanUpgrade("heads", nil)
		if err != nil {
			t.Fatal(err)
		}
		checkStepInvariants(t, "up", g, nil, up)
		if len(up) != g.Len() {
			t.Fatalf("upgrade heads ran %d of %d revisions", len(up), g.Len())
		}
		end := endRows(up, nil)
		// the rows imply every revision: current shows all heads again
		if cur, err := g.Current(end); err != nil || !slices.Equal(cur, g.Heads()) {
			t.Fatalf("current after upgrade heads %v (%v), heads %v", cur, err, g.Heads())
		}
		down, err := g.PlanDowngrade("base", end)
		if err != nil {
			t.Fatal(err)
		}
		checkStepInvariants(t, "down", g, end, down)
		if len(down) != g.Len() || len(endRows(down, end)) != 0 {
			t.Fatalf("downgrade base: %v", stepsText(down))
		}
		again, err := g.PlanUpgrade("heads", end)
		if err != nil || len(again) != 0 {
			t.Fatalf("upgrade heads again: %v %v", stepsText(again), err)
		}
		// stamping the rows from nothing gives the same rows
		st, err := g.PlanStamp(end, nil, false)
		if err != nil {
			t.Fatal(err)
		}
		if got := endRows(st, nil); !slices.Equal(got, end) {
			t.Fatalf("stamp %v gave %v", end, got)
		}
	}
}
