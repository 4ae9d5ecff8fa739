package schema

import (
	"maps"
	"slices"
)

// Equal reports whether s and o describe the same schema. Lists are
// compared in order, so both should be in canonical order ([Schema.Sort]);
// Inspect always returns them so. Type.Raw is ignored.
func (s *Schema) Equal(o *Schema) bool {
	if s == nil || o == nil {
		return s == o
	}
	return slices.Equal(s.Namespaces, o.Namespaces) &&
		slices.EqualFunc(s.Tables, o.Tables, (*Table).Equal) &&
		slices.EqualFunc(s.Enums, o.Enums, (*Enum).Equal)
}

// Equal reports whether t and o describe the same table.
func (t *Table) Equal(o *Table) bool {
	if t == nil || o == nil {
		return t == o
	}
	return t.Schema == o.Schema && t.Name == o.Name && t.Comment == o.Comment &&
		slices.EqualFunc(t.Columns, o.Columns, Column.Equal) &&
		t.PrimaryKey.Equal(o.PrimaryKey) &&
		slices.EqualFunc(t.Uniques, o.Uniques, Unique.Equal) &&
		slices.EqualFunc(t.Indexes, o.Indexes, Index.Equal) &&
		slices.EqualFunc(t.ForeignKeys, o.ForeignKeys, ForeignKey.Equal) &&
		slices.EqualFunc(t.Checks, o.Checks, Check.Equal) &&
		slices.Equal(t.Triggers, o.Triggers) &&
		t.Extra.Equal(o.Extra)
}

// Equal reports whether c and o describe the same column.
func (c Column) Equal(o Column) bool {
	return c.Name == o.Name && c.Type.Equal(o.Type) && c.Nullable == o.Nullable &&
		c.Default == o.Default && c.AutoIncrement == o.AutoIncrement &&
		ptrEqual(c.Identity, o.Identity) && ptrEqual(c.Generated, o.Generated) &&
		c.Collation == o.Collation && c.Comment == o.Comment && c.Extra.Equal(o.Extra)
}

// Equal reports whether t and o are the same type. Raw is ignored: servers
// of one dialect spell the same type differently (int vs int(11)).
func (t Type) Equal(o Type) bool {
	return t.Name == o.Name && t.Schema == o.Schema && t.UserDefined == o.UserDefined &&
		t.Length == o.Length && t.Precision == o.Precision && t.Scale == o.Scale &&
		t.Unsigned == o.Unsigned && t.Array == o.Array && slices.Equal(t.EnumValues, o.EnumValues)
}

// Equal reports whether p and o are the same primary key; two nil keys are
// equal.
func (p *PrimaryKey) Equal(o *PrimaryKey) bool {
	if p == nil || o == nil {
		return p == o
	}
	return p.Name == o.Name && slices.Equal(p.Columns, o.Columns)
}

// Equal reports whether u and o are the same unique constraint.
func (u Unique) Equal(o Unique) bool {
	return u.Name == o.Name && slices.Equal(u.Columns, o.Columns) && u.Extra.Equal(o.Extra)
}

// Equal reports whether x and o are the same index.
func (x Index) Equal(o Index) bool {
	return x.Name == o.Name && x.Unique == o.Unique && x.Where == o.Where &&
		x.Method == o.Method && x.Comment == o.Comment &&
		slices.EqualFunc(x.Parts, o.Parts, IndexPart.Equal) &&
		slices.Equal(x.Include, o.Include) && x.Extra.Equal(o.Extra)
}

// Equal reports whether p and o are the same key part.
func (p IndexPart) Equal(o IndexPart) bool {
	return p.Column == o.Column && p.Expr == o.Expr && p.Desc == o.Desc &&
		p.Collation == o.Collation && p.Prefix == o.Prefix && p.Extra.Equal(o.Extra)
}

// Equal reports whether f and o are the same foreign key.
func (f ForeignKey) Equal(o ForeignKey) bool {
	return f.Name == o.Name && slices.Equal(f.Columns, o.Columns) &&
		f.RefSchema == o.RefSchema && f.RefTable == o.RefTable &&
		slices.Equal(f.RefColumns, o.RefColumns) &&
		f.OnDelete == o.OnDelete && f.OnUpdate == o.OnUpdate &&
		f.Deferrable == o.Deferrable && f.InitiallyDeferred == o.InitiallyDeferred &&
		f.Extra.Equal(o.Extra)
}

// Equal reports whether c and o are the same check constraint.
func (c Check) Equal(o Check) bool {
	return c.Name == o.Name && c.Expr == o.Expr && c.Extra.Equal(o.Extra)
}

// Equal reports whether e and o are the same enum type.
func (e *Enum) Equal(o *Enum) bool {
	if e == nil || o == nil {
		return e == o
	}
	return e.Schema == o.Schema && e.Name == o.Name && slices.Equal(e.Values, o.Values)
}

// Equal reports whether a and o hold the same keys and values; nil and
// empty are equal.
func (a Attrs) Equal(o Attrs) bool { return maps.Equal(a, o) }

func ptrEqual[T comparable](a, b *T) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}
