package op_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/retortdb/retort/op"
	"github.com/retortdb/retort/schema"
)

func applyBase() *schema.Schema {
	s := &schema.Schema{
		Enums: []*schema.Enum{{Name: "mood", Values: []string{"sad", "happy"}}},
		Tables: []*schema.Table{
			{Name: "users", Columns: []schema.Column{{Name: "id", Type: schema.Type{Name: "int"}}, {Name: "m", Type: schema.Type{Name: "mood", UserDefined: true}, Nullable: true}},
				PrimaryKey: &schema.PrimaryKey{Name: "users_pkey", Columns: []string{"id"}}},
			{Name: "posts", Columns: []schema.Column{{Name: "id", Type: schema.Type{Name: "int"}}, {Name: "user_id", Type: schema.Type{Name: "int"}, Nullable: true}},
				Indexes:     []schema.Index{{Name: "posts_user", Parts: []schema.IndexPart{{Column: "user_id"}}, Where: "user_id > 0"}},
				Checks:      []schema.Check{{Name: "posts_ck", Expr: "user_id <> id"}},
				ForeignKeys: []schema.ForeignKey{{Name: "posts_user_fk", Columns: []string{"user_id"}, RefTable: "users", RefColumns: []string{"id"}}}},
		},
	}
	s.Sort()
	return s
}

func TestApplyRenames(t *testing.T) {
	s := applyBase()
	err := op.Apply(s,
		&op.RenameTable{Table: op.TableRef{Name: "users"}, To: "people"},
		&op.RenameColumn{Table: op.TableRef{Name: "people"}, From: "id", To: "pid"},
		&op.RenameColumn{Table: op.TableRef{Name: "posts"}, From: "user_id", To: "author"},
		&op.RenameConstraint{Table: op.TableRef{Name: "people"}, Kind: op.RenamesPrimaryKey, From: "users_pkey", To: "people_pkey"},
		&op.RenameConstraint{Table: op.TableRef{Name: "posts"}, Kind: op.RenamesIndex, From: "posts_user", To: "posts_author"})
	if err != nil {
		t.Fatal(err)
	}
	p, u := s.Table("", "posts"), s.Table("", "people")
	if u == nil || !slices.Equal(u.PrimaryKey.Columns, []string{"pid"}) || u.PrimaryKey.Name != "people_pkey" || p.Index("posts_author") == nil {
		t.Fatalf("people: %v", u)
	}
	fk := p.ForeignKeys[0]
	if fk.RefTable != "people" || !slices.Equal(fk.RefColumns, []string{"pid"}) || !slices.Equal(fk.Columns, []string{"author"}) {
		t.Fatalf("foreign key: %+v", fk)
	}
	if x := p.Indexes[0]; x.Parts[0].Column != "author" || x.Where != "author > 0" || p.Checks[0].Expr != "author <> id" {
		t.Fatalf("posts: %s", p)
	}
}

func TestApplyRefuses(t *testing.T) {
	for name, tc := range map[string]struct {
		op   op.Op
		want string
	}{
		"missing table":          {&op.AddColumn{Table: op.TableRef{Name: "nope"}, Column: schema.Column{Name: "x"}}, "no table nope"},
		"existing column":        {&op.AddColumn{Table: op.TableRef{Name: "users"}, Column: schema.Column{Name: "id"}}, "column id exists"},
		"referenced table":       {&op.DropTable{Table: applyBase().Table("", "users")}, "referenced by posts"},
		"referenced key":         {&op.DropPrimaryKey{Table: op.TableRef{Name: "users"}, PrimaryKey: schema.PrimaryKey{Name: "users_pkey", Columns: []string{"id"}}}, "referenced by foreign key posts_user_fk"},
		"stale definition":       {&op.DropIndex{Table: op.TableRef{Name: "posts"}, Index: schema.Index{Name: "posts_user"}}, "no index posts_user as the op describes it"},
		"rename onto a name":     {&op.RenameColumn{Table: op.TableRef{Name: "posts"}, From: "id", To: "user_id"}, "column user_id exists"},
		"rename to a taken name": {&op.RenameConstraint{Table: op.TableRef{Name: "posts"}, Kind: op.RenamesCheck, From: "posts_ck", To: "posts_ck"}, "check posts_ck exists"},
		"rename a missing one":   {&op.RenameConstraint{Table: op.TableRef{Name: "posts"}, Kind: op.RenamesUnique, From: "x", To: "y"}, "no unique x"},
		"enum columns":           {&op.ChangeEnum{Enum: op.TableRef{Name: "mood"}, From: []string{"sad", "happy"}, To: []string{"happy"}}, "the columns of enum mood are [users.m], not []"},
		"enum values":            {&op.ChangeEnum{Enum: op.TableRef{Name: "mood"}, From: []string{"sad"}, To: []string{"happy"}}, `has values ["sad" "happy"]`},
	} {
		err := op.Apply(applyBase(), tc.op)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want %q", name, err, tc.want)
		}
	}
}

func TestChangeEnumAdditions(t *testing.T) {
	o := &op.ChangeEnum{Enum: op.TableRef{Name: "mood"}, From: []string{"sad", "happy"}, To: []string{"meh", "sad", "ok", "happy", "joy"}}
	adds, ok := o.Additions()
	if !ok || len(adds) != 3 || adds[0].Before != "sad" || adds[1].Before != "happy" || adds[2].After != "happy" {
		t.Fatalf("Additions = %v, %v", adds, ok)
	}
	if o.Destructive() {
		t.Fatal("adding labels is destructive")
	}
	r, _ := o.Reverse()
	if _, ok := r.(*op.ChangeEnum).Additions(); ok || !r.Destructive() || !slices.Equal(r.(*op.ChangeEnum).Removed(), []string{"meh", "ok", "joy"}) {
		t.Fatalf("reverse %v", r)
	}
	for _, to := range [][]string{{"happy", "sad"}, {"sad"}, {"happy", "sad", "x"}} {
		if _, ok := (&op.ChangeEnum{From: []string{"sad", "happy"}, To: to}).Additions(); ok {
			t.Errorf("%q: additions", to)
		}
	}
	// Applied with its columns, and back.
	s := applyBase()
	o.Columns = op.EnumColumns(s, o.Enum)
	r, _ = o.Reverse()
	if err := op.Apply(s, o, r); err != nil || !s.Equal(applyBase()) {
		t.Fatalf("apply and reverse: %v\n%s", err, schema.Diff(applyBase(), s))
	}
}
