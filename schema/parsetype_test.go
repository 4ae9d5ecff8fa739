package schema_test

import (
	"strings"
	"testing"

	"github.com/retortdb/retort/schema"
)

func TestParseType(t *testing.T) {
	for _, c := range []struct {
		in   string
		want schema.Type
	}{
		{"VARCHAR(100)", schema.Type{Name: "varchar", Length: 100}},
		{"character varying(20)", schema.Type{Name: "varchar", Length: 20}},
		{"numeric(10,2)", schema.Type{Name: "numeric", Precision: 10, Scale: 2}},
		{"NUMERIC ( 10 , 2 )", schema.Type{Name: "numeric", Precision: 10, Scale: 2}},
		{"decimal(8)", schema.Type{Name: "decimal", Precision: 8}},
		{"int unsigned", schema.Type{Name: "int", Unsigned: true}},
		{"BIGINT UNSIGNED ZEROFILL", schema.Type{Name: "bigint", Unsigned: true}},
		{"int(11)", schema.Type{Name: "int", Length: 11}},
		{"tinyint(1)", schema.Type{Name: "tinyint", Length: 1}},
		{"text[]", schema.Type{Name: "text", Array: true}},
		{"integer[3]", schema.Type{Name: "integer", Array: true}},
		{"varchar(10)[]", schema.Type{Name: "varchar", Length: 10, Array: true}},
		{"timestamp(3)", schema.Type{Name: "timestamp", Precision: 3}},
		{"timestamp(3) with time zone", schema.Type{Name: "timestamptz", Precision: 3}},
		{"TIMESTAMP WITH TIME ZONE", schema.Type{Name: "timestamptz"}},
		{"time without time zone", schema.Type{Name: "time"}},
		{"double precision", schema.Type{Name: "double precision"}},
		{"datetime(6)", schema.Type{Name: "datetime", Precision: 6}},
		{"serial", schema.Type{Name: "serial"}},
		{"enum('a','b,c','it''s')", schema.Type{Name: "enum", EnumValues: []string{"a", "b,c", "it's"}}},
		{"SET('x')", schema.Type{Name: "set", EnumValues: []string{"x"}}},
		{"billing.mood", schema.Type{Name: "mood", Schema: "billing", UserDefined: true}},
		{"billing.mood[]", schema.Type{Name: "mood", Schema: "billing", UserDefined: true, Array: true}},
		{"jsonb", schema.Type{Name: "jsonb"}},
		{`"Mood"`, schema.Type{Name: "Mood", UserDefined: true}},
		{`"Billing"."My ""Type"""[]`, schema.Type{Schema: "Billing", Name: `My "Type"`, UserDefined: true, Array: true}},
	} {
		got, err := schema.ParseType(c.in)
		if err != nil {
			t.Errorf("ParseType(%q): %v", c.in, err)
			continue
		}
		if got.Raw != c.in {
			t.Errorf("ParseType(%q).Raw = %q", c.in, got.Raw)
		}
		if !got.Equal(c.want) {
			t.Errorf("ParseType(%q) = %s, want %s", c.in, got, c.want)
		}
	}
}

func TestParseTypeErrors(t *testing.T) {
	for _, c := range []struct{ in, msg string }{
		{"", "empty"},
		{"   ", "empty"},
		{"varchar(", "unbalanced ("},
		{"varchar(x)", `parameter "x" is not a number`},
		{"varchar(10,2)", "varchar takes one parameter"},
		{"numeric(1,2,3)", "3 parameters"},
		{"numeric(2,5)", "scale 5 is larger than precision 2"},
		{"varchar(10)(20)", "more than one parameter list"},
		{"varchar(10) character set utf8", "multi-word"},
		{"int;", "unexpected"},
		{"text]", "unbalanced ]"},
		{"text[x]", "not a number"},
		{"enum(a)", "not a quoted string"},
		{"enum('a", "unterminated string"},
		{"(10)", "no type name"},
		{"a.b.c", "schema.name"},
		{`"Mood`, "unterminated quoted name"},
		{`varchar "X"`, "quoted name is the whole"},
		{"9int", "digit"},
		{"varchar(-1)", "not a number"},
		{"numeric(,2)", "empty parameter"},
	} {
		_, err := schema.ParseType(c.in)
		if err == nil {
			t.Errorf("ParseType(%q): no error", c.in)
			continue
		}
		if !strings.Contains(err.Error(), c.msg) || !strings.Contains(err.Error(), "bad column type") {
			t.Errorf("ParseType(%q): %v, want it to say %q", c.in, err, c.msg)
		}
	}
}

// FuzzParseType checks that ParseType never panics and that a type it
// accepts prints (Type.String) as text it parses back to the same type.
func FuzzParseType(f *testing.F) {
	for _, s := range []string{"VARCHAR(100)", "numeric(10,2)", "int unsigned", "text[]", "timestamp(3) with time zone", "enum('a','b')", "billing.mood", "double precision"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		typ, err := schema.ParseType(s)
		if err != nil {
			return
		}
		if typ.Name == "" {
			t.Fatalf("ParseType(%q) has no name", s)
		}
		again, err := schema.ParseType(typ.String())
		if err != nil {
			t.Fatalf("ParseType(%q) = %s, which does not parse: %v", s, typ, err)
		}
		if !again.Equal(typ) {
			t.Fatalf("ParseType(%q) = %s, parses back as %s", s, typ, again)
		}
	})
}
