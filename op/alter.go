package op

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/retortdb/retort/schema"
)

// Alter is what AlterColumn changes, Alembic's alter_column arguments. A
// nil pointer or "" leaves that property alone; op.Bool and op.String (or
// new(false), new("0")) fill the pointers.
//
// The Existing fields describe the column before the change. Some
// databases restate the whole column to change any part of it (MySQL's
// MODIFY COLUMN, which would otherwise drop its default or NOT NULL), or
// need the old default to change a type (PostgreSQL). Online, missing
// hints are read from the live table; offline (--sql) retort cannot read
// it, and AlterColumn fails naming the hints the dialect needs, as Alembic
// needs existing_type on MySQL.
type Alter struct {
	// Type is the new type in SQL spelling (schema.ParseType).
	Type string
	// Nullable allows (true) or forbids (false) NULL.
	Nullable *bool
	// Default is the new server default, an SQL expression; "" drops it.
	Default *string
	// Comment is the new column comment; "" removes it.
	Comment *string
	// NewName renames the column, after the other changes.
	NewName string

	// ExistingType is the column's current type.
	ExistingType string
	// ExistingNullable is whether the column allows NULL now.
	ExistingNullable *bool
	// ExistingDefault is the current server default; "" for none.
	ExistingDefault *string
	// ExistingComment is the current comment; "" for none.
	ExistingComment *string
}

// AlterColumn changes a column's type, nullability, server default,
// comment or name (Alembic's op.alter_column). See Alter for the hints a
// dialect may need. SQLite cannot alter a column in place: use
// BatchAlterTable, which rebuilds the table.
func (o *Operations) AlterColumn(table, column string, a Alter) error {
	what := "alter column " + o.ref(table).String() + "." + column
	ops, err := o.alterOps(o.ref(table), column, a, nil, func() (*schema.Column, error) {
		t, err := o.liveTable(table)
		if err != nil {
			return nil, err
		}
		c := t.Column(column)
		if c == nil {
			return nil, fmt.Errorf("table %s has no column %s", o.ref(table), column)
		}
		return c, nil
	})
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return o.run(what, ops...)
}

// alterSpec is an Alter with its types parsed.
type alterSpec struct {
	typ, existingType *schema.Type
	a                 Alter
}

func parseAlter(a Alter) (alterSpec, error) {
	s := alterSpec{a: a}
	for _, p := range []struct {
		text string
		dst  **schema.Type
		name string
	}{{a.Type, &s.typ, "Type"}, {a.ExistingType, &s.existingType, "ExistingType"}} {
		if p.text == "" {
			continue
		}
		t, err := schema.ParseType(p.text)
		if err != nil {
			return s, fmt.Errorf("op.Alter's %s: %w", p.name, err)
		}
		*p.dst = &t
	}
	if s.typ == nil && a.Nullable == nil && a.Default == nil && a.Comment == nil && a.NewName == "" {
		return s, errors.New("nothing to change: set op.Alter's Type, Nullable, Default, Comment or NewName")
	}
	return s, nil
}

// apply returns c with the changes of s.
func (s alterSpec) apply(c schema.Column) schema.Column {
	c = c.Clone()
	if s.typ != nil {
		c.Type = *s.typ
	}
	if s.a.Nullable != nil {
		c.Nullable = *s.a.Nullable
	}
	if s.a.Default != nil {
		c.Default = *s.a.Default
	}
	if s.a.Comment != nil {
		c.Comment = *s.a.Comment
	}
	return c
}

// changes reports whether s changes anything but the name.
func (s alterSpec) changes() bool {
	return s.typ != nil || s.a.Nullable != nil || s.a.Default != nil || s.a.Comment != nil
}

// hint is one property of the existing column a plan may depend on.
type hint struct {
	field string // Alter's field name
	what  string // for messages
	known bool
	// set puts variant v (0 or 1) of an unknown value into the existing
	// column and, when the property does not change, the new one.
	set func(existing, next *schema.Column, v int)
}

// alterOps builds the ops of an Alter of column. existing is the column's
// full definition when the caller knows it (a batch's model); otherwise the
// hints that the dialect's plan depends on are required and, when missing,
// read with live (online) or reported (offline).
func (o *Operations) alterOps(r TableRef, column string, a Alter, existing *schema.Column, live func() (*schema.Column, error)) ([]Op, error) {
	s, err := parseAlter(a)
	if err != nil {
		return nil, err
	}
	var ops []Op
	if s.changes() {
		var old schema.Column
		if existing != nil {
			old = existing.Clone()
		} else if old, err = o.existingColumn(r, column, s, live); err != nil {
			return nil, err
		}
		ops = append(ops, &AlterColumn{Table: r, Existing: old, Column: s.apply(old)})
	}
	if a.NewName != "" && a.NewName != column {
		ops = append(ops, &RenameColumn{Table: r, From: column, To: a.NewName})
	}
	return ops, nil
}

// existingColumn works out the column before the change from the hints,
// asking the planner which unknown properties its SQL depends on.
func (o *Operations) existingColumn(r TableRef, column string, s alterSpec, live func() (*schema.Column, error)) (schema.Column, error) {
	base := schema.Column{Name: column}
	if s.existingType != nil {
		base.Type = *s.existingType
	}
	if s.a.ExistingNullable != nil {
		base.Nullable = *s.a.ExistingNullable
	}
	if s.a.ExistingDefault != nil {
		base.Default = *s.a.ExistingDefault
	}
	if s.a.ExistingComment != nil {
		base.Comment = *s.a.ExistingComment
	}
	probe := func(field string, v int) string { return fmt.Sprintf("retort_probe_%s_%d", field, v) }
	str := func(field string, cur func(*schema.Column) *string, changed *string) func(e, n *schema.Column, v int) {
		return func(e, n *schema.Column, v int) {
			val := "'" + probe(field, v) + "'"
			if v == 0 && (changed == nil || *changed != "") {
				val = "" // none, the commonest existing state
			}
			*cur(e) = val
			if changed == nil {
				*cur(n) = val
			}
		}
	}
	hints := []hint{
		{field: "ExistingType", what: "type", known: s.existingType != nil, set: func(e, n *schema.Column, v int) {
			e.Type = schema.Type{Name: probe("type", v)}
			if s.typ == nil {
				n.Type = e.Type
			}
		}},
		{field: "ExistingNullable", what: "nullability", known: s.a.ExistingNullable != nil, set: func(e, n *schema.Column, v int) {
			if s.a.Nullable != nil {
				// A change of nullability is stated whatever it was.
				e.Nullable = !*s.a.Nullable
				return
			}
			e.Nullable, n.Nullable = v == 1, v == 1
		}},
		{field: "ExistingDefault", what: "server default", known: s.a.ExistingDefault != nil,
			set: str("default", func(c *schema.Column) *string { return &c.Default }, s.a.Default)},
		{field: "ExistingComment", what: "comment", known: s.a.ExistingComment != nil,
			set: str("comment", func(c *schema.Column) *string { return &c.Comment }, s.a.Comment)},
	}
	build := func(variant map[int]int) (schema.Column, schema.Column) {
		e := base.Clone()
		n := s.apply(base)
		for i, h := range hints {
			if !h.known {
				h.set(&e, &n, variant[i])
			}
		}
		return e, n
	}
	plan := func(variant map[int]int) (string, error) {
		e, n := build(variant)
		stmts, err := o.b.Plan(&AlterColumn{Table: r, Existing: e, Column: n})
		if err != nil {
			return "", &alterPlanError{raw: err, err: o.rebuildAdvice(err)}
		}
		return strings.Join(stmts, ";\n"), nil
	}
	first, err := plan(nil)
	if err != nil {
		return schema.Column{}, err
	}
	var missing []hint
	for i, h := range hints {
		if h.known {
			continue
		}
		other, err := plan(map[int]int{i: 1})
		if err != nil {
			return schema.Column{}, err
		}
		if other != first {
			missing = append(missing, h)
		}
	}
	if len(missing) == 0 {
		e, _ := build(nil)
		return e, nil
	}
	if o.Offline() {
		fields := make([]string, len(missing))
		whats := make([]string, len(missing))
		for i, h := range missing {
			fields[i], whats[i] = h.field, h.what
		}
		return schema.Column{}, fmt.Errorf("offline (--sql) retort cannot read the column, and the %s change needs its existing %s: set op.Alter's %s (Alembic's existing_* arguments)",
			o.Dialect(), joinAnd(whats), joinAnd(fields))
	}
	c, err := live()
	if err != nil {
		return schema.Column{}, fmt.Errorf("reading the column's existing %s: %w", missing[0].what, err)
	}
	e := c.Clone()
	if s.existingType != nil {
		e.Type = *s.existingType
	}
	if s.a.ExistingNullable != nil {
		e.Nullable = *s.a.ExistingNullable
	}
	if s.a.ExistingDefault != nil {
		e.Default = *s.a.ExistingDefault
	}
	if s.a.ExistingComment != nil {
		e.Comment = *s.a.ExistingComment
	}
	return e, nil
}

// rebuildAdvice adds advice to a planner's refusal of an op when the
// dialect rebuilds tables instead (SQLite).
func (o *Operations) rebuildAdvice(err error) error {
	probe := &schema.Table{Name: "retort_probe", Columns: []schema.Column{{Name: "c", Type: schema.Type{Name: "integer"}}}}
	if _, rerr := o.b.Plan(&RebuildTable{From: probe, To: probe}); rerr == nil {
		return fmt.Errorf("%w; make this change inside o.BatchAlterTable, which rebuilds the table", err)
	}
	return err
}

func joinAnd(s []string) string {
	switch len(s) {
	case 0:
		return ""
	case 1:
		return s[0]
	}
	return strings.Join(s[:len(s)-1], ", ") + " and " + s[len(s)-1]
}

// renameIn replaces from by to in names.
func renameIn(names []string, from, to string) []string {
	out := slices.Clone(names)
	for i, n := range out {
		if n == from {
			out[i] = to
		}
	}
	return out
}

// alterPlanError is the planner's refusal of an AlterColumn, which a batch
// turns into a table rebuild.
type alterPlanError struct{ raw, err error }

// Error is the error with advice.
func (e *alterPlanError) Error() string { return e.err.Error() }

// Unwrap is the planner's error.
func (e *alterPlanError) Unwrap() error { return e.err }
