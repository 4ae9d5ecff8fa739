package gosrc

import (
	"context"
	"encoding/json"
	"fmt"
	"go/ast"
	"go/format"
	"go/parser"
	"go/token"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/retortdb/retort/op"
	"github.com/retortdb/retort/schema"
)

func TestBodyExample(t *testing.T) {
	code, imports, err := Body([]op.Op{&op.AddColumn{
		Table:  op.TableRef{Name: "users"},
		Column: schema.Column{Name: "full_name", Type: schema.Type{Name: "varchar", Length: 101, Raw: "varchar(101)"}, Nullable: true},
	}})
	if err != nil {
		t.Fatal(err)
	}
	want := `	return o.Run(
		&op.AddColumn{
			Table:  op.TableRef{Name: "users"},
			Column: schema.Column{Name: "full_name", Type: schema.Type{Name: "varchar", Length: 101}, Nullable: true},
		},
	)
`
	if code != want {
		t.Errorf("code:\n%s\nwant:\n%s", code, want)
	}
	if w := []string{opPath, schemaPath}; !slices.Equal(imports, w) {
		t.Errorf("imports = %q, want %q", imports, w)
	}
}

func TestBodyEmpty(t *testing.T) {
	code, imports, err := Body(nil)
	if code != "\treturn nil\n" || imports != nil || err != nil {
		t.Errorf("Body(nil) = %q, %q, %v", code, imports, err)
	}
}

func TestBodyImportsOnlyWhatItUses(t *testing.T) {
	_, imports, err := Body([]op.Op{&op.RenameTable{Table: op.TableRef{Name: "a"}, To: "b"}})
	if err != nil {
		t.Fatal(err)
	}
	if w := []string{opPath}; !slices.Equal(imports, w) {
		t.Errorf("imports = %q, want %q", imports, w)
	}
}

func TestBodySkipsRaw(t *testing.T) {
	code, _, err := Body([]op.Op{&op.AddColumn{Column: schema.Column{Name: "a", Type: schema.Type{Raw: "INTEGER"}}}})
	if err != nil {
		t.Fatal(err)
	}
	want := "\treturn o.Run(\n\t\t&op.AddColumn{\n\t\t\tColumn: schema.Column{Name: \"a\"},\n\t\t},\n\t)\n"
	if code != want {
		t.Errorf("code:\n%s\nwant:\n%s", code, want)
	}
}

// TestCoversEveryOp checks that opCases has a value of every op type of
// package op: every type with a Reverse method.
func TestCoversEveryOp(t *testing.T) {
	files, err := filepath.Glob("../*.go")
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			fd, ok := d.(*ast.FuncDecl)
			if !ok || fd.Recv == nil || fd.Name.Name != "Reverse" {
				continue
			}
			if star, ok := fd.Recv.List[0].Type.(*ast.StarExpr); ok {
				if id, ok := star.X.(*ast.Ident); ok {
					want = append(want, id.Name)
				}
			}
		}
	}
	var got []string
	for _, x := range opCases(false) {
		got = append(got, reflect.TypeOf(x).Elem().Name())
	}
	slices.Sort(want)
	slices.Sort(got)
	if len(want) == 0 || !slices.Equal(got, want) {
		t.Errorf("opCases covers\n%q\nop types are\n%q", got, want)
	}
}

// wrapFunc places a body in a function of a file, as a revision does.
func wrapFunc(body string) string {
	return "package p\n\nfunc upgrade(ctx context.Context, o *op.Operations) error {\n" + body + "}\n"
}

func TestBodyGofmt(t *testing.T) {
	cases := opCases(true)
	for i := range len(cases) + 1 {
		ops := cases
		if i < len(cases) {
			ops = cases[i : i+1]
		}
		code, _, err := Body(ops)
		if err != nil {
			t.Fatalf("%s: %v", ops[0], err)
		}
		src := wrapFunc(code)
		got, err := format.Source([]byte(src))
		if err != nil {
			t.Fatalf("%s: %v\n%s", ops[0], err, src)
		}
		if string(got) != src {
			t.Errorf("%s: not gofmt-clean:\n%s\ngofmt:\n%s", ops[0], src, got)
		}
		for _, line := range strings.Split(strings.TrimSuffix(code, "\n"), "\n") {
			if !strings.HasPrefix(line, "\t") && !strings.Contains(code, "`") {
				t.Errorf("%s: line %q not indented", ops[0], line)
			}
		}
	}
}

// extras are values for the printer alone, in an interface context: types
// and shapes the op and schema types do not use today (pointers to
// non-structs, interfaces, arrays, numbers of every kind).
func extras() []any {
	var nilAny any
	five := any(5)
	return []any{
		int64(5), int8(-3), uint16(7), 2.5, float32(1.25), float64(3), 1e21, true, "s", 'x', uint8(255),
		new(int64(5)), new("q"), []*string{new("a"), nil}, map[string]*int{"b": new(2), "a": nil},
		(*schema.Table)(nil), []string(nil), schema.Attrs(nil), []string{}, schema.Attrs{},
		map[int]string{2: "b", 1: "a", -1: "z"}, [2]string{"x", ""}, [][]string{{"a"}, {}, nil},
		[]*schema.Enum{{Name: "e"}, nil}, &[]string{"p"}, new([]string(nil)), &[1]int{4},
		new(&schema.Enum{Name: "pp"}), &five, &nilAny, schema.Column{}, &schema.Column{},
		[]any{int8(1), "x", nil, 2.0, []int{1}}, []op.Op{&op.RenameTable{To: "r"}, nil},
		map[string]schema.Check{"k": {Name: "c"}}, map[string]*schema.Check{"k": {Name: "c"}},
		"crlf\r\nline", "back`quote\nline", "trailing \nblank", "nul\x00\nline", "bad\xffutf8",
		"raw\n\tok ünï\n", "bom\ufeff\nline", "nbsp\u00a0\nline",
	}
}

// entry is how the round trip compares a value: its dynamic type and its
// JSON encoding, which tells nil from empty slices and maps; strings also
// quoted with %q, which JSON would not keep for invalid UTF-8.
type entry struct {
	Type  string
	Value any
	Q     string `json:",omitempty"`
}

func encode(vs ...any) string {
	es := make([]entry, len(vs))
	for i, v := range vs {
		es[i] = entry{Type: fmt.Sprintf("%T", v), Value: v}
		if s, ok := v.(string); ok {
			es[i].Q = fmt.Sprintf("%q", s)
		}
	}
	b, err := json.Marshal(es)
	if err != nil {
		panic(err)
	}
	return string(b)
}

func opsAny(ops []op.Op) []any {
	out := make([]any, len(ops))
	for i, x := range ops {
		out[i] = x
	}
	return out
}

// programHelpers is the round-trip program's Backend, which records the
// ops o.Run plans, and its encoding, the same as encode's.
const programHelpers = `
type recorder struct{ ops []any }

func (r *recorder) Dialect() string                               { return "test" }
func (r *recorder) Plan(o op.Op) ([]string, error)                { r.ops = append(r.ops, o); return nil, nil }
func (r *recorder) Exec(context.Context, string, ...any) error     { return nil }
func (r *recorder) Placeholder(int) string                        { return "?" }
func (r *recorder) DB() (op.DB, error)                            { return nil, nil }
func (r *recorder) Offline() bool                                 { return false }
func (r *recorder) InspectTable(context.Context, string, string) (*schema.Table, error) {
	return nil, nil
}
func (r *recorder) RebuildWrap() (before, after []string)           { return nil, nil }
func (r *recorder) InTransaction() bool                             { return false }
func (r *recorder) RebuildGuard(string, string) []string            { return nil }

type entry struct {
	Type  string
	Value any
	Q     string ` + "`json:\",omitempty\"`" + `
}

func encode(vs ...any) string {
	es := make([]entry, len(vs))
	for i, v := range vs {
		es[i] = entry{Type: fmt.Sprintf("%T", v), Value: v}
		if s, ok := v.(string); ok {
			es[i].Q = fmt.Sprintf("%q", s)
		}
	}
	b, err := json.Marshal(es)
	if err != nil {
		panic(err)
	}
	return string(b)
}
`

// TestRoundTrip compiles and runs, in one go run, a program with the
// rendered bodies of every op alone, of all ops together and of none, and
// the printed extras, and checks that each evaluates to the value it was
// printed from (the ops without schema.Type.Raw).
func TestRoundTrip(t *testing.T) {
	goCmd, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go command not found:", err)
	}
	rendered, want := opCases(true), opCases(false)
	if encode(opsAny(rendered)...) == encode(opsAny(want)...) {
		t.Fatal("opCases(true) does not set schema.Type.Raw")
	}
	groups := [][]op.Op{nil, rendered}
	wantLines := []string{encode(), encode(opsAny(want)...)}
	for i := range rendered {
		groups = append(groups, rendered[i:i+1])
		wantLines = append(wantLines, encode(want[i]))
	}

	imports := map[string]bool{"context": true, "encoding/json": true, "fmt": true, "os": true, opPath: true, schemaPath: true}
	var funcs strings.Builder
	for i, ops := range groups {
		code, imps, err := Body(ops)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range imps {
			imports[s] = true
		}
		fmt.Fprintf(&funcs, "\nfunc case%d(ctx context.Context, o *op.Operations) error {\n%s}\n", i, code)
	}
	p := newPrinter(opPath, schemaPath)
	var ex strings.Builder
	for i, v := range extras() {
		n, err := p.value(reflect.ValueOf(v), ctxInterface, fmt.Sprintf("extras[%d]", i))
		if err != nil {
			t.Fatal(err)
		}
		ex.WriteString("\t")
		emit(&ex, n, 1, 1)
		ex.WriteString(",\n")
		wantLines = append(wantLines, encode(v))
	}

	var src strings.Builder
	src.WriteString("package main\n\nimport (\n")
	for _, s := range slices.Sorted(func(yield func(string) bool) {
		for s := range imports {
			if !yield(s) {
				return
			}
		}
	}) {
		fmt.Fprintf(&src, "\t%q\n", s)
	}
	src.WriteString(")\n" + programHelpers + funcs.String())
	src.WriteString("\nvar extras = []any{\n" + ex.String() + "}\n")
	src.WriteString("\nfunc main() {\n\tctx := context.Background()\n")
	src.WriteString("\tfor _, f := range []func(context.Context, *op.Operations) error{")
	for i := range groups {
		fmt.Fprintf(&src, "case%d, ", i)
	}
	src.WriteString(`} {
		r := &recorder{}
		if err := f(ctx, op.NewOperations(ctx, r)); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		fmt.Println(encode(r.ops...))
	}
	for _, v := range extras {
		fmt.Println(encode(v))
	}
}
`)

	// A directory inside the module, so that the program imports it as it
	// is; "_" keeps it out of ./... patterns while it exists.
	dir, err := os.MkdirTemp(".", "_roundtrip")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	main := filepath.Join(dir, "main.go")
	if err := os.WriteFile(main, []byte(src.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, goCmd, "run", "./"+filepath.ToSlash(main))
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go run: %v\n%s\nprogram:\n%s", err, stderr.String(), numbered(src.String()))
	}
	got := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
	if len(got) != len(wantLines) {
		t.Fatalf("program printed %d lines, want %d:\n%s", len(got), len(wantLines), out)
	}
	for i := range got {
		if got[i] != wantLines[i] {
			t.Errorf("value %d (case%d or extras[%d]) differs:\n got %s\nwant %s", i, i, i-len(groups), got[i], wantLines[i])
		}
	}
	if t.Failed() {
		t.Logf("program:\n%s", numbered(src.String()))
	}
}

func numbered(s string) string {
	var b strings.Builder
	for i, line := range strings.Split(s, "\n") {
		fmt.Fprintf(&b, "%4d %s\n", i+1, line)
	}
	return b.String()
}

// fakeOp is an op from a package the printer does not know.
type fakeOp struct{ N int }

func (o *fakeOp) Reverse() (op.Op, error) { return o, nil }
func (o *fakeOp) Destructive() bool       { return false }
func (o *fakeOp) String() string          { return "fake" }

type hidden struct {
	Name   string
	secret int
}

type foreign struct {
	Name string
	D    time.Duration
}

type withChan struct{ C chan int }

type holder struct{ V any }

type loop struct {
	Name string
	Next *loop
}

type float struct{ F float64 }

type nested struct{ X float }

func TestBodyErrors(t *testing.T) {
	for _, tc := range []struct {
		ops  []op.Op
		want string
	}{
		{[]op.Op{nil}, "ops[0] is nil"},
		{[]op.Op{&op.RenameTable{To: "x"}, (*op.AddColumn)(nil)}, "ops[1] is a nil *op.AddColumn"},
		{[]op.Op{&fakeOp{N: 1}}, "gosrc: ops[0]: type gosrc.fakeOp from package github.com/retortdb/retort/op/gosrc is not supported"},
	} {
		code, imports, err := Body(tc.ops)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Body(%v) error = %v, want %q", tc.ops, err, tc.want)
		}
		if code != "" || imports != nil {
			t.Errorf("Body(%v) = %q, %q with an error", tc.ops, code, imports)
		}
	}
}

func TestUnsupportedValues(t *testing.T) {
	l := &loop{Name: "a"}
	l.Next = &loop{Name: "b", Next: l}
	for _, tc := range []struct {
		v    any
		want string
	}{
		// Rejected by type, even when the field is zero.
		{hidden{Name: "x"}, "gosrc: v: field gosrc.hidden.secret is unexported"},
		{&hidden{secret: 1}, "gosrc: v: field gosrc.hidden.secret is unexported"},
		{foreign{Name: "x"}, "gosrc: v: field gosrc.foreign.D: type time.Duration from package time is not supported"},
		{withChan{}, "gosrc: v: field gosrc.withChan.C: type chan int (chan) is not supported"},
		{[]func(){}, "gosrc: v: type func() (func) is not supported"},
		{struct{ A int }{}, "gosrc: v: unnamed struct type struct { A int } is not supported"},
		{complex(1, 2), "gosrc: v: type complex128 (complex128) is not supported"},
		// Rejected by value.
		{holder{V: time.Second}, "gosrc: v.V: type time.Duration from package time is not supported"},
		{[]any{1, holder{V: []any{&hidden{}}}}, "gosrc: v[1].V[0]: field gosrc.hidden.secret is unexported"},
		{l, "gosrc: v.Next.Next: cyclic value"},
		{float{F: math.Inf(1)}, "gosrc: v.F: non-finite float64 +Inf is not supported"},
		{float{F: math.Copysign(0, -1)}, "gosrc: v.F: negative zero float64 is not supported"},
		{nested{X: float{F: math.Copysign(0, -1)}}, "gosrc: v.X.F: negative zero float64 is not supported"},
		{map[string]any{"k": make(chan int)}, "gosrc: v[\"k\"]: type chan int (chan) is not supported"},
	} {
		p := newPrinter(opPath, schemaPath, "github.com/retortdb/retort/op/gosrc")
		_, err := p.value(reflect.ValueOf(tc.v), ctxInterface, "v")
		if err == nil || err.Error() != tc.want {
			t.Errorf("%#v: error = %v, want %q", tc.v, err, tc.want)
		}
	}
}

func TestQuote(t *testing.T) {
	for s, want := range map[string]string{
		"plain":           `"plain"`,
		"a\nb":            "`a\nb`",
		"a\n\tb\n":        "`a\n\tb\n`",
		"a\r\nb":          `"a\r\nb"`,
		"a`\nb":           "\"a`\\nb\"",
		"a \nb":           `"a \nb"`,
		"a\t\nb":          `"a\t\nb"`,
		"a\x00\nb":        `"a\x00\nb"`,
		"a\xff\nb":        `"a\xff\nb"`,
		"a\ufeff\nb":      `"a\ufeff\nb"`,
		"ünï\ncode 😀":     "`ünï\ncode 😀`",
		"tab\tonly":       `"tab\tonly"`,
		"quote \" single": `"quote \" single"`,
	} {
		if got := quote(s); got != want {
			t.Errorf("quote(%q) = %s, want %s", s, got, want)
		}
	}
}
