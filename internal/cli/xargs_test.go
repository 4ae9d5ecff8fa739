package cli_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/retortdb/retort/script"
)

// TestXArgsReachTemplates: `retort -x k=v revision` renders .X in the
// project's SQL and Go templates; a bare key is "", a repeated key keeps
// its last value.
func TestXArgsReachTemplates(t *testing.T) {
	t.Parallel()
	p := newProject(t, "", nil)
	write(t, filepath.Join(p.dir, "migrations", script.TemplateName), strings.Replace(script.DefaultTemplate, "-- retort:upgrade",
		"-- tenant: {{index .X \"tenant\"}}, dry: [{{index .X \"dry\"}}] {{len .X}}\n\n-- retort:upgrade", 1))
	write(t, filepath.Join(p.dir, "migrations", script.GoTemplateName), strings.Replace(script.DefaultGoTemplate, "func init() {",
		"// Tenant: {{.X.tenant}}\nfunc init() {", 1))
	p.ok("-x", "tenant=first", "-x", "tenant=acme=1", "-x", "dry", "revision", "-m", "xx", "--rev-id", "a1")
	sqlRev, err := os.ReadFile(filepath.Join(p.dir, "migrations", "versions", "a1_xx.sql"))
	if err != nil {
		t.Fatal(err)
	}
	if want := "-- tenant: acme=1, dry: [] 2\n"; !strings.Contains(string(sqlRev), want) {
		t.Errorf("SQL revision lacks %q:\n%s", want, sqlRev)
	}
	p.ok("--x=tenant=gopher", "revision", "--format", "go", "-m", "yy", "--rev-id", "b2")
	goRev, err := os.ReadFile(filepath.Join(p.dir, "migrations", "versions", "b2_yy.go"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(goRev), "// Tenant: gopher\n") {
		t.Errorf("Go revision lacks the tenant:\n%s", goRev)
	}
	p.fail(2, `-x "=v": expected key=value`, "-x", "=v", "revision", "-m", "zz")
}
