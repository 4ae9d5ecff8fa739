package config

import (
	"errors"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestMultiDB(t *testing.T) {
	text := `
version_table = "shared_version"
lock_timeout = "10s"

[autogenerate]
exclude_tables = ["tmp_*"]

[databases.users]
database_url = "${USERS_URL:-sqlite:///users.db}"
script_location = "users"

[databases.billing]
database_url = "postgresql://b:secret@h/billing"
script_location = "billing"
version_table = "billing_version"
version_locations = ["billing/v1", "billing/v2"]
transaction_per_migration = false
lock_timeout = "2m"
statement_lock_timeout = "5s"
strict_checksums = true
file_template = "{year}_{rev}"
truncate_slug_length = 10

[databases.billing.autogenerate]
target = "billing.sql"

[databases.billing.test]
expected_heads = 2

[databases.audit]
database_url = "sqlite:///audit.db"
script_location = "audit"
`
	c, dir, err := load(t, text, map[string]string{"DATABASE_URL": "sqlite:///ignored.db"}, "")
	if err != nil {
		t.Fatal(err)
	}
	if !c.MultiDB() || c.DatabaseURL != "" {
		t.Fatalf("MultiDB %v, DatabaseURL %q (DATABASE_URL must not apply)", c.MultiDB(), c.DatabaseURL)
	}
	if got := c.Names(); !reflect.DeepEqual(got, []string{"users", "billing", "audit"}) {
		t.Fatalf("Names() = %v: not the file's order", got)
	}
	dbs := c.Databases()
	if len(dbs) != 3 {
		t.Fatalf("%d databases", len(dbs))
	}
	users, billing := dbs[0].Config, dbs[1].Config
	check := func(name string, got, want any) {
		t.Helper()
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s = %#v, want %#v", name, got, want)
		}
	}
	check("users.Name", dbs[0].Name, "users")
	check("users.Config.Name", users.Name, "users")
	check("users.File", users.File, filepath.Join(dir, "retort.toml"))
	check("users.Dir", users.Dir, dir)
	check("users.DatabaseURL", users.DatabaseURL, "sqlite:///users.db")
	check("users.ScriptLocation", users.ScriptLocation, filepath.Join(dir, "users"))
	check("users.VersionLocations", users.VersionLocations, []string{filepath.Join(dir, "users", "versions")})
	check("users.VersionTable", users.VersionTable, "shared_version")
	check("users.HistoryTable", users.HistoryTable, "retort_history")
	check("users.TransactionPerMigration", users.TransactionPerMigration, true)
	check("users.LockTimeout", users.LockTimeout, 10*time.Second)
	check("users.FileTemplate", users.FileTemplate, "{rev}_{slug}")
	check("users.ExcludeTables", users.Autogenerate.ExcludeTables, []string{"tmp_*"})
	check("users.Target", users.Autogenerate.Target, "")

	check("billing.DatabaseURL", billing.DatabaseURL, "postgresql://b:secret@h/billing")
	check("billing.VersionTable", billing.VersionTable, "billing_version")
	check("billing.VersionLocations", billing.VersionLocations,
		[]string{filepath.Join(dir, "billing", "v1"), filepath.Join(dir, "billing", "v2")})
	check("billing.TransactionPerMigration", billing.TransactionPerMigration, false)
	check("billing.LockTimeout", billing.LockTimeout, 2*time.Minute)
	check("billing.StatementLockTimeout", billing.StatementLockTimeout, 5*time.Second)
	check("billing.StrictChecksums", billing.StrictChecksums, true)
	check("billing.FileTemplate", billing.FileTemplate, "{year}_{rev}")
	check("billing.TruncateSlugLength", billing.TruncateSlugLength, 10)
	check("billing.Target", billing.Autogenerate.Target, filepath.Join(dir, "billing.sql"))
	check("billing.ExcludeTables", billing.Autogenerate.ExcludeTables, []string{"tmp_*"})
	check("billing.ExpectedHeads", billing.Test.ExpectedHeads, 2)
	check("users.ExpectedHeads", users.Test.ExpectedHeads, 0)

	// A database's settings are its own copy.
	billing.Autogenerate.ExcludeTables[0] = "changed"
	if c.Autogenerate.ExcludeTables[0] != "tmp_*" || users.Autogenerate.ExcludeTables[0] != "tmp_*" {
		t.Error("databases share the top level's slices")
	}

	u, err := users.ResolveURL()
	if err != nil || u.Path != filepath.Join(dir, "users.db") {
		t.Errorf("ResolveURL = %+v, %v", u, err)
	}
	// The top level of a multidb config is not a database.
	if _, err := c.ResolveURL(); err == nil || !strings.Contains(err.Error(), "multidb config") {
		t.Errorf("top-level ResolveURL: %v", err)
	}
}

func TestMultiDBOrder(t *testing.T) {
	// Names in an order neither sorted nor reverse sorted, in the three ways
	// TOML can write tables.
	for name, text := range map[string]string{
		"headers": "script_location = \"m\"\n[databases.zeta]\n[databases.alpha]\n[databases.mid]\n[databases.beta]\n",
		"dotted":  "script_location = \"m\"\ndatabases.zeta.version_table = \"z\"\ndatabases.alpha.version_table = \"a\"\ndatabases.mid.version_table = \"m\"\ndatabases.beta.version_table = \"b\"\n",
		"inline":  "script_location = \"m\"\ndatabases = { zeta = {}, alpha = {}, mid = {}, beta = {} }\n",
		"implicit": "script_location = \"m\"\n[databases.zeta.test]\n[databases.alpha.autogenerate]\n[databases.mid]\n" +
			"[databases.beta.test]\n[databases.zeta.autogenerate]\n",
	} {
		t.Run(name, func(t *testing.T) {
			for range 5 {
				c, _, err := load(t, text, nil, "")
				if err != nil {
					t.Fatal(err)
				}
				if got := c.Names(); !reflect.DeepEqual(got, []string{"zeta", "alpha", "mid", "beta"}) {
					t.Fatalf("Names() = %v", got)
				}
			}
		})
	}
}

func TestMultiDBInherits(t *testing.T) {
	text := `
script_location = "shared"
version_locations = ["shared/v1", "shared/v2"]
version_table_schema = "s"
history_table = "h"
databases = { a = { database_url = "sqlite:///a.db" }, b = { script_location = "b" }, c = { version_locations = ["c"] } }
`
	c, dir, err := load(t, text, nil, "")
	if err != nil {
		t.Fatal(err)
	}
	shared := []string{filepath.Join(dir, "shared/v1"), filepath.Join(dir, "shared/v2")}
	dbs := c.Databases()
	for i, want := range []struct {
		name, script string
		locations    []string
	}{
		{"a", filepath.Join(dir, "shared"), shared},
		{"b", filepath.Join(dir, "b"), []string{filepath.Join(dir, "b/versions")}},
		{"c", filepath.Join(dir, "shared"), []string{filepath.Join(dir, "c")}},
	} {
		d := dbs[i].Config
		if dbs[i].Name != want.name || d.ScriptLocation != want.script || !reflect.DeepEqual(d.VersionLocations, want.locations) ||
			d.VersionTableSchema != "s" || d.HistoryTable != "h" || d.VersionTable != "alembic_version" {
			t.Errorf("database %d = %+v", i, d)
		}
	}
}

func TestMultiDBURLError(t *testing.T) {
	text := "[databases.main]\nscript_location = \"m\"\n\ndatabase_url = \"mysql://u:secret@h:0/db\"\n[databases.other]\nscript_location = \"o\"\n"
	c, _, err := load(t, text, nil, "")
	if err != nil {
		t.Fatal(err)
	}
	dbs := c.Databases()
	_, err = dbs[0].Config.ResolveURL()
	want := "retort.toml:4: databases.main.database_url: the port must be a number from 1 to 65535 (percent-encode special characters in the password)"
	if err == nil || err.Error() != want {
		t.Errorf("err = %v\nwant  %s", err, want)
	}
	_, err = dbs[1].Config.ResolveURL()
	want = "no database URL for database other: set database_url in [databases.other] (DATABASE_URL does not apply to a multidb config), or pass --db other --url URL"
	if err == nil || err.Error() != want {
		t.Errorf("err = %v\nwant  %s", err, want)
	}
}

func TestSelect(t *testing.T) {
	text := "script_location = \"m\"\n[databases.main]\ndatabase_url = \"sqlite:///main.db\"\n" +
		"[databases.analytics]\ndatabase_url = \"sqlite:///a.db\"\n[databases.audit]\ndatabase_url = \"sqlite:///au.db\"\n"
	c, _, err := load(t, text, nil, "")
	if err != nil {
		t.Fatal(err)
	}
	names := func(ns []Named) []string {
		var out []string
		for _, n := range ns {
			out = append(out, n.Name)
		}
		return out
	}
	for _, tt := range []struct {
		args []string
		want []string
		err  string
	}{
		{nil, []string{"main", "analytics", "audit"}, ""},
		{[]string{"audit"}, []string{"audit"}, ""},
		// Config order, whatever the order on the command line.
		{[]string{"audit", "main"}, []string{"main", "audit"}, ""},
		{[]string{"audit, main", "audit"}, []string{"main", "audit"}, ""},
		{[]string{"main", "nosuch"}, nil, "--db nosuch: no such database in retort.toml; the databases are main, analytics, audit"},
	} {
		got, err := c.Select(tt.args)
		if tt.err != "" {
			var se *SelectError
			if !errors.As(err, &se) || err.Error() != tt.err {
				t.Errorf("Select(%q) err = %v, want %s", tt.args, err, tt.err)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(names(got), tt.want) {
			t.Errorf("Select(%q) = %v, %v; want %v", tt.args, names(got), err, tt.want)
		}
	}

	// --url applies to the one database picked.
	c, _, err = load(t, text, map[string]string{"DATABASE_URL": "sqlite:///env.db"}, "sqlite:///flag.db")
	if err != nil {
		t.Fatal(err)
	}
	got, err := c.Select([]string{"analytics"})
	if err != nil || len(got) != 1 || got[0].Config.DatabaseURL != "sqlite:///flag.db" {
		t.Fatalf("Select with --url: %+v, %v", got, err)
	}
	if _, err := got[0].Config.ResolveURL(); err != nil {
		t.Fatal(err)
	}
	if all := c.Databases(); all[1].Config.DatabaseURL != "sqlite:///a.db" {
		t.Errorf("--url applied to one of several databases: %q", all[1].Config.DatabaseURL)
	}
	_, err = c.Select(nil)
	want := "--url gives the URL of one database, and retort.toml has several (main, analytics, audit): pick one with --db NAME"
	if err == nil || err.Error() != want {
		t.Errorf("err = %v\nwant  %s", err, want)
	}

	// A single-database config is one unnamed database; --db does not apply.
	c, _, err = load(t, "script_location = \"m\"\n", nil, "")
	if err != nil {
		t.Fatal(err)
	}
	if c.MultiDB() || c.Names() != nil {
		t.Errorf("single config: MultiDB %v, Names %v", c.MultiDB(), c.Names())
	}
	if dbs := c.Databases(); len(dbs) != 1 || dbs[0].Name != "" || dbs[0].Config != c {
		t.Errorf("Databases() = %+v", dbs)
	}
	_, err = c.Select([]string{"main"})
	want = "--db main: retort.toml is a single-database config (it has no [databases.NAME] tables)"
	if err == nil || err.Error() != want {
		t.Errorf("err = %v\nwant  %s", err, want)
	}
}
