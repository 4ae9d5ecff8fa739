package cli_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/retortdb/retort/config"
	"github.com/retortdb/retort/internal/testdb"
)

// A missing command is a usage error: the usage goes to stderr, where a
// script sees it, with the FAILED line, and the exit code is 2. Asking
// for help is not an error.
func TestBareCommandIsUsageError(t *testing.T) {
	p := newProject(t, "", nil)
	for _, args := range [][]string{nil, {"-q"}} {
		r := p.run(args...)
		if r.code != 2 || r.stdout != "" {
			t.Fatalf("retort %v: exit %d, stdout %q; want exit 2 and nothing on stdout", args, r.code, r.stdout)
		}
		if !strings.HasPrefix(r.stderr, "Usage:\n  retort [command]\n") || strings.Contains(r.stderr, "retort [flags]\n") ||
			!strings.HasSuffix(r.stderr, "\nFAILED: missing command: retort takes a command, such as upgrade or current\nRun 'retort --help' for usage.\n") {
			t.Fatalf("retort %v: stderr\n%s", args, r.stderr)
		}
	}
	for _, args := range [][]string{{"--help"}, {"help"}, {"-h"}} {
		r := p.ok(args...)
		if !strings.Contains(r.stdout, "Available Commands:") || r.stderr != "" {
			t.Fatalf("retort %v: stdout\n%s\nstderr\n%s", args, r.stdout, r.stderr)
		}
	}
	if r := p.ok("upgrade", "--help"); !strings.Contains(r.stdout, "Usage:\n  retort upgrade REVISION [flags]\n") {
		t.Fatalf("upgrade --help:\n%s", r.stdout)
	}
}

// Usage errors use the design's error form, FAILED: <message>, and point
// to the help of the command that was given (not "retort retort").
func TestUsageErrorForm(t *testing.T) {
	p := newProject(t, "", nil)
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"--bogus"}, "FAILED: unknown flag: --bogus\nRun 'retort --help' for usage.\n"},
		{[]string{"upgrade", "head", "--bogus"}, "FAILED: unknown flag: --bogus\nRun 'retort upgrade --help' for usage.\n"},
		{[]string{"upgrade"}, "FAILED: upgrade needs the target revision, e.g. `retort upgrade head` (got 0 arguments)\nRun 'retort upgrade --help' for usage.\n"},
		{[]string{"revision", "--allow-empty", "-m", "x"}, "FAILED: --allow-empty needs --autogenerate\nRun 'retort revision --help' for usage.\n"},
		{[]string{"frobnicate"}, "FAILED: unknown command \"frobnicate\" for \"retort\"\nRun 'retort --help' for usage.\n"},
	}
	for _, tt := range tests {
		r := p.run(tt.args...)
		if r.code != 2 || r.stderr != tt.want || r.stdout != "" {
			t.Errorf("retort %s: exit %d\nstderr %q\nwant   %q", strings.Join(tt.args, " "), r.code, r.stderr, tt.want)
		}
	}
}

// With no message the file is named "<rev>_.sql", as Alembic names it
// "<rev>_.py"; the file's message is still "empty message".
func TestRevisionWithoutMessageFileName(t *testing.T) {
	p := newProject(t, "", nil)
	p.ok("revision", "--rev-id", "nomsg")
	p.ok("revision", "--rev-id", "other", "--head", "base")
	p.ok("merge", "heads", "--rev-id", "mrg")
	p.ok("revision", "--rev-id", "punct", "-m", "!!")
	want := []string{"mrg_.sql", "nomsg_.sql", "other_.sql", "punct_.sql"}
	var got []string
	for _, f := range p.files() {
		got = append(got, filepath.Base(f))
	}
	if !slices.Equal(got, want) {
		t.Fatalf("files %v, want %v", got, want)
	}
	data, err := os.ReadFile(filepath.Join(p.dir, "migrations", "versions", "nomsg_.sql"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(data), "-- empty message\n") {
		t.Fatalf("nomsg_.sql:\n%s", data)
	}
}

// Alembic's file_template spelling, or a template with no token, fails
// before anything is written, naming the config file and key and giving
// retort's spelling.
func TestRevisionRejectsFileTemplate(t *testing.T) {
	for _, tt := range []struct{ tmpl, want string }{
		{"%(rev)s_%(slug)s", `retort.toml:3: file_template: Alembic's %(name)s tokens are not retort's, which are in braces: write file_template = "{rev}_{slug}"`},
		{"migration", `retort.toml:3: file_template: has no {token}`},
	} {
		p := newProject(t, defaultConfig+"file_template = \""+tt.tmpl+"\"\n", nil)
		r := p.fail(1, tt.want, "revision", "-m", "add users")
		if !strings.Contains(r.stderr, `"{rev}_{slug}"`) {
			t.Errorf("file_template %q: no retort spelling in\n%s", tt.tmpl, r.stderr)
		}
		if got := p.files(); len(got) != 0 {
			t.Errorf("file_template %q: wrote %v", tt.tmpl, got)
		}
	}
}

// A file_template without {rev} is allowed, as in Alembic; a second
// revision that would get an existing file's name stops, leaving that file
// as it was, and says how to name it apart.
func TestFileTemplateWithoutRevCollides(t *testing.T) {
	p := newProject(t, defaultConfig+"file_template = \"{slug}\"\n", nil)
	p.ok("revision", "-m", "add users")
	files := p.files()
	if len(files) != 1 || !strings.HasSuffix(files[0], "add_users.sql") {
		t.Fatalf("files = %v, want add_users.sql", files)
	}
	before := readFile(t, files[0])
	p.fail(1, "file already exists: another revision file has this name; give another message, or put {rev} in file_template", "revision", "-m", "add users")
	if got := p.files(); len(got) != 1 {
		t.Errorf("files after the collision = %v", got)
	}
	if after := readFile(t, files[0]); after != before {
		t.Errorf("the existing file changed:\n%s", after)
	}
}

// A password given as a query parameter is masked like the one in the
// user information, in text and JSON output and in connection errors.
func TestURLQueryPasswordNotPrinted(t *testing.T) {
	u := testdb.New(t, config.PostgreSQL)
	// The test server trusts its user, so the password is not checked:
	// the URL connects and its password must still not show.
	u.Query.Set("password", "s3cretpw")
	u.Query.Set("sslpassword", "k3ypass")
	p := newProject(t, "", nil)
	redacted := strings.NewReplacer("s3cretpw", "***", "k3ypass", "***").Replace(u.String())
	if redacted == u.String() || !strings.Contains(u.Redacted(), "password=***") {
		t.Fatalf("test setup: %s", u.Redacted())
	}
	check := func(what, out string) {
		t.Helper()
		if strings.Contains(out, "s3cretpw") || strings.Contains(out, "k3ypass") {
			t.Errorf("%s prints a password:\n%s", what, out)
		}
	}

	r := p.ok("--url", u.String(), "current", "-v")
	check("current -v", r.stdout+r.stderr)
	if !strings.Contains(r.stdout, "Current revision(s) for "+u.Redacted()+":") || !strings.Contains(r.stdout, "password=***") {
		t.Errorf("current -v:\n%s", r.stdout)
	}

	r = p.ok("--url", u.String(), "current", "--json")
	check("current --json", r.stdout+r.stderr)
	var out struct{ URL string }
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil || out.URL != u.Redacted() {
		t.Errorf("current --json url %q (%v), want %q", out.URL, err, u.Redacted())
	}

	missing := *u
	missing.Database = u.Database + "_missing"
	r = p.fail(1, "FAILED: cannot connect to "+missing.Redacted()+": ", "--url", missing.String(), "current")
	check("connection error", r.stdout+r.stderr)
}
