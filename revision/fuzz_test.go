package revision

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

// fuzzGraphSpecs is a graph with branches, a merge, two roots, a dependency
// (an effective head), labels and prefix-ambiguous ids.
var fuzzGraphSpecs = []string{
	"a1b2c3d4", "a1b2ffff:a1b2c3d4", "b7e:a1b2ffff::lib", "c1:b7e::c1branch", "d1:c1",
	"c2:b7e::c2branch", "d2:c2", "e:d1,d2", "f:e", "x1:::xbranch", "x2:x1:c1", "y",
}

func typedError(err error) bool {
	var ce CLIError
	return errors.As(err, &ce)
}

func FuzzResolve(f *testing.F) {
	for _, s := range []string{
		"heads", "head", "base", "current", "", "a1b2", "a1b", "a", "lib", "c1branch@head", "c1branch@heads",
		"c1branch@base", "c2branch@+1", "lib@-1", "+1", "-1", "+2", "-3", "c1+1", "d1-2", "head-1", "heads-1",
		"base+1", "base+3", "lib@base+2", "c2@b7e", "e@d1", "x@d", "xbranch@c1", "f-3", "a1b2+99999999999999999999",
		"@head", "@", "@@", "a@b@+1", "c1branch@c2", "e+1xyz", "-0", "+0", "x2-1", "y@heads", "b7e@-2", "lib@c1branch",
		"heads@heads", "\x00", "é+1", "١+1",
	} {
		f.Add(s)
	}
	g, err := NewGraph(revs(fuzzGraphSpecs...))
	if err != nil {
		f.Fatal(err)
	}
	rowSets := [][]string{nil, {"f"}, {"d1", "c2"}, {"c1", "x2"}, {"a1b2c3d4"}, {"y", "x1", "d2"}}
	f.Fuzz(func(t *testing.T, spec string) {
		ids, err := g.Resolve(spec)
		if err != nil {
			if !typedError(err) {
				t.Fatalf("Resolve(%q): untyped error %T %v", spec, err, err)
			}
		} else {
			for _, id := range ids {
				if _, ok := g.Get(id); !ok {
					t.Fatalf("Resolve(%q) = %v: %q is not a revision", spec, ids, id)
				}
			}
		}
		for _, rows := range rowSets {
			up, err := g.PlanUpgrade(spec, rows)
			checkFuzzPlan(t, "upgrade", spec, g, rows, up, err)
			down, err := g.PlanDowngrade(spec, rows)
			checkFuzzPlan(t, "downgrade", spec, g, rows, down, err)
			st, err := g.PlanStamp([]string{spec}, rows, false)
			checkFuzzPlan(t, "stamp", spec, g, rows, st, err)
		}
		for _, other := range []string{"", "heads", "c1", "-2", "current"} {
			_, err := g.History(spec, other, []string{"d1", "c2"})
			if err != nil && !typedError(err) {
				t.Fatalf("History(%q, %q): untyped error %T %v", spec, other, err, err)
			}
			_, err = g.History(other, spec, nil)
			if err != nil && !typedError(err) {
				t.Fatalf("History(%q, %q): untyped error %T %v", other, spec, err, err)
			}
		}
	})
}

func checkFuzzPlan(t *testing.T, op, spec string, g *Graph, rows []string, steps []Step, err error) {
	t.Helper()
	if err != nil {
		if !typedError(err) {
			t.Fatalf("%s %q from %v: untyped error %T %v", op, spec, rows, err, err)
		}
		return
	}
	checkStepInvariants(t, fmt.Sprintf("%s %q from %v", op, spec, rows), g, rows, steps)
	if t.Failed() {
		t.FailNow()
	}
}

// fuzzRevisions decodes bytes into a small graph: each revision takes four
// bytes (id, down, dependency, label). Most revisions are well formed; some
// bytes select duplicate or invalid ids, missing references, cycles and
// label clashes.
func fuzzRevisions(data []byte) []Revision {
	var rs []Revision
	names := []string{"a", "b", "c", "abcd1", "abcd2", "lbl"}
	invalid := []string{"x-y", "head", "", strings.Repeat("z", 33), "a b"}
	for i := 0; i+4 <= len(data) && len(rs) < 24; i += 4 {
		id, down, dep, lab := data[i], data[i+1], data[i+2], data[i+3]
		r := Revision{ID: fmt.Sprintf("r%d", len(rs))}
		switch {
		case id == 0xff:
			r.ID = invalid[int(down)%len(invalid)]
		case id%16 == 0:
			r.ID = names[int(id/16)%len(names)]
		}
		ref := func(b byte) string {
			if len(rs) == 0 {
				return "" // ignored
			}
			if b%13 != 0 {
				return rs[int(b)/13%len(rs)].ID
			}
			return names[int(b)%len(names)]
		}
		switch down % 6 {
		case 0:
		case 1, 2:
			r.Down = []string{ref(down / 6)}
		case 3:
			r.Down = []string{ref(down / 6), ref(down/6 + 1)}
		case 4, 5:
			if len(rs) > 0 {
				r.Down = []string{rs[len(rs)-1].ID}
			}
		}
		if dep == 0xff {
			r.DependsOn = []string{r.ID} // self-loop
		} else if dep%4 == 0 {
			r.DependsOn = []string{ref(dep / 4)}
		}
		switch {
		case lab == 0xff && len(rs) > 0:
			r.BranchLabels = []string{rs[0].ID}
		case lab == 0xfe:
			r.BranchLabels = []string{"L0"}
		case lab%8 == 0:
			r.BranchLabels = []string{fmt.Sprintf("L%d", len(rs))}
		}
		rs = append(rs, r)
	}
	return rs
}

func FuzzNewGraph(f *testing.F) {
	f.Add([]byte("\x03\x00\x00\x01\x04\x09\x01\x01\x05\x0e\x03\x05"))
	f.Add([]byte("abcdefghijklmnopqrstuvwxyz0123456789"))
	f.Add([]byte{0, 0, 1, 1, 3, 4, 1, 1, 6, 16, 1, 1, 9, 20, 0, 5, 12, 24, 1, 1})
	f.Add([]byte{39, 0, 1, 1, 40, 4, 1, 1, 41, 4, 1, 1, 42, 18, 1, 1, 43, 4, 3, 10})
	f.Fuzz(func(t *testing.T, data []byte) {
		rs := fuzzRevisions(data)
		g, err := NewGraph(rs)
		if err != nil {
			var ge *GraphError
			var ce *CycleError
			if !errors.As(err, &ge) && !errors.As(err, &ce) {
				t.Fatalf("untyped error %T %v", err, err)
			}
			if err.Error() == "" || strings.Contains(err.Error(), "%!") {
				t.Fatalf("bad message %q", err.Error())
			}
			return
		}
		if g.Len() != len(rs) {
			t.Fatalf("Len %d, want %d", g.Len(), len(rs))
		}
		for _, h := range g.RealHeads() {
			if !g.IsHead(h) || g.IsEffectiveHead(h) {
				t.Fatalf("real head %s", h)
			}
		}
		up, err := g.PlanUpgrade("heads", nil)
		if err != nil {
			t.Fatalf("upgrade heads: %v", err)
		}
		if len(up) != g.Len() {
			t.Fatalf("upgrade heads: %d steps for %d revisions", len(up), g.Len())
		}
		checkStepInvariants(t, "upgrade heads", g, nil, up)
		end := endRows(up, nil)
		down, err := g.PlanDowngrade("base", end)
		if err != nil {
			t.Fatalf("downgrade base: %v", err)
		}
		checkStepInvariants(t, "downgrade base", g, end, down)
		if len(down) != g.Len() || len(endRows(down, end)) != 0 {
			t.Fatalf("downgrade base: %v", stepsText(down))
		}
		for _, r := range g.Revisions() {
			if _, err := g.Resolve(r.ID); err != nil {
				t.Fatalf("Resolve(%q): %v", r.ID, err)
			}
			for _, l := range g.BranchLabelsOf(r.ID) {
				if _, err := g.Resolve(l + "@heads"); err != nil && !typedError(err) {
					t.Fatalf("Resolve(%q@heads): %v", l, err)
				}
			}
		}
		if _, err := g.History("", "", nil); err != nil {
			t.Fatalf("history: %v", err)
		}
	})
}
