package retort

import (
	"context"
	"fmt"
	"strings"

	"github.com/retortdb/retort/dialect"
	"github.com/retortdb/retort/schema"
)

// snapshot is a scratch database's schema, without retort's own tables.
type snapshot struct{ s *schema.Schema }

// snapshot introspects db with the dialect's Inspector: every schema but
// the system ones, so a downgrade that forgets a schema, an enum type or an
// index is seen.
func (t *tester) snapshot(ctx context.Context, db *scratchDB) (*snapshot, error) {
	return t.snapshotWith(ctx, db, t.inspectOptions())
}

func (t *tester) snapshotWith(ctx context.Context, db *scratchDB, opts dialect.InspectOptions) (*snapshot, error) {
	in, ok := t.d.(dialect.Inspector)
	if !ok {
		return nil, fmt.Errorf("retort test: the %s dialect cannot inspect a database's schema", t.d.Name())
	}
	s, err := in.Inspect(ctx, db.conn, opts)
	if err != nil {
		return nil, fmt.Errorf("inspect the schema of %s: %w", db.name, err)
	}
	return &snapshot{s: s}, nil
}

func (t *tester) inspectOptions() dialect.InspectOptions {
	return dialect.InspectOptions{Schemas: []string{"*"}, VersionTable: t.vt(), HistoryTable: t.ht()}
}

// diff describes how got differs from s, one line per object: "- " for
// what only s has, "+ " for what only got has; nil when the schemas are
// Equal.
func (s *snapshot) diff(got *snapshot) []string {
	if s.s.Equal(got.s) {
		return nil
	}
	return describeDiff(s.s, got.s)
}

func describeDiff(a, b *schema.Schema) []string {
	var out []string
	lineDiff := func(prefix string, x, y []string) {
		inY := map[string]int{}
		for _, l := range y {
			inY[l]++
		}
		inX := map[string]int{}
		for _, l := range x {
			inX[l]++
		}
		for _, l := range x {
			if inY[l] == 0 {
				out = append(out, "- "+prefix+l)
			} else {
				inY[l]--
			}
		}
		for _, l := range y {
			if inX[l] == 0 {
				out = append(out, "+ "+prefix+l)
			} else {
				inX[l]--
			}
		}
	}
	lineDiff("schema ", a.Namespaces, b.Namespaces)
	enumLines := func(s *schema.Schema) []string {
		var l []string
		for _, e := range s.Enums {
			l = append(l, e.String())
		}
		return l
	}
	lineDiff("", enumLines(a), enumLines(b))
	for _, ta := range a.Tables {
		tb := b.Table(ta.Schema, ta.Name)
		switch {
		case tb == nil:
			out = append(out, "- table "+ta.QualifiedName())
		case !ta.Equal(tb):
			before := len(out)
			la, lb := tableLines(ta), tableLines(tb)
			lineDiff("table "+ta.QualifiedName()+": ", la, lb)
			if len(out) == before {
				// Same parts in another order (columns).
				out = append(out, "- table "+ta.QualifiedName()+": "+strings.Join(la, "; "),
					"+ table "+ta.QualifiedName()+": "+strings.Join(lb, "; "))
			}
		}
	}
	for _, tb := range b.Tables {
		if a.Table(tb.Schema, tb.Name) == nil {
			out = append(out, "+ table "+tb.QualifiedName())
		}
	}
	if len(out) == 0 {
		out = diffLines(schema.Diff(a, b))
	}
	return out
}

// tableLines are the parts of a table as the model prints them: its own
// line, then one per column, key, index, constraint and trigger.
func tableLines(t *schema.Table) []string {
	lines := strings.Split(strings.TrimRight(t.String(), "\n"), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimSpace(l)
	}
	if len(lines) > 0 && lines[0] == "table "+t.QualifiedName() {
		lines = lines[1:] // the bare name says nothing
	}
	return lines
}

func diffLines(d string) []string {
	var out []string
	for _, l := range strings.Split(strings.TrimRight(d, "\n"), "\n") {
		if strings.TrimSpace(l) != "" {
			out = append(out, strings.TrimRight(l, " "))
		}
	}
	if len(out) == 0 {
		out = []string{"(the schemas differ in a way their text forms do not show)"}
	}
	return out
}

// tableNames lists the tables (and enum types) of the snapshot.
func (s *snapshot) tableNames() []string {
	var out []string
	for _, tb := range s.s.Tables {
		out = append(out, tb.QualifiedName())
	}
	for _, e := range s.s.Enums {
		out = append(out, "type "+e.QualifiedName())
	}
	return out
}
