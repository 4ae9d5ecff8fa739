package op_test

import (
	"errors"
	"reflect"
	"testing"

	"github.com/retortdb/retort/op"
	"github.com/retortdb/retort/schema"
)

func table() *schema.Table {
	return &schema.Table{
		Name: "users",
		Columns: []schema.Column{
			{Name: "id", Type: schema.Type{Name: "int"}},
			{Name: "email", Type: schema.Type{Name: "varchar", Length: 100}, Nullable: true},
		},
		PrimaryKey: &schema.PrimaryKey{Columns: []string{"id"}},
		Uniques:    []schema.Unique{{Name: "users_email_key", Columns: []string{"email"}}},
		Comment:    "people",
	}
}

func TestReverseTwiceIsIdentity(t *testing.T) {
	ref := op.TableRef{Schema: "s", Name: "users"}
	col := schema.Column{Name: "email", Type: schema.Type{Name: "varchar", Length: 100}, Nullable: true}
	col2 := col
	col2.Type.Length = 200
	col2.Nullable = false
	ops := []op.Op{
		&op.CreateTable{Table: table()},
		&op.DropTable{Table: table()},
		&op.RenameTable{Table: ref, To: "people"},
		&op.AddColumn{Table: ref, Column: col},
		&op.DropColumn{Table: ref, Column: col},
		&op.AlterColumn{Table: ref, Existing: col, Column: col2},
		&op.RenameColumn{Table: ref, From: "a", To: "b"},
		&op.CreateIndex{Table: ref, Index: schema.Index{Name: "ix", Parts: []schema.IndexPart{{Column: "email"}}}},
		&op.DropIndex{Table: ref, Index: schema.Index{Name: "ix", Unique: true, Parts: []schema.IndexPart{{Expr: "lower(email)"}}}},
		&op.AddPrimaryKey{Table: ref, PrimaryKey: schema.PrimaryKey{Name: "pk", Columns: []string{"id"}}},
		&op.DropPrimaryKey{Table: ref, PrimaryKey: schema.PrimaryKey{Name: "pk", Columns: []string{"id"}}},
		&op.AddForeignKey{Table: ref, ForeignKey: schema.ForeignKey{Name: "fk", Columns: []string{"a"}, RefTable: "t", RefColumns: []string{"id"}, OnDelete: "CASCADE"}},
		&op.DropForeignKey{Table: ref, ForeignKey: schema.ForeignKey{Name: "fk", Columns: []string{"a"}, RefTable: "t", RefColumns: []string{"id"}}},
		&op.AddUnique{Table: ref, Unique: schema.Unique{Name: "u", Columns: []string{"a", "b"}}},
		&op.DropUnique{Table: ref, Unique: schema.Unique{Name: "u", Columns: []string{"a"}}},
		&op.AddCheck{Table: ref, Check: schema.Check{Name: "c", Expr: "a > 0"}},
		&op.DropCheck{Table: ref, Check: schema.Check{Name: "c", Expr: "a > 0"}},
		&op.SetTableComment{Table: ref, Existing: "", Comment: "x"},
		&op.CreateEnum{Enum: &schema.Enum{Name: "mood", Values: []string{"a", "b"}}},
		&op.DropEnum{Enum: &schema.Enum{Schema: "s", Name: "mood", Values: []string{"a"}}},
		&op.RebuildTable{From: table(), To: func() *schema.Table { t := table(); t.Columns = t.Columns[:1]; return t }()},
	}
	for _, o := range ops {
		r, err := o.Reverse()
		if err != nil {
			t.Fatalf("%s: Reverse: %v", o, err)
		}
		if reflect.TypeOf(r) == reflect.TypeOf(o) && reflect.DeepEqual(r, o) {
			t.Errorf("%s: Reverse returned the same op", o)
		}
		rr, err := r.Reverse()
		if err != nil {
			t.Fatalf("%s: Reverse twice: %v", o, err)
		}
		if !reflect.DeepEqual(rr, o) {
			t.Errorf("Reverse(Reverse(%s)) = %#v, want %#v", o, rr, o)
		}
		if o.String() == "" {
			t.Errorf("%T: empty String", o)
		}
	}
}

func TestReverseCopies(t *testing.T) {
	ct := &op.CreateTable{Table: table()}
	r, _ := ct.Reverse()
	r.(*op.DropTable).Table.Columns[0].Name = "changed"
	if ct.Table.Columns[0].Name != "id" {
		t.Fatal("Reverse shares the table with the original")
	}
}

func TestAddEnumValueIrreversible(t *testing.T) {
	_, err := (&op.AddEnumValue{Enum: op.TableRef{Name: "mood"}, Value: "meh"}).Reverse()
	if !errors.Is(err, op.ErrIrreversible) {
		t.Fatalf("err = %v, want ErrIrreversible", err)
	}
}

func TestDestructive(t *testing.T) {
	ref := op.TableRef{Name: "t"}
	vc := func(n int) schema.Column {
		return schema.Column{Name: "c", Type: schema.Type{Name: "varchar", Length: n}}
	}
	num := func(p, s int) schema.Column {
		return schema.Column{Name: "c", Type: schema.Type{Name: "numeric", Precision: p, Scale: s}}
	}
	for _, tc := range []struct {
		o    op.Op
		want bool
	}{
		{&op.DropTable{Table: table()}, true},
		{&op.DropColumn{Table: ref, Column: vc(1)}, true},
		{&op.CreateTable{Table: table()}, false},
		{&op.RebuildTable{From: table(), To: table()}, false},
		{&op.RebuildTable{From: table(), To: func() *schema.Table { t := table(); t.Columns = t.Columns[:1]; return t }()}, true},
		{&op.AddColumn{Table: ref, Column: vc(1)}, false},
		{&op.AlterColumn{Table: ref, Existing: vc(10), Column: vc(20)}, false},
		{&op.AlterColumn{Table: ref, Existing: vc(20), Column: vc(10)}, true},
		{&op.AlterColumn{Table: ref, Existing: vc(20), Column: vc(0)}, false},
		{&op.AlterColumn{Table: ref, Existing: vc(0), Column: vc(10)}, true},
		{&op.AlterColumn{Table: ref, Existing: num(10, 2), Column: num(12, 2)}, false},
		{&op.AlterColumn{Table: ref, Existing: num(10, 2), Column: num(10, 1)}, true},
		{&op.AlterColumn{Table: ref, Existing: vc(10), Column: schema.Column{Name: "c", Type: schema.Type{Name: "int"}}}, true},
		{&op.AlterColumn{Table: ref, Existing: vc(10), Column: func() schema.Column { c := vc(10); c.Nullable = true; return c }()}, false},
	} {
		if got := tc.o.Destructive(); got != tc.want {
			t.Errorf("%s: Destructive = %v, want %v", tc.o, got, tc.want)
		}
	}
}

func TestAlterColumnChanges(t *testing.T) {
	a := schema.Column{Name: "c", Type: schema.Type{Name: "int"}}
	b := a
	b.Nullable, b.Default, b.Comment = true, "1", "x"
	got := (&op.AlterColumn{Existing: a, Column: b}).Changes()
	if !reflect.DeepEqual(got, []string{"nullable", "default", "comment"}) {
		t.Fatalf("Changes = %v", got)
	}
}
