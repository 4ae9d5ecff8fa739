package revision

import (
	"slices"
	"testing"
)

func TestHistory(t *testing.T) {
	// test_command.HistoryTest: three revisions a, b, c.
	g := graphOf(t, "a", "b:a", "c:b")
	tests := []struct {
		name         string
		lower, upper string
		current      []string
		want         []string
	}{
		{"full", "", "", nil, []string{"c", "b", "a"}},
		{"num range", "a", "b", nil, []string{"b", "a"}},
		{"base to num", "", "b", nil, []string{"b", "a"}},
		{"num to head", "a", "", nil, []string{"c", "b", "a"}},
		{"num plus relative", "a", "+2", nil, []string{"c", "b", "a"}},
		{"relative to num", "-2", "c", nil, []string{"c", "b", "a"}},
		{"too large relative to num", "-5", "c", nil, []string{"c", "b", "a"}},
		{"relative clipped upward", "b", "+9", nil, []string{"c", "b"}},
		{"current to head as b", "current", "", []string{"b"}, []string{"c", "b"}},
		{"current to head as base", "current", "", nil, []string{"c", "b", "a"}},
		{"base to current", "", "current", []string{"b"}, []string{"b", "a"}},
		{"base to current, no rows: heads", "", "current", nil, []string{"c", "b", "a"}},
		{"head", "", "head", nil, []string{"c", "b", "a"}},
		{"base to base", "base", "base", nil, nil},
	}
	for _, tt := range tests {
		got, err := g.History(tt.lower, tt.upper, tt.current)
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		if ids := idsOfRevs(got); !slices.Equal(ids, tt.want) {
			t.Errorf("%s: got %v, want %v", tt.name, ids, tt.want)
		}
	}
}

func TestHistoryBranched(t *testing.T) {
	g := graphOf(t, branchedSpecs...)
	tests := []struct {
		name         string
		lower, upper string
		current      []string
		want         []string
		err          string // CLIMessage
	}{
		// newest first, in the order of a full downgrade (§4.6)
		{name: "full", want: []string{"d1", "c1", "d2", "c2", "b", "a"}},
		{name: "branch", upper: "c2branch@head", want: []string{"d2", "c2", "b", "a"}},
		{name: "label base to heads", lower: "c1branch@base", want: []string{"d1", "c1", "b", "a"}},
		{name: "current rows", lower: "current", current: []string{"c1", "c2"}, want: []string{"d1", "c1", "d2", "c2"}},
		{name: "across branches", lower: "c1", upper: "d2",
			err: "Requested range c1:d2 does not refer to ancestor/descendant revisions along the same branch"},
		{name: "wrong direction", lower: "d1", upper: "b",
			err: "Requested range d1:b does not refer to ancestor/descendant revisions along the same branch"},
		{name: "head with two heads", upper: "head",
			err: "Multiple head revisions are present for given argument 'head'; please specify a specific target revision, '<branchname>@head' to narrow to a specific head, or 'heads' for all heads"},
		{name: "unknown", lower: "zzzz", err: "Can't locate revision identified by 'zzzz'"},
		{name: "unknown current row", lower: "current", current: []string{"zzzz"}, err: "Can't locate revision identified by 'zzzz'"},
		// Alembic: the relative lower end walks down from every head.
		{name: "relative from heads", lower: "-1", want: []string{"d1", "c1", "d2", "c2"}},
		{name: "relative past base on one branch", lower: "-4", upper: "c1branch@head",
			err: "Requested range -4:c1branch@head does not refer to ancestor/descendant revisions along the same branch"},
	}
	for _, tt := range tests {
		got, err := g.History(tt.lower, tt.upper, tt.current)
		if tt.err != "" {
			if err == nil || cliMessage(err) != tt.err {
				t.Errorf("%s: got %v, %v; want %q", tt.name, idsOfRevs(got), err, tt.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		if ids := idsOfRevs(got); !slices.Equal(ids, tt.want) {
			t.Errorf("%s: got %v, want %v", tt.name, ids, tt.want)
		}
	}
	// history mixing branches and dependencies, where Alembic fails an
	// assertion, is a range error.
	g = graphOf(t, "c1", "a1", "a2:a1:c1", "a3:a2:c1", "b1", "b2:b1:a3", "b3:b2", "b4:b3:a3", "b5:b4")
	_, err := g.History("a1", "b2", nil)
	wantErr[*RangeNotAncestorError](t, "mixed", err, "Revision a1 is not an ancestor of revision b2")
}
