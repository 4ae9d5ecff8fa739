package retort_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/retortdb/retort"
	"github.com/retortdb/retort/config"
)

func TestInitMultiDB(t *testing.T) {
	root := t.TempDir()
	dir, cfgPath := filepath.Join(root, "db"), filepath.Join(root, "retort.toml")
	res, err := retort.Init(retort.InitOptions{Dir: dir, Template: "multidb", ConfigPath: cfgPath})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{dir}
	for _, name := range []string{"main", "analytics"} {
		want = append(want, filepath.Join(dir, name), filepath.Join(dir, name, "versions"), filepath.Join(dir, name, "script.sql.tmpl"))
	}
	want = append(want, cfgPath)
	if !slices.Equal(res.Created, want) {
		t.Errorf("Created %v\nwant    %v", res.Created, want)
	}
	cfg, err := config.Load(config.LoadOptions{Path: cfgPath, Getenv: func(string) (string, bool) { return "", false }})
	if err != nil {
		t.Fatal(err)
	}
	dbs := cfg.Databases()
	if len(dbs) != 2 || dbs[0].Name != "main" || dbs[1].Name != "analytics" {
		t.Fatalf("databases %+v", dbs)
	}
	for _, d := range dbs {
		u, err := d.Config.ResolveURL()
		if err != nil || u.Dialect != config.SQLite || u.Path != filepath.Join(dir, d.Name+".db") {
			t.Errorf("%s: URL %+v, %v", d.Name, u, err)
		}
		if d.Config.ScriptLocation != filepath.Join(dir, d.Name) {
			t.Errorf("%s: script_location %s", d.Name, d.Config.ScriptLocation)
		}
		p, err := retort.Open(d.Config)
		if err != nil || len(p.Scripts) != 0 {
			t.Errorf("%s: Open: %v", d.Name, err)
		}
	}
	// The script location is refused once it has files.
	if _, err := retort.Init(retort.InitOptions{Dir: dir, Template: "multidb", ConfigPath: cfgPath}); err == nil {
		t.Error("init into a non-empty directory succeeded")
	}
	// "." as the directory: paths without a "./" prefix.
	empty := t.TempDir()
	if _, err := retort.Init(retort.InitOptions{Dir: empty, Template: "multidb", ConfigPath: filepath.Join(empty, "retort.toml")}); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(empty, "retort.toml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range []string{`script_location = "main"`, `database_url = "${MAIN_DATABASE_URL:-sqlite:///main.db}"`} {
		if !slices.Contains(strings.Split(string(data), "\n"), line) {
			t.Errorf("retort.toml lacks %s:\n%s", line, data)
		}
	}
}
