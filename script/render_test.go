package script

import (
	"strings"
	"testing"
	"time"
)

var created = time.Date(2026, 11, 26, 15, 0, 0, 123456789, time.FixedZone("CET", 3600))

func TestRenderDesignExample(t *testing.T) {
	out, err := Render(DefaultTemplate, NewRevision{
		ID:           "3f2a9c1b7d4e",
		Message:      "add users table",
		Down:         []string{"1b2c3d4e5f60"},
		BranchLabels: []string{"billing"},
		DependsOn:    []string{"9a8b7c6d5e4f"},
		CreateDate:   created,
		Upgrades:     "CREATE TABLE users (\n    id INTEGER PRIMARY KEY,\n    name VARCHAR(100) NOT NULL\n);\n\n",
		Downgrades:   "DROP TABLE users;",
	})
	if err != nil {
		t.Fatal(err)
	}
	if string(out) != designExample {
		t.Errorf("got\n%s\nwant\n%s", out, designExample)
	}
}

func TestRenderMinimal(t *testing.T) {
	out, err := Render(DefaultTemplate, NewRevision{ID: "a1", CreateDate: created})
	if err != nil {
		t.Fatal(err)
	}
	want := `--
--
-- Revision ID: a1
-- Revises:
-- Create Date: 2026-11-26 14:00:00.123456+00:00

-- retort:upgrade

-- retort:downgrade
`
	if string(out) != want {
		t.Errorf("got\n%q\nwant\n%q", out, want)
	}
	s, err := Parse("x.sql", out)
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "Upgrade", s.Upgrade, Section{Line: 7})
	eq(t, "Downgrade", s.Downgrade, &Section{Line: 9})
}

func TestRenderMultiLineMessage(t *testing.T) {
	out, err := Render(DefaultTemplate, NewRevision{
		ID:         "a1",
		Message:    "\r\n  Split users  \r\n\r\nThe table grew too wide.\n  Keep ids.  \n\n",
		Down:       []string{"b1", "b2"},
		CreateDate: created,
		Upgrades:   "-- retort:no-transaction\nCREATE INDEX CONCURRENTLY i ON users (name);",
	})
	if err != nil {
		t.Fatal(err)
	}
	want := `-- Split users
--
-- The table grew too wide.
--   Keep ids.
--
-- Revision ID: a1
-- Revises: b1, b2
-- Create Date: 2026-11-26 14:00:00.123456+00:00

-- retort:upgrade
-- retort:no-transaction
CREATE INDEX CONCURRENTLY i ON users (name);

-- retort:downgrade
`
	if string(out) != want {
		t.Errorf("got\n%s\nwant\n%s", out, want)
	}
	s, err := Parse("x.sql", out)
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "Message", s.Message, "Split users")
	eq(t, "LongDoc", s.LongDoc, "Split users\n\nThe table grew too wide.\n  Keep ids.")
	eq(t, "Upgrade", s.Upgrade, Section{SQL: "CREATE INDEX CONCURRENTLY i ON users (name);", Line: 12, NoTransaction: true})
}

func TestRenderErrors(t *testing.T) {
	ok := NewRevision{ID: "a1", CreateDate: created}
	tests := []struct {
		name string
		tmpl string
		nr   func(nr *NewRevision)
		err  string
	}{
		{"bad id", DefaultTemplate, func(nr *NewRevision) { nr.ID = "a-1" },
			`Character(s) '-' not allowed in revision identifier 'a-1'`},
		{"bad down", DefaultTemplate, func(nr *NewRevision) { nr.Down = []string{"b1", ""} }, "Revises: empty revision id"},
		{"duplicate down", DefaultTemplate, func(nr *NewRevision) { nr.Down = []string{"b1", "b1"} }, `Revises: lists "b1" twice`},
		{"bad label", DefaultTemplate, func(nr *NewRevision) { nr.BranchLabels = []string{"a b"} },
			`Branch Labels: branch label "a b" contains ' '; it may not contain white space or any of @ - + : ,`},
		{"bad depends", DefaultTemplate, func(nr *NewRevision) { nr.DependsOn = []string{"x:y"} },
			`Depends On: Character(s) ':' not allowed in revision identifier 'x:y'`},
		{"message marker", DefaultTemplate, func(nr *NewRevision) { nr.Message = "retort:upgrade" },
			`message line "retort:upgrade" would be read as a "-- retort:" marker`},
		{"message field", DefaultTemplate, func(nr *NewRevision) { nr.Message = "x\nRevises: y" },
			`message line "Revises: y" would be read as the "Revises:" field`},
		{"template syntax", "-- {{.Message", nil, `template: script.sql.tmpl:1: unclosed action`},
		{"template unknown field", "-- {{.Nope}}", nil,
			`template: script.sql.tmpl:1:5: executing "script.sql.tmpl" at <.Nope>: can't evaluate field Nope in type script.templateData`},
		{"template unknown function", "{{upper .Message}}", nil, `template: script.sql.tmpl:1: function "upper" not defined`},
		{"template output does not parse", "-- m\n-- retort:upgrade\n", nil,
			`template script.sql.tmpl renders a file that does not parse: (script.sql.tmpl output): no "-- Revision ID:" line in the header (the block of "--" lines at the top of the file)`},
		{"template drops Revises", "-- m\n-- Revision ID: {{.Revision}}\n-- Revises:\n-- retort:upgrade\n", func(nr *NewRevision) { nr.Down = []string{"b1"} },
			`template script.sql.tmpl renders Revises [], want ["b1"]`},
		{"template without Revises", "-- m\n-- Revision ID: {{.Revision}}\n-- retort:upgrade\n", func(nr *NewRevision) {},
			`template script.sql.tmpl renders a file that does not parse: (script.sql.tmpl output):2: no "-- Revises:" line in the header: write "-- Revises:" with nothing after it for a base, or with the id of the revision this one follows`},
		{"template drops message", "--\n-- Revision ID: {{.Revision}}\n-- Revises:\n-- retort:upgrade\n", func(nr *NewRevision) { nr.Message = "hello" },
			`template script.sql.tmpl renders message "", want "hello"`},
		{"marker in upgrades", DefaultTemplate, func(nr *NewRevision) { nr.Upgrades = "A;\n-- retort:downgrade\nB;" },
			`template script.sql.tmpl renders a file that does not parse: (script.sql.tmpl output):12: "-- retort:downgrade" given twice (first on line 9)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			nr := ok
			if tt.nr != nil {
				tt.nr(&nr)
			}
			_, err := Render(tt.tmpl, nr)
			if err == nil || err.Error() != tt.err {
				t.Errorf("err = %v\nwant  %s", err, tt.err)
			}
		})
	}
}

func TestRenderZeroDateIsNow(t *testing.T) {
	before := time.Now().UTC().Truncate(time.Microsecond)
	out, err := Render(DefaultTemplate, NewRevision{ID: "a1"})
	if err != nil {
		t.Fatal(err)
	}
	s, err := Parse("x.sql", out)
	if err != nil {
		t.Fatal(err)
	}
	got, err := time.Parse(CreateDateLayout, s.CreateDate)
	if err != nil {
		t.Fatal(err)
	}
	if got.Before(before) || got.After(time.Now()) || !strings.HasSuffix(s.CreateDate, "+00:00") {
		t.Errorf("Create Date %s is not now in UTC", s.CreateDate)
	}
}

func TestFormatCreateDate(t *testing.T) {
	if got := FormatCreateDate(created); got != "2026-11-26 14:00:00.123456+00:00" {
		t.Errorf("FormatCreateDate = %q", got)
	}
}
