package revision

import (
	"errors"
	"slices"
	"testing"
)

func TestStepFields(t *testing.T) {
	g := graphOf(t, "a", "b:a", "c1:b", "c2:b", "m:c1,c2:x", "x")
	steps, err := g.PlanUpgrade("m", []string{"c1", "c2", "x"})
	if err != nil {
		t.Fatal(err)
	}
	if len(steps) != 1 {
		t.Fatalf("steps %v", stepsText(steps))
	}
	s := steps[0]
	if s.Revision.ID != "m" || s.Direction != Upgrade || s.Stamp ||
		!slices.Equal(s.From, []string{"c1", "c2"}) || !slices.Equal(s.To, []string{"m"}) {
		t.Errorf("step %+v", s)
	}
	// merge: the first Down parent's row is updated, the others deleted;
	// the dependency row x is merged in too.
	if got := writesText(s.Writes); got != "delete c2; delete x; update c1->m" {
		t.Errorf("writes %q", got)
	}
	eqStrings(t, "heads after", s.HeadsAfter, []string{"m"})
	if s.String() != "upgrade [c1 c2] -> [m] [delete c2 delete x update c1->m]" {
		t.Errorf("String %q", s.String())
	}

	steps, err = g.PlanDowngrade("b", []string{"m"})
	if err != nil {
		t.Fatal(err)
	}
	eqStrings(t, "downgrade steps", stepsText(steps), []string{"-m", "-c1", "-c2"})
	s = steps[0]
	if s.Direction != Downgrade || !slices.Equal(s.From, []string{"m"}) || !slices.Equal(s.To, []string{"c1", "c2"}) {
		t.Errorf("downgrade step %+v", s)
	}
	// unmerge: the first Down parent gets the update, the others are inserted
	if got := writesText(s.Writes); got != "insert c2; insert x; update m->c1" {
		t.Errorf("unmerge writes %q", got)
	}
	eqStrings(t, "end", steps[2].HeadsAfter, []string{"b", "x"})

	steps, err = g.PlanDowngrade("base", []string{"b", "x"})
	if err != nil {
		t.Fatal(err)
	}
	last := steps[len(steps)-1]
	if last.Revision.ID != "x" || len(last.To) != 0 || last.To == nil || writesText(last.Writes) != "delete x" {
		t.Errorf("base step %+v", last)
	}

	steps, err = g.PlanStamp([]string{"c1"}, []string{"a"}, false)
	if err != nil || len(steps) != 1 {
		t.Fatal(err, steps)
	}
	s = steps[0]
	if !s.Stamp || s.Revision.ID != "c1" || s.Direction != Upgrade || !slices.Equal(s.From, []string{"a"}) || !slices.Equal(s.To, []string{"c1"}) {
		t.Errorf("stamp step %+v", s)
	}
	steps, _ = g.PlanStamp([]string{"base"}, []string{"c1"}, false)
	if s := steps[0]; s.Revision != nil || s.Direction != Downgrade || len(s.To) != 0 || writesText(s.Writes) != "delete c1" {
		t.Errorf("stamp base step %+v", s)
	}
}

func TestStampPurge(t *testing.T) {
	g := graphOf(t, "a", "b:a")
	_, err := g.PlanStamp([]string{"b"}, []string{"deadbeef"}, false)
	if cliMessage(err) != "Can't locate revision identified by 'deadbeef'" {
		t.Errorf("without purge: %v", err)
	}
	steps, err := g.PlanStamp([]string{"b"}, []string{"deadbeef"}, true)
	if err != nil || len(steps) != 1 || writesText(steps[0].Writes) != "insert b" {
		t.Errorf("purge: %v %v", steps, err)
	}
	steps, err = g.PlanStamp(nil, []string{"b"}, false)
	if err != nil || len(steps) != 1 || writesText(steps[0].Writes) != "delete b" {
		t.Errorf("no targets = base: %v %v", steps, err)
	}
	_, err = g.PlanStamp([]string{"current"}, nil, false)
	if cliMessage(err) != "Can't locate revision identified by 'current'" {
		t.Errorf("current: %v", err)
	}
}

// Stamping to a revision and its descendant from a row above both fails as
// in Alembic (which raises a KeyError there), saying why and that --purge
// gives each target its own row.
func TestStampTargetsConsumeEachOthersRow(t *testing.T) {
	g := graphOf(t, "a", "b:a", "c:b")
	_, err := g.PlanStamp([]string{"a", "b"}, []string{"c"}, false)
	want := "version table bookkeeping failed: revision c is not in the version table; the targets are stamped one after another"
	if msg := cliMessage(err); len(msg) < len(want) || msg[:len(want)] != want {
		t.Fatalf("stamp a b from c: %v", err)
	}
	steps, err := g.PlanStamp([]string{"a", "b"}, []string{"c"}, true)
	if err != nil || !slices.Equal(steps[len(steps)-1].HeadsAfter, []string{"a", "b"}) {
		t.Errorf("stamp --purge a b: %v %v", stepsText(steps), err)
	}
}

func TestDowngradeWarnings(t *testing.T) {
	g := graphOf(t, branchedSpecs...)
	const w = "downgrade -1 from multiple heads is ambiguous; this usage will be disallowed in a future release."
	tests := []struct {
		target string
		rows   []string
		warn   bool
	}{
		{"-1", []string{"d1", "d2"}, true},
		{"-2", []string{"d1", "d2"}, true},
		{"-1", []string{"d1"}, false},
		{"-1", []string{"d1", "d1"}, false},
		{"c1branch@-1", []string{"d1", "d2"}, false},
		{"d1-1", []string{"d1", "d2"}, false},
		{"b", []string{"d1", "d2"}, false},
		{"-0", []string{"d1", "d2"}, false},
	}
	for _, tt := range tests {
		got := g.DowngradeWarnings(tt.target, tt.rows)
		if tt.warn != slices.Equal(got, []string{w}) || !tt.warn && got != nil {
			t.Errorf("%s %v: %q", tt.target, tt.rows, got)
		}
	}
}

func TestErrorContext(t *testing.T) {
	g := graphOf(t, branchedSpecs...)
	_, err := g.PlanDowngrade("c2", []string{"d1"})
	var rn *RangeNotAncestorError
	if !errors.As(err, &rn) || rn.Command != CmdDowngrade || rn.Dest != "c2" || rn.Lower != "Nothing to drop" || rn.Upper != "('d1',)" {
		t.Errorf("%#v", err)
	}
	_, err = g.PlanUpgrade("c1branch@head", nil)
	if err != nil {
		t.Errorf("label@head: %v", err)
	}
	g2 := graphOf(t, "a", "b:a::lb", "c1:b", "c2:b")
	_, err = g2.PlanUpgrade("lb@head", nil)
	var mh *MultipleHeadsError
	if !errors.As(err, &mh) || mh.Arg != "lb@head" || mh.Command != CmdUpgrade || mh.Dest != "lb@head" ||
		!slices.Equal(mh.Heads, []string{"c1", "c2"}) {
		t.Errorf("%#v", err)
	}
	if err.Error() != "Multiple heads are present for given argument 'lb@head'; c1, c2" {
		t.Errorf("%q", err.Error())
	}
	_, err = g2.PlanStamp([]string{"head"}, nil, false)
	if !errors.As(err, &mh) || mh.Command != CmdStamp {
		t.Errorf("%#v", err)
	}
	// every error of the package carries a CLI message
	for _, e := range []error{&ResolutionError{}, &MultipleHeadsError{}, &RangeNotAncestorError{}, &RevisionError{}, &CycleError{}, &GraphError{}} {
		if _, ok := e.(CLIError); !ok {
			t.Errorf("%T is not a CLIError", e)
		}
	}
	if (&RangeNotAncestorError{}).Error() != "Revision base is not an ancestor of revision base" {
		t.Errorf("empty range error")
	}
}

func TestPlanDoesNotMutateInput(t *testing.T) {
	g := graphOf(t, branchedSpecs...)
	rows := []string{"d2", "d1"}
	if _, err := g.PlanDowngrade("-1", rows); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(rows, []string{"d2", "d1"}) {
		t.Errorf("rows changed: %v", rows)
	}
	targets := []string{"c1", "c2"}
	if _, err := g.PlanStamp(targets, nil, false); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(targets, []string{"c1", "c2"}) {
		t.Errorf("targets changed")
	}
}

func TestConcurrentUse(t *testing.T) {
	g := graphOf(t, labeledSpecs...)
	done := make(chan error)
	for i := 0; i < 8; i++ {
		go func() {
			var err error
			for k := 0; k < 50 && err == nil; k++ {
				if _, err = g.Resolve("somel"); err == nil {
					_, err = g.PlanUpgrade("heads", []string{"b"})
				}
			}
			done <- err
		}()
	}
	for i := 0; i < 8; i++ {
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
}
