package migrate

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"reflect"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/retortdb/retort/dialect"
	"github.com/retortdb/retort/internal/sqlsplit"
	"github.com/retortdb/retort/op"
	"github.com/retortdb/retort/schema"
)

// bodyStatement is one statement of a body: from a SQL section, or issued
// by a Go migration through its Operations.
type bodyStatement struct {
	sql  string
	args []any
	kind sqlsplit.Kind
	line int // file line; 0 when unknown
}

// bodyFailure is why a body stopped: the statement that failed (zero when
// a Go migration returned an error of its own) and the error.
type bodyFailure struct {
	stmt bodyStatement
	err  error
}

// runBody hands each statement of p's body to each, in order, and stops at
// the first error. A Go body's function runs with Operations whose every
// statement goes through each; once one fails, the later ones fail without
// running, whatever the function does with the error.
func (r *Runner) runBody(ctx context.Context, ex executor, p *planned, each func(bodyStatement) error) *bodyFailure {
	b := p.body
	if b.body.Go == nil {
		for _, s := range b.stmts {
			st := bodyStatement{sql: s.SQL, kind: s.Kind, line: b.body.Line + s.Line - 1}
			if err := each(st); err != nil {
				return &bodyFailure{stmt: st, err: err}
			}
		}
		return nil
	}
	if r.opts.XArgs != nil {
		ctx = op.WithXArgs(ctx, r.opts.XArgs)
	}
	gb := &goBackend{r: r, ex: ex, ctx: ctx, path: p.mig.Path, each: each}
	err := callGo(ctx, b.body.Go, op.NewOperations(ctx, gb))
	if gb.failure != nil {
		return gb.failure
	}
	if err != nil {
		return &bodyFailure{stmt: bodyStatement{line: gb.lastLine}, err: err}
	}
	return nil
}

// callGo runs a Go migration's function, turning a panic into an error so
// that the step is rolled back and recorded like any other failure.
func callGo(ctx context.Context, fn GoFunc, o *op.Operations) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("panic: %v", v)
		}
	}()
	return fn(ctx, o)
}

// goBackend is the op.Backend of one Go migration step.
type goBackend struct {
	r        *Runner
	ctx      context.Context
	ex       executor
	path     string // the Go file that registered the migration
	each     func(bodyStatement) error
	failure  *bodyFailure
	lastLine int
}

func (b *goBackend) Dialect() string { return b.r.d.Name() }

func (b *goBackend) Plan(o op.Op) ([]string, error) {
	pl, ok := b.r.d.(dialect.Planner)
	if !ok {
		return nil, fmt.Errorf("%s: the %s dialect cannot render schema operations", o, b.r.d.Name())
	}
	return pl.Plan(o)
}

func (b *goBackend) Exec(_ context.Context, query string, args ...any) error {
	b.lastLine = callerLine(b.path)
	if b.failure != nil {
		return fmt.Errorf("not run, an earlier statement of this migration failed: %w", b.failure.err)
	}
	st := bodyStatement{sql: query, args: args, kind: statementKind(query, b.r.d), line: b.lastLine}
	if err := b.each(st); err != nil {
		b.failure = &bodyFailure{stmt: st, err: err}
		return err
	}
	return nil
}

func (b *goBackend) Placeholder(n int) string { return b.r.d.Placeholder(n) }

func (b *goBackend) Offline() bool {
	_, off := b.ex.(*offlineExec)
	return off
}

func (b *goBackend) DB() (op.DB, error) {
	b.lastLine = callerLine(b.path)
	on, ok := b.ex.(*onlineExec)
	if !ok {
		return nil, fmt.Errorf("the migration reads or writes data through the connection: %w", op.ErrOffline)
	}
	// What the migration runs through the connection belongs to its
	// transaction: open it now if its BEGIN is still held back.
	if err := on.flushBegin(b.ctx); err != nil {
		return nil, err
	}
	return on.target(), nil
}

func (b *goBackend) InspectTable(ctx context.Context, schemaName, name string) (*schema.Table, error) {
	b.lastLine = callerLine(b.path)
	on, ok := b.ex.(*onlineExec)
	if !ok {
		return nil, fmt.Errorf("inspect table %s: %w", name, op.ErrOffline)
	}
	in, ok := b.r.d.(dialect.Inspector)
	if !ok {
		return nil, fmt.Errorf("inspect table %s: the %s dialect cannot read its schema", name, b.r.d.Name())
	}
	opts := dialect.InspectOptions{
		VersionTable:  b.r.opts.VersionTable,
		HistoryTable:  b.r.opts.HistoryTable,
		IncludeTables: []string{matchLiteral(name)},
	}
	if schemaName != "" {
		opts.Schemas = []string{matchLiteral(schemaName)}
		opts.IncludeTables = []string{matchLiteral(schemaName) + "." + matchLiteral(name)}
	}
	if err := on.flushBegin(ctx); err != nil {
		return nil, err
	}
	s, err := in.Inspect(ctx, on.target(), opts)
	if err != nil {
		return nil, fmt.Errorf("inspect table %s: %w", name, err)
	}
	for _, t := range s.Tables {
		if t.Name == name && (schemaName == "" || t.Schema == schemaName || t.Schema == "") {
			return t, nil
		}
	}
	return nil, nil
}

// matchLiteral escapes path.Match's special characters.
func matchLiteral(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `*`, `\*`, `?`, `\?`, `[`, `\[`)
	return r.Replace(s)
}

// callerLine is the line of the innermost frame in file, so an error can
// point at the op call in the migration's source; 0 when none is found.
func callerLine(file string) int {
	if file == "" {
		return 0
	}
	pcs := make([]uintptr, 32)
	n := runtime.Callers(3, pcs)
	frames := runtime.CallersFrames(pcs[:n])
	for {
		f, more := frames.Next()
		if f.File == file {
			return f.Line
		}
		if !more {
			return 0
		}
	}
}

// statementKind tells transaction control (BEGIN, COMMIT…) issued by a Go
// migration apart from other statements, as the splitter does for SQL files.
func statementKind(query string, d dialect.Dialect) sqlsplit.Kind {
	stmts, err := sqlsplit.Split(query, d.SplitDialect())
	if err != nil || len(stmts) != 1 {
		return sqlsplit.Other
	}
	return stmts[0].Kind
}

// inlineArgs writes a statement's arguments into its text as literals, for
// offline scripts: each placeholder outside quotes and comments is replaced
// by the literal of its argument.
func inlineArgs(d dialect.Dialect, query string, args []any) (string, error) {
	lits := make([]string, len(args))
	for i, a := range args {
		l, err := literal(d, a)
		if err != nil {
			return "", fmt.Errorf("argument %d of %q: %w", i+1, oneLine(query, 60), err)
		}
		lits[i] = l
	}
	dollar := d.Placeholder(1) == "$1"
	var b strings.Builder
	next := 0
	used := make([]bool, len(args))
	for i := 0; i < len(query); i++ {
		c := query[i]
		switch {
		case c == '\'' || c == '"' || c == '`':
			j := i + 1
			for j < len(query) && query[j] != c {
				if query[j] == '\\' && c == '\'' && !dollar {
					j++
				}
				j++
			}
			j = min(j, len(query)-1)
			b.WriteString(query[i : j+1])
			i = j
		case c == '-' && i+1 < len(query) && query[i+1] == '-':
			j := strings.IndexByte(query[i:], '\n')
			if j < 0 {
				j = len(query) - i - 1
			}
			b.WriteString(query[i : i+j+1])
			i += j
		case c == '/' && i+1 < len(query) && query[i+1] == '*':
			j := strings.Index(query[i+2:], "*/")
			end := len(query) - 1
			if j >= 0 {
				end = i + 2 + j + 1
			}
			b.WriteString(query[i : end+1])
			i = end
		case !dollar && c == '?':
			if next >= len(args) {
				return "", fmt.Errorf("%q has more placeholders than its %d argument(s)", oneLine(query, 60), len(args))
			}
			b.WriteString(lits[next])
			used[next] = true
			next++
		case dollar && c == '$' && i+1 < len(query) && query[i+1] >= '0' && query[i+1] <= '9':
			j := i + 1
			for j < len(query) && query[j] >= '0' && query[j] <= '9' {
				j++
			}
			n, _ := strconv.Atoi(query[i+1 : j])
			if n < 1 || n > len(args) {
				return "", fmt.Errorf("%q uses $%d but has %d argument(s)", oneLine(query, 60), n, len(args))
			}
			b.WriteString(lits[n-1])
			used[n-1] = true
			i = j - 1
		case dollar && c == '$':
			// A dollar-quoted string: $tag$ … $tag$.
			j := i + 1
			for j < len(query) && (query[j] == '_' || isAlnum(query[j])) {
				j++
			}
			if j < len(query) && query[j] == '$' {
				tag := query[i : j+1]
				end := strings.Index(query[j+1:], tag)
				stop := len(query)
				if end >= 0 {
					stop = j + 1 + end + len(tag)
				}
				b.WriteString(query[i:stop])
				i = stop - 1
				continue
			}
			b.WriteByte(c)
		default:
			b.WriteByte(c)
		}
	}
	for i, u := range used {
		if !u {
			return "", fmt.Errorf("%q does not use argument %d", oneLine(query, 60), i+1)
		}
	}
	return b.String(), nil
}

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// literal renders an argument as the dialect's literal, after the
// conversions database/sql itself applies (driver.Valuer, named integer
// and string types).
func literal(d dialect.Dialect, v any) (string, error) {
	if vr, ok := v.(driver.Valuer); ok {
		var err error
		if v, err = vr.Value(); err != nil {
			return "", err
		}
	}
	switch x := v.(type) {
	case nil, string, int64, float64, bool, []byte, time.Time, int:
		return d.Literal(x), nil
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Pointer:
		if rv.IsNil() {
			return d.Literal(nil), nil
		}
		return literal(d, rv.Elem().Interface())
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return d.Literal(rv.Int()), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return strconv.FormatUint(rv.Uint(), 10), nil
	case reflect.Float32, reflect.Float64:
		return d.Literal(rv.Float()), nil
	case reflect.String:
		return d.Literal(rv.String()), nil
	case reflect.Bool:
		return d.Literal(rv.Bool()), nil
	}
	return "", errors.New("no SQL literal for a value of type " + fmt.Sprintf("%T", v))
}

// stepError is a step that cannot be written as a script (a Go migration
// that needs the live database, an argument without a literal form).
// Nothing has been printed: the script is written only once complete.
func (e *offlineExec) stepError(p *planned, f *bodyFailure) error {
	return &OfflineError{Revision: stepID(p.step), Direction: direction(p.step), Path: p.mig.Path, Line: f.stmt.line, Err: f.err}
}

// OfflineError is a step that cannot be written as an offline script,
// such as a Go migration that reads data (its Err wraps op.ErrOffline).
type OfflineError struct {
	Revision  string
	Direction string // "upgrade" or "downgrade"
	Path      string
	Line      int // 0 when unknown
	Err       error
}

func (e *OfflineError) Error() string {
	where := e.Path
	if e.Line > 0 {
		where += ":" + strconv.Itoa(e.Line)
	}
	return fmt.Sprintf("%s %s (%s): %v", e.Direction, e.Revision, where, e.Err)
}

func (e *OfflineError) Unwrap() error { return e.Err }

// RebuildWrap implements op.RebuildBackend: the dialect's rebuild section
// (SQLite: foreign keys off around a transaction of its own) as statements.
func (b *goBackend) RebuildWrap() (before, after []string) {
	rb, ok := b.r.d.(dialect.Rebuilder)
	if !ok {
		return nil, nil
	}
	head, tail := rb.RebuildSection()
	return b.statements(head), b.statements(tail)
}

// RebuildGuard implements op.RebuildBackend.
func (b *goBackend) RebuildGuard(schemaName, table string) []string {
	rb, ok := b.r.d.(dialect.Rebuilder)
	if !ok {
		return nil
	}
	return rb.RebuildGuard(dialect.Table{Schema: schemaName, Name: table})
}

// InTransaction implements op.RebuildBackend.
func (b *goBackend) InTransaction() bool { return b.ex.inTx() }

// statements splits a dialect's SQL text into its statements.
func (b *goBackend) statements(text string) []string {
	stmts, err := sqlsplit.Split(text, b.r.d.SplitDialect())
	if err != nil {
		panic(fmt.Sprintf("retort/migrate: the %s dialect's own SQL does not split: %v", b.r.d.Name(), err))
	}
	out := make([]string, len(stmts))
	for i, s := range stmts {
		out[i] = s.SQL
	}
	return out
}
