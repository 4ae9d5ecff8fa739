package revision

import (
	"errors"
	"slices"
	"testing"
)

func TestApplied(t *testing.T) {
	g, err := NewGraph([]Revision{
		{ID: "a"}, {ID: "b", Down: []string{"a"}},
		{ID: "x"}, {ID: "c", Down: []string{"b"}, DependsOn: []string{"x"}},
		{ID: "d", Down: []string{"b"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		rows []string
		want []string
	}{
		{nil, nil},
		{[]string{"b"}, []string{"a", "b"}},
		{[]string{"c"}, []string{"a", "b", "x", "c"}}, // dependencies count
		{[]string{"c", "d"}, []string{"a", "b", "x", "c", "d"}},
	}
	for _, c := range cases {
		got, err := g.Applied(c.rows)
		if err != nil || !slices.Equal(got, c.want) {
			t.Errorf("Applied(%v) = %v, %v; want %v", c.rows, got, err, c.want)
		}
	}
	var re *ResolutionError
	if _, err := g.Applied([]string{"zz"}); !errors.As(err, &re) || re.Arg != "zz" {
		t.Errorf("unknown row: %v", err)
	}
}
