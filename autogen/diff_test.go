package autogen_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/retortdb/retort/autogen"
	"github.com/retortdb/retort/op"
	"github.com/retortdb/retort/schema"
)

// apply performs o on s in memory, failing on anything a database would
// refuse (missing objects, existing names, dropping a referenced table).
func apply(s *schema.Schema, o op.Op) error {
	tbl := func(r op.TableRef) (*schema.Table, error) {
		if t := s.Table(r.Schema, r.Name); t != nil {
			return t, nil
		}
		return nil, fmt.Errorf("no table %s", r)
	}
	switch o := o.(type) {
	case *op.CreateTable:
		if s.Table(o.Table.Schema, o.Table.Name) != nil {
			return fmt.Errorf("table %s exists", o.Table.Name)
		}
		s.Tables = append(s.Tables, o.Table.Clone())
	case *op.DropTable:
		for _, t := range s.Tables {
			for _, fk := range t.ForeignKeys {
				if fk.RefSchema == o.Table.Schema && fk.RefTable == o.Table.Name {
					return fmt.Errorf("table %s is referenced by %s", o.Table.Name, t.Name)
				}
			}
		}
		n := len(s.Tables)
		s.Tables = slices.DeleteFunc(s.Tables, func(t *schema.Table) bool { return t.Schema == o.Table.Schema && t.Name == o.Table.Name })
		if len(s.Tables) == n {
			return fmt.Errorf("no table %s", o.Table.Name)
		}
	case *op.AddColumn:
		t, err := tbl(o.Table)
		if err != nil {
			return err
		}
		t.Columns = append(t.Columns, o.Column.Clone())
	case *op.DropColumn:
		t, err := tbl(o.Table)
		if err != nil {
			return err
		}
		t.Columns = slices.DeleteFunc(t.Columns, func(c schema.Column) bool { return c.Name == o.Column.Name })
	case *op.AlterColumn:
		t, err := tbl(o.Table)
		if err != nil {
			return err
		}
		c := t.Column(o.Column.Name)
		if c == nil || !c.Equal(o.Existing) {
			return fmt.Errorf("column %s is not as expected", o.Column.Name)
		}
		*c = o.Column.Clone()
	case *op.SetTableComment:
		t, err := tbl(o.Table)
		if err != nil {
			return err
		}
		t.Comment = o.Comment
	case *op.AddPrimaryKey:
		t, err := tbl(o.Table)
		if err != nil {
			return err
		}
		pk := o.PrimaryKey
		t.PrimaryKey = &pk
	case *op.DropPrimaryKey:
		t, err := tbl(o.Table)
		if err != nil {
			return err
		}
		t.PrimaryKey = nil
	case *op.CreateIndex:
		t, err := tbl(o.Table)
		if err != nil {
			return err
		}
		t.Indexes = append(t.Indexes, o.Index.Clone())
	case *op.DropIndex:
		t, err := tbl(o.Table)
		if err != nil {
			return err
		}
		t.Indexes = slices.DeleteFunc(t.Indexes, o.Index.Equal)
	case *op.AddUnique:
		t, err := tbl(o.Table)
		if err != nil {
			return err
		}
		t.Uniques = append(t.Uniques, o.Unique)
	case *op.DropUnique:
		t, err := tbl(o.Table)
		if err != nil {
			return err
		}
		t.Uniques = slices.DeleteFunc(t.Uniques, o.Unique.Equal)
	case *op.AddCheck:
		t, err := tbl(o.Table)
		if err != nil {
			return err
		}
		t.Checks = append(t.Checks, o.Check)
	case *op.DropCheck:
		t, err := tbl(o.Table)
		if err != nil {
			return err
		}
		t.Checks = slices.DeleteFunc(t.Checks, o.Check.Equal)
	case *op.AddForeignKey:
		t, err := tbl(o.Table)
		if err != nil {
			return err
		}
		if s.Table(o.ForeignKey.RefSchema, o.ForeignKey.RefTable) == nil {
			return fmt.Errorf("foreign key references missing table %s", o.ForeignKey.RefTable)
		}
		t.ForeignKeys = append(t.ForeignKeys, o.ForeignKey)
	case *op.DropForeignKey:
		t, err := tbl(o.Table)
		if err != nil {
			return err
		}
		t.ForeignKeys = slices.DeleteFunc(t.ForeignKeys, o.ForeignKey.Equal)
	case *op.CreateEnum:
		s.Enums = append(s.Enums, o.Enum.Clone())
	case *op.DropEnum:
		s.Enums = slices.DeleteFunc(s.Enums, func(e *schema.Enum) bool { return e.Schema == o.Enum.Schema && e.Name == o.Enum.Name })
	case *op.AddEnumValue:
		e := s.Enum(o.Enum.Schema, o.Enum.Name)
		if e == nil {
			return fmt.Errorf("no enum %s", o.Enum)
		}
		switch {
		case o.Before != "":
			i := slices.Index(e.Values, o.Before)
			e.Values = slices.Insert(e.Values, i, o.Value)
		case o.After != "":
			i := slices.Index(e.Values, o.After)
			e.Values = slices.Insert(e.Values, i+1, o.Value)
		default:
			e.Values = append(e.Values, o.Value)
		}
	default:
		return fmt.Errorf("apply: unhandled %T", o)
	}
	s.Sort()
	return nil
}

func applyAll(t *testing.T, s *schema.Schema, ops []op.Op) *schema.Schema {
	t.Helper()
	s = s.Clone()
	for _, o := range ops {
		if err := apply(s, o); err != nil {
			t.Fatalf("%s: %v", o, err)
		}
	}
	return s
}

func col(name, typ string, nullable bool) schema.Column {
	return schema.Column{Name: name, Type: schema.Type{Name: typ}, Nullable: nullable}
}

func diffBase() *schema.Schema {
	s := &schema.Schema{
		Tables: []*schema.Table{
			{
				Name:       "users",
				Columns:    []schema.Column{col("id", "int", false), col("email", "text", false), col("bio", "text", true)},
				PrimaryKey: &schema.PrimaryKey{Name: "users_pkey", Columns: []string{"id"}},
				Uniques:    []schema.Unique{{Name: "users_email_key", Columns: []string{"email"}}},
			},
			{
				Name:        "posts",
				Columns:     []schema.Column{col("id", "int", false), col("user_id", "int", false), col("title", "text", true)},
				PrimaryKey:  &schema.PrimaryKey{Name: "posts_pkey", Columns: []string{"id"}},
				Indexes:     []schema.Index{{Name: "posts_title_idx", Parts: []schema.IndexPart{{Column: "title"}}}},
				ForeignKeys: []schema.ForeignKey{{Name: "posts_user_fk", Columns: []string{"user_id"}, RefTable: "users", RefColumns: []string{"id"}}},
				Checks:      []schema.Check{{Name: "posts_id_pos", Expr: "id > 0"}},
			},
		},
		Enums: []*schema.Enum{{Name: "mood", Values: []string{"sad", "happy"}}},
	}
	s.Sort()
	return s
}

func edit(f func(s *schema.Schema)) *schema.Schema {
	s := diffBase()
	f(s)
	s.Sort()
	return s
}

func TestDiffRoundTrip(t *testing.T) {
	cases := map[string]*schema.Schema{
		"empty to base": nil,
		"add table with cyclic fks": edit(func(s *schema.Schema) {
			s.Tables = append(s.Tables,
				&schema.Table{Name: "a", Columns: []schema.Column{col("id", "int", false), col("b_id", "int", true)},
					ForeignKeys: []schema.ForeignKey{{Name: "a_b", Columns: []string{"b_id"}, RefTable: "b", RefColumns: []string{"id"}}}},
				&schema.Table{Name: "b", Columns: []schema.Column{col("id", "int", false), col("a_id", "int", true)},
					ForeignKeys: []schema.ForeignKey{{Name: "b_a", Columns: []string{"a_id"}, RefTable: "a", RefColumns: []string{"id"}}}})
		}),
		"drop referenced table": edit(func(s *schema.Schema) {
			s.Tables = slices.DeleteFunc(s.Tables, func(t *schema.Table) bool { return t.Name == "users" })
			s.Table("", "posts").ForeignKeys = nil
		}),
		"drop both tables": edit(func(s *schema.Schema) { s.Tables = nil }),
		"add column": edit(func(s *schema.Schema) {
			s.Table("", "users").Columns = append(s.Table("", "users").Columns, col("age", "int", true))
		}),
		"drop column": edit(func(s *schema.Schema) {
			u := s.Table("", "users")
			u.Columns = u.Columns[:2]
		}),
		"alter column": edit(func(s *schema.Schema) {
			c := s.Table("", "users").Column("bio")
			c.Type = schema.Type{Name: "varchar", Length: 200}
			c.Nullable = false
			c.Default = "''"
			c.Comment = "about"
		}),
		"index, unique, check, fk changes": edit(func(s *schema.Schema) {
			p := s.Table("", "posts")
			p.Indexes[0].Unique = true
			p.Indexes = append(p.Indexes, schema.Index{Name: "posts_expr", Parts: []schema.IndexPart{{Expr: "lower(title)"}}})
			p.ForeignKeys[0].OnDelete = "CASCADE"
			p.Checks = nil
			p.Uniques = []schema.Unique{{Name: "posts_u", Columns: []string{"user_id", "title"}}}
			s.Table("", "users").Uniques = nil
		}),
		"primary key change": edit(func(s *schema.Schema) {
			s.Table("", "posts").PrimaryKey = &schema.PrimaryKey{Name: "posts_pkey", Columns: []string{"id", "user_id"}}
		}),
		"table comment": edit(func(s *schema.Schema) { s.Table("", "users").Comment = "people" }),
		"create and drop enums": edit(func(s *schema.Schema) {
			s.Enums = []*schema.Enum{{Name: "color", Values: []string{"red"}}}
		}),
		"everything at once": edit(func(s *schema.Schema) {
			s.Tables = slices.DeleteFunc(s.Tables, func(t *schema.Table) bool { return t.Name == "users" })
			p := s.Table("", "posts")
			p.ForeignKeys = []schema.ForeignKey{{Name: "posts_author", Columns: []string{"user_id"}, RefTable: "authors", RefColumns: []string{"id"}}}
			p.Columns = append(p.Columns[:2], col("body", "text", true))
			s.Tables = append(s.Tables, &schema.Table{Name: "authors", Columns: []schema.Column{col("id", "int", false)},
				PrimaryKey: &schema.PrimaryKey{Columns: []string{"id"}}, Indexes: []schema.Index{{Name: "x", Parts: []schema.IndexPart{{Column: "id", Desc: true}}}}})
		}),
	}
	for name, b := range cases {
		t.Run(name, func(t *testing.T) {
			a := diffBase()
			if b == nil {
				a, b = &schema.Schema{}, diffBase()
			}
			up, err := autogen.Diff(a, b, autogen.DiffOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if len(up) == 0 {
				t.Fatal("no ops")
			}
			if got := applyAll(t, a, up); !got.Equal(b) {
				t.Fatalf("upgrade does not reach B:\n%s\nops: %v", schema.Diff(b, got), up)
			}
			down, err := autogen.Downgrade(up)
			if err != nil {
				t.Fatal(err)
			}
			if got := applyAll(t, b, down); !got.Equal(a) {
				t.Fatalf("downgrade does not reach A:\n%s\nops: %v", schema.Diff(a, got), down)
			}
			for _, s := range []*schema.Schema{a, b} {
				if ops, err := autogen.Diff(s, s.Clone(), autogen.DiffOptions{}); err != nil || len(ops) != 0 {
					t.Fatalf("Diff(X, X) = %v, %v", ops, err)
				}
			}
		})
	}
}

func TestDiffOrder(t *testing.T) {
	// Dropping users (referenced by posts) and posts' fk: the fk drop comes
	// first, creating a table comes before the fk that references it.
	b := edit(func(s *schema.Schema) {
		s.Tables = append(s.Tables, &schema.Table{Name: "tags", Columns: []schema.Column{col("id", "int", false), col("post_id", "int", false)},
			ForeignKeys: []schema.ForeignKey{{Name: "tags_post", Columns: []string{"post_id"}, RefTable: "posts", RefColumns: []string{"id"}}}})
	})
	ops, err := autogen.Diff(diffBase(), b, autogen.DiffOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, o := range ops {
		got = append(got, o.String())
	}
	want := "create table tags; add foreign key tags_post [post_id] on tags"
	if strings.Join(got, "; ") != want {
		t.Fatalf("ops = %q, want %q", strings.Join(got, "; "), want)
	}
}

func TestDiffEnumValues(t *testing.T) {
	a := &schema.Schema{Enums: []*schema.Enum{{Name: "mood", Values: []string{"sad", "happy"}}}}
	b := &schema.Schema{Enums: []*schema.Enum{{Name: "mood", Values: []string{"meh", "sad", "ok", "happy", "joy"}}}}
	ops, err := autogen.Diff(a, b, autogen.DiffOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got := applyAll(t, a, ops); !got.Equal(b) {
		t.Fatalf("upgrade: %s", schema.Diff(b, got))
	}
	if len(ops) != 3 {
		t.Fatalf("ops = %v", ops)
	}
	if _, err := autogen.Downgrade(ops); err == nil || !strings.Contains(err.Error(), "cannot remove a value") {
		t.Fatalf("Downgrade err = %v", err)
	}
	// Removing or reordering labels is refused.
	if _, err := autogen.Diff(b, a, autogen.DiffOptions{}); err == nil {
		t.Fatal("Diff removing enum labels: no error")
	}
}

func TestDiffRebuildTables(t *testing.T) {
	opts := autogen.DiffOptions{InlineForeignKeys: true, RebuildTables: true}
	for _, tc := range []struct {
		name    string
		b       *schema.Schema
		rebuild bool
	}{
		{"add nullable column", edit(func(s *schema.Schema) {
			s.Table("", "users").Columns = append(s.Table("", "users").Columns, col("age", "int", true))
		}), false},
		{"add index", edit(func(s *schema.Schema) {
			s.Table("", "users").Indexes = []schema.Index{{Name: "ix", Parts: []schema.IndexPart{{Column: "bio"}}}}
		}), false},
		{"add not null column", edit(func(s *schema.Schema) {
			s.Table("", "users").Columns = append(s.Table("", "users").Columns, col("age", "int", false))
		}), true},
		{"alter column", edit(func(s *schema.Schema) { s.Table("", "users").Column("bio").Nullable = false }), true},
		{"drop fk", edit(func(s *schema.Schema) { s.Table("", "posts").ForeignKeys = nil }), true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ops, err := autogen.Diff(diffBase(), tc.b, opts)
			if err != nil {
				t.Fatal(err)
			}
			var rebuilt bool
			for _, o := range ops {
				if _, ok := o.(*op.RebuildTable); ok {
					rebuilt = true
					if len(ops) != 1 {
						t.Fatalf("rebuild with other ops: %v", ops)
					}
				}
			}
			if rebuilt != tc.rebuild {
				t.Fatalf("ops = %v, want rebuild %v", ops, tc.rebuild)
			}
		})
	}
}
