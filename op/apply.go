package op

import (
	"fmt"
	"slices"
	"strings"

	"github.com/retortdb/retort/schema"
)

// Apply performs ops, in order, on the model s, which it changes in place
// and leaves sorted ([schema.Schema.Sort]). It is the reference meaning of
// the ops: what a database that runs a dialect's plan of them must end up
// with, as its inspection.
//
// Apply fails, leaving s partly changed, on anything a database would
// refuse: a missing table, column, index, constraint or enum (or one that
// differs from the op's full definition, for the ops that carry one), a
// name that exists already, dropping a table another table's foreign key
// references or the key (primary, unique) a foreign key references, a foreign key to a missing table, a ChangeEnum whose Columns
// are not the type's columns, an AddColumn after a missing column, dropping
// a named schema that still holds a table or enum.
//
// AddColumn puts the column where its After or First says (at the end
// without them), as MySQL does; the diff sets them only for MySQL.
//
// Renames carry over to everything that names the renamed object, as the
// databases do: RenameTable to the foreign keys that reference the table,
// RenameColumn to the table's primary key, uniques, indexes, foreign keys
// (its own and those referencing it) and to the identifiers in its check,
// index, predicate and generation expressions (a bare or quoted identifier
// equal to the old name; string literals are left alone).
func Apply(s *schema.Schema, ops ...Op) error {
	for _, o := range ops {
		if err := applyOne(s, o); err != nil {
			return fmt.Errorf("%s: %w", o, err)
		}
		s.Sort()
	}
	return nil
}

func applyOne(s *schema.Schema, o Op) error {
	tbl := func(r TableRef) (*schema.Table, error) {
		if t := s.Table(r.Schema, r.Name); t != nil {
			return t, nil
		}
		return nil, fmt.Errorf("no table %s", r)
	}
	switch o := o.(type) {
	case *CreateTable:
		if s.Table(o.Table.Schema, o.Table.Name) != nil {
			return fmt.Errorf("table %s exists", Ref(o.Table))
		}
		// Inline foreign keys may reference tables that do not exist yet
		// (SQLite accepts that; see autogen's InlineForeignKeys).
		s.Tables = append(s.Tables, o.Table.Clone())
	case *DropTable:
		t, err := tbl(Ref(o.Table))
		if err != nil {
			return err
		}
		if !t.Equal(o.Table) {
			return fmt.Errorf("table %s differs from the op's definition:\n%s", Ref(t), schema.Diff(&schema.Schema{Tables: []*schema.Table{o.Table}}, &schema.Schema{Tables: []*schema.Table{t}}))
		}
		for _, other := range s.Tables {
			if other == t {
				continue
			}
			for _, fk := range other.ForeignKeys {
				if fk.RefSchema == t.Schema && fk.RefTable == t.Name {
					return fmt.Errorf("table %s is referenced by %s", Ref(t), Ref(other))
				}
			}
		}
		s.Tables = slices.DeleteFunc(s.Tables, func(x *schema.Table) bool { return x == t })
	case *RenameTable:
		t, err := tbl(o.Table)
		if err != nil {
			return err
		}
		if s.Table(o.Table.Schema, o.To) != nil {
			return fmt.Errorf("table %s exists", TableRef{o.Table.Schema, o.To})
		}
		for _, other := range s.Tables {
			for i, fk := range other.ForeignKeys {
				if fk.RefSchema == t.Schema && fk.RefTable == t.Name {
					other.ForeignKeys[i].RefTable = o.To
				}
			}
		}
		t.Name = o.To
	case *AddColumn:
		t, err := tbl(o.Table)
		if err != nil {
			return err
		}
		if t.Column(o.Column.Name) != nil {
			return fmt.Errorf("column %s exists", o.Column.Name)
		}
		at := len(t.Columns)
		switch {
		case o.First && o.After != "":
			return fmt.Errorf("column %s both first and after %s", o.Column.Name, o.After)
		case o.First:
			at = 0
		case o.After != "":
			i := slices.IndexFunc(t.Columns, func(c schema.Column) bool { return c.Name == o.After })
			if i < 0 {
				return fmt.Errorf("no column %s to add %s after", o.After, o.Column.Name)
			}
			at = i + 1
		}
		t.Columns = slices.Insert(t.Columns, at, o.Column.Clone())
	case *DropColumn:
		t, err := tbl(o.Table)
		if err != nil {
			return err
		}
		c := t.Column(o.Column.Name)
		if c == nil || !c.Equal(o.Column) {
			return fmt.Errorf("no column %s as the op describes it", o.Column.Name)
		}
		t.Columns = slices.DeleteFunc(t.Columns, func(c schema.Column) bool { return c.Name == o.Column.Name })
	case *AlterColumn:
		t, err := tbl(o.Table)
		if err != nil {
			return err
		}
		c := t.Column(o.Column.Name)
		if c == nil || !c.Equal(o.Existing) {
			return fmt.Errorf("no column %s as the op's Existing describes it", o.Column.Name)
		}
		*c = o.Column.Clone()
	case *RenameColumn:
		t, err := tbl(o.Table)
		if err != nil {
			return err
		}
		c := t.Column(o.From)
		if c == nil {
			return fmt.Errorf("no column %s", o.From)
		}
		if t.Column(o.To) != nil {
			return fmt.Errorf("column %s exists", o.To)
		}
		applyRenameColumn(s, t, o.From, o.To)
	case *SetTableComment:
		t, err := tbl(o.Table)
		if err != nil {
			return err
		}
		if t.Comment != o.Existing {
			return fmt.Errorf("comment is %q, not %q", t.Comment, o.Existing)
		}
		t.Comment = o.Comment
	case *AddPrimaryKey:
		t, err := tbl(o.Table)
		if err != nil {
			return err
		}
		if t.PrimaryKey != nil {
			return fmt.Errorf("table has a primary key")
		}
		pk := clonePK(o.PrimaryKey)
		t.PrimaryKey = &pk
	case *DropPrimaryKey:
		t, err := tbl(o.Table)
		if err != nil {
			return err
		}
		if !t.PrimaryKey.Equal(&o.PrimaryKey) {
			return fmt.Errorf("no primary key as the op describes it")
		}
		if err := keyInUse(s, t, o.PrimaryKey.Columns); err != nil {
			return err
		}
		t.PrimaryKey = nil
	case *CreateIndex:
		t, err := tbl(o.Table)
		if err != nil {
			return err
		}
		if t.Index(o.Index.Name) != nil {
			return fmt.Errorf("index %s exists", o.Index.Name)
		}
		t.Indexes = append(t.Indexes, o.Index.Clone())
	case *DropIndex:
		t, err := tbl(o.Table)
		if err != nil {
			return err
		}
		if cols, ok := o.Index.Columns(); ok && o.Index.Unique && o.Index.Where == "" {
			if err := keyInUse(s, t, cols); err != nil {
				return err
			}
		}
		return removeEqual(&t.Indexes, o.Index, "index "+o.Index.Name)
	case *AddUnique:
		t, err := tbl(o.Table)
		if err != nil {
			return err
		}
		if o.Unique.Name != "" && t.Unique(o.Unique.Name) != nil {
			return fmt.Errorf("unique %s exists", o.Unique.Name)
		}
		t.Uniques = append(t.Uniques, cloneUnique(o.Unique))
	case *DropUnique:
		t, err := tbl(o.Table)
		if err != nil {
			return err
		}
		if err := keyInUse(s, t, o.Unique.Columns); err != nil {
			return err
		}
		return removeEqual(&t.Uniques, o.Unique, "unique "+o.Unique.Name)
	case *AddCheck:
		t, err := tbl(o.Table)
		if err != nil {
			return err
		}
		if o.Check.Name != "" && t.Check(o.Check.Name) != nil {
			return fmt.Errorf("check %s exists", o.Check.Name)
		}
		t.Checks = append(t.Checks, cloneCheck(o.Check))
	case *DropCheck:
		t, err := tbl(o.Table)
		if err != nil {
			return err
		}
		return removeEqual(&t.Checks, o.Check, "check "+o.Check.Name)
	case *AddForeignKey:
		t, err := tbl(o.Table)
		if err != nil {
			return err
		}
		if s.Table(o.ForeignKey.RefSchema, o.ForeignKey.RefTable) == nil {
			return fmt.Errorf("foreign key references missing table %s", TableRef{o.ForeignKey.RefSchema, o.ForeignKey.RefTable})
		}
		if o.ForeignKey.Name != "" && t.ForeignKey(o.ForeignKey.Name) != nil {
			return fmt.Errorf("foreign key %s exists", o.ForeignKey.Name)
		}
		t.ForeignKeys = append(t.ForeignKeys, cloneFK(o.ForeignKey))
	case *DropForeignKey:
		t, err := tbl(o.Table)
		if err != nil {
			return err
		}
		return removeEqual(&t.ForeignKeys, o.ForeignKey, "foreign key "+o.ForeignKey.Name)
	case *RebuildTable:
		t, err := tbl(Ref(o.From))
		if err != nil {
			return err
		}
		if !t.Equal(o.From) {
			return fmt.Errorf("table %s differs from the rebuild's From", Ref(t))
		}
		if o.To.Schema != o.From.Schema || o.To.Name != o.From.Name {
			return fmt.Errorf("a rebuild cannot rename the table")
		}
		*t = *o.To.Clone()
	case *CreateSchema:
		if o.Name == "" || slices.Contains(s.Namespaces, o.Name) {
			return fmt.Errorf("schema %q exists", o.Name)
		}
		s.Namespaces = append(s.Namespaces, o.Name)
	case *DropSchema:
		if !slices.Contains(s.Namespaces, o.Name) {
			return fmt.Errorf("no schema %s", o.Name)
		}
		if slices.ContainsFunc(s.Tables, func(t *schema.Table) bool { return t.Schema == o.Name }) ||
			slices.ContainsFunc(s.Enums, func(e *schema.Enum) bool { return e.Schema == o.Name }) {
			return fmt.Errorf("schema %s is not empty", o.Name)
		}
		s.Namespaces = slices.DeleteFunc(s.Namespaces, func(n string) bool { return n == o.Name })
	case *CreateEnum:
		if s.Enum(o.Enum.Schema, o.Enum.Name) != nil {
			return fmt.Errorf("enum %s exists", o.Enum.QualifiedName())
		}
		s.Enums = append(s.Enums, o.Enum.Clone())
	case *DropEnum:
		e := s.Enum(o.Enum.Schema, o.Enum.Name)
		if e == nil || !e.Equal(o.Enum) {
			return fmt.Errorf("no enum %s as the op describes it", o.Enum.QualifiedName())
		}
		s.Enums = slices.DeleteFunc(s.Enums, func(x *schema.Enum) bool { return x == e })
	case *ChangeEnum:
		return applyChangeEnum(s, o)
	case *RenameConstraint:
		t, err := tbl(o.Table)
		if err != nil {
			return err
		}
		return applyRenameConstraint(t, o)
	case *AddEnumValue:
		e := s.Enum(o.Enum.Schema, o.Enum.Name)
		if e == nil {
			return fmt.Errorf("no enum %s", o.Enum)
		}
		if slices.Contains(e.Values, o.Value) {
			return fmt.Errorf("enum %s has value %q", o.Enum, o.Value)
		}
		switch {
		case o.Before != "":
			i := slices.Index(e.Values, o.Before)
			if i < 0 {
				return fmt.Errorf("enum %s has no value %q", o.Enum, o.Before)
			}
			e.Values = slices.Insert(e.Values, i, o.Value)
		case o.After != "":
			i := slices.Index(e.Values, o.After)
			if i < 0 {
				return fmt.Errorf("enum %s has no value %q", o.Enum, o.After)
			}
			e.Values = slices.Insert(e.Values, i+1, o.Value)
		default:
			e.Values = append(e.Values, o.Value)
		}
	default:
		return fmt.Errorf("op.Apply: unknown op %T", o)
	}
	return nil
}

// keyInUse fails when the key on cols of t (a primary key, unique
// constraint or unique index) is the only one on those columns and a
// foreign key references them: the database refuses to drop it.
func keyInUse(s *schema.Schema, t *schema.Table, cols []string) error {
	same := func(a []string) bool {
		return len(a) == len(cols) && !slices.ContainsFunc(a, func(c string) bool { return !slices.Contains(cols, c) })
	}
	keys := 0
	if t.PrimaryKey != nil && same(t.PrimaryKey.Columns) {
		keys++
	}
	for _, u := range t.Uniques {
		if same(u.Columns) {
			keys++
		}
	}
	for _, x := range t.Indexes {
		if c, ok := x.Columns(); ok && x.Unique && x.Where == "" && same(c) {
			keys++
		}
	}
	if keys > 1 {
		return nil
	}
	for _, o := range s.Tables {
		for _, fk := range o.ForeignKeys {
			if fk.RefSchema == t.Schema && fk.RefTable == t.Name && same(fk.RefColumns) {
				return fmt.Errorf("the key is referenced by foreign key %s of %s", fk.Name, Ref(o))
			}
		}
	}
	return nil
}

// removeEqual deletes the element of *list equal to x, or fails naming what.
func removeEqual[T interface{ Equal(T) bool }](list *[]T, x T, what string) error {
	i := slices.IndexFunc(*list, x.Equal)
	if i < 0 {
		return fmt.Errorf("no %s as the op describes it", what)
	}
	*list = slices.Delete(*list, i, i+1)
	return nil
}

// applyRenameColumn renames column from of t to to everywhere the model names
// it.
func applyRenameColumn(s *schema.Schema, t *schema.Table, from, to string) {
	ren := func(names []string) {
		for i, n := range names {
			if n == from {
				names[i] = to
			}
		}
	}
	t.Column(from).Name = to
	for i := range t.Columns {
		if g := t.Columns[i].Generated; g != nil {
			g2 := *g
			g2.Expr = RenameIdent(g.Expr, from, to)
			t.Columns[i].Generated = &g2
		}
	}
	if t.PrimaryKey != nil {
		ren(t.PrimaryKey.Columns)
	}
	for i := range t.Uniques {
		ren(t.Uniques[i].Columns)
	}
	for i := range t.Indexes {
		x := &t.Indexes[i]
		for j := range x.Parts {
			p := &x.Parts[j]
			if p.Column == from {
				p.Column = to
			}
			p.Expr = RenameIdent(p.Expr, from, to)
		}
		ren(x.Include)
		x.Where = RenameIdent(x.Where, from, to)
	}
	for i := range t.Checks {
		t.Checks[i].Expr = RenameIdent(t.Checks[i].Expr, from, to)
	}
	for i := range t.ForeignKeys {
		ren(t.ForeignKeys[i].Columns)
	}
	for _, other := range s.Tables {
		for i, fk := range other.ForeignKeys {
			if fk.RefSchema == t.Schema && fk.RefTable == t.Name {
				ren(other.ForeignKeys[i].RefColumns)
			}
		}
	}
}

// RenameIdent returns the SQL expression expr with every identifier equal
// to from, bare or quoted ("from", `from`), renamed to to. String literals
// ('…') are left alone. A bare or double-quoted identifier is written as
// PostgreSQL prints one: bare when to is a plain lower-case identifier and
// not a key word, double-quoted otherwise; a backquoted one stays
// backquoted (MySQL).
func RenameIdent(expr, from, to string) string {
	if expr == "" || !strings.Contains(expr, from) {
		return expr
	}
	var b strings.Builder
	for i := 0; i < len(expr); {
		c := expr[i]
		switch {
		case c == '\'':
			j := i + 1
			for j < len(expr) {
				if expr[j] == '\'' {
					if j+1 < len(expr) && expr[j+1] == '\'' {
						j += 2
						continue
					}
					break
				}
				j++
			}
			j = min(j+1, len(expr))
			b.WriteString(expr[i:j])
			i = j
		case c == '"' || c == '`':
			j := strings.IndexByte(expr[i+1:], c)
			if j < 0 {
				b.WriteString(expr[i:])
				return b.String()
			}
			name := expr[i+1 : i+1+j]
			switch {
			case name != from:
				b.WriteString(expr[i : i+j+2])
			case c == '"' && plainIdentifier(to):
				b.WriteString(to) // quoted only where needed, as PostgreSQL prints
			default:
				b.WriteByte(c)
				b.WriteString(to)
				b.WriteByte(c)
			}
			i += j + 2
		case identStartByte(c):
			j := i + 1
			for j < len(expr) && identByte(expr[j]) {
				j++
			}
			word := expr[i:j]
			if word == from {
				if plainIdentifier(to) {
					word = to
				} else {
					word = `"` + strings.ReplaceAll(to, `"`, `""`) + `"`
				}
			}
			b.WriteString(word)
			i = j
		default:
			b.WriteByte(c)
			i++
		}
	}
	return b.String()
}

func identStartByte(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80
}

func identByte(c byte) bool { return identStartByte(c) || c == '$' || c >= '0' && c <= '9' }

// reservedWords are SQL key words that a bare identifier cannot be (the
// common ones; a rename to another is quoted needlessly at worst).
var reservedWords = map[string]bool{
	"all": true, "and": true, "any": true, "as": true, "asc": true, "between": true, "by": true, "case": true,
	"check": true, "column": true, "constraint": true, "create": true, "default": true, "desc": true,
	"distinct": true, "else": true, "end": true, "false": true, "for": true, "foreign": true, "from": true,
	"group": true, "having": true, "in": true, "index": true, "into": true, "is": true, "join": true, "key": true,
	"like": true, "limit": true, "not": true, "null": true, "on": true, "or": true, "order": true,
	"primary": true, "references": true, "select": true, "table": true, "then": true, "to": true, "true": true,
	"union": true, "unique": true, "user": true, "using": true, "when": true, "where": true, "with": true,
}

func plainIdentifier(s string) bool {
	if s == "" || !identStartByte(s[0]) || reservedWords[s] {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !identByte(s[i]) || s[i] >= 'A' && s[i] <= 'Z' {
			return false
		}
	}
	return true
}
