package script

import (
	"slices"
	"strings"
	"testing"
	"time"
)

func FuzzParse(f *testing.F) {
	f.Add(designExample)
	for _, tt := range parseErrorTests {
		f.Add(tt.text)
	}
	for _, s := range []string{
		"-- init\n-- Revision ID: a1\n-- Revises:\n-- retort:upgrade\n",
		"--\n--   Revision ID: a1\n-- Revises:\n--\n-- Longer text,\n--   indented.\n--\n-- Second paragraph.   \n-- Create Date: today\n-- retort:upgrade\n",
		"-- m\n-- Revision ID: a1\n-- Revises:\n-- retort:upgrade\n-- retort:no-transaction\nCREATE INDEX CONCURRENTLY i ON t (c);\n-- retort:downgrade\nDROP INDEX i;\n",
		"-- m\r\n-- Revision ID: a1\r\n-- Revises:\r\n\r\n-- retort:upgrade\r\nA;\r\n-- retort:downgrade\r\nB;\r\n",
		"\uFEFF\n\n-- m\n-- Revision ID: a1\n-- Revises:\n\n-- retort:upgrade\nSELECT 1;\n",
		"-- m\n-- Revision ID: a1\n-- Revises:\n-- retort:downgrade\nD;\n-- retort:upgrade\nU;\n",
		"-- Revises: x\n-- Revision ID: a1\n-- Revises: a, b\n-- Branch Labels: l\n-- Depends On: d\n-- retort:upgrade\n-- retort: x\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		s, err := Parse("x.sql", []byte(text))
		if err != nil {
			if _, ok := err.(*ParseError); !ok {
				t.Fatalf("error %T is not a *ParseError: %v", err, err)
			}
			return
		}
		checkParsed(t, text, s)
		checkRoundTrip(t, s)
	})
}

// checkParsed checks the invariants of a successful parse.
func checkParsed(t *testing.T, text string, s *Script) {
	t.Helper()
	if err := ValidateID(s.ID); err != nil {
		t.Fatalf("parsed an invalid id: %v", err)
	}
	for _, list := range [][]string{s.Down, s.BranchLabels, s.DependsOn} {
		for i, id := range list {
			if err := ValidateID(id); err != nil || slices.Contains(list[:i], id) {
				t.Fatalf("parsed an invalid or duplicate list entry %q", id)
			}
		}
	}
	norm := strings.TrimPrefix(string(normalizeNewlines([]byte(text))), "\uFEFF")
	lines := strings.Split(norm, "\n")
	sections := []Section{s.Upgrade}
	if s.Downgrade != nil {
		sections = append(sections, *s.Downgrade)
	}
	for _, sec := range sections {
		if sec.Line < 1 || sec.Line > len(lines) {
			t.Fatalf("section line %d outside the file (%d lines)", sec.Line, len(lines))
		}
		if sec.SQL == "" {
			continue
		}
		// Line k of SQL is line Line+k of the file, or blank where the
		// no-transaction marker stood.
		for k, l := range strings.Split(sec.SQL, "\n") {
			fileLine := lines[sec.Line-1+k]
			if l != fileLine && (l != "" || !strings.Contains(fileLine, "retort:no-transaction")) &&
				l != strings.TrimRight(fileLine, " \t") {
				t.Fatalf("SQL line %d %q is not file line %d %q", k, l, sec.Line+k, fileLine)
			}
		}
	}
}

// checkRoundTrip renders s with DefaultTemplate and parses the result: the
// header and the SQL must survive.
func checkRoundTrip(t *testing.T, s *Script) {
	t.Helper()
	section := func(sec *Section) string {
		if sec == nil {
			return ""
		}
		if sec.NoTransaction {
			return "-- retort:no-transaction\n" + sec.SQL
		}
		return sec.SQL
	}
	msg := s.Message
	if msg != "" {
		msg = s.LongDoc
	}
	out, err := Render(DefaultTemplate, NewRevision{
		ID: s.ID, Message: msg, Down: s.Down, BranchLabels: s.BranchLabels, DependsOn: s.DependsOn,
		CreateDate: time.Date(2026, 1, 2, 3, 4, 5, 6000, time.UTC),
		Upgrades:   section(&s.Upgrade), Downgrades: section(s.Downgrade),
	})
	if err != nil {
		t.Fatalf("Render of a parsed script: %v", err)
	}
	r, err := Parse("x.sql", out)
	if err != nil {
		t.Fatalf("rendered file does not parse: %v\n%s", err, out)
	}
	same := func(what string, got, want any) {
		t.Helper()
		if !equalAny(got, want) {
			t.Fatalf("round trip changed %s: %q, want %q\n%s", what, got, want, out)
		}
	}
	same("ID", r.ID, s.ID)
	same("Down", r.Down, s.Down)
	same("BranchLabels", r.BranchLabels, s.BranchLabels)
	same("DependsOn", r.DependsOn, s.DependsOn)
	same("Message", r.Message, s.Message)
	if s.Message != "" {
		same("LongDoc", r.LongDoc, s.LongDoc)
	}
	same("upgrade SQL", r.Upgrade.SQL, s.Upgrade.SQL)
	same("upgrade no-transaction", r.Upgrade.NoTransaction, s.Upgrade.NoTransaction)
	if s.Downgrade != nil {
		same("downgrade SQL", r.Downgrade.SQL, s.Downgrade.SQL)
		same("downgrade no-transaction", r.Downgrade.NoTransaction, s.Downgrade.NoTransaction)
	}
}

func equalAny(a, b any) bool {
	if as, ok := a.([]string); ok {
		return slices.Equal(as, b.([]string))
	}
	return a == b
}

// FuzzRender renders arbitrary messages and SQL: Render either refuses or
// writes a file that parses back to the same header and SQL.
func FuzzRender(f *testing.F) {
	f.Add("a1", "add users table", "b1", "CREATE TABLE users (id int);\n", "DROP TABLE users;")
	f.Add("a1", "Split users\n\nThe table grew.\n  Keep ids.", "", "-- retort:no-transaction\nCREATE INDEX CONCURRENTLY i ON t (c);", "")
	f.Add("a1", "retort: a note", "b1,b2", "\n\n  A;\n\n-- c\nB;  \n", "\r\nC;\r\n")
	f.Fuzz(func(t *testing.T, id, msg, down, up, dn string) {
		var downs []string
		if down != "" {
			downs = strings.Split(down, ",")
		}
		out, err := Render(DefaultTemplate, NewRevision{ID: id, Message: msg, Down: downs, CreateDate: time.Unix(0, 0), Upgrades: up, Downgrades: dn})
		if err != nil {
			return
		}
		s, err := Parse("x.sql", out)
		if err != nil {
			t.Fatalf("Render wrote a file that does not parse: %v\n%s", err, out)
		}
		checkParsed(t, string(out), s)
		for _, c := range []struct {
			in  string
			got *Section
		}{{up, &s.Upgrade}, {dn, s.Downgrade}} {
			in := string(normalizeNewlines([]byte(c.in)))
			if strings.Contains(in, "retort:") {
				continue
			}
			lines := strings.Split(strings.TrimRight(in, " \t\n"), "\n")
			for len(lines) > 0 && isBlank(lines[0]) {
				lines = lines[1:]
			}
			if want := strings.Join(lines, "\n"); c.got.SQL != want {
				t.Fatalf("SQL %q came back as %q", want, c.got.SQL)
			}
		}
	})
}
