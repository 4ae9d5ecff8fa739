package op

import (
	"fmt"
	"slices"
	"strings"

	"github.com/retortdb/retort/schema"
)

// ChangeEnum changes the labels of the PostgreSQL enum type Enum from From
// to To.
//
// When To keeps From's labels in their order and only adds some
// (Additions), it is planned as ALTER TYPE … ADD VALUE. Otherwise (labels
// removed or reordered, which ALTER TYPE cannot do) the type is rebuilt:
// renamed out of the way, created again with To, each of Columns converted
// to it through text (its default dropped and set again), and the old type
// dropped. A row that holds a removed label makes the conversion fail, so
// no data is lost silently.
//
// Columns are all the columns of the type when the op runs (op.Apply
// checks it, in any order), so that the op and its reverse, a ChangeEnum from To to From,
// can convert them.
type ChangeEnum struct {
	Enum     TableRef // the type's schema and name
	From, To []string
	Columns  []EnumColumn
}

// EnumColumn is a column of an enum type: its table and full definition.
type EnumColumn struct {
	Table  TableRef
	Column schema.Column
}

func (o *ChangeEnum) Reverse() (Op, error) {
	return &ChangeEnum{Enum: o.Enum, From: slices.Clone(o.To), To: slices.Clone(o.From), Columns: cloneEnumColumns(o.Columns)}, nil
}

// Destructive reports whether labels go away: a row holding one makes the
// change fail.
func (o *ChangeEnum) Destructive() bool { return len(o.Removed()) > 0 }

func (o *ChangeEnum) String() string {
	return fmt.Sprintf("change enum %s %q to %q", o.Enum, o.From, o.To)
}

// Removed returns the labels of From that To lacks.
func (o *ChangeEnum) Removed() []string {
	var out []string
	for _, v := range o.From {
		if !slices.Contains(o.To, v) {
			out = append(out, v)
		}
	}
	return out
}

// Additions returns the AddEnumValue ops that turn From into To, and true,
// when To keeps From's labels in order and adds labels only; nil and false
// otherwise (the type needs a rebuild).
func (o *ChangeEnum) Additions() ([]*AddEnumValue, bool) {
	i := 0
	for _, v := range o.To {
		if i < len(o.From) && o.From[i] == v {
			i++
		}
	}
	if i != len(o.From) || len(o.To) < len(o.From) {
		return nil, false
	}
	var out []*AddEnumValue
	i = 0
	for j, v := range o.To {
		if i < len(o.From) && o.From[i] == v {
			i++
			continue
		}
		if slices.Contains(o.From, v) {
			return nil, false // moved, not added
		}
		a := &AddEnumValue{Enum: o.Enum, Value: v}
		if i < len(o.From) {
			a.Before = o.From[i]
		} else if j > 0 {
			a.After = o.To[j-1]
		}
		out = append(out, a)
	}
	return out, true
}

func cloneEnumColumns(cs []EnumColumn) []EnumColumn {
	out := make([]EnumColumn, len(cs))
	for i, c := range cs {
		out[i] = EnumColumn{Table: c.Table, Column: c.Column.Clone()}
	}
	return out
}

// EnumColumns returns the columns of s whose type is the enum e (arrays of
// it included), in table order.
func EnumColumns(s *schema.Schema, e TableRef) []EnumColumn {
	var out []EnumColumn
	for _, t := range s.Tables {
		for _, c := range t.Columns {
			if c.Type.UserDefined && c.Type.Schema == e.Schema && c.Type.Name == e.Name {
				out = append(out, EnumColumn{Table: Ref(t), Column: c.Clone()})
			}
		}
	}
	return out
}

func applyChangeEnum(s *schema.Schema, o *ChangeEnum) error {
	e := s.Enum(o.Enum.Schema, o.Enum.Name)
	if e == nil {
		return fmt.Errorf("no enum %s", o.Enum)
	}
	if !slices.Equal(e.Values, o.From) {
		return fmt.Errorf("enum %s has values %q, not %q", o.Enum, e.Values, o.From)
	}
	cols, want := EnumColumns(s, o.Enum), slices.Clone(o.Columns)
	byName := func(a, b EnumColumn) int {
		return strings.Compare(a.Table.String()+"\x00"+a.Column.Name, b.Table.String()+"\x00"+b.Column.Name)
	}
	slices.SortFunc(cols, byName)
	slices.SortFunc(want, byName)
	if !slices.EqualFunc(cols, want, func(a, b EnumColumn) bool { return a.Table == b.Table && a.Column.Equal(b.Column) }) {
		return fmt.Errorf("the columns of enum %s are %v, not %v", o.Enum, enumColumnNames(cols), enumColumnNames(o.Columns))
	}
	e.Values = slices.Clone(o.To)
	return nil
}

func enumColumnNames(cs []EnumColumn) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.Table.String() + "." + c.Column.Name
	}
	return out
}
