package config

import "testing"

// TestTargetError: an error about the target names the key that set it,
// also when a [databases.NAME] inherits it from the top of the file.
func TestTargetError(t *testing.T) {
	text := `script_location = "m"

[autogenerate]
target = "shared.sql"

[databases.a]
database_url = "sqlite:///a.db"

[databases.b]
database_url = "sqlite:///b.db"

[databases.b.autogenerate]
target = "b.sql"
`
	c, _, err := load(t, text, nil, "")
	if err != nil {
		t.Fatal(err)
	}
	dbs := c.Databases()
	for i, want := range []string{
		"retort.toml:4: autogenerate.target: gone",
		"retort.toml:13: databases.b.autogenerate.target: gone",
	} {
		if got := dbs[i].Config.TargetError("gone").Error(); got != want {
			t.Errorf("%s: %q, want %q", dbs[i].Name, got, want)
		}
	}
	if got := (&Config{}).TargetError("gone").Error(); got != "autogenerate target: gone" {
		t.Errorf("a Config not read from a file: %q", got)
	}
}
