package script

import (
	"strings"
	"testing"
	"time"
)

// TestRenderXArgs: both revision templates see the -x values as .X, and a
// missing key is "" through index but an error through .X.key (the SQL
// template runs with missingkey=error).
func TestRenderXArgs(t *testing.T) {
	when := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	x := map[string]string{"tenant": "acme", "flag": ""}
	sqlTmpl := strings.Replace(DefaultTemplate, "-- retort:upgrade",
		"-- tenant: {{.X.tenant}}, other: [{{index .X \"other\"}}]{{range $k, $v := .X}} {{$k}}={{$v}}{{end}}\n\n-- retort:upgrade", 1)
	out, err := Render(sqlTmpl, NewRevision{ID: "ab12", Message: "m", CreateDate: when, X: x})
	if err != nil {
		t.Fatal(err)
	}
	if want := "-- tenant: acme, other: [] flag= tenant=acme\n"; !strings.Contains(string(out), want) {
		t.Errorf("SQL revision lacks %q:\n%s", want, out)
	}
	// Without -x, index gives "" and .X.key names the missing key.
	if _, err := Render(strings.ReplaceAll(sqlTmpl, "{{.X.tenant}}", ""), NewRevision{ID: "ab12", CreateDate: when}); err != nil {
		t.Errorf("index without -x: %v", err)
	}
	if _, err := Render(sqlTmpl, NewRevision{ID: "ab12", CreateDate: when}); err == nil || !strings.Contains(err.Error(), "tenant") {
		t.Errorf(".X.tenant without -x: %v", err)
	}

	goTmpl := strings.Replace(DefaultGoTemplate, "func init() {", "// Tenant: {{.X.tenant}}\nfunc init() {", 1)
	gout, err := RenderGo(goTmpl, NewGoRevision{Package: "versions", ID: "ab12", Message: "m", CreateDate: when, X: x})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(gout), "// Tenant: acme\n") {
		t.Errorf("Go revision lacks the tenant:\n%s", gout)
	}
}
