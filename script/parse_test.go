package script

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/retortdb/retort/revision"
)

const designExample = `-- add users table
--
-- Revision ID: 3f2a9c1b7d4e
-- Revises: 1b2c3d4e5f60
-- Branch Labels: billing
-- Depends On: 9a8b7c6d5e4f
-- Create Date: 2026-11-26 14:00:00.123456+00:00

-- retort:upgrade
CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    name VARCHAR(100) NOT NULL
);

-- retort:downgrade
DROP TABLE users;
`

func TestParseDesignExample(t *testing.T) {
	s, err := Parse("versions/3f2a9c1b7d4e_add_users_table.sql", []byte(designExample))
	if err != nil {
		t.Fatal(err)
	}
	want := &Script{
		Revision: revision.Revision{
			ID:           "3f2a9c1b7d4e",
			Down:         []string{"1b2c3d4e5f60"},
			BranchLabels: []string{"billing"},
			DependsOn:    []string{"9a8b7c6d5e4f"},
			Message:      "add users table",
			LongDoc:      "add users table",
			Path:         "versions/3f2a9c1b7d4e_add_users_table.sql",
		},
		CreateDate: "2026-11-26 14:00:00.123456+00:00",
		Upgrade: Section{
			SQL:  "CREATE TABLE users (\n    id INTEGER PRIMARY KEY,\n    name VARCHAR(100) NOT NULL\n);",
			Line: 10,
		},
		Downgrade: &Section{SQL: "DROP TABLE users;", Line: 16},
		Checksum:  sha256hex(designExample),
		FileName:  "3f2a9c1b7d4e_add_users_table.sql",
	}
	if !reflect.DeepEqual(s, want) {
		t.Errorf("got  %#v\nwant %#v", s, want)
	}
}

func sha256hex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

func TestParse(t *testing.T) {
	tests := []struct {
		name  string
		text  string
		check func(t *testing.T, s *Script)
	}{
		{"minimal base", "-- init\n-- Revision ID: a1\n-- Revises:\n-- retort:upgrade\n", func(t *testing.T, s *Script) {
			eq(t, "ID", s.ID, "a1")
			eq(t, "Down", s.Down, []string(nil))
			eq(t, "Upgrade", s.Upgrade, Section{Line: 4})
			eq(t, "Downgrade", s.Downgrade, (*Section)(nil))
		}},
		{"empty Revises is a base", "-- m\n-- Revision ID: a1\n-- Revises:\n-- Branch Labels:   \n-- Depends On:\n\n-- retort:upgrade\n-- retort:downgrade\n",
			func(t *testing.T, s *Script) {
				eq(t, "Down", s.Down, []string(nil))
				eq(t, "BranchLabels", s.BranchLabels, []string(nil))
				eq(t, "DependsOn", s.DependsOn, []string(nil))
				eq(t, "Upgrade", s.Upgrade, Section{Line: 7})
				eq(t, "Downgrade", s.Downgrade, &Section{Line: 8})
			}},
		{"merge point and lists", "-- merge\n-- Revision ID: m1\n-- Revises: a1,b2 ,  c3\n-- Branch Labels: x, y\n-- Depends On: d4, lbl\n-- retort:upgrade\nSELECT 1;\n",
			func(t *testing.T, s *Script) {
				eq(t, "Down", s.Down, []string{"a1", "b2", "c3"})
				eq(t, "BranchLabels", s.BranchLabels, []string{"x", "y"})
				eq(t, "DependsOn", s.DependsOn, []string{"d4", "lbl"})
			}},
		{"empty message, long doc", "--\n--   Revision ID: a1\n-- Revises:\n--\n-- Longer text,\n--   indented.\n--\n-- Second paragraph.   \n-- Create Date: today\n-- retort:upgrade\n",
			func(t *testing.T, s *Script) {
				eq(t, "Message", s.Message, "")
				eq(t, "LongDoc", s.LongDoc, "Longer text,\n  indented.\n\nSecond paragraph.")
				eq(t, "CreateDate", s.CreateDate, "today")
			}},
		{"message and long doc", "--   Add users   \n--\n-- Why: because.\n-- Revision ID: a1\n-- Revises:\n--\n-- retort:upgrade\n",
			func(t *testing.T, s *Script) {
				eq(t, "Message", s.Message, "Add users")
				eq(t, "LongDoc", s.LongDoc, "Add users\n\nWhy: because.")
			}},
		{"first line that looks like a field is the message", "-- Revises: the old way\n-- Revision ID: a1\n-- Revises:\n-- retort:upgrade\n",
			func(t *testing.T, s *Script) {
				eq(t, "Message", s.Message, "Revises: the old way")
				eq(t, "Down", s.Down, []string(nil))
			}},
		{"leading blank lines and BOM", "\uFEFF\n\n-- m\n-- Revision ID: a1\n-- Revises:\n\n-- retort:upgrade\nSELECT 1;\n",
			func(t *testing.T, s *Script) {
				eq(t, "ID", s.ID, "a1")
				eq(t, "Upgrade", s.Upgrade, Section{SQL: "SELECT 1;", Line: 8})
			}},
		{"header ends at a marker", "-- m\n-- Revision ID: a1\n-- Revises:\n-- retort:upgrade\n-- Revises: x\nSELECT 1;\n",
			func(t *testing.T, s *Script) {
				eq(t, "Down", s.Down, []string(nil))
				eq(t, "Upgrade", s.Upgrade, Section{SQL: "-- Revises: x\nSELECT 1;", Line: 5})
			}},
		{"comments between header and sections", "-- m\n-- Revision ID: a1\n-- Revises:\n\n-- note for readers\n  -- another\n\n-- retort:upgrade\n",
			func(t *testing.T, s *Script) {
				eq(t, "LongDoc", s.LongDoc, "m")
				eq(t, "Upgrade", s.Upgrade, Section{Line: 8})
			}},
		{"sections keep interior blank lines and comments", "-- m\n-- Revision ID: a1\n-- Revises:\n-- retort:upgrade\n\n\nA;\n\n-- c\nB;   \n\n\n-- retort:downgrade\n  \nC;",
			func(t *testing.T, s *Script) {
				eq(t, "Upgrade", s.Upgrade, Section{SQL: "A;\n\n-- c\nB;", Line: 7})
				eq(t, "Downgrade", s.Downgrade, &Section{SQL: "C;", Line: 15})
			}},
		{"downgrade first", "-- m\n-- Revision ID: a1\n-- Revises:\n-- retort:downgrade\nD;\n-- retort:upgrade\nU;\n",
			func(t *testing.T, s *Script) {
				eq(t, "Upgrade", s.Upgrade, Section{SQL: "U;", Line: 7})
				eq(t, "Downgrade", s.Downgrade, &Section{SQL: "D;", Line: 5})
			}},
		{"no-transaction first line", "-- m\n-- Revision ID: a1\n-- Revises:\n-- retort:upgrade\n-- retort:no-transaction\nCREATE INDEX CONCURRENTLY i ON t (c);\n-- retort:downgrade\nDROP INDEX i;\n",
			func(t *testing.T, s *Script) {
				eq(t, "Upgrade", s.Upgrade, Section{SQL: "CREATE INDEX CONCURRENTLY i ON t (c);", Line: 6, NoTransaction: true})
				eq(t, "Downgrade", s.Downgrade, &Section{SQL: "DROP INDEX i;", Line: 8})
			}},
		{"no-transaction in the middle keeps line numbers", "-- m\n-- Revision ID: a1\n-- Revises:\n-- retort:upgrade\nA;\n  --retort:no-transaction  \nB;\n",
			func(t *testing.T, s *Script) {
				eq(t, "Upgrade", s.Upgrade, Section{SQL: "A;\n\nB;", Line: 5, NoTransaction: true})
			}},
		{"no-transaction alone", "-- m\n-- Revision ID: a1\n-- Revises:\n-- retort:upgrade\n-- retort:no-transaction\n",
			func(t *testing.T, s *Script) {
				eq(t, "Upgrade", s.Upgrade, Section{Line: 4, NoTransaction: true})
			}},
		{"retort: with a space is a comment", "-- m\n-- Revision ID: a1\n-- Revises:\n-- retort: keep this short\n-- retort:upgrade\n-- retort: note\n",
			func(t *testing.T, s *Script) {
				eq(t, "LongDoc", s.LongDoc, "m\nretort: keep this short")
				eq(t, "Upgrade", s.Upgrade, Section{SQL: "-- retort: note", Line: 6})
			}},
		{"CRLF", "-- m\r\n-- Revision ID: a1\r\n-- Revises:\r\n\r\n-- retort:upgrade\r\nA;\r\n-- retort:downgrade\r\nB;\r\n",
			func(t *testing.T, s *Script) {
				eq(t, "Upgrade", s.Upgrade, Section{SQL: "A;", Line: 6})
				eq(t, "Downgrade", s.Downgrade, &Section{SQL: "B;", Line: 8})
				eq(t, "Checksum", s.Checksum, sha256hex("-- m\n-- Revision ID: a1\n-- Revises:\n\n-- retort:upgrade\nA;\n-- retort:downgrade\nB;\n"))
			}},
		{"CR only", "-- m\r-- Revision ID: a1\r-- Revises:\r-- retort:upgrade\rA;\r",
			func(t *testing.T, s *Script) {
				eq(t, "Upgrade", s.Upgrade, Section{SQL: "A;", Line: 5})
			}},
		{"longest id, odd characters", "-- m\n-- Revision ID: abcdefghijklmnopqrstuvwxyz_.é/#!\n-- Revises:\n-- retort:upgrade\n",
			func(t *testing.T, s *Script) {
				eq(t, "ID", s.ID, "abcdefghijklmnopqrstuvwxyz_.é/#!")
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Parse("v/x.sql", []byte(tt.text))
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, s)
		})
	}
}

func eq(t *testing.T, what string, got, want any) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s = %#v, want %#v", what, got, want)
	}
}

// parseErrorTests are shared with the fuzz seed corpus.
var parseErrorTests = []struct {
	name string
	text string
	line int
	msg  string
}{
	{"empty file", "", 0, `no "-- Revision ID:" line in the header (the block of "--" lines at the top of the file)`},
	{"no header", "SELECT 1;\n", 0, `no "-- Revision ID:" line in the header (the block of "--" lines at the top of the file)`},
	{"no Revision ID", "-- m\n-- Revises: a\n-- retort:upgrade\n", 0, `no "-- Revision ID:" line in the header (the block of "--" lines at the top of the file)`},
	{"field as first line", "\n-- Revision ID: a1\n-- retort:upgrade\n", 2, `no "-- Revision ID:" line in the header: its first line is the message, so write the message above the fields`},
	{"empty Revision ID", "-- m\n-- Revision ID:   \n-- retort:upgrade\n", 2, "Revision ID: empty revision id"},
	{"field twice", "-- m\n-- Revision ID: a1\n-- Revises: b\n-- Revises: c\n-- retort:upgrade\n", 4, `"Revises:" given twice (first on line 3)`},
	{"Revision ID twice", "-- m\n-- Revision ID: a1\n-- Revision ID: a1\n-- retort:upgrade\n", 3, `"Revision ID:" given twice (first on line 2)`},
	{"id with space", "-- m\n-- Revision ID: a b\n-- retort:upgrade\n", 2, `Revision ID: Character(s) ' ' not allowed in revision identifier 'a b'`},
	{"id with @", "-- m\n-- Revision ID: a@b\n-- retort:upgrade\n", 2, `Revision ID: Character(s) '@' not allowed in revision identifier 'a@b'`},
	{"id with -", "-- m\n-- Revision ID: a-b\n-- retort:upgrade\n", 2, `Revision ID: Character(s) '-' not allowed in revision identifier 'a-b'`},
	{"id with +", "-- m\n-- Revision ID: a+b\n-- retort:upgrade\n", 2, `Revision ID: Character(s) '+' not allowed in revision identifier 'a+b'`},
	{"id with :", "-- m\n-- Revision ID: a:b\n-- retort:upgrade\n", 2, `Revision ID: Character(s) ':' not allowed in revision identifier 'a:b'`},
	{"id with ,", "-- m\n-- Revision ID: a,b\n-- retort:upgrade\n", 2, `Revision ID: Character(s) ',' not allowed in revision identifier 'a,b'`},
	{"id with control", "-- m\n-- Revision ID: a\x01b\n-- retort:upgrade\n", 2, `Revision ID: Character(s) '\x01' not allowed in revision identifier 'a\x01b'`},
	{"id too long", "-- m\n-- Revision ID: " + strings.Repeat("a", 33) + "\n-- retort:upgrade\n", 2,
		`Revision ID: revision id "` + strings.Repeat("a", 33) + `" is 33 characters long; the limit is 32`},
	{"bad id in Revises", "-- m\n-- Revision ID: a1\n-- Revises: b1, b-2\n-- retort:upgrade\n", 3, `Revises: Character(s) '-' not allowed in revision identifier 'b-2'`},
	{"bad id in Depends On", "-- m\n-- Revision ID: a1\n-- Depends On: x@head\n-- retort:upgrade\n", 3, `Depends On: Character(s) '@' not allowed in revision identifier 'x@head'`},
	{"bad branch label", "-- m\n-- Revision ID: a1\n-- Branch Labels: my branch\n-- retort:upgrade\n", 3, `Branch Labels: branch label "my branch" contains ' '; it may not contain white space or any of @ - + : ,`},
	{"duplicate in Revises", "-- m\n-- Revision ID: a1\n-- Revises: b1, c1, b1\n-- retort:upgrade\n", 3, `Revises: lists "b1" twice`},
	{"duplicate label", "-- m\n-- Revision ID: a1\n-- Branch Labels: x,x\n-- retort:upgrade\n", 3, `Branch Labels: lists "x" twice`},
	{"empty list entry", "-- m\n-- Revision ID: a1\n-- Depends On: b1,\n-- retort:upgrade\n", 3, `Depends On: has an empty entry (a stray ',')`},
	{"no upgrade section", "-- m\n-- Revision ID: a1\n-- Revises:\n", 0, `no "-- retort:upgrade" section`},
	{"only downgrade", "-- m\n-- Revision ID: a1\n-- Revises:\n-- retort:downgrade\nDROP TABLE t;\n", 0, `no "-- retort:upgrade" section`},
	{"upgrade twice", "-- m\n-- Revision ID: a1\n-- Revises:\n-- retort:upgrade\nA;\n-- retort:upgrade\n", 6, `"-- retort:upgrade" given twice (first on line 4)`},
	{"downgrade twice", "-- m\n-- Revision ID: a1\n-- Revises:\n-- retort:upgrade\n-- retort:downgrade\n-- retort:downgrade\n", 6, `"-- retort:downgrade" given twice (first on line 5)`},
	{"SQL before sections", "-- m\n-- Revision ID: a1\n-- Revises:\nCREATE TABLE t (id int);\n-- retort:upgrade\n", 4, `SQL outside a section: start it with "-- retort:upgrade"`},
	{"field outside header", "-- m\n-- Revision ID: a1\n-- Revises:\n\n-- Revises: b1\n-- retort:upgrade\n", 5,
		`"Revises:" outside the header: the header ends at the first line that is not a "--" comment (line 4); write "--" for an empty header line`},
	{"unknown marker", "-- m\n-- Revision ID: a1\n-- Revises:\n-- retort:upgrade\n-- retort:up\n", 5, `unknown marker "-- retort:up" (known: upgrade, downgrade, no-transaction)`},
	{"unknown marker before sections", "-- m\n-- Revision ID: a1\n-- Revises:\n-- retort:setup\n", 4, `unknown marker "-- retort:setup" (known: upgrade, downgrade, no-transaction)`},
	{"text after marker", "-- m\n-- Revision ID: a1\n-- Revises:\n-- retort:upgrade now\n", 4, `unexpected text after "-- retort:upgrade"`},
	{"no-transaction outside a section", "-- m\n-- Revision ID: a1\n-- Revises:\n-- retort:no-transaction\n-- retort:upgrade\n", 4,
		`"-- retort:no-transaction" must be inside a section (after "-- retort:upgrade" or "-- retort:downgrade")`},
	{"no-transaction twice", "-- m\n-- Revision ID: a1\n-- Revises:\n-- retort:upgrade\n-- retort:no-transaction\nA;\n-- retort:no-transaction\n", 7,
		`"-- retort:no-transaction" given twice in the upgrade section (first on line 5)`},
	{"no Revises line", "-- m\n-- Revision ID: a1\n-- Create Date: today\n-- retort:upgrade\n", 2,
		`no "-- Revises:" line in the header: write "-- Revises:" with nothing after it for a base, or with the id of the revision this one follows`},
	{"lowercase field", "-- m\n-- revision id: a1\n-- Revises:\n-- retort:upgrade\n", 2,
		`"-- revision id:" is not a field: field names are case-sensitive: write "-- Revision ID:"`},
	{"field in other case", "-- m\n-- Revision ID: a1\n--   REVISES: b1\n-- retort:upgrade\n", 3,
		`"-- REVISES:" is not a field: field names are case-sensitive: write "-- Revises:"`},
	{"binary", "-- m\n-- Revision ID: a1\n-- Revises:\n-- retort:upgrade\nA\x00;\n", 5, "binary content (a NUL byte): not a SQL revision file"},
	{"invalid UTF-8", "-- m\n-- Revision ID: a1\n-- Revises:\n-- retort:upgrade\n\nSELECT '\xff';\n", 6, "invalid UTF-8 (byte 0xff): save the file as UTF-8"},
	{"invalid UTF-8 after CRLF", "-- m\r\n\r\n\xc3(", 3, "invalid UTF-8 (byte 0xc3): save the file as UTF-8"},
}

func TestParseErrors(t *testing.T) {
	for _, tt := range parseErrorTests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("v/x.sql", []byte(tt.text))
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("err = %#v, want *ParseError", err)
			}
			want := ParseError{Path: "v/x.sql", Line: tt.line, Msg: tt.msg}
			if *pe != want {
				t.Errorf("err = %#v\nwant  %#v", *pe, want)
			}
		})
	}
}

func TestParseErrorString(t *testing.T) {
	if got := (&ParseError{Path: "v/x.sql", Line: 3, Msg: "bad"}).Error(); got != "v/x.sql:3: bad" {
		t.Errorf("got %q", got)
	}
	if got := (&ParseError{Path: "v/x.sql", Msg: "bad"}).Error(); got != "v/x.sql: bad" {
		t.Errorf("got %q", got)
	}
}

func TestNormalizedChecksum(t *testing.T) {
	lf := NormalizedChecksum([]byte("a\nb\n"))
	for _, s := range []string{"a\r\nb\r\n", "a\rb\r", "a\r\nb\r"} {
		if got := NormalizedChecksum([]byte(s)); got != lf {
			t.Errorf("NormalizedChecksum(%q) = %s, want %s", s, got, lf)
		}
	}
	if lf != sha256hex("a\nb\n") {
		t.Errorf("checksum is not the SHA-256 of the content")
	}
	if NormalizedChecksum([]byte("a\n\nb\n")) == lf {
		t.Errorf("\\n\\n and \\n have the same checksum")
	}
}
