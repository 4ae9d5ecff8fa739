package cli_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/retortdb/retort/internal/cli"
)

// TestAutogenerateRename: revision --autogenerate writes renames given by
// --rename or confirmed on a terminal, keeping the rows; without either it
// writes a drop and an add and names the flag.
func TestAutogenerateRename(t *testing.T) {
	p := newProject(t, autogenConfig, map[string]string{
		"a1_users.sql": rev("a1", "", "users", "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL);", "DROP TABLE users;"),
	})
	write(t, filepath.Join(p.dir, "schema.sql"), "CREATE TABLE people (id INTEGER PRIMARY KEY, full_name TEXT NOT NULL);\n")
	p.ok("upgrade", "head")
	if _, err := p.db().Exec("INSERT INTO users VALUES (1, 'ann')"); err != nil {
		t.Fatal(err)
	}
	// Not a terminal: drop and add, with a hint.
	old := p.files()
	r := p.ok("revision", "--autogenerate", "-m", "guess")
	if want := "Possible rename of table users to people written as a drop and an add; to rename it instead (keeping its data), pass --rename users=people"; !strings.Contains(r.stderr, want) {
		t.Fatalf("no hint %q:\n%s", want, r.stderr)
	}
	written := p.newFiles(old)
	if len(written) != 1 {
		t.Fatalf("wrote %v", written)
	}
	if up, _ := sections(t, readFile(t, written[0])); !strings.Contains(up, "DROP TABLE users;") {
		t.Fatalf("upgrade:\n%s", up)
	}
	if err := os.Remove(written[0]); err != nil {
		t.Fatal(err)
	}
	// The table renamed by the flag, its column hinted.
	r = p.ok("revision", "--autogenerate", "-m", "table only", "--rename", "users=people")
	if want := "pass --rename people.name=people.full_name"; !strings.Contains(r.stderr, want) {
		t.Fatalf("no hint %q:\n%s", want, r.stderr)
	}
	for _, f := range p.newFiles(old) {
		if err := os.Remove(f); err != nil {
			t.Fatal(err)
		}
	}
	// A rename that is not a dropped and an added object.
	p.fail(1, "--rename users=persons: the target has no table persons (tables the target drops: users; tables it adds: people)",
		"revision", "--autogenerate", "-m", "x", "--rename", "users=persons")
	p.fail(1, "--rename people.nme=people.full_name: the database has no column users.nme (columns the target drops from people: name; columns it adds: full_name)",
		"revision", "--autogenerate", "-m", "x", "--rename", "users=people", "--rename", "people.nme=people.full_name")
	p.fail(2, "--rename needs --autogenerate", "revision", "-m", "x", "--rename", "a=b")

	// Both renames by flag: a RENAME each way, rows kept.
	p.ok("revision", "--autogenerate", "-m", "rename", "--rename", "users=people", "--rename", "people.name=people.full_name")
	written = p.newFiles(old)
	if len(written) != 1 {
		t.Fatalf("wrote %v", written)
	}
	up, down := sections(t, readFile(t, written[0]))
	if want := "ALTER TABLE users RENAME TO people;\n\nALTER TABLE people RENAME COLUMN name TO full_name;\n"; !strings.Contains(up, want) || strings.Contains(up, "DROP") {
		t.Fatalf("upgrade:\n%s", up)
	}
	if want := "ALTER TABLE people RENAME COLUMN full_name TO name;\n\nALTER TABLE people RENAME TO users;"; !strings.Contains(down, want) || strings.Contains(down, "DROP") {
		t.Fatalf("downgrade:\n%s", down)
	}
	p.ok("upgrade", "head")
	p.ok("check")
	var name string
	if err := p.db().QueryRow("SELECT full_name FROM people WHERE id = 1").Scan(&name); err != nil || name != "ann" {
		t.Fatalf("after upgrade: %q, %v", name, err)
	}
	p.ok("downgrade", "-1")
	if err := p.db().QueryRow("SELECT name FROM users WHERE id = 1").Scan(&name); err != nil || name != "ann" {
		t.Fatalf("after downgrade: %q, %v", name, err)
	}
	if err := os.Remove(written[0]); err != nil {
		t.Fatal(err)
	}

	// On a terminal: asked, table first, then its column.
	defer cli.SetTerminal(true)()
	var out, errb bytes.Buffer
	code := cli.Main(context.Background(), []string{"revision", "--autogenerate", "-m", "asked"}, cli.Env{
		Stdin: strings.NewReader("y\nyes\n"), Stdout: &out, Stderr: &errb, Cwd: p.dir,
		Getenv: func(k string) (string, bool) { v, ok := p.env[k]; return v, ok },
	})
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, errb.String())
	}
	for _, q := range []string{"Did you rename table users to people? [y/N] ", "Did you rename column people.name to people.full_name? [y/N] "} {
		if !strings.Contains(errb.String(), q) {
			t.Fatalf("not asked %q:\n%s", q, errb.String())
		}
	}
	written = p.newFiles(old)
	if len(written) != 1 {
		t.Fatalf("wrote %v", written)
	}
	if up, _ := sections(t, readFile(t, written[0])); !strings.Contains(up, "ALTER TABLE people RENAME COLUMN name TO full_name;") || strings.Contains(up, "DROP") {
		t.Fatalf("upgrade:\n%s", up)
	}
}

// TestAutogenerateRenameNotATerminal: stdin from the null device (a
// character device, but not a terminal) is not asked: the rename is
// written as a drop and an add with the --rename hint, as on a pipe.
func TestAutogenerateRenameNotATerminal(t *testing.T) {
	p := newProject(t, autogenConfig, map[string]string{
		"a1_users.sql": rev("a1", "", "users", "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL);", "DROP TABLE users;"),
	})
	write(t, filepath.Join(p.dir, "schema.sql"), "CREATE TABLE users (id INTEGER PRIMARY KEY, full_name TEXT NOT NULL);\n")
	p.ok("upgrade", "head")
	null, err := os.Open(os.DevNull)
	if err != nil {
		t.Fatal(err)
	}
	defer null.Close()
	var out, errb bytes.Buffer
	code := cli.Main(context.Background(), []string{"revision", "--autogenerate", "-m", "guess"}, cli.Env{
		Stdin: null, Stdout: &out, Stderr: &errb, Cwd: p.dir,
		Getenv: func(k string) (string, bool) { v, ok := p.env[k]; return v, ok },
	})
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, errb.String())
	}
	if strings.Contains(errb.String(), "Did you rename") {
		t.Fatalf("asked with stdin from %s:\n%s", os.DevNull, errb.String())
	}
	if want := "Possible rename of column users.name to users.full_name written as a drop and an add; to rename it instead (keeping its data), pass --rename users.name=users.full_name"; !strings.Contains(errb.String(), want) {
		t.Fatalf("no hint %q:\n%s", want, errb.String())
	}
}
