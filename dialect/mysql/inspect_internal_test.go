package mysql

import (
	"database/sql"
	"testing"

	"github.com/retortdb/retort/schema"
)

func TestParseType(t *testing.T) {
	tests := []struct {
		raw  string
		want schema.Type
	}{
		{"int(11)", schema.Type{Name: "int"}},
		{"int", schema.Type{Name: "int"}},
		{"bigint(20) unsigned", schema.Type{Name: "bigint", Unsigned: true}},
		{"int(10) unsigned zerofill", schema.Type{Name: "int", Unsigned: true}},
		{"tinyint(1)", schema.Type{Name: "tinyint", Length: 1}},
		{"tinyint(4)", schema.Type{Name: "tinyint"}},
		{"decimal(10,2)", schema.Type{Name: "decimal", Precision: 10, Scale: 2}},
		{"decimal(10,0)", schema.Type{Name: "decimal", Precision: 10}},
		{"float(7,4)", schema.Type{Name: "float", Precision: 7, Scale: 4}},
		{"double", schema.Type{Name: "double"}},
		{"datetime(6)", schema.Type{Name: "datetime", Precision: 6}},
		{"timestamp", schema.Type{Name: "timestamp"}},
		{"year(4)", schema.Type{Name: "year"}},
		{"varchar(255)", schema.Type{Name: "varchar", Length: 255}},
		{"BIT(1)", schema.Type{Name: "bit", Length: 1}},
		{"enum('a','b''c','d,e')", schema.Type{Name: "enum", EnumValues: []string{"a", "b'c", "d,e"}}},
		{`set('x\\y','Z')`, schema.Type{Name: "set", EnumValues: []string{`x\y`, "Z"}}},
		{"longtext", schema.Type{Name: "longtext"}},
	}
	for _, tt := range tests {
		got := parseType(tt.raw)
		if !got.Equal(tt.want) || got.Raw != tt.raw {
			t.Errorf("parseType(%q) = %s, want %s", tt.raw, got, tt.want)
		}
	}
}

func TestNormDefault(t *testing.T) {
	str := schema.Type{Name: "varchar", Length: 10}
	num := schema.Type{Name: "int"}
	null := sql.NullString{}
	v := func(s string) sql.NullString { return sql.NullString{String: s, Valid: true} }
	tests := []struct {
		mariaDB bool
		def     sql.NullString
		extra   string
		typ     schema.Type
		want    string
	}{
		// MariaDB 10.2.7+: literals quoted, expressions bare.
		{true, null, "", num, ""},
		{true, v("NULL"), "", num, ""},
		{true, v("'NULL'"), "", str, "'NULL'"},
		{true, v("'x''y'"), "", str, "'x''y'"},
		{true, v(`'back\\slash'`), "", str, `'back\\slash'`},
		{true, v("-1.50"), "", num, "-1.50"},
		{true, v("b'101'"), "", num, "b'101'"},
		{true, v("current_timestamp()"), "", str, "CURRENT_TIMESTAMP"},
		{true, v("current_timestamp(3)"), "", str, "CURRENT_TIMESTAMP(3)"},
		{true, v("uuid()"), "", str, "(uuid())"},
		{true, v("(1 + 1)"), "", num, "(1 + 1)"},
		// MySQL 8: literals unquoted, expressions flagged.
		{false, null, "", num, ""},
		{false, v("x'y"), "", str, "'x''y'"},
		{false, v(`back\slash`), "", str, `'back\\slash'`},
		{false, v("0"), "", num, "0"},
		{false, v("abc"), "", num, "'abc'"},
		{false, v("NULL"), "", str, "'NULL'"},
		{false, v("CURRENT_TIMESTAMP"), "default_generated", str, "CURRENT_TIMESTAMP"},
		{false, v("CURRENT_TIMESTAMP(6)"), "default_generated on update current_timestamp(6)", str, "CURRENT_TIMESTAMP(6)"},
		{false, v("uuid()"), "default_generated", str, "(uuid())"},
	}
	for _, tt := range tests {
		in := &inspection{mariaDB: tt.mariaDB}
		if got := in.normDefault(tt.def, tt.extra, tt.typ); got != tt.want {
			t.Errorf("mariaDB=%v normDefault(%+v, %q) = %q, want %q", tt.mariaDB, tt.def, tt.extra, got, tt.want)
		}
	}
}

func TestNormFunc(t *testing.T) {
	for in, want := range map[string]string{
		"current_timestamp()":  "CURRENT_TIMESTAMP",
		"CURRENT_TIMESTAMP":    "CURRENT_TIMESTAMP",
		"now()":                "CURRENT_TIMESTAMP",
		"current_timestamp(0)": "CURRENT_TIMESTAMP",
		"now(6)":               "CURRENT_TIMESTAMP(6)",
		"curdate()":            "curdate()",
	} {
		if got := normFunc(in); got != want {
			t.Errorf("normFunc(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestVersion(t *testing.T) {
	in := &inspection{version: [3]int{8, 0, 13}}
	if !in.mysqlAtLeast(8, 0, 13) || in.mysqlAtLeast(8, 0, 16) || !in.mysqlAtLeast(5, 7, 40) {
		t.Error("mysqlAtLeast")
	}
	in.mariaDB = true
	if in.mysqlAtLeast(5, 0, 0) {
		t.Error("MariaDB counted as MySQL")
	}
}
