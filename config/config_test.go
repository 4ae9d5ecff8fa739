package config

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func env(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) {
		v, ok := m[k]
		return v, ok
	}
}

// load writes text as retort.toml in a temp dir and loads it from there.
func load(t *testing.T, text string, e map[string]string, url string) (*Config, string, error) {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "retort.toml"), []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	c, err := Load(LoadOptions{Cwd: dir, Getenv: env(e), URL: url})
	return c, dir, err
}

func TestLoadDefaults(t *testing.T) {
	c, dir, err := load(t, `script_location = "migrations"`+"\n", nil, "")
	if err != nil {
		t.Fatal(err)
	}
	want := &Config{
		File:                    filepath.Join(dir, "retort.toml"),
		Dir:                     dir,
		ScriptLocation:          filepath.Join(dir, "migrations"),
		VersionTable:            "alembic_version",
		HistoryTable:            "retort_history",
		VersionLocations:        []string{filepath.Join(dir, "migrations", "versions")},
		FileTemplate:            "{rev}_{slug}",
		TruncateSlugLength:      40,
		TransactionPerMigration: true,
		LockTimeout:             60 * time.Second,
		display:                 "retort.toml",
	}
	if !reflect.DeepEqual(c, want) {
		t.Errorf("got  %+v\nwant %+v", c, want)
	}
}

func TestLoadFull(t *testing.T) {
	text := `
script_location = "migrations"
database_url = "${DB_URL:-sqlite:///app.db}"
version_table = "my_version"
version_table_schema = "public"
history_table = "my_history"
version_locations = ["migrations/versions", "/abs/billing", "${EXTRA}/v"]
file_template = "{year}_{rev}_{slug}"
truncate_slug_length = 20
transaction_per_migration = false
lock_timeout = "5m"
statement_lock_timeout = "1.5s"
strict_checksums = true

[autogenerate]
target = "schema.sql"
dev_url = "postgresql://u:$${x}@h/scratch"
include_tables = ["*"]
exclude_tables = ["audit_*", "tmp_*"]

[test]
expected_heads = 2
`
	c, dir, err := load(t, text, map[string]string{"EXTRA": "other"}, "")
	if err != nil {
		t.Fatal(err)
	}
	check := func(name string, got, want any) {
		t.Helper()
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s = %#v, want %#v", name, got, want)
		}
	}
	check("DatabaseURL", c.DatabaseURL, "sqlite:///app.db")
	check("VersionTable", c.VersionTable, "my_version")
	check("VersionTableSchema", c.VersionTableSchema, "public")
	check("HistoryTable", c.HistoryTable, "my_history")
	check("VersionLocations", c.VersionLocations, []string{
		filepath.Join(dir, "migrations/versions"), "/abs/billing", filepath.Join(dir, "other/v")})
	check("FileTemplate", c.FileTemplate, "{year}_{rev}_{slug}")
	check("TruncateSlugLength", c.TruncateSlugLength, 20)
	check("TransactionPerMigration", c.TransactionPerMigration, false)
	check("LockTimeout", c.LockTimeout, 5*time.Minute)
	check("StatementLockTimeout", c.StatementLockTimeout, 1500*time.Millisecond)
	check("StrictChecksums", c.StrictChecksums, true)
	check("Target", c.Autogenerate.Target, filepath.Join(dir, "schema.sql"))
	check("DevURL", c.Autogenerate.DevURL, "postgresql://u:${x}@h/scratch")
	check("IncludeTables", c.Autogenerate.IncludeTables, []string{"*"})
	check("ExcludeTables", c.Autogenerate.ExcludeTables, []string{"audit_*", "tmp_*"})
	check("ExpectedHeads", c.Test.ExpectedHeads, 2)

	u, err := c.ResolveURL()
	if err != nil {
		t.Fatal(err)
	}
	check("ResolveURL().Path", u.Path, filepath.Join(dir, "app.db"))
}

func TestURLPrecedence(t *testing.T) {
	const file = "script_location = \"m\"\ndatabase_url = \"${FILE_DB}\"\n"
	tests := []struct {
		name     string
		env      map[string]string
		override string
		want     string
		err      string
	}{
		{"file", map[string]string{"FILE_DB": "sqlite:///f.db"}, "", "sqlite:///f.db", ""},
		{"env beats file", map[string]string{"FILE_DB": "sqlite:///f.db", "DATABASE_URL": "sqlite:///e.db"}, "", "sqlite:///e.db", ""},
		{"flag beats env", map[string]string{"DATABASE_URL": "sqlite:///e.db"}, "sqlite:///u.db", "sqlite:///u.db", ""},
		// An override means the file's value is not expanded: FILE_DB need not be set.
		{"flag, file var unset", nil, "sqlite:///u.db", "sqlite:///u.db", ""},
		{"env, file var unset", map[string]string{"DATABASE_URL": "sqlite:///e.db"}, "", "sqlite:///e.db", ""},
		{"empty env ignored", map[string]string{"DATABASE_URL": "", "FILE_DB": "sqlite:///f.db"}, "", "sqlite:///f.db", ""},
		{"unset var", nil, "", "", "retort.toml:2: database_url: environment variable FILE_DB is not set (write ${FILE_DB:-default} to give a default)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, _, err := load(t, file, tt.env, tt.override)
			if tt.err != "" {
				if err == nil || err.Error() != tt.err {
					t.Fatalf("err = %v, want %s", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if c.DatabaseURL != tt.want {
				t.Errorf("DatabaseURL = %q, want %q", c.DatabaseURL, tt.want)
			}
		})
	}
}

func TestLookup(t *testing.T) {
	dir := t.TempDir()
	write := func(rel string) string {
		p := filepath.Join(dir, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("script_location = \"m\"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	def := write("retort.toml")
	viaEnv := write("env/retort.toml")
	viaFlag := write("flag/custom.toml")

	tests := []struct {
		name string
		opts LoadOptions
		want string
	}{
		{"default", LoadOptions{}, def},
		{"RETORT_CONFIG relative to cwd", LoadOptions{Getenv: env(map[string]string{"RETORT_CONFIG": "env/retort.toml"})}, viaEnv},
		{"-c beats RETORT_CONFIG", LoadOptions{Path: "flag/custom.toml", Getenv: env(map[string]string{"RETORT_CONFIG": "env/retort.toml"})}, viaFlag},
		{"-c absolute", LoadOptions{Path: viaFlag}, viaFlag},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.opts.Cwd = dir
			if tt.opts.Getenv == nil {
				tt.opts.Getenv = env(nil)
			}
			c, err := Load(tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			if c.File != tt.want || c.Dir != filepath.Dir(tt.want) {
				t.Errorf("File, Dir = %s, %s; want %s", c.File, c.Dir, tt.want)
			}
			if c.ScriptLocation != filepath.Join(filepath.Dir(tt.want), "m") {
				t.Errorf("ScriptLocation = %s, not relative to the config file", c.ScriptLocation)
			}
		})
	}
}

func TestNotFound(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		opts LoadOptions
		want string
	}{
		{LoadOptions{}, "no config file: looked for " + filepath.Join(dir, "retort.toml") +
			"; run `retort init DIR` to create one, or pass -c PATH or set RETORT_CONFIG to use another file"},
		{LoadOptions{Path: "x.toml"}, "config file " + filepath.Join(dir, "x.toml") +
			" (from -c) does not exist; run `retort init DIR` to create one"},
		{LoadOptions{Getenv: env(map[string]string{"RETORT_CONFIG": "/nope/r.toml"})},
			"config file /nope/r.toml (from RETORT_CONFIG) does not exist; run `retort init DIR` to create one"},
	}
	for _, tt := range tests {
		tt.opts.Cwd = dir
		if tt.opts.Getenv == nil {
			tt.opts.Getenv = env(nil)
		}
		_, err := Load(tt.opts)
		var nf *NotFoundError
		if !errors.As(err, &nf) || !errors.Is(err, fs.ErrNotExist) {
			t.Fatalf("err = %#v, want *NotFoundError", err)
		}
		if err.Error() != tt.want {
			t.Errorf("err = %s\nwant  %s", err, tt.want)
		}
	}
}

func TestLoadErrors(t *testing.T) {
	tests := []struct {
		name string
		text string
		env  map[string]string
		want Error
	}{
		{"toml syntax", "script_location = \"m\"\nversion_table = \n",
			nil, Error{Line: 2, Msg: "invalid TOML: expected value but found '\\n' instead"}},
		{"missing script_location", "database_url = \"sqlite://\"\n",
			nil, Error{Key: "script_location", Msg: `missing: set script_location = "DIR", the directory that holds versions/ and script.sql.tmpl`}},
		{"empty script_location", "script_location = \"\"\n",
			nil, Error{Line: 1, Key: "script_location", Msg: "must not be empty"}},
		{"wrong type int", "script_location = \"m\"\n\ntruncate_slug_length = \"x\"\n",
			nil, Error{Line: 3, Key: "truncate_slug_length", Msg: "must be an integer, not a string"}},
		{"int too small", "script_location = \"m\"\ntruncate_slug_length = 0\n",
			nil, Error{Line: 2, Key: "truncate_slug_length", Msg: "must be an integer from 1 to 2147483647, not 0"}},
		{"wrong type string", "script_location = 5\n",
			nil, Error{Line: 1, Key: "script_location", Msg: "must be a string, not an integer"}},
		{"wrong type bool", "script_location = \"m\"\ntransaction_per_migration = \"yes\"\n",
			nil, Error{Line: 2, Key: "transaction_per_migration", Msg: "must be true or false, not a string"}},
		{"wrong type list", "script_location = \"m\"\nversion_locations = \"a\"\n",
			nil, Error{Line: 2, Key: "version_locations", Msg: "must be an array of strings, not a string"}},
		{"wrong list element", "script_location = \"m\"\nversion_locations = [\n  \"a\",\n  1,\n]\n",
			nil, Error{Line: 2, Key: "version_locations", Msg: "element 2 must be a string, not an integer"}},
		{"empty list", "script_location = \"m\"\nversion_locations = []\n",
			nil, Error{Line: 2, Key: "version_locations", Msg: "must list at least one directory"}},
		{"bad duration", "script_location = \"m\"\nlock_timeout = \"60\"\n",
			nil, Error{Line: 2, Key: "lock_timeout", Msg: `invalid duration "60": write a number with a unit, such as "60s", "1m30s" or "500ms"`}},
		{"duration not string", "script_location = \"m\"\nlock_timeout = 60\n",
			nil, Error{Line: 2, Key: "lock_timeout", Msg: `must be a duration string such as "60s" or "2m", not an integer`}},
		{"negative duration", "script_location = \"m\"\nstatement_lock_timeout = \"-1s\"\n",
			nil, Error{Line: 2, Key: "statement_lock_timeout", Msg: "must not be negative"}},
		{"unknown key suggests", "script_location = \"m\"\n# comment\ndatabse_url = \"x\"\n",
			nil, Error{Line: 3, Key: "databse_url", Msg: "unknown key 'databse_url'; did you mean 'database_url'?"}},
		{"unknown key alias", "script_location = \"m\"\nsqlalchemy.url = \"x\"\n",
			nil, Error{Line: 2, Key: "sqlalchemy", Msg: "unknown key 'sqlalchemy'; did you mean 'database_url'?"}},
		{"unknown key lists known", "script_location = \"m\"\n[test]\nzzzzzzzzzz = 1\n",
			nil, Error{Line: 3, Key: "test.zzzzzzzzzz", Msg: "unknown key 'test.zzzzzzzzzz'; known keys: expected_heads"}},
		{"unknown key in table", "script_location = \"m\"\n[autogenerate]\ntarget = \"s.sql\"\ntargte = \"x\"\n",
			nil, Error{Line: 4, Key: "autogenerate.targte", Msg: "unknown key 'autogenerate.targte'; did you mean 'autogenerate.target'?"}},
		{"unknown table", "script_location = \"m\"\n\n[autogen]\ntarget = \"s.sql\"\n",
			nil, Error{Line: 3, Key: "autogen", Msg: "unknown key 'autogen'; did you mean 'autogenerate'?"}},
		{"unknown key in database", "[databases.main]\nscript_location = \"m\"\nurl = \"x\"\n",
			nil, Error{Line: 3, Key: "databases.main.url", Msg: "unknown key 'databases.main.url'; did you mean 'databases.main.database_url'?"}},
		{"table expected", "script_location = \"m\"\nautogenerate = \"x\"\n",
			nil, Error{Line: 2, Key: "autogenerate", Msg: "must be a table, not a string"}},
		{"inline table line", "script_location = \"m\"\nautogenerate = { target = 3 }\n",
			nil, Error{Line: 2, Key: "autogenerate.target", Msg: "must be a string, not an integer"}},
		{"dotted key line", "script_location = \"m\"\n\nautogenerate.target = 3\n",
			nil, Error{Line: 3, Key: "autogenerate.target", Msg: "must be a string, not an integer"}},
		{"line after multi-line string", "script_location = \"m\"\nfile_template = '''\n{rev}\nx = 1\n'''\ntest.expected_heads = -1\n",
			nil, Error{Line: 6, Key: "test.expected_heads", Msg: "must be an integer from 0 to 2147483647, not -1"}},
		{"unset variable", "script_location = \"${APP}/m\"\n",
			nil, Error{Line: 1, Key: "script_location", Msg: "environment variable APP is not set (write ${APP:-default} to give a default)"}},
		{"unset variable in list", "script_location = \"m\"\nversion_locations = [\"a\", \"${V}\"]\n",
			nil, Error{Line: 2, Key: "version_locations", Msg: "environment variable V is not set (write ${V:-default} to give a default)"}},
		{"unterminated variable", "script_location = \"m\"\n[autogenerate]\ndev_url = \"postgresql://u:secret@h/${DB\"\n",
			nil, Error{Line: 3, Key: "autogenerate.dev_url", Msg: `unterminated "${" (write $$ for a literal dollar sign)`}},
		{"bad variable name", "script_location = \"${1A}\"\n",
			nil, Error{Line: 1, Key: "script_location", Msg: `invalid variable reference "${…}": a name is letters, digits and '_' (write $$ for a literal dollar sign)`}},
		{"unsupported variable form", "script_location = \"${A:=x}\"\n",
			nil, Error{Line: 1, Key: "script_location", Msg: "unsupported form ${A:…}: write ${A} or ${A:-default}"}},
		{"database not a table", "[databases]\nmain = \"x\"\n",
			nil, Error{Line: 2, Key: "databases.main", Msg: "must be a table, not a string"}},
		{"database without script_location", "[databases.main]\ndatabase_url = \"sqlite://\"\n",
			nil, Error{Line: 1, Key: "databases.main.script_location", Msg: "missing: set it in [databases.main] or at the top of the file"}},
		{"top-level url beside databases", "script_location = \"m\"\ndatabase_url = \"sqlite:///a.db\"\n\n[databases.main]\ndatabase_url = \"sqlite:///m.db\"\n",
			nil, Error{Line: 2, Key: "database_url", Msg: "a multidb config has no top-level database_url: set database_url in each [databases.NAME] table (or drop the [databases] tables for a single database)"}},
		{"unknown key in database autogenerate", "script_location = \"m\"\n[databases.main]\n[databases.main.autogenerate]\ntarget = \"s.sql\"\ndev_ur = \"x\"\n",
			nil, Error{Line: 5, Key: "databases.main.autogenerate.dev_ur", Msg: "unknown key 'databases.main.autogenerate.dev_ur'; did you mean 'databases.main.autogenerate.dev_url'?"}},
		{"databases inside a database", "script_location = \"m\"\n[databases.main.databases.x]\n",
			nil, Error{Line: 2, Key: "databases.main.databases", Msg: "unknown key 'databases.main.databases'; known keys: " + strings.Join(databaseKeys, ", ")}},
		{"bad type in database", "script_location = \"m\"\n[databases.main]\ndatabase_url = \"sqlite:///m.db\"\nlock_timeout = 5\n",
			nil, Error{Line: 4, Key: "databases.main.lock_timeout", Msg: `must be a duration string such as "60s" or "2m", not an integer`}},
		{"no databases", "script_location = \"m\"\n\n[databases]\n",
			nil, Error{Line: 3, Key: "databases", Msg: "has no databases: add a [databases.NAME] table with database_url and script_location for each database"}},
		{"databases not a table", "script_location = \"m\"\ndatabases = [\"a\"]\n",
			nil, Error{Line: 2, Key: "databases", Msg: "must be a table, not an array"}},
		{"array of databases", "script_location = \"m\"\n[[databases]]\nname = \"a\"\n",
			nil, Error{Line: 2, Key: "databases", Msg: "must be a table, not an array"}},
		{"bad database name", "script_location = \"m\"\n[databases.\"a,b\"]\n",
			nil, Error{Line: 2, Key: "databases.a,b", Msg: `invalid database name "a,b": use letters, digits, '_' and '-'`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := load(t, tt.text, tt.env, "")
			var ce *Error
			if !errors.As(err, &ce) {
				t.Fatalf("err = %#v, want *Error", err)
			}
			tt.want.File = "retort.toml"
			if *ce != tt.want {
				t.Errorf("err = %#v\nwant  %#v", *ce, tt.want)
			}
			if strings.Contains(err.Error(), "secret") {
				t.Errorf("error shows the password: %s", err)
			}
		})
	}
}

func TestErrorString(t *testing.T) {
	tests := []struct {
		e    Error
		want string
	}{
		{Error{File: "retort.toml", Line: 7, Key: "database_url", Msg: "bad"}, "retort.toml:7: database_url: bad"},
		{Error{File: "retort.toml", Key: "script_location", Msg: "missing"}, "retort.toml: script_location: missing"},
		{Error{File: "retort.toml", Line: 2, Msg: "invalid TOML: x"}, "retort.toml:2: invalid TOML: x"},
		{Error{File: "retort.toml", Line: 3, Key: "x", Msg: "unknown key 'x'"}, "retort.toml:3: unknown key 'x'"},
	}
	for _, tt := range tests {
		if got := tt.e.Error(); got != tt.want {
			t.Errorf("got %q, want %q", got, tt.want)
		}
	}
}

func TestResolveURLErrors(t *testing.T) {
	c, _, err := load(t, "script_location = \"m\"\n\ndatabase_url = \"oracle://u:secret@h/db\"\n", nil, "")
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.ResolveURL()
	want := `retort.toml:3: database_url: unsupported scheme "oracle"; use sqlite://, postgresql:// (or postgres://), mysql:// (or mariadb://)`
	if err == nil || err.Error() != want {
		t.Errorf("err = %v\nwant  %s", err, want)
	}

	c, _, err = load(t, "script_location = \"m\"\n", map[string]string{"DATABASE_URL": "postgresql://u:secret@h:x/db"}, "")
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.ResolveURL()
	want = "DATABASE_URL: database URL: the port must be a number from 1 to 65535 (percent-encode special characters in the password)"
	if err == nil || err.Error() != want {
		t.Errorf("err = %v\nwant  %s", err, want)
	}

	c, _, err = load(t, "script_location = \"m\"\n", nil, "mysql+nope-x://h")
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.ResolveURL()
	want = `--url: database URL: unsupported scheme "mysql+nope-x"; use sqlite://, postgresql:// (or postgres://), mysql:// (or mariadb://)`
	if err == nil || err.Error() != want {
		t.Errorf("err = %v\nwant  %s", err, want)
	}

	c, _, err = load(t, "script_location = \"m\"\n", nil, "")
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.ResolveURL()
	want = "no database URL: set database_url in retort.toml, the DATABASE_URL environment variable, or pass --url"
	if err == nil || err.Error() != want {
		t.Errorf("err = %v\nwant  %s", err, want)
	}
}

func TestExpand(t *testing.T) {
	e := env(map[string]string{"A": "x", "EMPTY": "", "PW": "p$w"})
	tests := []struct{ in, want, err string }{
		{"plain", "plain", ""},
		{"${A}", "x", ""},
		{"pre-${A}-post", "pre-x-post", ""},
		{"${A}${A}", "xx", ""},
		{"${B:-def}", "def", ""},
		{"${EMPTY:-def}", "def", ""},
		{"${A:-def}", "x", ""},
		{"${B:-}", "", ""},
		{"${B:-sqlite:///app.db}", "sqlite:///app.db", ""},
		{"${EMPTY}", "", ""},
		{"$$", "$", ""},
		{"$${A}", "${A}", ""},
		{"a$b", "a$b", ""},
		{"end$", "end$", ""},
		{"${PW}", "p$w", ""}, // values are not expanded again
		{"${B}", "", "environment variable B is not set (write ${B:-default} to give a default)"},
		{"${A", "", `unterminated "${" (write $$ for a literal dollar sign)`},
		{"${}", "", `invalid variable reference "${…}": a name is letters, digits and '_' (write $$ for a literal dollar sign)`},
		{"${A-x}", "", `invalid variable reference "${…}": a name is letters, digits and '_' (write $$ for a literal dollar sign)`},
		{"${A:?x}", "", "unsupported form ${A:…}: write ${A} or ${A:-default}"},
	}
	for _, tt := range tests {
		got, err := expand(tt.in, e)
		if tt.err != "" {
			if err == nil || err.Error() != tt.err {
				t.Errorf("expand(%q) err = %v, want %s", tt.in, err, tt.err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("expand(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

func TestLocateKeys(t *testing.T) {
	text := `# c
a = 1
"quoted.key" = 2
x . y = 3
[t]
b = """
c = 4
"""
d = [
  "e = 5",
]
[[arr]]
f = 6
['lit'.sub]
g = 7
`
	kl := locateKeys(text)
	for path, want := range map[string]int{
		"a": 2, "quoted.key": 3, "x": 4, "x\x00y": 4, "t": 5, "t\x00b": 6, "t\x00d": 9,
		"arr": 12, "arr\x00f": 13, "lit\x00sub": 14, "lit\x00sub\x00g": 15,
	} {
		if got := kl[path]; got != want {
			t.Errorf("line of %q = %d, want %d", path, got, want)
		}
	}
	for _, bad := range []string{"t\x00c", "t\x00e"} {
		if _, ok := kl[bad]; ok {
			t.Errorf("%q located inside a string", bad)
		}
	}
}

func TestSuggest(t *testing.T) {
	for name, want := range map[string]string{
		"databse_url":     "database_url",
		"script_locaton":  "script_location",
		"Version_Table":   "version_table",
		"url":             "database_url",
		"lock_timout":     "lock_timeout",
		"completely_else": "",
	} {
		if got := suggest(name, topKeys); got != want {
			t.Errorf("suggest(%q) = %q, want %q", name, got, want)
		}
	}
}

func TestLoadMoreErrors(t *testing.T) {
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "retort.toml"), 0o755); err != nil {
		t.Fatal(err)
	}
	_, err := Load(LoadOptions{Cwd: dir, Getenv: env(nil)})
	want := "retort.toml: cannot read the config file: is a directory"
	if err == nil || err.Error() != want {
		t.Errorf("err = %v, want %s", err, want)
	}

	_, _, err = load(t, "script_location = \"a\"\nscript_location = \"b\"\n", nil, "")
	want = "retort.toml:2: invalid TOML: Key 'script_location' has already been defined."
	if err == nil || err.Error() != want {
		t.Errorf("err = %v, want %s", err, want)
	}

	_, _, err = load(t, "[databases.main]\nscript_location = \"m\"\n", nil, "")
	if err != nil {
		t.Errorf("multidb config without a top-level script_location: %v", err)
	}
}

// A relative SQLite file is relative to the config file's directory
// wherever the URL came from (the file, --url or DATABASE_URL), so a
// command run from another directory finds the same database.
func TestOverrideURLRelativeToConfigFile(t *testing.T) {
	dir := t.TempDir()
	proj := filepath.Join(dir, "proj")
	if err := os.MkdirAll(proj, 0o755); err != nil {
		t.Fatal(err)
	}
	cfgPath := filepath.Join(proj, "retort.toml")
	if err := os.WriteFile(cfgPath, []byte("script_location = \"m\"\ndatabase_url = \"sqlite:///file.db\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		opts LoadOptions
		want string
	}{
		{"database_url", LoadOptions{Getenv: env(nil)}, filepath.Join(proj, "file.db")},
		{"--url", LoadOptions{URL: "sqlite:///flag.db", Getenv: env(nil)}, filepath.Join(proj, "flag.db")},
		{"DATABASE_URL", LoadOptions{Getenv: env(map[string]string{"DATABASE_URL": "sqlite:///sub/env.db"})}, filepath.Join(proj, "sub", "env.db")},
		{"absolute --url", LoadOptions{URL: "sqlite:////elsewhere/abs.db", Getenv: env(nil)}, "/elsewhere/abs.db"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.opts.Path = cfgPath
			tt.opts.Cwd = dir // not the config's directory
			c, err := Load(tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			u, err := c.ResolveURL()
			if err != nil {
				t.Fatal(err)
			}
			if u.Path != tt.want {
				t.Errorf("SQLite path = %s, want %s", u.Path, tt.want)
			}
		})
	}
}
