package revision

import (
	"fmt"
	"testing"
	"time"
)

// bigRevisions builds n revisions shaped like a long-lived project: a trunk
// that every 5,000 revisions forks into two lines of 500 that merge back,
// a second root (a library stream) the trunk depends on every 20,000
// revisions, and a few branch labels. Ids are 12 hex digits.
func bigRevisions(n int) []Revision {
	id := func(i int) string { return fmt.Sprintf("%012x", uint64(i)*0x9E3779B97F4A7C15>>16) }
	rs := make([]Revision, 0, n)
	lib := []int{}
	trunk := -1
	for len(rs) < n {
		i := len(rs)
		r := Revision{ID: id(i)}
		switch {
		case i%5000 == 4000 && trunk >= 0 && i+1001 < n:
			// a fork of two lines of 500 merged back
			fork := trunk
			left, right := fork, fork
			for k := 0; k < 500; k++ {
				l := Revision{ID: id(len(rs)), Down: []string{id(left)}}
				left = len(rs)
				rs = append(rs, l)
				rr := Revision{ID: id(len(rs)), Down: []string{id(right)}}
				right = len(rs)
				rs = append(rs, rr)
			}
			r = Revision{ID: id(len(rs)), Down: []string{id(left), id(right)}}
		case i%20000 == 1:
			// the library stream: a root or the next library revision
			r.BranchLabels = []string{fmt.Sprintf("lib%d", i)}
			if len(lib) > 0 {
				r.Down = []string{id(lib[len(lib)-1])}
			}
			lib = append(lib, i)
			rs = append(rs, r)
			continue
		default:
			if trunk >= 0 {
				r.Down = []string{id(trunk)}
			}
			if i%20000 == 2 && len(lib) > 0 {
				r.DependsOn = []string{id(lib[len(lib)-1])}
			}
		}
		trunk = len(rs)
		rs = append(rs, r)
	}
	return rs
}

func BenchmarkNewGraphHeads100k(b *testing.B) {
	revs := bigRevisions(100_000)
	b.ReportAllocs()
	for b.Loop() {
		g, err := NewGraph(revs)
		if err != nil {
			b.Fatal(err)
		}
		if len(g.Heads()) == 0 {
			b.Fatal("no heads")
		}
		steps, err := g.PlanUpgrade("heads", nil)
		if err != nil || len(steps) != len(revs) {
			b.Fatalf("%d steps, %v", len(steps), err)
		}
	}
}

// BenchmarkNewGraph10k measures building alone at the size of a large
// project (what every command pays before doing anything).
func BenchmarkNewGraph10k(b *testing.B) {
	revs := bigRevisions(10_000)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := NewGraph(revs); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkNewGraphOwned10k is BenchmarkNewGraph10k without the copy.
// bigRevisions has no empty or repeated list entries, so NewGraphOwned
// leaves revs as it is and the same slice can be handed over again.
func BenchmarkNewGraphOwned10k(b *testing.B) {
	revs := bigRevisions(10_000)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := NewGraphOwned(revs); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkPlanUpgrade1k(b *testing.B) {
	g, err := NewGraph(bigRevisions(1000))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := g.PlanUpgrade("heads", nil); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkPlanDowngrade100k(b *testing.B) {
	g, err := NewGraph(bigRevisions(100_000))
	if err != nil {
		b.Fatal(err)
	}
	rows := g.RealHeads()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := g.PlanDowngrade("base", rows); err != nil {
			b.Fatal(err)
		}
	}
}

func linearRevisions(n int) []Revision {
	rs := make([]Revision, n)
	for i := range rs {
		rs[i] = Revision{ID: fmt.Sprintf("r%08d", i)}
		if i > 0 {
			rs[i].Down = []string{rs[i-1].ID}
		}
	}
	return rs
}

func BenchmarkCurrent10k(b *testing.B) {
	g, err := NewGraph(linearRevisions(10_000))
	if err != nil {
		b.Fatal(err)
	}
	rows := []string{g.Heads()[0]}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := g.Current(rows); err != nil {
			b.Fatal(err)
		}
	}
}

// TestLargeGraphPerformance guards against quadratic behaviour: the 100,000
// revision graph must load and plan well within a second, Current on 10,000
// revisions in milliseconds.
func TestLargeGraphPerformance(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	revs := bigRevisions(100_000)
	start := time.Now()
	g, err := NewGraph(revs)
	if err != nil {
		t.Fatal(err)
	}
	up, err := g.PlanUpgrade("heads", nil)
	if err != nil || len(up) != len(revs) {
		t.Fatalf("%d steps, %v", len(up), err)
	}
	down, err := g.PlanDowngrade("base", g.RealHeads())
	if err != nil || len(down) != len(revs) {
		t.Fatalf("%d steps, %v", len(down), err)
	}
	if _, err := g.History("", "", nil); err != nil {
		t.Fatal(err)
	}
	t.Logf("100k graph: build, plan up and down, history in %v (timing is for information; BenchmarkNewGraphHeads100k measures)", time.Since(start))
	lin, err := NewGraph(linearRevisions(10_000))
	if err != nil {
		t.Fatal(err)
	}
	start = time.Now()
	cur, err := lin.Current([]string{"r00009999"})
	if err != nil || len(cur) != 1 {
		t.Fatal(cur, err)
	}
	t.Logf("Current on 10k: %v", time.Since(start))
}
