package script

import (
	"regexp"
	"strings"
	"testing"
	"time"
)

func TestSlug(t *testing.T) {
	// Expected values computed with Alembic's expression:
	//   "_".join(re.findall(r"\w+", message)).lower(), then truncation.
	tests := []struct {
		msg  string
		n    int
		want string
	}{
		{"Add users table", 40, "add_users_table"},
		{"this is a very long message that exceeds forty characters", 40, "this_is_a_very_long_message_that_"},
		{"add-column: users.email (NOT NULL)!", 40, "add_column_users_email_not_null"},
		{"Ünïcödé Straße 東京 ٣", 40, "ünïcödé_straße_東京_٣"},
		{"abcdefghijklmnopqrstuvwxyz", 10, "abcdefghij_"},
		{"a b", 1, "a_"},
		{"", 40, ""},
		{"  __x__  y ", 40, "__x___y"},
		{"one two three", 8, "one_two_"},
		{"one two three", 7, "one_"},
		{"ÀB_C", 3, "àb_"},
		{"e\u0301t\u00e9", 40, "e_té"},
		{"exactly ten", 11, "exactly_ten"},
		{"no truncation", 0, "no_truncation"},
	}
	for _, tt := range tests {
		if got := Slug(tt.msg, tt.n); got != tt.want {
			t.Errorf("Slug(%q, %d) = %q, want %q", tt.msg, tt.n, got, tt.want)
		}
	}
}

func TestFileName(t *testing.T) {
	ts := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
	tests := []struct {
		tmpl, want, err string
	}{
		{"{rev}_{slug}", "3f2a9c1b7d4e_add_users.sql", ""},
		{"{year}{month}{day}_{hour}{minute}{second}_{rev}", "20260304_050607_3f2a9c1b7d4e.sql", ""},
		{"{epoch}_{rev}", "1772600767_3f2a9c1b7d4e.sql", ""},
		{"{rev}.sql", "3f2a9c1b7d4e.sql", ""},
		{"v_{rev}", "v_3f2a9c1b7d4e.sql", ""},
		{"{rev}_{nope}", "", `file_template "{rev}_{nope}": unknown token {nope}; known tokens: {rev} {slug} {epoch} {year} {month} {day} {hour} {minute} {second}`},
		{"{rev", "", `file_template "{rev": '{' without '}'`},
		{"rev}", "", `file_template "rev}": '}' without '{'`},
		{"", "", `file_template "": has no {token}, so every revision file would get the same name: use {rev} (the revision id), as in the default file_template = "{rev}_{slug}"`},
		// A library caller's template is checked as loading the config
		// checks it: with no token, or in Alembic's spelling, every
		// revision gets one name. Without {rev} is allowed, as in Alembic.
		{"{epoch}_{slug}", "1772600767_add_users.sql", ""},
		{"migration", "", `file_template "migration": has no {token}, so every revision file would get the same name: use {rev} (the revision id), as in the default file_template = "{rev}_{slug}"`},
		{"%(rev)s_%(slug)s", "", `file_template "%(rev)s_%(slug)s": Alembic's %(name)s tokens are not retort's, which are in braces: write file_template = "{rev}_{slug}" (tokens: {rev} {slug} {epoch} {year} {month} {day} {hour} {minute} {second})`},
		{"sub/{rev}", "", `file_template "sub/{rev}" gives "sub/3f2a9c1b7d4e.sql", which is not a plain file name`},
		{".{rev}", "", `file_template ".{rev}" gives ".3f2a9c1b7d4e.sql", a hidden file name that loading would skip`},
	}
	for _, tt := range tests {
		got, err := FileName(tt.tmpl, "3f2a9c1b7d4e", "add_users", ts)
		if tt.err != "" {
			if err == nil || err.Error() != tt.err {
				t.Errorf("FileName(%q) err = %v\nwant %s", tt.tmpl, err, tt.err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("FileName(%q) = %q, %v; want %q", tt.tmpl, got, err, tt.want)
		}
	}
}

func TestNewRevisionID(t *testing.T) {
	re := regexp.MustCompile(`^[0-9a-f]{12}$`)
	seen := map[string]bool{}
	for range 1000 {
		id := NewRevisionID()
		if !re.MatchString(id) {
			t.Fatalf("NewRevisionID() = %q", id)
		}
		if err := ValidateID(id); err != nil {
			t.Fatal(err)
		}
		if seen[id] {
			t.Fatalf("NewRevisionID() repeated %q", id)
		}
		seen[id] = true
	}
}

func TestValidateID(t *testing.T) {
	for _, ok := range []string{"a", "3f2a9c1b7d4e", strings.Repeat("x", 32), strings.Repeat("é", 32), "ae1027a6acf", "v1.2_final", "A/B#C"} {
		if err := ValidateID(ok); err != nil {
			t.Errorf("ValidateID(%q) = %v", ok, err)
		}
	}
	tests := []struct{ id, err string }{
		{"", "empty revision id"},
		{strings.Repeat("x", 33), `revision id "` + strings.Repeat("x", 33) + `" is 33 characters long; the limit is 32`},
		{"a b", `Character(s) ' ' not allowed in revision identifier 'a b'`},
		{"a\tb", `Character(s) '\t' not allowed in revision identifier 'a\tb'`},
		{"a\u00a0b", `Character(s) '\u00a0' not allowed in revision identifier 'a\u00a0b'`},
		{"head-1", `Character(s) '-' not allowed in revision identifier 'head-1'`},
		{"a+1", `Character(s) '+' not allowed in revision identifier 'a+1'`},
		{"b@head", `Character(s) '@' not allowed in revision identifier 'b@head'`},
		{"a:b", `Character(s) ':' not allowed in revision identifier 'a:b'`},
		{"a,b", `Character(s) ',' not allowed in revision identifier 'a,b'`},
		{"a\x7fb", `Character(s) '\x7f' not allowed in revision identifier 'a\x7fb'`},
		{"a\xffb", `Character(s) '�' not allowed in revision identifier 'a\xffb'`},
	}
	for _, tt := range tests {
		err := ValidateID(tt.id)
		if err == nil || err.Error() != tt.err {
			t.Errorf("ValidateID(%q) = %v\nwant %s", tt.id, err, tt.err)
		}
	}
}
