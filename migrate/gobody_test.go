package migrate

import (
	"strings"
	"testing"
	"time"

	"github.com/retortdb/retort/dialect"
	"github.com/retortdb/retort/dialect/mysql"
	"github.com/retortdb/retort/dialect/postgres"
	"github.com/retortdb/retort/dialect/sqlite"
)

type named string

func TestInlineArgs(t *testing.T) {
	for _, tc := range []struct {
		d     dialect.Dialect
		query string
		args  []any
		want  string
	}{
		{sqlite.New(), "INSERT INTO t VALUES (?, ?, ?)", []any{1, "it's", nil}, "INSERT INTO t VALUES (1, 'it''s', NULL)"},
		{sqlite.New(), "SELECT '?', \"?\", ? -- ?\n/* ? */", []any{true}, "SELECT '?', \"?\", TRUE -- ?\n/* ? */"},
		{postgres.New(), "UPDATE t SET a = $2 WHERE b = $1 AND c = '$1' AND d = $q$ $1 $q$", []any{int8(3), named("x")}, "UPDATE t SET a = 'x' WHERE b = 3 AND c = '$1' AND d = $q$ $1 $q$"},
		{postgres.New(), "SELECT $1, $1", []any{[]byte{1}}, `SELECT '\x01'::bytea, '\x01'::bytea`},
		{mysql.New(), "SELECT ?, `?`", []any{uint64(18446744073709551615)}, "SELECT 18446744073709551615, `?`"},
		{sqlite.New(), "SELECT ?", []any{time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}, "SELECT '2026-01-02 03:04:05"},
		{sqlite.New(), "SELECT ?", []any{new(int)}, "SELECT 0"},
	} {
		got, err := inlineArgs(tc.d, tc.query, tc.args)
		if err != nil || !strings.HasPrefix(got, tc.want) {
			t.Errorf("inlineArgs(%q, %v) = %q, %v; want %q", tc.query, tc.args, got, err, tc.want)
		}
	}
	for _, tc := range []struct {
		d     dialect.Dialect
		query string
		args  []any
		want  string
	}{
		{sqlite.New(), "SELECT ?, ?", []any{1}, "more placeholders than its 1 argument"},
		{sqlite.New(), "SELECT 1", []any{1}, "does not use argument 1"},
		{postgres.New(), "SELECT $3", []any{1}, "uses $3 but has 1 argument"},
		{sqlite.New(), "SELECT ?", []any{struct{}{}}, "no SQL literal for a value of type struct {}"},
	} {
		if _, err := inlineArgs(tc.d, tc.query, tc.args); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("inlineArgs(%q, %v): err %v, want %q", tc.query, tc.args, err, tc.want)
		}
	}
}

// FuzzInlineArgs: any text with any number of arguments either fails with
// an error or writes every argument's literal; it never panics, and text
// without placeholders comes back unchanged.
func FuzzInlineArgs(f *testing.F) {
	for _, s := range []string{"SELECT ?", "SELECT $1, '$2'", "x -- ?\n?", "/* ? */ ?", "$a$ ? $a$ ?", "'unterminated ?", "\"?\"`?`", "$1$2$"} {
		f.Add(s, 1)
	}
	dialects := []dialect.Dialect{sqlite.New(), postgres.New(), mysql.New()}
	f.Fuzz(func(t *testing.T, query string, n int) {
		n = max(0, min(n, 4))
		args := make([]any, n)
		for i := range args {
			args[i] = "arg" + strings.Repeat("z", i)
		}
		for _, d := range dialects {
			out, err := inlineArgs(d, query, args)
			if err != nil {
				continue
			}
			for _, a := range args {
				if !strings.Contains(out, a.(string)) {
					t.Fatalf("%s: %q with %d args: %q lacks %v", d.Name(), query, n, out, a)
				}
			}
			if n == 0 && out != query {
				t.Fatalf("%s: %q changed without arguments: %q", d.Name(), query, out)
			}
		}
	})
}
