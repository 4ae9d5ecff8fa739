package autogen_test

import (
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/retortdb/retort/autogen"
	"github.com/retortdb/retort/dialect/postgres"
	"github.com/retortdb/retort/op"
	"github.com/retortdb/retort/schema"
)

func applyAll(t *testing.T, s *schema.Schema, ops []op.Op) *schema.Schema {
	t.Helper()
	s = s.Clone()
	if err := op.Apply(s, ops...); err != nil {
		t.Fatal(err)
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
		"add schema with a table referencing the default one": edit(func(s *schema.Schema) {
			s.Namespaces = []string{"app"}
			s.Tables = append(s.Tables, &schema.Table{Schema: "app", Name: "a", Columns: []schema.Column{col("id", "int", false), col("user_id", "int", true)},
				ForeignKeys: []schema.ForeignKey{{Name: "a_user", Columns: []string{"user_id"}, RefTable: "users", RefColumns: []string{"id"}}}})
			s.Enums = append(s.Enums, &schema.Enum{Schema: "app", Name: "mood", Values: []string{"x"}})
		}),
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
	a := &schema.Schema{Enums: []*schema.Enum{{Name: "mood", Values: []string{"sad", "happy"}}},
		Tables: []*schema.Table{{Name: "t", Columns: []schema.Column{{Name: "m", Type: schema.Type{Name: "mood", UserDefined: true}, Nullable: true, Default: "'sad'"}}}}}
	b := a.Clone()
	b.Enums[0].Values = []string{"meh", "sad", "ok", "happy", "joy"}
	ops, err := autogen.Diff(a, b, autogen.DiffOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got := applyAll(t, a, ops); !got.Equal(b) {
		t.Fatalf("upgrade: %s", schema.Diff(b, got))
	}
	// Labels added in place: one op, planned as ALTER TYPE … ADD VALUE.
	if len(ops) != 1 {
		t.Fatalf("ops = %v", ops)
	}
	if adds, ok := ops[0].(*op.ChangeEnum).Additions(); !ok || len(adds) != 3 {
		t.Fatalf("Additions = %v, %v", adds, ok)
	}
	// The downgrade removes them (a rebuild of the type).
	down, err := autogen.Downgrade(ops)
	if err != nil {
		t.Fatal(err)
	}
	if got := applyAll(t, b, down); !got.Equal(a) {
		t.Fatalf("downgrade: %s", schema.Diff(a, got))
	}
	if _, ok := down[0].(*op.ChangeEnum).Additions(); ok || !down[0].Destructive() {
		t.Fatalf("downgrade %v: not a rebuild", down)
	}
	// Removing, reordering and adding at once: labels added first, the
	// rebuild last, with the columns as they are then.
	c := a.Clone()
	c.Enums[0].Values = []string{"happy", "new"}
	c.Tables[0].Columns[0].Default = "'new'"
	ops, err = autogen.Diff(a, c, autogen.DiffOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, o := range ops {
		got = append(got, o.String())
	}
	if want := `change enum mood ["sad" "happy"] to ["sad" "happy" "new"]; alter column t.m [default]; change enum mood ["sad" "happy" "new"] to ["happy" "new"]`; strings.Join(got, "; ") != want {
		t.Fatalf("ops = %s\nwant %s", strings.Join(got, "; "), want)
	}
	if got := applyAll(t, a, ops); !got.Equal(c) {
		t.Fatalf("upgrade: %s", schema.Diff(c, got))
	}
	down, err = autogen.Downgrade(ops)
	if err != nil {
		t.Fatal(err)
	}
	if got := applyAll(t, c, down); !got.Equal(a) {
		t.Fatalf("downgrade: %s", schema.Diff(a, got))
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

// TestDiffPositionColumns: with PositionColumns, added columns name their
// place, dropped ones go from the last back and record theirs, so the
// downgrade restores the column order.
func TestDiffPositionColumns(t *testing.T) {
	a := edit(func(s *schema.Schema) {
		u := s.Table("", "users")
		u.Columns = append(u.Columns, col("x", "int", true), col("y", "int", true))
	})
	b := edit(func(s *schema.Schema) {
		u := s.Table("", "users") // id, email, bio
		u.Columns = []schema.Column{col("first", "int", true), col("id", "int", false), col("mid", "int", true), col("email", "text", false), col("last", "int", true)}
	})
	up, err := autogen.Diff(a, b, autogen.DiffOptions{PositionColumns: true})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, o := range up {
		switch o := o.(type) {
		case *op.AddColumn:
			got = append(got, "add "+o.Column.Name+" after "+o.After+" first "+strconv.FormatBool(o.First))
		case *op.DropColumn:
			got = append(got, "drop "+o.Column.Name+" after "+o.After+" first "+strconv.FormatBool(o.First))
		}
	}
	want := []string{"add first after  first true", "add mid after id first false", "add last after  first false",
		"drop y after  first false", "drop x after bio first false", "drop bio after email first false"}
	if !slices.Equal(got, want) {
		t.Errorf("got  %q\nwant %q", got, want)
	}
	if s := applyAll(t, a, up); !s.Equal(b) {
		t.Fatalf("upgrade:\n%s", schema.Diff(b, s))
	}
	down, err := autogen.Downgrade(up)
	if err != nil {
		t.Fatal(err)
	}
	if s := applyAll(t, b, down); !s.Equal(a) {
		t.Fatalf("downgrade:\n%s", schema.Diff(a, s))
	}
}

// TestDiffRecreateColumn: a column RecreateColumn names is dropped and
// added again, with the index on it; one whose downgrade is a recreate has
// its index dropped and added too.
func TestDiffRecreateColumn(t *testing.T) {
	gen := func(expr string) *schema.Generated { return &schema.Generated{Expr: expr, Stored: true} }
	a := edit(func(s *schema.Schema) {
		u := s.Table("", "users")
		g, h := col("g", "int", true), col("h", "int", true)
		g.Generated, h.Generated = gen("id * 2"), gen("id + 1")
		u.Columns = append(u.Columns, g, h)
		u.Indexes = []schema.Index{{Name: "users_g", Parts: []schema.IndexPart{{Expr: "g + 1"}}}, {Name: "users_h", Parts: []schema.IndexPart{{Column: "h"}}},
			{Name: "users_bio", Parts: []schema.IndexPart{{Column: "bio"}}}}
	})
	b := edit(func(s *schema.Schema) {
		u := s.Table("", "users")
		g, h := col("g", "int", true), col("h", "int", true)
		g.Generated = gen("id * 3")
		u.Columns = append(u.Columns, g, h)
		u.Indexes = []schema.Index{{Name: "users_g", Parts: []schema.IndexPart{{Expr: "g + 1"}}}, {Name: "users_h", Parts: []schema.IndexPart{{Column: "h"}}},
			{Name: "users_bio", Parts: []schema.IndexPart{{Column: "bio"}}}}
	})
	up, err := autogen.Diff(a, b, autogen.DiffOptions{RecreateColumn: postgres.Dialect{}.RecreatesColumn})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, o := range up {
		got = append(got, o.String())
	}
	want := []string{"drop index users_g on users", "drop index users_h on users", "drop column users.g", "add column users.g",
		"alter column users.h [generated]", "create index users_g on users", "create index users_h on users"}
	if !slices.Equal(got, want) {
		t.Errorf("got  %q\nwant %q", got, want)
	}
	if up[2].Destructive() {
		t.Error("dropping a generated column is destructive")
	}
}
