package retorttest_test

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/retortdb/retort"
	"github.com/retortdb/retort/internal/testdb"
	"github.com/retortdb/retort/retorttest"
)

// project writes a two-revision SQLite project and returns its config path;
// leaky makes b2's downgrade forget its index.
func project(t testing.TB, leaky bool) string {
	t.Helper()
	dir := t.TempDir()
	versions := filepath.Join(dir, "migrations", "versions")
	if err := os.MkdirAll(versions, 0o755); err != nil {
		t.Fatal(err)
	}
	down := "DROP INDEX ix_users_email;"
	if leaky {
		down = ""
	}
	files := map[string]string{
		"a1_users.sql": "-- users\n--\n-- Revision ID: a1\n-- Revises:\n\n-- retort:upgrade\nCREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT);\n\n-- retort:downgrade\nDROP TABLE users;\n",
		"b2_index.sql": "-- index\n--\n-- Revision ID: b2\n-- Revises: a1\n\n-- retort:upgrade\nCREATE INDEX ix_users_email ON users (email);\n\n-- retort:downgrade\n" + down + "\n",
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(versions, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cfg := filepath.Join(dir, "retort.toml")
	if err := os.WriteFile(cfg, []byte("script_location = \"migrations\"\ndatabase_url = \"sqlite:///app.db\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return cfg
}

func TestRunPasses(t *testing.T) {
	retorttest.Run(t, project(t, false))
}

// TestHelperLeaky is run as a child process by TestRunFailsTheSubtest.
func TestHelperLeaky(t *testing.T) {
	if os.Getenv("RETORTTEST_HELPER") != "1" {
		t.Skip("run by TestRunFailsTheSubtest")
	}
	retorttest.Run(t, os.Getenv("RETORTTEST_CONFIG"))
}

func TestRunFailsTheSubtest(t *testing.T) {
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperLeaky$", "-test.v")
	cmd.Env = append(os.Environ(), "RETORTTEST_HELPER=1", "RETORTTEST_CONFIG="+project(t, true), retorttest.EnvURL+"=")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err == nil {
		t.Fatalf("the leaky project passed:\n%s", out.String())
	}
	for _, want := range []string{
		"--- PASS: TestHelperLeaky/single-head",
		"--- PASS: TestHelperLeaky/stairway/a1",
		"--- FAIL: TestHelperLeaky/stairway/b2",
		"stairway failed at revision b2 (step: compare after downgrade)",
		"ix_users_email",
		"--- SKIP: TestHelperLeaky/target",
		"--- PASS: TestHelperLeaky/offline",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}

func TestURLFromEnvironment(t *testing.T) {
	u := testdb.New(t, "sqlite")
	t.Setenv(retorttest.EnvURL, u.String())
	rep, err := retorttest.Check(context.Background(), project(t, false), retorttest.Only(retort.CheckUpgrade))
	if err != nil {
		t.Fatal(err)
	}
	if rep.Database != u.Redacted() || rep.Failed() {
		t.Errorf("ran on %s (failed %v), want %s", rep.Database, rep.Failed(), u.Redacted())
	}
	// URL("") ignores the variable: in memory.
	rep, err = retorttest.Check(context.Background(), project(t, false), retorttest.Only(retort.CheckUpgrade), retorttest.URL(""))
	if err != nil {
		t.Fatal(err)
	}
	if rep.Database != "sqlite:///:memory:" {
		t.Errorf("ran on %s", rep.Database)
	}
	if _, err := retorttest.Check(context.Background(), filepath.Join(t.TempDir(), "missing.toml")); err == nil {
		t.Error("a missing config: no error")
	}
}
