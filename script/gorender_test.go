package script

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestRenderGo(t *testing.T) {
	out, err := RenderGo(DefaultGoTemplate, NewGoRevision{
		Package: "versions", ID: "ab12", Message: "add \"quoted\" things\nwith a longer doc",
		Down: []string{"aa11", "aa22"}, BranchLabels: []string{"billing"}, DependsOn: []string{"cc33"},
		CreateDate: time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC),
		Upgrades:   "return o.Run(&op.AddColumn{Table: op.TableRef{Name: \"t\"}, Column: schema.Column{Name: \"c\"}})",
		Imports:    []string{"github.com/retortdb/retort/schema", "strings"}, NoTransaction: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"package versions\n\nimport (\n\t\"context\"\n\t\"strings\"\n\n\t\"github.com/retortdb/retort\"\n\t\"github.com/retortdb/retort/op\"\n\t\"github.com/retortdb/retort/schema\"\n)",
		`Revision:     "ab12",`, `Revises:      []string{"aa11", "aa22"},`, `BranchLabels: []string{"billing"},`,
		`DependsOn:    []string{"cc33"},`, `Message:      "add \"quoted\" things",`, `Doc:          "with a longer doc",`,
		`CreateDate:   "2026-11-26 12:00:00.000000+00:00",`, "NoTransaction: true,", "\t\t\treturn o.Run(", "\t\t\treturn nil\n",
	} {
		if !strings.Contains(string(out), want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if _, err := RenderGo(DefaultGoTemplate, NewGoRevision{Package: "my-versions", ID: "ab12"}); err == nil || !strings.Contains(err.Error(), "not a Go package name") {
		t.Errorf("bad package: %v", err)
	}
	if _, err := RenderGo("package {{.Package}}\nfunc {", NewGoRevision{Package: "v", ID: "ab12"}); err == nil || !strings.Contains(err.Error(), "does not give valid Go") {
		t.Errorf("broken template: %v", err)
	}
	if _, err := RenderGo(DefaultGoTemplate, NewGoRevision{Package: "v", ID: "a b"}); err == nil {
		t.Error("an id with a space was accepted")
	}
}

func TestGoPackageName(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "2024-versions")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if got, err := GoPackageName(dir); err != nil || got != "versions" {
		t.Errorf("from the folder name: %q, %v", got, err)
	}
	if err := os.WriteFile(filepath.Join(dir, "x_test.go"), []byte("package other_test\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "doc.go"), []byte("// Package migs.\npackage migs\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got, err := GoPackageName(dir); err != nil || got != "migs" {
		t.Errorf("from doc.go: %q, %v", got, err)
	}
}
