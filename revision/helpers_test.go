package revision

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
)

// rev parses "id:down1,down2:dep1,dep2:label1,label2" (trailing parts may
// be omitted).
func rev(s string) Revision {
	parts := strings.Split(s, ":")
	split := func(i int) []string {
		if i >= len(parts) || parts[i] == "" {
			return nil
		}
		return strings.Split(parts[i], ",")
	}
	return Revision{ID: parts[0], Down: split(1), DependsOn: split(2), BranchLabels: split(3), Path: parts[0] + ".sql"}
}

func revs(specs ...string) []Revision {
	out := make([]Revision, len(specs))
	for i, s := range specs {
		out[i] = rev(s)
	}
	return out
}

func graphOf(t testing.TB, specs ...string) *Graph {
	t.Helper()
	g, err := NewGraph(revs(specs...))
	if err != nil {
		t.Fatalf("NewGraph: %v", err)
	}
	return g
}

// Graphs of Alembic's test-suite, in the load order of its fixtures.
var (
	// test_version_traversal.RevisionPathTest
	linA, linB, linC, linD, linE = "e6239818bb3a", "548bbb905360", "b7ea43dc85e4", "1bbe33445780", "3975fb1a0125"
	linearSpecs                  = []string{linA, linB + ":" + linA, linC + ":" + linB, linD + ":" + linC, linE + ":" + linD}
	// BranchedPathTest
	branchedSpecs = []string{"a", "b:a", "c1:b::c1branch", "d1:c1", "c2:b::c2branch", "d2:c2"}
	// MergedPathTest
	mergedSpecs = []string{"a", "b:a", "c1:b", "d1:c1", "c2:b::c2branch", "d2:c2", "e:d1,d2", "f:e"}
	// test_revision.LabeledBranchTest
	labeledSpecs = []string{"a:::abranch", "b:a", "somelongername:b", "c:somelongername", "d",
		"e:d::ebranch", "someothername:e", "f:someothername"}
	// MultipleBranchTest
	multiBranchSpecs = []string{"a", "b1:a", "b2:a", "cb1:b1", "cb2:b2", "d1cb1:cb1", "d2cb1:cb1",
		"d1cb2:cb2", "d2cb2:cb2", "d3cb2:cb2", "d1d2cb2:d1cb2,d2cb2"}
	// BranchTravellingTest
	travellingSpecs = []string{"a1", "a2:a1", "a3:a2", "b1:a3", "b2:a3", "cb1:b1", "cb2:b2", "db1:cb1",
		"db2:cb2", "e1b1:db1", "fe1b1:e1b1", "e2b1:db1", "e2b2:db2", "merge:e2b1,e2b2"}
	// MultipleBaseTest
	multiBaseSpecs = []string{"base1", "base2", "base3", "a1a:base1", "a1b:base1", "a2:base2", "a3:base3",
		"b1a:a1a", "b1b:a1b", "b2:a2", "b3:a3", "c2:b2", "d2:c2", "mergeb3d2:b3,d2"}
	// MultipleBaseCrossDependencyTestOne
	crossDep1Specs = []string{"base1:::b_1", "a1a:base1", "a1b:base1", "b1a:a1a", "b1b:a1b:a3",
		"base2:::b_2", "a2:base2", "b2:a2", "c2:b2:a3", "d2:c2", "base3:::b_3", "a3:base3", "b3:a3"}
	// MultipleBaseCrossDependencyTestTwo
	crossDep2Specs = []string{"base1:::b_1", "a1:base1", "b1:a1", "c1:b1", "base2::b_1:b_2", "a2:base2",
		"b2:a2", "c2:b2", "d2:c2", "base3:::b_3", "a3:base3", "b3:a3", "c3:b3:b2", "d3:c3"}
	// MultipleBranchEffectiveHead
	effHeadSpecs = []string{"y1:::y", "x1:::x", "y2:y1:x1", "x2:x1"}
	// NormalizedDownRevTest
	normDownSpecs = []string{"a1", "a2:a1", "a3:a2", "b1", "b2:b1:a3", "b3:b2", "b4:b3:a3", "b5:b4:b4"}
)

func idsOfRevs(rs []*Revision) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.ID)
	}
	return out
}

// wantErr checks err's type (via a pointer to a typed nil) and message.
func wantErr[T error](t *testing.T, desc string, err error, msg string) T {
	t.Helper()
	var target T
	if err == nil {
		t.Errorf("%s: no error, want %T %q", desc, target, msg)
		return target
	}
	if !errors.As(err, &target) {
		t.Errorf("%s: error %T %q, want %T", desc, err, err, target)
		return target
	}
	if msg != "" && err.Error() != msg {
		t.Errorf("%s: message\n got %q\nwant %q", desc, err.Error(), msg)
	}
	return target
}

// cliMessage returns the CLI sentence of an error of this package.
func cliMessage(err error) string {
	var ce CLIError
	if errors.As(err, &ce) {
		return ce.CLIMessage()
	}
	return fmt.Sprintf("untyped %T: %v", err, err)
}

// stepsText renders steps compactly: "+id" for upgrades, "-id" for
// downgrades.
func stepsText(steps []Step) []string {
	out := []string{}
	for _, s := range steps {
		id := "<base>"
		if s.Revision != nil {
			id = s.Revision.ID
		}
		if s.Direction == Upgrade {
			out = append(out, "+"+id)
		} else {
			out = append(out, "-"+id)
		}
	}
	return out
}

func writesText(ws []VersionWrite) string {
	var out []string
	for _, w := range ws {
		out = append(out, w.String())
	}
	return strings.Join(out, "; ")
}

func endRows(steps []Step, start []string) []string {
	if len(steps) == 0 {
		out := slices.Clone(start)
		slices.Sort(out)
		return slices.Compact(out)
	}
	return steps[len(steps)-1].HeadsAfter
}
