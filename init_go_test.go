package retort_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/retortdb/retort"
	"github.com/retortdb/retort/config"
	"github.com/retortdb/retort/internal/testdb"
)

// TestInitGoTemplateBuildsAndRuns: a fresh module, `init --template go`,
// a Go revision from `revision --format go` with a statement filled in, and
// the project's own binary (main.go) built and run to head.
func TestInitGoTemplateBuildsAndRuns(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a binary")
	}
	t.Parallel()
	_, self, _, _ := runtime.Caller(0)
	repo := filepath.Dir(self)
	dir := t.TempDir()
	// The app requires what retort requires, at the same versions, so the
	// build resolves from the module cache (a module missing from it, such
	// as a dependency's Windows-only one, comes from the Go proxy).
	ownMod, err := os.ReadFile(filepath.Join(repo, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	requires := string(ownMod)[strings.Index(string(ownMod), "require"):]
	gomod := "module example.com/app\n\ngo 1.26\n\nrequire github.com/retortdb/retort v0.0.0\n\n" + requires +
		"\nreplace github.com/retortdb/retort => " + repo + "\n"
	write(t, filepath.Join(dir, "go.mod"), gomod)
	sum, err := os.ReadFile(filepath.Join(repo, "go.sum"))
	if err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(dir, "go.sum"), string(sum))

	res, err := retort.Init(retort.InitOptions{Dir: filepath.Join(dir, "migrations"), Template: "go", ConfigPath: filepath.Join(dir, "retort.toml")})
	if err != nil {
		t.Fatal(err)
	}
	mainGo, err := os.ReadFile(filepath.Join(dir, "migrations", "main.go"))
	if err != nil || !strings.Contains(string(mainGo), `_ "example.com/app/migrations/versions"`) {
		t.Fatalf("main.go (%v): %s; created %v", err, mainGo, res.Created)
	}

	cfg, err := config.Load(config.LoadOptions{Path: filepath.Join(dir, "retort.toml"), Getenv: func(string) (string, bool) { return "", false }})
	if err != nil {
		t.Fatal(err)
	}
	p, err := retort.Open(cfg, retort.WithGoMigrations())
	if err != nil {
		t.Fatal(err)
	}
	s, err := p.NewRevision(retort.RevisionOptions{Message: "create things", RevID: "a1b2c3", Format: "go",
		// The first row's id comes from -x: the binary's CLI hands it
		// to the migration.
		Upgrades: `if err := o.Execute("CREATE TABLE things (id INTEGER PRIMARY KEY)"); err != nil {
				return err
			}
			return o.Execute("INSERT INTO things (id) VALUES ("+o.Placeholder(1)+")", o.XArgs()["first_id"])`,
		Downgrades: `return o.Execute("DROP TABLE things")`})
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Base(s.Path) != "a1b2c3_create_things.go" {
		t.Fatalf("new Go revision at %s", s.Path)
	}
	rev, _ := os.ReadFile(s.Path)
	for _, want := range []string{"package versions", `Revision:   "a1b2c3"`, `Message:    "create things"`, "retort.Register(retort.GoMigration{"} {
		if !strings.Contains(string(rev), want) {
			t.Fatalf("revision file lacks %q:\n%s", want, rev)
		}
	}
	// A second revision on top of it: the graph now includes the file
	// only once the binary is rebuilt, so --head names the first one.
	bin := filepath.Join(dir, "app-migrate")
	build := func() *exec.Cmd {
		cmd := exec.Command("go", "build", "-o", bin, "./migrations")
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOWORK=off")
		return cmd
	}
	if out, err := build().CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	run := func(args ...string) string {
		t.Helper()
		cmd := exec.Command(bin, args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "DATABASE_URL=sqlite:///app.db", "RETORT_CACHE_DIR=off")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return string(out)
	}
	if out := run("-x", "first_id=7", "upgrade", "head", "--sql"); !strings.Contains(out, "INSERT INTO things (id) VALUES ('7');") {
		t.Fatalf("upgrade --sql -x first_id=7: %s", out)
	}
	if out := run("-x", "first_id=7", "upgrade", "head"); !strings.Contains(out, "Running upgrade  -> a1b2c3, create things") {
		t.Fatalf("upgrade: %s", out)
	}
	var firstID int
	if err := testdb.Open(t, mustURL(t, "sqlite:///"+filepath.Join(dir, "app.db"))).QueryRow("SELECT id FROM things").Scan(&firstID); err != nil || firstID != 7 {
		t.Fatalf("the row -x first_id=7 inserts: %d, %v", firstID, err)
	}
	if out := run("current"); !strings.Contains(out, "a1b2c3 (head)") {
		t.Fatalf("current: %s", out)
	}

	// revision --autogenerate --format go: the detected changes as
	// operations in a Go revision, compiled into the rebuilt binary.
	// things gains a CHECK, which SQLite makes by rebuilding the table: the
	// revision then runs outside a transaction, with foreign keys off.
	write(t, filepath.Join(dir, "schema.sql"), "CREATE TABLE things (id INTEGER PRIMARY KEY, CONSTRAINT ck_things_id CHECK (id > 0));\n"+
		"CREATE TABLE gadgets (id INTEGER PRIMARY KEY, thing_id INTEGER NOT NULL REFERENCES things (id), label VARCHAR(40) DEFAULT 'new');\n"+
		"CREATE INDEX ix_gadgets_label ON gadgets (label);\n")
	cfgText, _ := os.ReadFile(filepath.Join(dir, "retort.toml"))
	write(t, filepath.Join(dir, "retort.toml"), string(cfgText)+"\n[autogenerate]\ntarget = \"schema.sql\"\n")
	if out := run("revision", "--autogenerate", "--format", "go", "-m", "add gadgets", "--rev-id", "d4e5f6"); !strings.Contains(out, "d4e5f6_add_gadgets.go") {
		t.Fatalf("revision --autogenerate --format go: %s", out)
	}
	gen, _ := os.ReadFile(filepath.Join(dir, "migrations", "versions", "d4e5f6_add_gadgets.go"))
	if !strings.Contains(string(gen), "return o.Run(") || !strings.Contains(string(gen), "&op.CreateTable{") ||
		!strings.Contains(string(gen), "&op.RebuildTable{") || !strings.Contains(string(gen), "NoTransaction: true,") {
		t.Fatalf("generated Go revision:\n%s", gen)
	}
	if out, err := build().CombinedOutput(); err != nil {
		t.Fatalf("go build with the generated revision: %v\n%s\n%s", err, out, gen)
	}
	run("upgrade", "head")
	if out := run("check"); !strings.Contains(out, "No new upgrade operations detected") {
		t.Fatalf("check after the generated upgrade: %s", out)
	}
	if out := run("downgrade", "base"); !strings.Contains(out, "Running downgrade a1b2c3 -> , create things") {
		t.Fatalf("downgrade: %s", out)
	}
}

func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}
