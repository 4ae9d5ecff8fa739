package revision

import (
	"errors"
	"slices"
	"testing"
)

type resolveCase struct {
	spec string
	want []string
	// error expectations
	errType string // "resolution", "heads", "revision"
	msg     string
	arg     string // ResolutionError.Arg / MultipleHeadsError.Arg
	cli     string
}

func runResolveCases(t *testing.T, name string, g *Graph, cases []resolveCase) {
	t.Helper()
	for _, tt := range cases {
		desc := name + " " + tt.spec
		got, err := g.Resolve(tt.spec)
		switch tt.errType {
		case "":
			if err != nil {
				t.Errorf("%s: %v", desc, err)
			} else if !slices.Equal(got, tt.want) && !(len(got) == 0 && len(tt.want) == 0) {
				t.Errorf("%s: got %v, want %v", desc, got, tt.want)
			}
			continue
		case "resolution":
			e := wantErr[*ResolutionError](t, desc, err, tt.msg)
			if e != nil && tt.arg != "" && e.Arg != tt.arg {
				t.Errorf("%s: Arg %q, want %q", desc, e.Arg, tt.arg)
			}
		case "heads":
			e := wantErr[*MultipleHeadsError](t, desc, err, tt.msg)
			if e != nil && tt.arg != "" && e.Arg != tt.arg {
				t.Errorf("%s: Arg %q, want %q", desc, e.Arg, tt.arg)
			}
		case "revision":
			wantErr[*RevisionError](t, desc, err, tt.msg)
		}
		if tt.cli != "" && err != nil && cliMessage(err) != tt.cli {
			t.Errorf("%s: CLI message %q, want %q", desc, cliMessage(err), tt.cli)
		}
	}
}

func TestResolveLabeledBranch(t *testing.T) {
	// test_revision.LabeledBranchTest
	g := graphOf(t, labeledSpecs...)
	runResolveCases(t, "labeled", g, []resolveCase{
		{spec: "ebranch@head", want: []string{"f"}},
		{spec: "ebranch@some", want: []string{"someothername"}},
		{spec: "abranch@some", want: []string{"somelongername"}},
		{spec: "ebranch@sos", errType: "resolution", arg: "sos",
			msg: "No such revision or branch 'sos'; please ensure at least four characters are present for partial revision identifier matches",
			cli: "Can't locate revision identified by 'sos'"},
		{spec: "abranch@heads", want: []string{"c"}},
		{spec: "abranch@head", want: []string{"c"}},
		{spec: "abranch@base", want: nil},
		{spec: "ebranch@d", want: []string{"d"}},
		{spec: "ebranch@ebranch", want: []string{"e"}},
		{spec: "abranch", want: []string{"a"}},
		{spec: "ebranch", want: []string{"e"}},
		{spec: "ebranch@b", errType: "resolution", arg: "b", msg: "Revision b is not a member of branch 'ebranch'",
			cli: "Can't locate revision identified by 'b'"},
		{spec: "abranch@d", errType: "resolution", msg: "Revision d is not a member of branch 'abranch'"},
		{spec: "e", want: []string{"e"}},
		{spec: "abranch@qprstuv", errType: "resolution", arg: "qprstuv", msg: "No such revision or branch 'qprstuv'"},
		{spec: "abranch@qpr", errType: "resolution", arg: "qpr",
			msg: "No such revision or branch 'qpr'; please ensure at least four characters are present for partial revision identifier matches"},
		{spec: "e@d", want: []string{"d"}},
		{spec: "someoth@d", want: []string{"d"}},
		{spec: "x@d", errType: "resolution", arg: "x", msg: "No such branch: 'x'", cli: "Can't locate revision identified by 'x'"},
		{spec: "heads", want: []string{"c", "f"}},
		{spec: "head", errType: "heads", arg: "head", msg: "Multiple heads are present for given argument 'head'; c, f",
			cli: "Multiple head revisions are present for given argument 'head'; please specify a specific target revision, '<branchname>@head' to narrow to a specific head, or 'heads' for all heads"},
		{spec: "base", want: nil},
		{spec: "some", errType: "resolution", arg: "some",
			msg: "Multiple revisions start with 'some': 'somelongername', 'someothername'..."},
		{spec: "somel", want: []string{"somelongername"}},
		// labels are keys too: a prefix can match one.
		{spec: "ebra", want: []string{"e"}},
		{spec: "ebranch@+1", errType: "resolution", arg: "+1", msg: "No such revision or branch '+1'; please ensure at least four characters are present for partial revision identifier matches"},
		// "-N": walk down from every real head; "label@-N" from the heads carrying the label.
		{spec: "-1", want: []string{"somelongername", "someothername"}},
		{spec: "ebranch@-2", want: []string{"e"}},
		{spec: "ebranch@-3", want: []string{"d"}},
		{spec: "ebranch@-4", want: nil}, // walks down to base
		{spec: "ebranch@-5", errType: "revision", msg: "Walked too far"},
		{spec: "current", errType: "resolution", arg: "current", msg: "No such revision or branch 'current'",
			cli: "Can't locate revision identified by 'current'"},
		{spec: "", errType: "resolution", msg: "No such revision or branch ''"},
	})
}

func TestResolvePrefixes(t *testing.T) {
	// §15.1: the 4-character minimum applies to candidates, not the prefix.
	g := graphOf(t, "abcd1111", "abcd2222:abcd1111", "abce3333:abcd2222::abcdlbl", "b7e:abcd2222", "b7ea43:b7e", "c")
	runResolveCases(t, "prefixes", g, []resolveCase{
		{spec: "abce", want: []string{"abce3333"}},
		{spec: "abcd1", want: []string{"abcd1111"}},
		{spec: "abcd", errType: "resolution", arg: "abcd",
			msg: "Multiple revisions start with 'abcd': 'abcd1111', 'abcd2222', 'abcdlbl'...",
			cli: "Can't locate revision identified by 'abcd'"},
		{spec: "b7e", want: []string{"b7e"}}, // exact ids of any length match
		{spec: "b7", want: []string{"b7ea43"}},
		{spec: "b", want: []string{"b7ea43"}},
		{spec: "c", want: []string{"c"}},
		{spec: "ab", errType: "resolution",
			msg: "Multiple revisions start with 'ab': 'abcd1111', 'abcd2222', 'abce3333'..."},
		{spec: "x", errType: "resolution", arg: "x",
			msg: "No such revision or branch 'x'; please ensure at least four characters are present for partial revision identifier matches"},
		{spec: "abcdlbl@heads", want: []string{"abce3333"}},
		{spec: "abcd1111@abcd2", want: []string{"abcd2222"}},
	})
	_, err := g.Resolve("abcd")
	var re *ResolutionError
	if !errors.As(err, &re) || !slices.Equal(re.Candidates, []string{"abcd1111", "abcd2222", "abcdlbl"}) {
		t.Errorf("candidates: %#v", err)
	}
	// within a branch, partial matching is restricted to its lineage
	g = graphOf(t, "abcd1111:::l1", "abcd2222")
	runResolveCases(t, "branch prefixes", g, []resolveCase{
		{spec: "l1@abcd", want: []string{"abcd1111"}},
		{spec: "abcd2222@abcd", want: []string{"abcd2222"}},
	})
}

func TestResolveRelative(t *testing.T) {
	g := graphOf(t, branchedSpecs...)
	runResolveCases(t, "branched", g, []resolveCase{
		{spec: "b+1", errType: "revision", msg: "Ambiguous walk"},
		{spec: "c1branch@b+1", want: []string{"c1"}},
		{spec: "a+1", want: []string{"b"}},
		{spec: "d1-2", want: []string{"b"}},
		{spec: "d1-3", want: []string{"a"}},
		{spec: "d1-4", want: nil}, // base
		{spec: "d1-5", errType: "revision", msg: "Walked too far"},
		{spec: "d1+1", errType: "revision", msg: "Walked too far"},
		{spec: "base+1", want: []string{"a"}},
		{spec: "base+3", errType: "revision", msg: "Ambiguous walk"},
		{spec: "c2branch@base+3", want: []string{"c2"}},
		{spec: "c2branch@head-1", want: []string{"c2"}},
		{spec: "c1branch@head-2", want: []string{"b"}},
		{spec: "head-1", errType: "heads", arg: "head"},
		{spec: "heads", want: []string{"d1", "d2"}},
		{spec: "c1branch@heads", want: []string{"d1"}},
		{spec: "c1branch@base", want: nil},
		{spec: "b@heads", want: []string{"d1", "d2"}},
		{spec: "c1@head", want: []string{"d1"}},
		{spec: "c1@c2", errType: "resolution", msg: "Revision c2 is not a member of branch 'c1'"},
		{spec: "-1", want: []string{"c1", "c2"}},
		{spec: "-2", want: []string{"b"}},
		{spec: "c1branch@-1", want: []string{"c1"}},
		{spec: "+1", errType: "resolution", arg: "+1"},
	})
	g = graphOf(t, mergedSpecs...)
	runResolveCases(t, "merged", g, []resolveCase{
		{spec: "f-1", want: []string{"e"}},
		{spec: "f-2", errType: "revision", msg: "Ambiguous walk"}, // a merge point on the way
		{spec: "head", want: []string{"f"}},
		{spec: "c2branch@head", want: []string{"f"}},
		{spec: "c2branch@base", want: nil},
		{spec: "c2branch@c1", errType: "resolution", msg: "Revision c1 is not a member of branch 'c2branch'"},
	})
	g = graphOf(t, "a", "b:a", "x", "y:x:b")
	runResolveCases(t, "effective head", g, []resolveCase{
		{spec: "head", errType: "heads", msg: "Multiple heads are present for given argument 'head'; b, y"},
		{spec: "heads", want: []string{"y"}},
	})
	runResolveCases(t, "empty", graphOf(t), []resolveCase{
		{spec: "head", want: nil},
		{spec: "heads", want: nil},
		{spec: "base", want: nil},
		{spec: "base+1", errType: "revision", msg: "Walked too far"},
	})
}

func TestParseRelative(t *testing.T) {
	tests := []struct {
		spec               string
		ok                 bool
		label, symbol, raw string
		value              int
		hasSymbol          bool
	}{
		{"+1", true, "", "", "+1", 1, false},
		{"-12", true, "", "", "-12", -12, false},
		{"ab12+3", true, "", "ab12", "+3", 3, true},
		{"lbl@head-1", true, "lbl", "head", "-1", -1, true},
		{"lbl@+02", true, "lbl", "", "+02", 2, false},
		{"a@b@+1", true, "a@b", "", "+1", 1, false},
		{"ab12+3xyz", true, "", "ab12", "+3", 3, true}, // Python's re.match ignores the rest
		{"head", false, "", "", "", 0, false},
		{"x@y", false, "", "", "", 0, false},
		{"-", false, "", "", "", 0, false},
	}
	for _, tt := range tests {
		m, ok := parseRelative(tt.spec)
		if ok != tt.ok || ok && (m.label != tt.label || m.symbol != tt.symbol || m.raw != tt.raw || m.value() != tt.value || m.hasSymbol != tt.hasSymbol) {
			t.Errorf("%q: %+v %v", tt.spec, m, ok)
		}
	}
	if m, _ := parseRelative("+99999999999999999999999"); m.abs != "99999999999999999999999" || m.n <= 0 {
		t.Errorf("huge: %+v", m)
	}
}

func TestCurrent(t *testing.T) {
	// get_all_current: rows plus what their dependencies imply, reduced to
	// branch heads.
	g := graphOf(t, effHeadSpecs...)
	tests := []struct {
		rows, want []string
	}{
		{[]string{"y2"}, []string{"x1", "y2"}},
		{[]string{"x2", "y2"}, []string{"y2", "x2"}},
		{[]string{"y1"}, []string{"y1"}},
		{nil, nil},
		{[]string{"x1", "x2"}, []string{"x2"}},
	}
	for _, tt := range tests {
		got, err := g.Current(tt.rows)
		if err != nil || !slices.Equal(got, tt.want) && len(got)+len(tt.want) > 0 {
			t.Errorf("Current(%v) = %v, %v; want %v", tt.rows, got, err, tt.want)
		}
	}
	_, err := g.Current([]string{"y2", "dead"})
	wantErr[*ResolutionError](t, "unknown row", err, "No such revision or branch 'dead'")
	_, err = g.Current([]string{"y"}) // rows are exact ids, not labels
	wantErr[*ResolutionError](t, "label row", err, "")
}
