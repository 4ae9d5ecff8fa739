package config

import (
	"errors"
	"strings"
	"testing"
)

// A file_template that cannot name revision files apart is rejected when
// the config loads, naming the file, line and key, before any command can
// write a file: Alembic's %(rev)s spelling would name every file
// "%(rev)s_%(slug)s.sql", and so would a template with no token.
func TestLoadRejectsFileTemplate(t *testing.T) {
	const tokens = "(tokens: {rev} {slug} {epoch} {year} {month} {day} {hour} {minute} {second})"
	tests := []struct {
		name, text string
		key        string
		line       int
		want       string
	}{
		{"alembic tokens", "script_location = \"m\"\nfile_template = \"%(rev)s_%(slug)s\"\n", "file_template", 2,
			`Alembic's %(name)s tokens are not retort's, which are in braces: write file_template = "{rev}_{slug}" ` + tokens},
		// alembic.ini escapes '%' as "%%"; a date format such as %(month).2d.
		{"alembic.ini spelling", "script_location = \"m\"\nfile_template = \"%%(year)d-%%(month).2d_%%(rev)s\"\n", "file_template", 2,
			`Alembic's %(name)s tokens are not retort's, which are in braces: write file_template = "{year}-{month}_{rev}" ` + tokens},
		{"no token", "script_location = \"m\"\n\nfile_template = \"migration\"\n", "file_template", 3,
			`has no {token}, so every revision file would get the same name: use {rev} (the revision id), as in the default file_template = "{rev}_{slug}"`},
		{"unknown token", "script_location = \"m\"\nfile_template = \"{rev}_{title}\"\n", "file_template", 2,
			"unknown token {title}; known tokens: {rev} {slug} {epoch} {year} {month} {day} {hour} {minute} {second}"},
		{"stray brace", "script_location = \"m\"\nfile_template = \"{rev}_slug}\"\n", "file_template", 2,
			"'}' without '{'"},
		{"multidb", "script_location = \"m\"\n[databases.main]\nfile_template = \"%(rev)s\"\n", "databases.main.file_template", 3,
			`Alembic's %(name)s tokens are not retort's, which are in braces: write file_template = "{rev}" ` + tokens},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := load(t, tt.text, nil, "")
			var ce *Error
			if !errors.As(err, &ce) {
				t.Fatalf("err = %v, want a *config.Error", err)
			}
			want := Error{File: DefaultFileName, Line: tt.line, Key: tt.key, Msg: tt.want}
			if *ce != want {
				t.Fatalf("err = %#v\nwant  %#v", *ce, want)
			}
			if !strings.HasPrefix(err.Error(), DefaultFileName+":") || !strings.Contains(err.Error(), tt.key+": ") {
				t.Errorf("message %q does not name the file and key", err)
			}
		})
	}
}

func TestLoadAcceptsFileTemplate(t *testing.T) {
	for _, tmpl := range []string{"{rev}_{slug}", "{year}{month}{day}_{hour}{minute}{second}_{rev}", "{epoch}_{rev}", "v{rev}.sql", "100%_{rev}", "{year}{month}{day}{hour}{minute}{second}_{slug}"} {
		c, _, err := load(t, "script_location = \"m\"\nfile_template = \""+tmpl+"\"\n", nil, "")
		if err != nil {
			t.Errorf("file_template %q: %v", tmpl, err)
			continue
		}
		if c.FileTemplate != tmpl {
			t.Errorf("FileTemplate = %q, want %q", c.FileTemplate, tmpl)
		}
	}
}
