package sqlite

import (
	"strings"
	"testing"

	"github.com/retortdb/retort/schema"
)

func TestCanonical(t *testing.T) {
	for in, want := range map[string]string{
		"a>0 and b<1":                    "a > 0 AND b < 1",
		"  a  >  0  AND  b < 1 ":         "a > 0 AND b < 1",
		"lower ( email )":                "lower(email)",
		"x in (1,2 , 3)":                 "x IN (1, 2, 3)",
		"-1":                             "-1",
		"a - -1":                         "a - -1",
		"(a)-1":                          "(a) - 1",
		`"Weird Col" || 'it''s'`:         `"Weird Col" || 'it''s'`,
		"t.a is not null":                "t.a IS NOT NULL",
		"coalesce(a,'x')<>x'00' -- note": "coalesce(a, 'x') <> x'00'",
		"case when a then 1 else 2 end":  "CASE WHEN a THEN 1 ELSE 2 END",
		"json_extract(j, '$.a')->>'b'":   "json_extract(j, '$.a') ->> 'b'",
		"1.5e3*/*c*/2":                   "1.5e3 * 2",
		"[br acket] = `back`":            "[br acket] = `back`",
	} {
		if got := canonical(tokenize(in)); got != want {
			t.Errorf("canonical(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestParseCreateTable(t *testing.T) {
	d := parseCreateTable(`CREATE TABLE IF NOT EXISTS main."T" (
		id INTEGER CONSTRAINT pk PRIMARY KEY DESC ON CONFLICT ABORT AUTOINCREMENT,
		a VARCHAR(10) NOT NULL ON CONFLICT FAIL DEFAULT (1+1) COLLATE NoCase CONSTRAINT u_a UNIQUE CHECK(a <> ''),
		b INT GENERATED ALWAYS AS (id*2) VIRTUAL REFERENCES p(x) ON DELETE SET NULL ON UPDATE NO ACTION MATCH FULL,
		c AS ("b"+1) STORED,
		"d e" TEXT DEFAULT -1,
		CONSTRAINT fk FOREIGN KEY (a, "d e") REFERENCES "Q" (x, y) DEFERRABLE INITIALLY DEFERRED,
		FOREIGN KEY (c) REFERENCES r NOT DEFERRABLE,
		UNIQUE (a COLLATE nocase DESC, b),
		CHECK (b > 0),
		CHECK ("b" > 0 AND "A" <> "zz" AND "d e" IS NOT NULL AND [c] < "id")
	) WITHOUT ROWID, STRICT`)
	if d.pkName != "pk" {
		t.Errorf("pkName %q", d.pkName)
	}
	if c := d.columns["id"]; c == nil || !c.autoIncrement {
		t.Errorf("id: %+v", c)
	}
	if c := d.columns["a"]; c == nil || c.collation != "NOCASE" {
		t.Errorf("a: %+v", c)
	}
	if c := d.columns["b"]; c == nil || c.generated != "id * 2" {
		t.Errorf("b: %+v", c)
	}
	if c := d.columns["c"]; c == nil || c.generated != "b + 1" {
		t.Errorf("c: %+v", c)
	}
	if d.columns["d e"] == nil {
		t.Error("quoted column name lost")
	}
	if len(d.uniques) != 2 || d.uniques[0].name != "u_a" || strings.Join(d.uniques[1].columns, ",") != "a,b" {
		t.Errorf("uniques %+v", d.uniques)
	}
	// Quoted column names come out bare where they can; "zz" names no
	// column, so it is a string to SQLite and keeps its quotes.
	wantChecks := []string{"a <> ''", "b > 0", `b > 0 AND A <> "zz" AND "d e" IS NOT NULL AND c < id`}
	if len(d.checks) != len(wantChecks) {
		t.Fatalf("checks %+v", d.checks)
	}
	for i, want := range wantChecks {
		if c := d.checks[i]; c.name != "" || c.expr != want {
			t.Errorf("check %d: name %q expr %q, want %q", i, c.name, c.expr, want)
		}
	}
	if len(d.fks) != 3 {
		t.Fatalf("fks %+v", d.fks)
	}
	if fk := d.fks[0]; fk.refTable != "p" || fk.columns[0] != "b" || fk.deferrable {
		t.Errorf("fk 0 %+v", fk)
	}
	if fk := d.fks[1]; fk.name != "fk" || fk.refTable != "Q" || strings.Join(fk.columns, ",") != "a,d e" || !fk.deferrable || !fk.initiallyDeferred {
		t.Errorf("fk 1 %+v", fk)
	}
	if fk := d.fks[2]; fk.refTable != "r" || fk.deferrable {
		t.Errorf("fk 2 %+v", fk)
	}
	if d := parseCreateTable("CREATE TABLE x AS SELECT 1 AS a"); len(d.columns) != 0 {
		t.Errorf("CREATE TABLE AS: %+v", d)
	}
}

func TestParseCreateIndex(t *testing.T) {
	cols := map[string]bool{"a": true, "b": true, "c": true, "d": true}
	d := parseCreateIndex(`CREATE UNIQUE INDEX IF NOT EXISTS ix ON t (a COLLATE nocase DESC, ("b"*2), lower( c ) ASC, ((d))) WHERE "a">0 and b is not null and c <> "x"`,
		func(name string) bool { return cols[strings.ToLower(name)] })
	var parts []string
	for _, p := range d.parts {
		parts = append(parts, p.expr)
	}
	if got := strings.Join(parts, " | "); got != "a | b * 2 | lower(c) | d" {
		t.Errorf("parts %s", got)
	}
	if d.where != `a > 0 AND b IS NOT NULL AND c <> "x"` {
		t.Errorf("where %q", d.where)
	}
}

func TestParseType(t *testing.T) {
	tests := []struct {
		raw  string
		want schema.Type
	}{
		{"INTEGER", schema.Type{Name: "integer"}},
		{"varchar ( 10 )", schema.Type{Name: "varchar", Length: 10}},
		{"DECIMAL(10,2)", schema.Type{Name: "decimal", Precision: 10, Scale: 2}},
		{"NUMERIC(10)", schema.Type{Name: "numeric", Precision: 10}},
		{"Unsigned   Big INT", schema.Type{Name: "unsigned big int"}},
		{"DOUBLE PRECISION", schema.Type{Name: "double precision"}},
		{"", schema.Type{}},
		{"weird(x)", schema.Type{Name: "weird(x)"}},
	}
	for _, tt := range tests {
		if got := parseType(tt.raw); !got.Equal(tt.want) {
			t.Errorf("parseType(%q) = %s, want %s", tt.raw, got, tt.want)
		}
	}
}

func TestNormDefault(t *testing.T) {
	for in, want := range map[string]string{
		"NULL":                 "",
		"null":                 "",
		"'x'":                  "'x'",
		"-1":                   "-1",
		"+1.5":                 "+1.5",
		"current_timestamp":    "CURRENT_TIMESTAMP",
		"x'00'":                "x'00'",
		"true":                 "TRUE",
		"1+1":                  "(1 + 1)",
		"datetime('now')":      "(datetime('now'))",
		"(1) + (2)":            "((1) + (2))",
		"(datetime ( 'now' ))": "(datetime('now'))",
		`"it's"`:               "'it''s'",
	} {
		if got := normDefault(in); got != want {
			t.Errorf("normDefault(%q) = %q, want %q", in, got, want)
		}
	}
}

// FuzzParseDDL feeds the CREATE TABLE and CREATE INDEX readers arbitrary
// text: they must not panic, and a canonical expression must come out the
// same when canonicalised again (the comparison of live and target
// schemas relies on one normal form).
func FuzzParseDDL(f *testing.F) {
	for _, s := range []string{
		`CREATE TABLE t (a int CHECK ("a" > 0), b AS ("a" * 2), "c d" text, CONSTRAINT k CHECK (b <> "zz"))`,
		`CREATE TABLE "T" (id INTEGER PRIMARY KEY AUTOINCREMENT, x [weird col] DEFAULT (-1), FOREIGN KEY (x) REFERENCES p (id) ON DELETE CASCADE)`,
		`CREATE UNIQUE INDEX ix ON t (a COLLATE nocase DESC, ("b"*2), lower( c )) WHERE "a">0 and b is not null`,
		"CREATE TABLE x (a, b, CHECK (a IN (1,2 , 3) AND `b` LIKE 'x%' ESCAPE '\\'))",
		`CREATE TABLE e (`,
		`CREATE TABLE q (a int CHECK (a > 0 /* unterminated`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, sql string) {
		d := parseCreateTable(sql)
		for _, c := range d.checks {
			if again := canonicalIn(tokenize(c.expr), d.isColumn); again != c.expr {
				t.Fatalf("check %q canonicalises again to %q", c.expr, again)
			}
		}
		for name, c := range d.columns {
			if c.generated == "" {
				continue
			}
			if again := canonicalIn(tokenize(c.generated), d.isColumn); again != c.generated {
				t.Fatalf("generated column %s: %q canonicalises again to %q", name, c.generated, again)
			}
		}
		x := parseCreateIndex(sql, d.isColumn)
		if x.where != "" {
			if again := canonicalIn(tokenize(x.where), d.isColumn); again != x.where {
				t.Fatalf("where %q canonicalises again to %q", x.where, again)
			}
		}
	})
}
