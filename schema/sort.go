package schema

import (
	"cmp"
	"maps"
	"slices"
	"strings"
)

// Sort puts s in canonical order: namespaces, tables and enums by schema and
// name, and within each table everything but the columns (which keep table
// order) by name. Inspect returns sorted schemas; call Sort after building
// or changing one by hand, before Equal or String.
func (s *Schema) Sort() {
	slices.Sort(s.Namespaces)
	s.Namespaces = slices.Compact(s.Namespaces)
	slices.SortStableFunc(s.Tables, func(a, b *Table) int {
		return cmp.Or(cmp.Compare(a.Schema, b.Schema), cmp.Compare(a.Name, b.Name))
	})
	for _, t := range s.Tables {
		t.Sort()
	}
	slices.SortStableFunc(s.Enums, func(a, b *Enum) int {
		return cmp.Or(cmp.Compare(a.Schema, b.Schema), cmp.Compare(a.Name, b.Name))
	})
}

// Sort puts t's constraints, indexes and triggers in canonical order. The
// columns keep their order.
func (t *Table) Sort() {
	slices.SortStableFunc(t.Uniques, func(a, b Unique) int {
		return cmp.Or(cmp.Compare(a.Name, b.Name), compareStrings(a.Columns, b.Columns))
	})
	slices.SortStableFunc(t.Indexes, func(a, b Index) int {
		return cmp.Or(cmp.Compare(a.Name, b.Name), cmp.Compare(a.partsKey(), b.partsKey()))
	})
	slices.SortStableFunc(t.ForeignKeys, func(a, b ForeignKey) int {
		return cmp.Or(cmp.Compare(a.Name, b.Name), compareStrings(a.Columns, b.Columns),
			cmp.Compare(a.RefSchema, b.RefSchema), cmp.Compare(a.RefTable, b.RefTable),
			compareStrings(a.RefColumns, b.RefColumns))
	})
	slices.SortStableFunc(t.Checks, func(a, b Check) int {
		return cmp.Or(cmp.Compare(a.Name, b.Name), cmp.Compare(a.Expr, b.Expr))
	})
	slices.SortStableFunc(t.Triggers, func(a, b Trigger) int {
		return cmp.Or(cmp.Compare(a.Name, b.Name), cmp.Compare(a.SQL, b.SQL))
	})
}

func (x Index) partsKey() string {
	var b strings.Builder
	for _, p := range x.Parts {
		b.WriteString(p.Column)
		b.WriteByte(0)
		b.WriteString(p.Expr)
		b.WriteByte(0)
	}
	return b.String()
}

func compareStrings(a, b []string) int { return slices.Compare(a, b) }

// Clone returns a deep copy of s.
func (s *Schema) Clone() *Schema {
	if s == nil {
		return nil
	}
	c := &Schema{Namespaces: slices.Clone(s.Namespaces)}
	if s.Tables != nil {
		c.Tables = make([]*Table, len(s.Tables))
		for i, t := range s.Tables {
			c.Tables[i] = t.Clone()
		}
	}
	if s.Enums != nil {
		c.Enums = make([]*Enum, len(s.Enums))
		for i, e := range s.Enums {
			c.Enums[i] = e.Clone()
		}
	}
	return c
}

// Clone returns a deep copy of t.
func (t *Table) Clone() *Table {
	if t == nil {
		return nil
	}
	c := *t
	c.Columns = cloneEach(t.Columns, Column.Clone)
	if t.PrimaryKey != nil {
		pk := *t.PrimaryKey
		pk.Columns = slices.Clone(pk.Columns)
		c.PrimaryKey = &pk
	}
	c.Uniques = cloneEach(t.Uniques, func(u Unique) Unique {
		u.Columns = slices.Clone(u.Columns)
		u.Extra = maps.Clone(u.Extra)
		return u
	})
	c.Indexes = cloneEach(t.Indexes, Index.Clone)
	c.ForeignKeys = cloneEach(t.ForeignKeys, func(f ForeignKey) ForeignKey {
		f.Columns = slices.Clone(f.Columns)
		f.RefColumns = slices.Clone(f.RefColumns)
		f.Extra = maps.Clone(f.Extra)
		return f
	})
	c.Checks = cloneEach(t.Checks, func(k Check) Check {
		k.Extra = maps.Clone(k.Extra)
		return k
	})
	c.Triggers = slices.Clone(t.Triggers)
	c.Extra = maps.Clone(t.Extra)
	return &c
}

// Clone returns a deep copy of c.
func (c Column) Clone() Column {
	c.Type = c.Type.Clone()
	if c.Identity != nil {
		id := *c.Identity
		c.Identity = &id
	}
	if c.Generated != nil {
		g := *c.Generated
		c.Generated = &g
	}
	c.Extra = maps.Clone(c.Extra)
	return c
}

// Clone returns a deep copy of t.
func (t Type) Clone() Type {
	t.EnumValues = slices.Clone(t.EnumValues)
	return t
}

// Clone returns a deep copy of x.
func (x Index) Clone() Index {
	x.Parts = cloneEach(x.Parts, func(p IndexPart) IndexPart {
		p.Extra = maps.Clone(p.Extra)
		return p
	})
	x.Include = slices.Clone(x.Include)
	x.Extra = maps.Clone(x.Extra)
	return x
}

// Clone returns a deep copy of e.
func (e *Enum) Clone() *Enum {
	if e == nil {
		return nil
	}
	c := *e
	c.Values = slices.Clone(e.Values)
	return &c
}

func cloneEach[T any](s []T, f func(T) T) []T {
	if s == nil {
		return nil
	}
	out := make([]T, len(s))
	for i, v := range s {
		out[i] = f(v)
	}
	return out
}
