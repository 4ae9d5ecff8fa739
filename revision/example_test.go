package revision_test

import (
	"errors"
	"fmt"

	"github.com/retortdb/retort/revision"
)

func ExampleNewGraph() {
	g, err := revision.NewGraph([]revision.Revision{
		{ID: "a"},
		{ID: "b", Down: []string{"a"}},
		{ID: "c1", Down: []string{"b"}, BranchLabels: []string{"feature"}},
		{ID: "c2", Down: []string{"b"}},
	})
	if err != nil {
		panic(err)
	}
	fmt.Println(g.Heads())
	_, err = g.Resolve("head")
	var mh *revision.MultipleHeadsError
	fmt.Println(errors.As(err, &mh), mh.Heads)
	ids, _ := g.Resolve("feature@head")
	fmt.Println(ids)
	// Output:
	// [c1 c2]
	// true [c1 c2]
	// [c1]
}

func ExampleGraph_PlanUpgrade() {
	g, _ := revision.NewGraph([]revision.Revision{
		{ID: "a"},
		{ID: "b", Down: []string{"a"}},
		{ID: "c1", Down: []string{"b"}},
		{ID: "c2", Down: []string{"b"}},
		{ID: "d", Down: []string{"c1", "c2"}},
	})
	steps, _ := g.PlanUpgrade("heads", []string{"a"})
	for _, s := range steps {
		fmt.Println(s.From, "->", s.To, s.Writes, s.HeadsAfter)
	}
	// Output:
	// [a] -> [b] [update a->b] [b]
	// [b] -> [c2] [update b->c2] [c2]
	// [b] -> [c1] [insert c1] [c1 c2]
	// [c1 c2] -> [d] [delete c2 update c1->d] [d]
}

func ExampleGraph_PlanDowngrade() {
	g, _ := revision.NewGraph([]revision.Revision{
		{ID: "a"},
		{ID: "b1", Down: []string{"a"}},
		{ID: "b2", Down: []string{"a"}},
	})
	rows := []string{"b2", "b1"} // as the database returned them
	steps, err := g.PlanDowngrade("-1", rows)
	fmt.Println(len(steps), steps[0].Revision.ID, steps[0].Writes, err)
	fmt.Println(g.DowngradeWarnings("-1", rows))
	_, err = g.PlanDowngrade("zzzz", rows)
	fmt.Println(err.(revision.CLIError).CLIMessage())
	fmt.Println(err)
	// Output:
	// 1 b2 [delete b2] <nil>
	// [downgrade -1 from multiple heads is ambiguous; this usage will be disallowed in a future release.]
	// Can't locate revision identified by 'zzzz'
	// No such revision or branch 'zzzz'
}
