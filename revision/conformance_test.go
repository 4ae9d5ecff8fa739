package revision

import (
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// The conformance corpus was produced by running Alembic itself (see
// testdata/gen_alembic_cases.py) on ~90 graphs: those of Alembic's
// test_revision.py / test_version_traversal.py and random ones, for upgrade,
// downgrade, stamp, history, get_revisions and get_all_current, each with six
// Python hash seeds so that hash-order dependent results are marked.

type corpus struct {
	Graphs []struct {
		Name string `json:"name"`
		Revs []struct {
			ID     string   `json:"id"`
			Down   []string `json:"down"`
			Deps   []string `json:"deps"`
			Labels []string `json:"labels"`
		} `json:"revs"`
	} `json:"graphs"`
	Info []struct {
		Heads     []string            `json:"heads"`
		RealHeads []string            `json:"realheads"`
		Bases     []string            `json:"bases"`
		Labels    map[string][]string `json:"labels"`
	} `json:"info"`
	Cases []corpusCase `json:"cases"`
}

type corpusCase struct {
	G        int             `json:"g"`
	Op       string          `json:"op"`
	Spec     string          `json:"spec"`
	Specs    []string        `json:"specs"`
	Rows     []string        `json:"rows"`
	Lower    string          `json:"lower"`
	Upper    string          `json:"upper"`
	OK       bool            `json:"ok"`
	Res      json.RawMessage `json:"res"`
	Err      *corpusErr      `json:"err"`
	Warn     []string        `json:"warn"`
	Unstable string          `json:"unstable"`
}

type corpusErr struct {
	Type string  `json:"type"`
	Msg  string  `json:"msg"`
	CLI  string  `json:"cli"`
	Arg  *string `json:"arg"`
}

type corpusStep struct {
	Rev      string      `json:"rev"`
	Dir      string      `json:"dir"`
	From     []string    `json:"from"`
	To       []string    `json:"to"`
	Writes   [][3]string `json:"writes"`
	After    []string    `json:"after"`
	Unstable bool        `json:"unstable"`
}

func loadCorpus(t testing.TB) *corpus {
	f, err := os.Open("testdata/alembic_cases.json.gz")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	var c corpus
	if err := json.NewDecoder(zr).Decode(&c); err != nil {
		t.Fatal(err)
	}
	return &c
}

func (c *corpus) graph(t testing.TB, i int) *Graph {
	var revs []Revision
	for _, r := range c.Graphs[i].Revs {
		revs = append(revs, Revision{ID: r.ID, Down: r.Down, DependsOn: r.Deps, BranchLabels: r.Labels})
	}
	g, err := NewGraph(revs)
	if err != nil {
		t.Fatalf("graph %s: %v", c.Graphs[i].Name, err)
	}
	return g
}

// deviations counts the cases where Alembic crashes (AssertionError,
// KeyError) and retort returns a result or a typed error instead.
type deviations map[string]int

func TestAlembicConformance(t *testing.T) {
	c := loadCorpus(t)
	graphs := make([]*Graph, len(c.Graphs))
	for i := range c.Graphs {
		graphs[i] = c.graph(t, i)
		info := c.Info[i]
		g := graphs[i]
		name := c.Graphs[i].Name
		eqStrings(t, name+" heads", g.Heads(), info.Heads)
		eqStrings(t, name+" real heads", g.RealHeads(), info.RealHeads)
		eqStrings(t, name+" bases", g.Bases(), info.Bases)
		for id, labels := range info.Labels {
			eqStrings(t, name+" labels of "+id, g.BranchLabelsOf(id), labels)
		}
	}
	dev := deviations{}
	counts := map[string]int{}
	for k, cc := range c.Cases {
		g := graphs[cc.G]
		desc := fmt.Sprintf("#%d %s %s %s spec=%q specs=%q rows=%q range=%q:%q",
			k, c.Graphs[cc.G].Name, cc.Op, cc.Unstable, cc.Spec, cc.Specs, cc.Rows, cc.Lower, cc.Upper)
		counts[cc.Op]++
		switch cc.Op {
		case "up", "down", "stamp":
			var steps []Step
			var err error
			switch cc.Op {
			case "up":
				steps, err = g.PlanUpgrade(cc.Spec, cc.Rows)
			case "down":
				steps, err = g.PlanDowngrade(cc.Spec, cc.Rows)
				eqStrings(t, desc+" warnings", g.DowngradeWarnings(cc.Spec, cc.Rows), cc.Warn)
			default:
				steps, err = g.PlanStamp(cc.Specs, cc.Rows, false)
			}
			if !checkOutcome(t, desc, cc, err, dev) {
				continue
			}
			var want []corpusStep
			if err := json.Unmarshal(cc.Res, &want); err != nil {
				t.Fatal(err)
			}
			checkSteps(t, desc, cc, steps, want)
		case "history":
			revs, err := g.History(cc.Lower, cc.Upper, nil)
			if !checkOutcome(t, desc, cc, err, dev) {
				continue
			}
			var want []string
			_ = json.Unmarshal(cc.Res, &want)
			var got []string
			for _, r := range revs {
				got = append(got, r.ID)
			}
			if cc.Unstable == "" {
				eqStrings(t, desc, got, want)
			} else {
				eqStrings(t, desc, sorted(got), sorted(want))
			}
		case "resolve":
			got, err := g.Resolve(cc.Spec)
			var want []*string
			_ = json.Unmarshal(cc.Res, &want)
			walkedTooFar := false
			var wantIDs []string
			for _, w := range want {
				switch {
				case w == nil:
					walkedTooFar = true
				case *w != "base" && !slices.Contains(wantIDs, *w):
					wantIDs = append(wantIDs, *w)
				}
			}
			if cc.OK && walkedTooFar {
				// Alembic returns None in the tuple; retort reports it.
				if err == nil || err.Error() != "Walked too far" {
					t.Errorf("%s: got %v, %v; want Walked too far", desc, got, err)
				}
				continue
			}
			if !checkOutcome(t, desc, cc, err, dev) {
				continue
			}
			eqStrings(t, desc, got, wantIDs)
		case "current":
			got, err := g.Current(cc.Rows)
			if !checkOutcome(t, desc, cc, err, dev) {
				continue
			}
			var want []string
			_ = json.Unmarshal(cc.Res, &want)
			eqStrings(t, desc, got, want)
		}
	}
	t.Logf("cases: %v; Alembic crashes answered by retort: %v", counts, dev)
}

// checkOutcome compares success or failure; it reports whether the results
// should be compared further.
func checkOutcome(t *testing.T, desc string, cc corpusCase, err error, dev deviations) bool {
	t.Helper()
	if cc.Unstable == "outcome" {
		return false
	}
	if cc.OK {
		if err != nil {
			t.Errorf("%s: unexpected error %T: %v", desc, err, err)
			return false
		}
		return true
	}
	if strings.HasPrefix(cc.Err.Type, "crash:") {
		key := cc.Op + " " + cc.Err.Type
		if err != nil {
			var ce CLIError
			if !errors.As(err, &ce) {
				t.Errorf("%s: untyped error %T: %v", desc, err, err)
			}
			key += " -> " + fmt.Sprintf("%T", err)
		} else {
			key += " -> ok"
		}
		dev[key]++
		return false
	}
	if err == nil {
		t.Errorf("%s: no error, want %s: %s", desc, cc.Err.Type, cc.Err.Msg)
		return false
	}
	if got := strings.TrimPrefix(fmt.Sprintf("%T", err), "*revision."); got != cc.Err.Type {
		t.Errorf("%s: error %s (%v), want %s (%s)", desc, got, err, cc.Err.Type, cc.Err.Msg)
		return false
	}
	if cc.Unstable == "error" {
		return false
	}
	if err.Error() != cc.Err.Msg {
		t.Errorf("%s: message\n got %q\nwant %q", desc, err.Error(), cc.Err.Msg)
	}
	var ce CLIError
	if cc.Err.CLI != "" && errors.As(err, &ce) && ce.CLIMessage() != cc.Err.CLI {
		t.Errorf("%s: CLI message\n got %q\nwant %q", desc, ce.CLIMessage(), cc.Err.CLI)
	}
	var re *ResolutionError
	if cc.Err.Arg != nil && errors.As(err, &re) && re.Arg != *cc.Err.Arg {
		t.Errorf("%s: Arg %q, want %q", desc, re.Arg, *cc.Err.Arg)
	}
	return false
}

func checkSteps(t *testing.T, desc string, cc corpusCase, got []Step, want []corpusStep) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: %d steps %v, want %d %v", desc, len(got), stepIDs(got), len(want), want)
		return
	}
	endGot, endWant := []string{}, []string{}
	if len(got) > 0 {
		endGot, endWant = got[len(got)-1].HeadsAfter, want[len(want)-1].After
	}
	eqStrings(t, desc+" end rows", endGot, endWant)
	if cc.Unstable == "order" {
		return
	}
	for i, w := range want {
		s := got[i]
		dir := "up"
		if s.Direction == Downgrade {
			dir = "down"
		}
		id := ""
		if s.Revision != nil {
			id = s.Revision.ID
		}
		if id != w.Rev || dir != w.Dir {
			t.Errorf("%s: step %d is %s %s, want %s %s (all: %v)", desc, i, dir, id, w.Dir, w.Rev, stepIDs(got))
			return
		}
		if cc.Op == "stamp" {
			eqStrings(t, desc+" stamp from", s.From, w.From)
			eqStrings(t, desc+" stamp to", s.To, w.To)
		}
		var gw [][3]string
		for _, x := range s.Writes {
			gw = append(gw, [3]string{x.Op.String(), x.From, x.To})
		}
		if len(w.Writes) == 1 && len(gw) == 1 || cc.Op == "stamp" && !w.Unstable {
			if !reflect.DeepEqual(gw, w.Writes) {
				t.Errorf("%s: step %d (%s) writes %v, want %v", desc, i, w.Rev, gw, w.Writes)
			}
		} else if !sameEffect(gw, w.Writes) {
			t.Errorf("%s: step %d (%s) writes %v, want the effect of %v", desc, i, w.Rev, gw, w.Writes)
		}
		eqStrings(t, fmt.Sprintf("%s step %d rows", desc, i), s.HeadsAfter, w.After)
	}
}

// sameEffect compares two write lists by the operations used and the rows
// removed and added (Alembic's choice of the row a merge updates is
// hash-order dependent).
func sameEffect(a, b [][3]string) bool {
	effect := func(ws [][3]string) (ops, removed, added []string) {
		for _, w := range ws {
			ops = append(ops, w[0])
			if w[1] != "" {
				removed = append(removed, w[1])
			}
			if w[2] != "" {
				added = append(added, w[2])
			}
		}
		return sorted(ops), sorted(removed), sorted(added)
	}
	o1, r1, a1 := effect(a)
	o2, r2, a2 := effect(b)
	return slices.Equal(o1, o2) && slices.Equal(r1, r2) && slices.Equal(a1, a2)
}

func sorted(xs []string) []string {
	out := slices.Clone(xs)
	slices.Sort(out)
	return out
}

func stepIDs(steps []Step) []string {
	var out []string
	for _, s := range steps {
		id := "<base>"
		if s.Revision != nil {
			id = s.Revision.ID
		}
		if s.Direction == Downgrade {
			id = "-" + id
		}
		out = append(out, id)
	}
	return out
}

func eqStrings(t testing.TB, desc string, got, want []string) {
	t.Helper()
	if len(got) == 0 && len(want) == 0 {
		return
	}
	if !slices.Equal(got, want) {
		t.Errorf("%s: got %q, want %q", desc, got, want)
	}
}
