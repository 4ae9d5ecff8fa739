package postgres

import (
	"testing"

	"github.com/retortdb/retort/schema"
)

func TestParseType(t *testing.T) {
	tests := []struct {
		raw  string
		want schema.Type
	}{
		{"integer", schema.Type{Name: "integer"}},
		{"character varying(100)", schema.Type{Name: "varchar", Length: 100}},
		{"character varying", schema.Type{Name: "varchar"}},
		{"character(1)", schema.Type{Name: "char", Length: 1}},
		{"bit varying(8)", schema.Type{Name: "varbit", Length: 8}},
		{"numeric(12,2)", schema.Type{Name: "numeric", Precision: 12, Scale: 2}},
		{"numeric", schema.Type{Name: "numeric"}},
		{"timestamp without time zone", schema.Type{Name: "timestamp", Precision: 6}},
		{"timestamp(0) with time zone", schema.Type{Name: "timestamptz", Precision: 0}},
		{"time(3) without time zone", schema.Type{Name: "time", Precision: 3}},
		{"time with time zone", schema.Type{Name: "timetz", Precision: 6}},
		{"interval", schema.Type{Name: "interval", Precision: 6}},
		{"interval year to month", schema.Type{Name: "interval year to month", Precision: 6}},
		{"character varying(20)[]", schema.Type{Name: "varchar", Length: 20, Array: true}},
		{"integer[]", schema.Type{Name: "integer", Array: true}},
		{"double precision", schema.Type{Name: "double precision"}},
		{`"char"`, schema.Type{Name: `"char"`}},
	}
	for _, tt := range tests {
		got := parseType(tt.raw)
		if !got.Equal(tt.want) || got.Raw != tt.raw {
			t.Errorf("parseType(%q) = %s (raw %q), want %s", tt.raw, got, got.Raw, tt.want)
		}
	}
}

func TestNormDefault(t *testing.T) {
	tests := []struct{ def, typ, want string }{
		{"'x'::character varying", "character varying(10)", "'x'"},
		{"'it''s'::text", "text", "'it''s'"},
		{"'-1'::integer", "integer", "-1"},
		{"'-1.5'::numeric", "numeric(10,2)", "-1.5"},
		{"'sad'::mood", "mood", "'sad'"},
		{"'{}'::character varying[]", "character varying(20)[]", "'{}'"},
		{"'2020-01-01'::date", "timestamp without time zone", "'2020-01-01'::date"}, // a cast to another type stays
		{"'a'::text || 'b'::text", "text", "'a'::text || 'b'::text"},
		{"now()", "timestamp with time zone", "now()"},
		{"nextval('s'::regclass)", "integer", "nextval('s'::regclass)"},
		{"", "integer", ""},
	}
	for _, tt := range tests {
		if got := normDefault(tt.def, tt.typ); got != tt.want {
			t.Errorf("normDefault(%q, %q) = %q, want %q", tt.def, tt.typ, got, tt.want)
		}
	}
}

func TestStripParens(t *testing.T) {
	for in, want := range map[string]string{
		"(c + 1)":       "c + 1",
		"((c))":         "c",
		"(a) + (b)":     "(a) + (b)",
		"lower(a)":      "lower(a)",
		"(a = ')(')":    "a = ')('",
		`("x)" || 'y')`: `"x)" || 'y'`,
		"":              "",
	} {
		if got := stripParens(in); got != want {
			t.Errorf("stripParens(%q) = %q, want %q", in, got, want)
		}
	}
}
