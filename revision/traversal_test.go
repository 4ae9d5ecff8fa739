package revision

import (
	"slices"
	"testing"
)

// planCase is one upgrade, downgrade or stamp with its expected steps,
// version-table writes and end rows, or its expected error.
type planCase struct {
	name    string
	op      string // "up", "down", "stamp"
	target  string
	targets []string // stamp
	rows    []string
	steps   []string // "+id" upgrade, "-id" downgrade (stamps: "+dest"/"-dest", "-<base>")
	writes  []string // per step, writesText format; nil = not checked
	end     []string
	err     string // expected CLIMessage
	errMsg  string // expected Error(), if different from err
	warn    bool   // DowngradeWarnings must report the -1 warning
}

func runPlanCases(t *testing.T, g *Graph, cases []planCase) {
	t.Helper()
	for _, tt := range cases {
		var steps []Step
		var err error
		switch tt.op {
		case "up":
			steps, err = g.PlanUpgrade(tt.target, tt.rows)
		case "down":
			steps, err = g.PlanDowngrade(tt.target, tt.rows)
			if w := g.DowngradeWarnings(tt.target, tt.rows); (len(w) > 0) != tt.warn {
				t.Errorf("%s: warnings %q", tt.name, w)
			}
		case "stamp":
			steps, err = g.PlanStamp(tt.targets, tt.rows, false)
		}
		if tt.err != "" || tt.errMsg != "" {
			if err == nil {
				t.Errorf("%s: no error, got steps %v", tt.name, stepsText(steps))
				continue
			}
			if tt.err != "" && cliMessage(err) != tt.err {
				t.Errorf("%s: CLI message\n got %q\nwant %q", tt.name, cliMessage(err), tt.err)
			}
			if tt.errMsg != "" && err.Error() != tt.errMsg {
				t.Errorf("%s: message\n got %q\nwant %q", tt.name, err.Error(), tt.errMsg)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		if got := stepsText(steps); !slices.Equal(got, tt.steps) && len(got)+len(tt.steps) > 0 {
			t.Errorf("%s: steps\n got %v\nwant %v", tt.name, got, tt.steps)
			continue
		}
		if tt.writes != nil {
			for i, s := range steps {
				if got := writesText(s.Writes); got != tt.writes[i] {
					t.Errorf("%s: step %d writes %q, want %q", tt.name, i, got, tt.writes[i])
				}
			}
		}
		if got := endRows(steps, tt.rows); !slices.Equal(got, sorted(tt.end)) && len(got)+len(tt.end) > 0 {
			t.Errorf("%s: end rows %v, want %v", tt.name, got, sorted(tt.end))
		}
		checkStepInvariants(t, tt.name, g, tt.rows, steps)
	}
}

// checkStepInvariants replays the writes over the starting rows and checks
// that they give each step's HeadsAfter.
func checkStepInvariants(t *testing.T, name string, g *Graph, rows []string, steps []Step) {
	t.Helper()
	cur := map[string]bool{}
	for _, r := range rows {
		cur[r] = true
	}
	for i, s := range steps {
		for _, w := range s.Writes {
			switch w.Op {
			case Insert:
				if cur[w.To] {
					t.Errorf("%s: step %d inserts existing row %s", name, i, w.To)
				}
				cur[w.To] = true
			case Delete:
				if !cur[w.From] {
					t.Errorf("%s: step %d deletes missing row %s", name, i, w.From)
				}
				delete(cur, w.From)
			case Update:
				if !cur[w.From] || cur[w.To] {
					t.Errorf("%s: step %d bad update %s -> %s", name, i, w.From, w.To)
				}
				delete(cur, w.From)
				cur[w.To] = true
			}
		}
		var got []string
		for r := range cur {
			got = append(got, r)
		}
		slices.Sort(got)
		if !slices.Equal(got, s.HeadsAfter) && len(got)+len(s.HeadsAfter) > 0 {
			t.Errorf("%s: step %d HeadsAfter %v, replayed %v", name, i, s.HeadsAfter, got)
		}
		if len(s.Writes) == 0 {
			t.Errorf("%s: step %d writes nothing", name, i)
		}
	}
}

// test_version_traversal.RevisionPathTest
func TestTraversalLinear(t *testing.T) {
	g := graphOf(t, linearSpecs...)
	a, b, c, d, e := linA, linB, linC, linD, linE
	runPlanCases(t, g, []planCase{
		{name: "downgrade base no version", op: "down", target: "base", rows: nil, steps: nil, end: nil},
		{name: "downgrade to existing (#838)", op: "down", target: a, rows: []string{a}, steps: nil, end: []string{a}},
		{name: "downgrade to existing head (#839)", op: "down", target: e, rows: []string{e}, steps: nil, end: []string{e}},
		{name: "upgrade path c->e", op: "up", target: e, rows: []string{c}, steps: []string{"+" + d, "+" + e},
			writes: []string{"update " + c + "->" + d, "update " + d + "->" + e}, end: []string{e}},
		{name: "upgrade path from none", op: "up", target: c, rows: nil, steps: []string{"+" + a, "+" + b, "+" + c},
			writes: []string{"insert " + a, "update " + a + "->" + b, "update " + b + "->" + c}, end: []string{c}},
		{name: "relative +2", op: "up", target: "+2", rows: []string{a}, steps: []string{"+" + b, "+" + c}, end: []string{c}},
		{name: "relative +1", op: "up", target: "+1", rows: []string{a}, steps: []string{"+" + b}, end: []string{b}},
		{name: "relative +3", op: "up", target: "+3", rows: []string{b}, steps: []string{"+" + c, "+" + d, "+" + e}, end: []string{e}},
		{name: "b+2 from a", op: "up", target: b + "+2", rows: []string{a}, steps: []string{"+" + b, "+" + c, "+" + d}, end: []string{d}},
		{name: "d-2 from a", op: "up", target: d + "-2", rows: []string{a}, steps: []string{"+" + b}, end: []string{b}},
		{name: "invalid relative -2", op: "up", target: "-2", rows: []string{b}, err: "Relative revision -2 didn't produce 2 migrations"},
		{name: "invalid relative +5", op: "up", target: "+5", rows: []string{b}, err: "Relative revision +5 didn't produce 5 migrations"},
		{name: "downgrade path", op: "down", target: c, rows: []string{e}, steps: []string{"-" + e, "-" + d},
			writes: []string{"update " + e + "->" + d, "update " + d + "->" + c}, end: []string{c}},
		{name: "downgrade to base", op: "down", target: "base", rows: []string{c}, steps: []string{"-" + c, "-" + b, "-" + a},
			writes: []string{"update " + c + "->" + b, "update " + b + "->" + a, "delete " + a}, end: nil},
		{name: "relative -1", op: "down", target: "-1", rows: []string{c}, steps: []string{"-" + c}, end: []string{b}},
		{name: "relative -3", op: "down", target: "-3", rows: []string{e}, steps: []string{"-" + e, "-" + d, "-" + c}, end: []string{b}},
		{name: "a+2 from d", op: "down", target: a + "+2", rows: []string{d}, steps: []string{"-" + d}, end: []string{c}},
		{name: "c-2 from d", op: "down", target: c + "-2", rows: []string{d}, steps: []string{"-" + d, "-" + c, "-" + b}, end: []string{a}},
		{name: "invalid relative -5", op: "down", target: "-5", rows: []string{b}, err: "Relative revision -5 didn't produce 5 migrations"},
		{name: "invalid relative +2", op: "down", target: "+2", rows: []string{b}, err: "Relative revision +2 didn't produce 2 migrations"},
		{name: "invalid move rev to none", op: "down", target: b[:3], rows: nil,
			err: "Destination 548 is not a valid downgrade target from current head(s)"},
		{name: "invalid move higher to lower", op: "down", target: c[:4], rows: []string{b},
			err:    "Destination b7ea is not a valid downgrade target from current head(s)",
			errMsg: "Revision Nothing to drop is not an ancestor of revision ('" + b + "',)"},
		{name: "stamp to base", op: "stamp", targets: []string{"base"}, rows: []string{d}, steps: []string{"-<base>"},
			writes: []string{"delete " + d}, end: nil},
		// §15.6: no-ops
		{name: "upgrade to ancestor is a no-op", op: "up", target: b, rows: []string{d}, steps: nil, end: []string{d}},
		{name: "upgrade to base is a no-op", op: "up", target: "base", rows: []string{d}, steps: nil, end: []string{d}},
		{name: "upgrade to current is a no-op", op: "up", target: d, rows: []string{d}, steps: nil, end: []string{d}},
		{name: "upgrade current is rejected", op: "up", target: "current", rows: []string{d},
			err: "Can't locate revision identified by 'current'", errMsg: "No such revision or branch 'current'"},
		{name: "downgrade current is rejected", op: "down", target: "current", rows: []string{d},
			err: "Can't locate revision identified by 'current'"},
		{name: "downgrade to head", op: "down", target: "head", rows: []string{d},
			err: "Destination head is not a valid downgrade target from current head(s)"},
		{name: "unknown row", op: "up", target: "heads", rows: []string{"deadbeef"},
			err: "Can't locate revision identified by 'deadbeef'", errMsg: "No such revision or branch 'deadbeef'"},
		{name: "unknown row downgrade", op: "down", target: "base", rows: []string{"deadbeef"},
			err: "Can't locate revision identified by 'deadbeef'"},
		{name: "unknown row stamp", op: "stamp", targets: []string{"heads"}, rows: []string{"deadbeef"},
			err: "Can't locate revision identified by 'deadbeef'"},
		{name: "overlapping rows", op: "up", target: "heads", rows: []string{b, d},
			err: "Requested revision " + d + " overlaps with other requested revisions " + b},
		{name: "upgrade relative too far with a symbol", op: "up", target: d + "+5", rows: nil, err: "Walked too far"},
		{name: "upgrade walks down to base", op: "up", target: a + "-1", rows: nil, steps: nil, end: nil},
		{name: "downgrade relative too far with a symbol", op: "down", target: d + "-5", rows: []string{e}, err: "Walked too far"},
		{name: "downgrade -0", op: "down", target: "-0", rows: []string{e}, err: "Relative revision -0 didn't produce 0 migrations"},
		{name: "upgrade +0", op: "up", target: "+0", rows: []string{e}, err: "Relative revision 0 didn't produce 0 migrations"},
		{name: "upgrade -02", op: "up", target: "-02", rows: []string{e}, err: "Relative revision -2 didn't produce 2 migrations"},
		{name: "downgrade +02", op: "down", target: "+02", rows: []string{e}, err: "Relative revision +02 didn't produce 2 migrations"},
	})
}

// test_version_traversal.BranchedPathTest
func TestTraversalBranched(t *testing.T) {
	g := graphOf(t, branchedSpecs...)
	runPlanCases(t, g, []planCase{
		{name: "stamp down across multiple branch to branchpoint", op: "stamp", targets: []string{"b"}, rows: []string{"d1", "c2"},
			steps: []string{"-b"}, writes: []string{"delete d1; update c2->b"}, end: []string{"b"}},
		{name: "stamp to labeled base multiple heads", op: "stamp", targets: []string{"c1branch@base"}, rows: []string{"d1", "c2"},
			steps: []string{"-<base>"}, writes: []string{"delete d1"}, end: []string{"c2"}},
		{name: "stamp to labeled head multiple heads", op: "stamp", targets: []string{"c2branch@head"}, rows: []string{"d1", "c2"},
			steps: []string{"+d2"}, writes: []string{"update c2->d2"}, end: []string{"d1", "d2"}},
		{name: "upgrade single branch", op: "up", target: "d1", rows: []string{"b"}, steps: []string{"+c1", "+d1"}, end: []string{"d1"}},
		// §4.6 / §15.5: the last-loaded branch is upgraded first
		{name: "upgrade heads from empty", op: "up", target: "heads", rows: nil,
			steps:  []string{"+a", "+b", "+c2", "+d2", "+c1", "+d1"},
			writes: []string{"insert a", "update a->b", "update b->c2", "update c2->d2", "insert c1", "update c1->d1"},
			end:    []string{"d1", "d2"}},
		{name: "downgrade base from heads", op: "down", target: "base", rows: []string{"d1", "d2"},
			steps: []string{"-d1", "-c1", "-d2", "-c2", "-b", "-a"}, end: nil},
		{name: "upgrade multiple branch", op: "up", target: "heads", rows: []string{"a"},
			steps:  []string{"+b", "+c2", "+d2", "+c1", "+d1"},
			writes: []string{"update a->b", "update b->c2", "update c2->d2", "insert c1", "update c1->d1"},
			end:    []string{"d1", "d2"}},
		{name: "downgrade multiple branch", op: "down", target: "a", rows: []string{"d1", "d2"},
			steps:  []string{"-d1", "-c1", "-d2", "-c2", "-b"},
			writes: []string{"update d1->c1", "delete c1", "update d2->c2", "update c2->b", "update b->a"},
			end:    []string{"a"}},
		{name: "relative upgrade", op: "up", target: "c2branch@head-1", rows: []string{"b"}, steps: []string{"+c2"}, end: []string{"c2"}},
		{name: "relative downgrade base+2", op: "down", target: "base+2", rows: []string{"d2", "d1"},
			steps: []string{"-d1", "-c1", "-d2", "-c2"}, end: []string{"b"}},
		{name: "relative downgrade branch+2", op: "down", target: "c2branch@base+2", rows: []string{"d2", "d1"},
			steps: []string{"-d2", "-c2"}, writes: []string{"update d2->c2", "delete c2"}, end: []string{"d1"}},
		{name: "downgrade to c2", op: "down", target: "c2", rows: []string{"d2", "d1"}, steps: []string{"-d2"}, end: []string{"d1", "c2"}},
		{name: "relative downgrade branch+3", op: "down", target: "c2branch@base+3", rows: []string{"d2", "d1"},
			steps: []string{"-d2"}, end: []string{"d1", "c2"}},
		// downgrade -1 with several rows uses the first row (#765)
		{name: "downgrade once order right", op: "down", target: "-1", rows: []string{"d2", "d1"}, warn: true,
			steps: []string{"-d2"}, end: []string{"d1", "c2"}},
		{name: "downgrade once order right unbalanced", op: "down", target: "-1", rows: []string{"c2", "d1"}, warn: true,
			steps: []string{"-c2"}, end: []string{"d1"}},
		{name: "downgrade once order left", op: "down", target: "-1", rows: []string{"d1", "d2"}, warn: true,
			steps: []string{"-d1"}, end: []string{"d2", "c1"}},
		{name: "downgrade once order left unbalanced", op: "down", target: "-1", rows: []string{"c1", "d2"}, warn: true,
			steps: []string{"-c1"}, end: []string{"d2"}},
		{name: "downgrade once labelled", op: "down", target: "c1branch@-1", rows: []string{"d1", "d2"},
			steps: []string{"-d1"}, end: []string{"c1", "d2"}},
		{name: "downgrade relative order right", op: "down", target: "d2-1", rows: []string{"d2", "c1"},
			steps: []string{"-d2"}, end: []string{"c1", "c2"}},
		{name: "downgrade relative order left", op: "down", target: "d2-1", rows: []string{"c1", "d2"},
			steps: []string{"-d2"}, end: []string{"c1", "c2"}},
		{name: "downgrade single branch c1branch", op: "down", target: "c1branch@b", rows: []string{"c1", "d2"},
			steps: []string{"-c1"}, end: []string{"d2"}},
		{name: "downgrade single branch c2branch from d1 head", op: "down", target: "c2branch@b", rows: []string{"c1", "d2"},
			steps: []string{"-d2", "-c2"}, end: []string{"c1"}},
		{name: "downgrade single branch c2", op: "down", target: "c2@b", rows: []string{"d1", "d2"},
			steps: []string{"-d2", "-c2"}, end: []string{"d1"}},
		{name: "downgrade single branch d1", op: "down", target: "d1@b", rows: []string{"d1", "d2"},
			steps: []string{"-d1", "-c1"}, end: []string{"d2"}},
		{name: "downgrade relative to branch head", op: "down", target: "c1branch@head-1", rows: []string{"d1", "d2"},
			steps: []string{"-d1"}, end: []string{"c1", "d2"}},
		{name: "upgrade other branch from mergepoint", op: "up", target: "c2branch@+1", rows: []string{"c1"},
			steps: []string{"+c2"}, writes: []string{"insert c2"}, end: []string{"c1", "c2"}},
		{name: "upgrade one branch of heads", op: "up", target: "c2branch@+1", rows: []string{"c1", "c2"},
			steps: []string{"+d2"}, end: []string{"c1", "d2"}},
		{name: "ambiguous upgrade", op: "up", target: "+1", rows: []string{"c1", "c2"},
			err: "Ambiguous upgrade from multiple current revisions"},
		{name: "upgrade from base", op: "up", target: "base+1", rows: nil, steps: []string{"+a"}, end: []string{"a"}},
		{name: "upgrade from base implicit", op: "up", target: "+1", rows: nil, steps: []string{"+a"}, end: []string{"a"}},
		{name: "downgrade -1 to base", op: "down", target: "-1", rows: []string{"a"}, steps: []string{"-a"}, end: nil},
		{name: "downgrade -1 from base", op: "down", target: "-1", rows: nil, err: "Relative revision -1 didn't produce 1 migrations"},
		{name: "downgrade no effect branched c2", op: "down", target: "c2", rows: []string{"d1", "c2"}, steps: nil, end: []string{"d1", "c2"}},
		{name: "downgrade no effect branched d1", op: "down", target: "d1", rows: []string{"d1", "c2"}, steps: nil, end: []string{"d1", "c2"}},
		// §15.6/§15.7/§15.10
		{name: "upgrade head with two heads", op: "up", target: "head", rows: nil,
			err:    "Multiple head revisions are present for given argument 'head'; please specify a specific target revision, '<branchname>@head' to narrow to a specific head, or 'heads' for all heads",
			errMsg: "Multiple heads are present for given argument 'head'; d1, d2"},
		{name: "downgrade heads with two heads", op: "down", target: "heads", rows: []string{"d1", "d2"},
			err: "Multiple head revisions are present for given argument 'heads'; please specify a specific target revision, '<branchname>@heads' to narrow to a specific head, or 'heads' for all heads"},
		{name: "downgrade to another branch", op: "down", target: "c2", rows: []string{"d1"},
			err: "Destination c2 is not a valid downgrade target from current head(s)"},
		{name: "+1 at a branch point", op: "up", target: "+1", rows: []string{"b"}, err: "Ambiguous walk"},
		{name: "label@+1 picks the branch", op: "up", target: "c1branch@+1", rows: []string{"b"}, steps: []string{"+c1"}, end: []string{"c1"}},
		{name: "label@+2 adds a row on another branch", op: "up", target: "c2branch@+2", rows: []string{"d1"},
			steps: []string{"+c2", "+d2"}, writes: []string{"insert c2", "update c2->d2"}, end: []string{"d1", "d2"}},
		{name: "upgrade a rev on another branch adds a row", op: "up", target: "c2", rows: []string{"d1"},
			steps: []string{"+c2"}, writes: []string{"insert c2"}, end: []string{"c2", "d1"}},
		{name: "a1@head style prefix", op: "up", target: "c1@head", rows: []string{"b"}, steps: []string{"+c1", "+d1"}, end: []string{"d1"}},
		// §15.9: label@base downgrades everything above the single root
		{name: "downgrade c1branch@base", op: "down", target: "c1branch@base", rows: []string{"d1", "d2"},
			steps: []string{"-d1", "-c1", "-d2", "-c2", "-b", "-a"}, end: nil},
		{name: "stamp c1branch@base", op: "stamp", targets: []string{"c1branch@base"}, rows: []string{"d1", "d2"},
			steps: []string{"-<base>"}, writes: []string{"delete d1"}, end: []string{"d2"}},
		{name: "stamp head with two heads", op: "stamp", targets: []string{"head"}, rows: nil,
			err: "Multiple heads are present; please specify a single target revision"},
		{name: "stamp relative is not a revision", op: "stamp", targets: []string{"-1"}, rows: []string{"d1"},
			err: "Can't locate revision identified by '-1'"},
		{name: "stamp revision and its descendant", op: "stamp", targets: []string{"b", "d1"}, rows: nil,
			steps: []string{"+b", "+d1"}, writes: []string{"insert b", "insert d1"}, end: []string{"b", "d1"}},
		{name: "stamp two heads from a", op: "stamp", targets: []string{"d1", "d2"}, rows: []string{"a"},
			steps: []string{"+d1", "+d2"}, writes: []string{"update a->d1", "insert d2"}, end: []string{"d1", "d2"}},
	})
}

// test_version_traversal.BranchFromMergepointTest / BranchFrom3WayMergepointTest
func TestTraversalBranchFromMergepoint(t *testing.T) {
	g := graphOf(t, "a1", "b1:a1", "c1:b1", "a2", "b2:a2", "c2:b2", "d1:c1,c2", "d2:c2")
	runPlanCases(t, g, []planCase{
		{name: "mergepoint to only one side upgrade", op: "up", target: "d1", rows: []string{"d2", "b1"},
			steps: []string{"+c1", "+d1"}, writes: []string{"update b1->c1", "update c1->d1"}, end: []string{"d2", "d1"}},
		{name: "mergepoint to only one side downgrade", op: "down", target: "b1", rows: []string{"d2", "d1"},
			steps: []string{"-d1", "-c1"}, writes: []string{"update d1->c1", "update c1->b1"}, end: []string{"d2", "b1"}},
	})
	g = graphOf(t, "a1", "b1:a1", "c1:b1", "a2", "b2:a2", "c2:b2", "a3", "b3:a3", "c3:b3", "d1:c1,c2,c3", "d2:c2", "d3:c3")
	runPlanCases(t, g, []planCase{
		{name: "3way mergepoint to only one side upgrade", op: "up", target: "d1", rows: []string{"d3", "d2", "b1"},
			steps: []string{"+c1", "+d1"}, end: []string{"d3", "d2", "d1"}},
		{name: "3way mergepoint to only one side downgrade", op: "down", target: "b1", rows: []string{"d3", "d2", "d1"},
			steps: []string{"-d1", "-c1"}, end: []string{"d3", "d2", "b1"}},
		{name: "3way mergepoint to two sides upgrade", op: "up", target: "d1", rows: []string{"d3", "b2", "b1"},
			steps: []string{"+c2", "+c1", "+d1"}, writes: []string{"update b2->c2", "update b1->c1", "delete c2; update c1->d1"},
			end: []string{"d3", "d1"}},
		{name: "3way b2 breaks out again", op: "up", target: "d2", rows: []string{"d3", "d1"},
			steps: []string{"+d2"}, writes: []string{"insert d2"}, end: []string{"d3", "d2", "d1"}},
	})
}

// test_version_traversal.TwinMergeTest / NotQuiteTwinMergeTest: the
// HeadMaintainer stepped by hand (#297).
func TestTraversalTwinMerge(t *testing.T) {
	run := func(name string, g *Graph, start []string, steps []string, rows [][]string) {
		t.Helper()
		c := newCtx(g)
		m := newMaintainer(c, g.nodesOf(start))
		for i, s := range steps {
			if err := m.applyRevision(g.byID[s], true); err != nil {
				t.Fatalf("%s: %s: %v", name, s, err)
			}
			eqStrings(t, name+" after "+s, m.sortedRows(), rows[i])
		}
	}
	run("twin merge", graphOf(t, "a", "b1:a", "b2:a", "b3:a", "c1:b1,b2,b3", "c2:b1,b2,b3", "d1:c1", "d2:c2"),
		[]string{"a"}, []string{"b3", "b1", "b2", "c2", "d2", "c1", "d1"},
		[][]string{{"b3"}, {"b1", "b3"}, {"b1", "b2", "b3"}, {"c2"}, {"d2"}, {"c1", "d2"}, {"d1", "d2"}})
	run("not quite twin merge", graphOf(t, "a", "b1:a", "b2:a", "b3:a", "c1:b1,b2", "c2:b2,b3", "d1:c1", "d2:c2"),
		[]string{"a"}, []string{"b2", "b3", "c2", "d2", "b1", "c1", "d1"},
		[][]string{{"b2"}, {"b2", "b3"}, {"c2"}, {"d2"}, {"b1", "d2"}, {"c1", "d2"}, {"d1", "d2"}})
	// The same graphs planned as a whole.
	g := graphOf(t, "a", "b1:a", "b2:a", "b3:a", "c1:b1,b2,b3", "c2:b1,b2,b3", "d1:c1", "d2:c2")
	runPlanCases(t, g, []planCase{
		{name: "twin merge heads", op: "up", target: "heads", rows: []string{"a"},
			steps:  []string{"+b3", "+b2", "+b1", "+c2", "+d2", "+c1", "+d1"},
			writes: []string{"update a->b3", "insert b2", "insert b1", "delete b2; delete b3; update b1->c2", "update c2->d2", "insert c1", "update c1->d1"},
			end:    []string{"d1", "d2"}},
		{name: "twin merge down", op: "down", target: "a", rows: []string{"d1", "d2"},
			steps:  []string{"-d1", "-c1", "-d2", "-c2", "-b1", "-b2", "-b3"},
			writes: []string{"update d1->c1", "delete c1", "update d2->c2", "insert b2; insert b3; update c2->b1", "delete b1", "delete b2", "update b3->a"},
			end:    []string{"a"}},
	})
}

func (g *Graph) nodesOf(ids []string) []int {
	var out []int
	for _, id := range ids {
		out = append(out, g.byID[id])
	}
	return out
}

// test_version_traversal.DependsOnBranchTest*, DependsOnOwnDownrevTest,
// DependsOnBranchLabelTest.
func TestTraversalDependencies(t *testing.T) {
	one := graphOf(t, "a1:::lib1", "b1:a1", "c1:b1", "a2", "b2:a2", "c2:b2:c1", "d1:c1", "e1:d1", "f1:e1")
	c := newCtx(one)
	m := newMaintainer(c, one.nodesOf([]string{"c2", "d1"}))
	if err := m.applyRevision(one.byID["d1"], false); err != nil {
		t.Fatal(err)
	}
	eqStrings(t, "downgrade to dependency", m.sortedRows(), []string{"c2"})
	runPlanCases(t, one, []planCase{
		{name: "downgrade to dependency", op: "down", target: "c1", rows: []string{"c2", "d1"},
			steps: []string{"-d1"}, writes: []string{"delete d1"}, end: []string{"c2"}},
		{name: "stamp across dependency", op: "stamp", targets: []string{"b1"}, rows: []string{"e1", "c2"},
			steps: []string{"-b1"}, writes: []string{"delete e1; update c2->b1"}, end: []string{"b1"}},
		// §3.2: upgrading to c2 from empty ends with rows [c2]: the dependency
		// row c1 is merged into it.
		{name: "upgrade to dependent from empty", op: "up", target: "c2", rows: nil,
			steps:  []string{"+a1", "+b1", "+c1", "+a2", "+b2", "+c2"},
			writes: []string{"insert a1", "update a1->b1", "update b1->c1", "insert a2", "update a2->b2", "delete c1; update b2->c2"},
			end:    []string{"c2"}},
		// §15.11: downgrading a dependency removes its dependents too
		{name: "downgrade dependency removes dependent", op: "down", target: "lib1@b1", rows: []string{"c2", "f1"},
			steps: []string{"-c2", "-f1", "-e1", "-d1", "-c1"}, end: []string{"b1", "b2"}},
		{name: "downgrading a dependent keeps the dependency", op: "down", target: "b2", rows: []string{"c2"},
			steps: []string{"-c2"}, writes: []string{"insert c1; update c2->b2"}, end: []string{"b2", "c1"}},
	})

	two := graphOf(t, "a1", "a2", "a3", "amerge:a1,a2,a3", "b1", "b2", "bmerge:b1,b2", "c1", "c2", "c3",
		"cmerge:c1,c2,c3", "d1::a3,b2,c1")
	runPlanCases(t, two, []planCase{
		{name: "kaboom 1", op: "down", target: "b2", rows: []string{"amerge", "bmerge", "cmerge", "d1"},
			steps: []string{"-bmerge"}, writes: []string{"update bmerge->b1"}, end: []string{"amerge", "b1", "cmerge", "d1"}},
		{name: "kaboom 2", op: "down", target: "d1@base", rows: []string{"amerge", "d1", "b1", "cmerge"},
			steps: []string{"-d1"}, writes: []string{"update d1->b2"}, end: []string{"amerge", "b1", "b2", "cmerge"}},
		{name: "kaboom 3", op: "down", target: "base", rows: []string{"amerge", "b1", "b2", "cmerge"},
			steps: []string{"-amerge", "-a1", "-b1", "-b2", "-cmerge", "-c1", "-a2", "-a3", "-c2", "-c3"}, end: nil},
	})

	three := graphOf(t, "a1", "a2:a1", "b1", "b2:b1:a2", "b3:b2", "a3:a2:b1")
	runPlanCases(t, three, []planCase{
		{name: "downgrade over crisscross (#377)", op: "down", target: "b1", rows: []string{"a3", "b2"},
			steps: []string{"-b2"}, writes: []string{"delete b2"}, end: []string{"a3"}},
	})

	own := graphOf(t, "a1", "a2:a1:a1")
	runPlanCases(t, own, []planCase{
		{name: "own downrev traverse", op: "up", target: "a2", rows: nil, steps: []string{"+a1", "+a2"}, end: []string{"a2"}},
		{name: "own downrev traverse down", op: "down", target: "a1", rows: []string{"a2"}, steps: []string{"-a2"}, end: []string{"a1"}},
	})

	four := graphOf(t, "a1", "a2:a1", "a3:a2", "b1", "b2:b1:a3", "b3:b2", "b4:b3:a3")
	runPlanCases(t, four, []planCase{
		{name: "dependencies are normalized (#789)", op: "down", target: "b3", rows: []string{"b4"},
			steps: []string{"-b4"}, writes: []string{"update b4->b3"}, end: []string{"b3"}},
	})

	five := graphOf(t, "a1", "b1::a1", "bmerge:a1,b1")
	runPlanCases(t, five, []planCase{
		{name: "#1373 upgrade a1->b1", op: "up", target: "b1", rows: []string{"a1"}, steps: []string{"+b1"}, end: []string{"b1"}},
		{name: "#1373 upgrade b1->bmerge", op: "up", target: "bmerge", rows: []string{"b1"}, steps: []string{"+bmerge"},
			writes: []string{"update b1->bmerge"}, end: []string{"bmerge"}},
		{name: "#1373 downgrade bmerge->a1", op: "down", target: "a1", rows: []string{"bmerge"}, steps: []string{"-bmerge"},
			writes: []string{"update bmerge->b1"}, end: []string{"b1"}},
		{name: "#1373 downgrade bmerge->b1", op: "down", target: "b1", rows: []string{"bmerge"}, steps: []string{"-bmerge"}, end: []string{"b1"}},
	})

	label := graphOf(t, "a1:::lib1", "b1:a1", "c1:b1::c1lib", "a2", "b2:a2", "c2:b2:c1lib", "d1:c1", "e1:d1", "f1:e1")
	runPlanCases(t, label, []planCase{
		{name: "depends on branch label", op: "up", target: "c2", rows: []string{"a2"},
			steps: []string{"+a1", "+b1", "+c1", "+b2", "+c2"}, end: []string{"c2"}},
	})

	cross := graphOf(t, "a", "b:a", "c1:b::c1branch", "d1:c1", "c2:b::c2branch", "d2:c2:c1")
	runPlanCases(t, cross, []planCase{
		{name: "downgrade independent branch", op: "down", target: "c2branch@b", rows: []string{"d1", "d2"},
			steps: []string{"-d2", "-c2"}, end: []string{"d1"}},
		{name: "downgrade branch dependency", op: "down", target: "c1branch@b", rows: []string{"d1", "d2"},
			steps: []string{"-d1", "-d2", "-c1"}, end: []string{"c2"}},
	})
}

// §15.3: effective heads.
func TestTraversalEffectiveHead(t *testing.T) {
	g := graphOf(t, "a1", "a2:a1", "b1", "b2:b1:a2")
	runPlanCases(t, g, []planCase{
		{name: "upgrade head fails", op: "up", target: "head", rows: nil,
			errMsg: "Multiple heads are present for given argument 'head'; a2, b2"},
		{name: "upgrade heads ends with one row", op: "up", target: "heads", rows: nil,
			steps: []string{"+a1", "+a2", "+b1", "+b2"}, writes: []string{"insert a1", "update a1->a2", "insert b1", "delete a2; update b1->b2"},
			end: []string{"b2"}},
		{name: "stamp heads writes the real head", op: "stamp", targets: []string{"heads"}, rows: nil,
			steps: []string{"+b2"}, writes: []string{"insert b2"}, end: []string{"b2"}},
		{name: "downgrade the dependency removes the dependent", op: "down", target: "a1", rows: []string{"b2"},
			steps: []string{"-b2", "-a2"}, writes: []string{"insert a2; update b2->b1", "update a2->a1"}, end: []string{"a1", "b1"}},
	})
	if cur, _ := g.Current([]string{"b2"}); !slices.Equal(cur, []string{"a2", "b2"}) {
		t.Errorf("current %v", cur)
	}
}

// test_version_traversal.ForestTest and MergedPathTest.
func TestTraversalForestAndMerges(t *testing.T) {
	forest := graphOf(t, "a1", "b1:a1", "a2", "b2:a2")
	runPlanCases(t, forest, []planCase{
		{name: "base to heads", op: "up", target: "heads", rows: nil, steps: []string{"+a2", "+b2", "+a1", "+b1"}, end: []string{"b1", "b2"}},
		{name: "stamp to heads", op: "stamp", targets: []string{"heads"}, rows: nil, steps: []string{"+b1", "+b2"},
			writes: []string{"insert b1", "insert b2"}, end: []string{"b1", "b2"}},
		{name: "stamp to heads no moves needed", op: "stamp", targets: []string{"heads"}, rows: []string{"b1", "b2"}, steps: nil, end: []string{"b1", "b2"}},
		{name: "downgrade a label-less root only", op: "down", target: "a1@base", rows: []string{"b1", "b2"},
			steps: []string{"-b1", "-a1"}, end: []string{"b2"}},
	})
	merged := graphOf(t, mergedSpecs...)
	runPlanCases(t, merged, []planCase{
		{name: "stamp down across merge point branch", op: "stamp", targets: []string{"c2"}, rows: []string{"e"},
			steps: []string{"-c2"}, writes: []string{"update e->c2"}, end: []string{"c2"}},
		{name: "stamp down across merge prior branching", op: "stamp", targets: []string{"a"}, rows: []string{"e"},
			steps: []string{"-a"}, writes: []string{"update e->a"}, end: []string{"a"}},
		{name: "stamp up across merge from single branch", op: "stamp", targets: []string{"e"}, rows: []string{"c2"},
			steps: []string{"+e"}, writes: []string{"update c2->e"}, end: []string{"e"}},
		{name: "stamp labeled head across merge from multiple branch", op: "stamp", targets: []string{"c2branch@head"}, rows: []string{"d1", "c2"},
			steps: []string{"+f"}, writes: []string{"delete d1; update c2->f"}, end: []string{"f"}},
		{name: "stamp up across merge from multiple branch", op: "stamp", targets: []string{"e"}, rows: []string{"d1", "c2"},
			steps: []string{"+e"}, writes: []string{"delete d1; update c2->e"}, end: []string{"e"}},
		{name: "stamp up across merge prior branching", op: "stamp", targets: []string{"e"}, rows: []string{"b"},
			steps: []string{"+e"}, writes: []string{"update b->e"}, end: []string{"e"}},
		// retort: at a merge the first Down parent's row is updated
		{name: "upgrade across merge point", op: "up", target: "f", rows: []string{"b"},
			steps:  []string{"+c2", "+d2", "+c1", "+d1", "+e", "+f"},
			writes: []string{"update b->c2", "update c2->d2", "insert c1", "update c1->d1", "delete d2; update d1->e", "update e->f"},
			end:    []string{"f"}},
		{name: "downgrade across merge point", op: "down", target: "b", rows: []string{"f"},
			steps:  []string{"-f", "-e", "-d1", "-c1", "-d2", "-c2"},
			writes: []string{"update f->e", "insert d2; update e->d1", "update d1->c1", "delete c1", "update d2->c2", "update c2->b"},
			end:    []string{"b"}},
		{name: "downgrade to one side of a merge removes the merge", op: "down", target: "d1", rows: []string{"f"},
			steps: []string{"-f", "-e"}, end: []string{"d1", "d2"}},
		{name: "-1 across a merge", op: "down", target: "-2", rows: []string{"f"}, err: "Ambiguous walk"},
		{name: "upgrade the other branch of a merge", op: "up", target: "e", rows: []string{"d1"},
			steps: []string{"+c2", "+d2", "+e"}, writes: []string{"insert c2", "update c2->d2", "delete d2; update d1->e"}, end: []string{"e"}},
	})
}

// Alembic's BranchTravellingTest graph planned as upgrades and downgrades.
func TestTraversalTravelling(t *testing.T) {
	g := graphOf(t, travellingSpecs...)
	runPlanCases(t, g, []planCase{
		{name: "heads from empty", op: "up", target: "heads", rows: nil,
			steps: []string{"+a1", "+a2", "+a3", "+b2", "+cb2", "+db2", "+e2b2", "+b1", "+cb1", "+db1", "+e2b1", "+merge", "+e1b1", "+fe1b1"},
			end:   []string{"fe1b1", "merge"}},
		{name: "base from heads", op: "down", target: "base", rows: []string{"fe1b1", "merge"},
			steps: []string{"-fe1b1", "-e1b1", "-merge", "-e2b1", "-db1", "-cb1", "-b1", "-e2b2", "-db2", "-cb2", "-b2", "-a3", "-a2", "-a1"},
			end:   nil},
	})
}
