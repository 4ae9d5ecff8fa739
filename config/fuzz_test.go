package config

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzLoad feeds arbitrary text to the config loader: it must not panic,
// every error must be an *Error whose line is in the file, and every path of
// a loaded config must be absolute.
func FuzzLoad(f *testing.F) {
	f.Add(`script_location = "migrations"` + "\n" + `database_url = "${DATABASE_URL:-sqlite:///app.db}"`)
	f.Add("script_location = \"m\"\nversion_locations = [\n  \"a\",\n  1,\n]\n")
	f.Add("script_location = \"m\"\nfile_template = '''\nx = 1\n'''\ntest.expected_heads = -1\n")
	f.Add("[databases.main]\nscript_location = \"m\"\nurl = \"x\"\n")
	f.Add("script_location = \"m\"\nautogenerate = { target = 3 }\n")
	f.Add("databases = { a = { database_url = \"sqlite:///a.db\" }, b = { script_location = \"b\" } }\nscript_location = \"s\"\n")
	f.Add("\"quoted.key\" = 2\nx . y = 3\n['lit'.sub]\ng = 7\n[[arr]]\n")
	getenv := env(map[string]string{"A": "x", "EMPTY": ""})
	f.Fuzz(func(t *testing.T, text string) {
		c, err := parse([]byte(text), "retort.toml", "/proj/retort.toml", "", getenv)
		if err != nil {
			var ce *Error
			if !errors.As(err, &ce) {
				t.Fatalf("error %T is not an *Error: %v", err, err)
			}
			if ce.Line < 0 || ce.Line > strings.Count(text, "\n")+1 {
				t.Fatalf("error line %d outside the file: %v", ce.Line, err)
			}
			return
		}
		paths := append([]string{c.ScriptLocation, c.Autogenerate.Target}, c.VersionLocations...)
		for _, d := range c.Databases() {
			paths = append(paths, d.Config.ScriptLocation, d.Config.Autogenerate.Target)
			paths = append(paths, d.Config.VersionLocations...)
		}
		for _, p := range paths {
			if p != "" && !filepath.IsAbs(p) {
				t.Fatalf("relative path %q in the config", p)
			}
		}
		if c.ScriptLocation == "" && !c.MultiDB() {
			t.Fatalf("loaded without script_location")
		}
	})
}
