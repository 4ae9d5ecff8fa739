package schema_test

import (
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	"github.com/retortdb/retort/schema"
)

// sample sets every field of the model at least once.
func sample() *schema.Schema {
	return &schema.Schema{
		Namespaces: []string{"billing"},
		Enums:      []*schema.Enum{{Schema: "billing", Name: "state", Values: []string{"open", "paid"}}},
		Tables: []*schema.Table{
			{
				Schema:  "billing",
				Name:    "Invoices",
				Comment: "all of them",
				Extra:   schema.Attrs{"mysql.engine": "MyISAM"},
				Columns: []schema.Column{
					{
						Name:          "id",
						Type:          schema.Type{Name: "state", Schema: "billing", UserDefined: true, Length: 1, Precision: 2, Scale: 3, Unsigned: true, Array: true, EnumValues: []string{"a"}, Raw: "raw"},
						Nullable:      true,
						Default:       "'x'",
						AutoIncrement: true,
						Identity:      &schema.Identity{Always: true, Start: 1, Increment: 2},
						Generated:     &schema.Generated{Expr: "a + 1", Stored: true},
						Collation:     "C",
						Comment:       "c",
						Extra:         schema.Attrs{"mysql.on_update": "CURRENT_TIMESTAMP"},
					},
				},
				PrimaryKey: &schema.PrimaryKey{Name: "pk", Columns: []string{"id"}},
				Uniques:    []schema.Unique{{Name: "uq", Columns: []string{"id"}, Extra: schema.Attrs{"k": "v"}}},
				Indexes: []schema.Index{{
					Name:    "ix",
					Unique:  true,
					Parts:   []schema.IndexPart{{Column: "id", Expr: "lower(id)", Desc: true, Collation: "C", Prefix: 3, Extra: schema.Attrs{"k": "v"}}},
					Where:   "id > 0",
					Method:  "gin",
					Include: []string{"x"},
					Comment: "ic",
					Extra:   schema.Attrs{"k": "v"},
				}},
				ForeignKeys: []schema.ForeignKey{{
					Name: "fk", Columns: []string{"id"}, RefSchema: "public", RefTable: "t", RefColumns: []string{"id"},
					OnDelete: "CASCADE", OnUpdate: "SET NULL", Deferrable: true, InitiallyDeferred: true, Extra: schema.Attrs{"k": "v"},
				}},
				Checks:   []schema.Check{{Name: "ck", Expr: "id > 0", Extra: schema.Attrs{"k": "v"}}},
				Triggers: []schema.Trigger{{Name: "tr", SQL: "CREATE TRIGGER tr …"}},
			},
		},
	}
}

// mutate changes the n-th leaf of v (counting from *i) and reports the
// path of the leaf it changed.
func mutate(v reflect.Value, path string, i *int, n int) (string, bool) {
	leaf := func(change func()) (string, bool) {
		if *i == n {
			change()
			return path, true
		}
		*i++
		return "", false
	}
	switch v.Kind() {
	case reflect.Struct:
		for f := 0; f < v.NumField(); f++ {
			if p, ok := mutate(v.Field(f), path+"."+v.Type().Field(f).Name, i, n); ok {
				return p, true
			}
		}
		return "", false
	case reflect.Pointer:
		if v.IsNil() {
			return leaf(func() { v.Set(reflect.New(v.Type().Elem())) })
		}
		if p, ok := leaf(func() { v.Set(reflect.Zero(v.Type())) }); ok {
			return p + "=nil", true
		}
		return mutate(v.Elem(), path, i, n)
	case reflect.Slice:
		if p, ok := leaf(func() {
			elem := reflect.New(v.Type().Elem()).Elem()
			if elem.Kind() == reflect.Pointer {
				elem.Set(reflect.New(elem.Type().Elem()))
			}
			if elem.Kind() == reflect.String {
				elem.SetString("extra")
			}
			v.Set(reflect.Append(v, elem))
		}); ok {
			return p + "+append", true
		}
		for k := 0; k < v.Len(); k++ {
			if p, ok := mutate(v.Index(k), path+"[]", i, n); ok {
				return p, true
			}
		}
		return "", false
	case reflect.Map:
		return leaf(func() {
			if v.IsNil() {
				v.Set(reflect.MakeMap(v.Type()))
			}
			v.SetMapIndex(reflect.ValueOf("zz"), reflect.ValueOf("1"))
		})
	case reflect.String:
		return leaf(func() { v.SetString(v.String() + "x") })
	case reflect.Bool:
		return leaf(func() { v.SetBool(!v.Bool()) })
	case reflect.Int, reflect.Int64:
		return leaf(func() { v.SetInt(v.Int() + 1) })
	}
	panic("unhandled kind " + v.Kind().String() + " at " + path)
}

// TestEqualAndStringSeeEveryField changes each field of a full schema in
// turn: Equal and String must both notice, except for Type.Raw, which
// neither compares.
func TestEqualAndStringSeeEveryField(t *testing.T) {
	base := sample()
	count := 0
	for n := 0; ; n++ {
		m := base.Clone()
		i := 0
		path, ok := mutate(reflect.ValueOf(m).Elem(), "Schema", &i, n)
		if !ok {
			break
		}
		count++
		raw := strings.HasSuffix(path, ".Type.Raw")
		if eq := base.Equal(m); eq != raw {
			t.Errorf("%s changed: Equal = %v", path, eq)
		}
		if same := base.String() == m.String(); same != raw {
			t.Errorf("%s changed: String unchanged = %v\n%s", path, same, m)
		}
		if !raw && schema.Diff(base, m) == "" {
			t.Errorf("%s changed: empty Diff", path)
		}
	}
	if count < 80 {
		t.Errorf("only %d fields mutated", count)
	}
	// The mutations worked on clones: base is as built.
	if !base.Equal(sample()) {
		t.Error("Clone shares memory with the original")
	}
}

func TestSortIsCanonical(t *testing.T) {
	build := func(r *rand.Rand) *schema.Schema {
		t1 := &schema.Table{Name: "b", Columns: []schema.Column{{Name: "z"}, {Name: "a"}},
			Uniques:     []schema.Unique{{Name: "u2"}, {Name: "", Columns: []string{"b"}}, {Name: "", Columns: []string{"a"}}},
			Indexes:     []schema.Index{{Name: "i2"}, {Name: "i1"}},
			ForeignKeys: []schema.ForeignKey{{Name: "f", Columns: []string{"b"}}, {Name: "f", Columns: []string{"a"}}, {Name: "e"}},
			Checks:      []schema.Check{{Expr: "b"}, {Expr: "a"}, {Name: "c"}},
			Triggers:    []schema.Trigger{{Name: "t2"}, {Name: "t1"}},
		}
		s := &schema.Schema{
			Namespaces: []string{"y", "x", "x"},
			Tables:     []*schema.Table{t1, {Name: "a"}, {Schema: "s", Name: "a"}},
			Enums:      []*schema.Enum{{Name: "e2"}, {Schema: "s", Name: "e1"}, {Name: "e1"}},
		}
		shuffle := func(n int, swap func(i, j int)) { r.Shuffle(n, swap) }
		shuffle(len(s.Tables), func(i, j int) { s.Tables[i], s.Tables[j] = s.Tables[j], s.Tables[i] })
		shuffle(len(s.Enums), func(i, j int) { s.Enums[i], s.Enums[j] = s.Enums[j], s.Enums[i] })
		shuffle(len(t1.Uniques), func(i, j int) { t1.Uniques[i], t1.Uniques[j] = t1.Uniques[j], t1.Uniques[i] })
		shuffle(len(t1.ForeignKeys), func(i, j int) { t1.ForeignKeys[i], t1.ForeignKeys[j] = t1.ForeignKeys[j], t1.ForeignKeys[i] })
		shuffle(len(t1.Checks), func(i, j int) { t1.Checks[i], t1.Checks[j] = t1.Checks[j], t1.Checks[i] })
		s.Sort()
		return s
	}
	want := build(rand.New(rand.NewPCG(0, 0)))
	for seed := uint64(1); seed < 50; seed++ {
		if got := build(rand.New(rand.NewPCG(seed, seed))); !got.Equal(want) {
			t.Fatalf("seed %d sorts differently:\n%s", seed, schema.Diff(want, got))
		}
	}
	var names []string
	for _, tb := range want.Tables {
		names = append(names, tb.QualifiedName())
	}
	if got := strings.Join(names, " "); got != "a b s.a" {
		t.Errorf("tables sorted as %s", got)
	}
	if got := strings.Join(want.Namespaces, " "); got != "x y" {
		t.Errorf("namespaces %s", got)
	}
	if cols := want.Table("", "b").Columns; cols[0].Name != "z" {
		t.Error("Sort reordered columns")
	}
}

func TestString(t *testing.T) {
	s := &schema.Schema{
		Namespaces: []string{"billing"},
		Enums:      []*schema.Enum{{Name: "mood", Values: []string{"ok", "it's"}}},
		Tables: []*schema.Table{{
			Name:    "User",
			Comment: "people",
			Columns: []schema.Column{
				{Name: "id", Type: schema.Type{Name: "integer"}, Identity: &schema.Identity{Always: true, Start: 1, Increment: 1}},
				{Name: "email", Type: schema.Type{Name: "varchar", Length: 200}, Nullable: true, Default: "'x'", Collation: "C"},
				{Name: "price", Type: schema.Type{Name: "numeric", Precision: 10, Scale: 2}},
			},
			PrimaryKey: &schema.PrimaryKey{Name: "user_pkey", Columns: []string{"id"}},
			Indexes:    []schema.Index{{Name: "ix", Unique: true, Parts: []schema.IndexPart{{Expr: "lower(email)", Desc: true}}, Where: "email IS NOT NULL"}},
			ForeignKeys: []schema.ForeignKey{{Name: "fk", Columns: []string{"id"}, RefSchema: "billing", RefTable: "t",
				RefColumns: []string{"id"}, OnDelete: "CASCADE"}},
		}},
	}
	want := `namespace billing
enum mood ('ok', 'it''s')
table "User" COMMENT 'people'
  column id integer NOT NULL IDENTITY ALWAYS START 1 INCREMENT 1
  column email varchar(200) NULL DEFAULT 'x' COLLATE "C"
  column price numeric(10,2) NOT NULL
  primary key user_pkey (id)
  index ix UNIQUE ((lower(email)) DESC) WHERE (email IS NOT NULL)
  foreign key fk (id) REFERENCES billing.t (id) ON DELETE CASCADE
`
	if got := s.String(); got != want {
		t.Errorf("String:\n%s\nwant:\n%s", got, want)
	}
}

func TestDiff(t *testing.T) {
	a := sample()
	if d := schema.Diff(a, a.Clone()); d != "" {
		t.Errorf("Diff of equal schemas: %q", d)
	}
	b := a.Clone()
	b.Tables[0].Columns[0].Comment = "changed"
	b.Tables[0].Checks = nil
	d := schema.Diff(a, b)
	for _, want := range []string{"- ", "+ ", "COMMENT 'changed'", "- " + "  check ck (id > 0)"} {
		if !strings.Contains(d, want) {
			t.Errorf("Diff lacks %q:\n%s", want, d)
		}
	}
	if strings.Contains(d, "namespace") {
		t.Errorf("Diff shows distant unchanged lines:\n%s", d)
	}
}

func TestLookups(t *testing.T) {
	s := sample()
	tb := s.Table("billing", "Invoices")
	if tb == nil || s.Table("", "Invoices") != nil {
		t.Fatal("Table lookup")
	}
	if s.Enum("billing", "state") == nil || s.Enum("", "state") != nil {
		t.Error("Enum lookup")
	}
	tb.Column("id").Comment = "via pointer"
	if tb.Columns[0].Comment != "via pointer" {
		t.Error("Column does not alias the slice")
	}
	if tb.ColumnFold("ID") == nil || tb.Column("ID") != nil {
		t.Error("ColumnFold")
	}
	if tb.Index("ix") == nil || tb.ForeignKey("fk") == nil || tb.Unique("uq") == nil || tb.Check("ck") == nil || tb.Index("nope") != nil {
		t.Error("constraint lookups")
	}
	x := schema.Index{Parts: []schema.IndexPart{{Column: "a"}, {Expr: "lower(b)"}}}
	if cols, ok := x.Columns(); ok || len(cols) != 1 {
		t.Errorf("Index.Columns = %v, %v", cols, ok)
	}
	x.Parts[1] = schema.IndexPart{Column: "b"}
	if cols, ok := x.Columns(); !ok || strings.Join(cols, ",") != "a,b" {
		t.Errorf("Index.Columns = %v, %v", cols, ok)
	}
	if tb.QualifiedName() != "billing.Invoices" || s.Enums[0].QualifiedName() != "billing.state" {
		t.Error("QualifiedName")
	}
	var nilSchema *schema.Schema
	if !nilSchema.Equal(nil) || nilSchema.Equal(s) || nilSchema.Clone() != nil {
		t.Error("nil schema")
	}
}
