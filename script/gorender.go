package script

import (
	"bytes"
	"fmt"
	"go/format"
	goparser "go/parser"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"text/template"
	"time"
	"unicode"
)

// GoTemplateName is the file, in script_location, that `retort revision
// --format go` renders new Go revisions from; DefaultGoTemplate when absent.
const GoTemplateName = "script.go.tmpl"

// DefaultGoTemplate is the script.go.tmpl `retort init --template go`
// writes: a Go file registering one revision. See [RenderGo] for its data.
const DefaultGoTemplate = `package {{.Package}}

import (
{{- range .StdImports}}
	{{printf "%q" .}}
{{- end}}
{{if .StdImports}}{{end}}
{{- range .Imports}}
	{{printf "%q" .}}
{{- end}}
)

func init() {
	retort.Register(retort.GoMigration{
		Revision: {{quote .Revision}},
		{{- if .DownRevisions}}
		Revises:  {{goStrings .DownRevisions}},
		{{- end}}
		{{- if .BranchLabels}}
		BranchLabels: {{goStrings .BranchLabels}},
		{{- end}}
		{{- if .DependsOn}}
		DependsOn: {{goStrings .DependsOn}},
		{{- end}}
		Message:    {{quote .Message}},
		{{- if .Doc}}
		Doc:        {{quote .Doc}},
		{{- end}}
		CreateDate: {{quote .CreateDate}},
		{{- if .NoTransaction}}
		// Outside a transaction: SQLite rebuilds tables with foreign keys
		// off, which it allows only there (each rebuild opens its own).
		NoTransaction: true,
		{{- end}}
		Upgrade: func(ctx context.Context, o *op.Operations) error {
{{.Upgrades}}
		},
		Downgrade: func(ctx context.Context, o *op.Operations) error {
{{.Downgrades}}
		},
	})
}
`

// NewGoRevision describes a Go revision file to write.
type NewGoRevision struct {
	// Package is the Go package of the versions folder.
	Package string
	// ID, Message, Down, BranchLabels, DependsOn and CreateDate are as in
	// [NewRevision].
	ID                            string
	Message                       string
	Down, BranchLabels, DependsOn []string
	CreateDate                    time.Time
	// Upgrades and Downgrades are Go statements for the two function
	// bodies; "" means `return nil`.
	Upgrades, Downgrades string
	// Imports are import paths the bodies need besides context, retort and
	// op.
	Imports []string
	// NoTransaction sets the migration's NoTransaction field.
	NoTransaction bool
	// X are the -x key=value pairs of the command, for the template.
	X map[string]string
}

type goTemplateData struct {
	Package                                string
	StdImports, Imports                    []string
	Revision, Message, Doc, CreateDate     string
	DownRevisions, BranchLabels, DependsOn []string
	Upgrades, Downgrades                   string
	NoTransaction                          bool
	X                                      map[string]string
}

// RenderGo executes a Go revision template for nr and formats the result
// with gofmt; a template that does not give valid Go is an error. The
// template sees .Package .StdImports (the standard library's) .Imports
// (the others) .Revision .Message (first line) .Doc (the
// rest) .CreateDate .DownRevisions .BranchLabels .DependsOn .Upgrades
// .Downgrades .NoTransaction .X (the -x key=value pairs, a
// map[string]string), and the functions quote (a Go string literal),
// goStrings (a []string literal) and join.
func RenderGo(tmplText string, nr NewGoRevision) ([]byte, error) {
	if err := validateNew(NewRevision{ID: nr.ID, Message: nr.Message, Down: nr.Down, BranchLabels: nr.BranchLabels, DependsOn: nr.DependsOn}); err != nil {
		return nil, err
	}
	if !token.IsIdentifier(nr.Package) {
		return nil, fmt.Errorf("%q is not a Go package name", nr.Package)
	}
	created := nr.CreateDate
	if created.IsZero() {
		created = time.Now()
	}
	msg, doc, _ := strings.Cut(strings.TrimSpace(nr.Message), "\n")
	imports := []string{"context", "github.com/retortdb/retort", "github.com/retortdb/retort/op"}
	for _, imp := range nr.Imports {
		if !slices.Contains(imports, imp) {
			imports = append(imports, imp)
		}
	}
	body := func(s string) string {
		if strings.TrimSpace(s) == "" {
			return "\t\t\treturn nil"
		}
		return strings.TrimRight(s, " \t\n")
	}
	tmpl, err := template.New(GoTemplateName).Funcs(template.FuncMap{
		"join":  func(sep string, s []string) string { return strings.Join(s, sep) },
		"quote": strconv.Quote,
		"goStrings": func(s []string) string {
			q := make([]string, len(s))
			for i, x := range s {
				q[i] = strconv.Quote(x)
			}
			return "[]string{" + strings.Join(q, ", ") + "}"
		},
	}).Parse(tmplText)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	// The standard library's imports first, then the others, as goimports
	// groups them.
	var std, other []string
	for _, imp := range imports {
		if first, _, _ := strings.Cut(imp, "/"); strings.Contains(first, ".") {
			other = append(other, imp)
		} else {
			std = append(std, imp)
		}
	}
	slices.Sort(std)
	slices.Sort(other)
	err = tmpl.Execute(&buf, goTemplateData{
		Package: nr.Package, StdImports: std, Imports: other,
		Revision: nr.ID, Message: msg, Doc: strings.TrimSpace(doc), CreateDate: FormatCreateDate(created),
		DownRevisions: nr.Down, BranchLabels: nr.BranchLabels, DependsOn: nr.DependsOn,
		Upgrades: body(nr.Upgrades), Downgrades: body(nr.Downgrades), NoTransaction: nr.NoTransaction,
		X: nr.X,
	})
	if err != nil {
		return nil, err
	}
	out, err := format.Source(buf.Bytes())
	if err != nil {
		return nil, fmt.Errorf("the template does not give valid Go: %w\n%s", err, buf.Bytes())
	}
	return out, nil
}

// GoPackageName is the package of the Go files already in dir (test files
// aside), else a name made from the folder's name ("versions").
func GoPackageName(dir string) (string, error) {
	matches, _ := filepath.Glob(filepath.Join(dir, "*.go"))
	for _, m := range matches {
		if strings.HasSuffix(m, "_test.go") {
			continue
		}
		f, err := goparser.ParseFile(token.NewFileSet(), m, nil, goparser.PackageClauseOnly)
		if err != nil {
			return "", fmt.Errorf("read the package name of %s: %w", m, err)
		}
		return f.Name.Name, nil
	}
	var b strings.Builder
	for _, r := range strings.ToLower(filepath.Base(dir)) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) && b.Len() > 0 || r == '_' {
			b.WriteRune(r)
		}
	}
	name := b.String()
	if !token.IsIdentifier(name) || token.IsKeyword(name) {
		name = "versions"
	}
	return name, nil
}

// GoFileName is FileName with a .go extension.
func GoFileName(fileTemplate string, id, slug string, t time.Time) (string, error) {
	name, err := FileName(fileTemplate, id, slug, t)
	if err != nil {
		return "", err
	}
	return strings.TrimSuffix(name, ".sql") + ".go", nil
}

// ReadGoTemplate reads script_location's script.go.tmpl, or returns
// DefaultGoTemplate when there is none.
func ReadGoTemplate(scriptLocation string) (string, error) {
	data, err := os.ReadFile(filepath.Join(scriptLocation, GoTemplateName))
	if os.IsNotExist(err) {
		return DefaultGoTemplate, nil
	}
	if err != nil {
		return "", err
	}
	return string(data), nil
}
