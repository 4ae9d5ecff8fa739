package op_test

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"

	"github.com/retortdb/retort/dialect"
	"github.com/retortdb/retort/internal/sqlsplit"
	"github.com/retortdb/retort/internal/testdb"
	"github.com/retortdb/retort/op"
	"github.com/retortdb/retort/schema"
)

// testBackend is an op.Backend over one real connection: what the runner
// does, minus bookkeeping. Offline it records statements instead of
// running them.
type testBackend struct {
	d       dialect.Dialect
	conn    *sql.Conn
	offline bool
	inTx    bool
	ran     []string // every statement, online or offline
}

var (
	_ op.Backend        = (*testBackend)(nil)
	_ op.RebuildBackend = (*testBackend)(nil)
)

func (b *testBackend) Dialect() string { return b.d.Name() }

func (b *testBackend) Plan(o op.Op) ([]string, error) {
	return b.d.(dialect.Planner).Plan(o)
}

func (b *testBackend) Exec(ctx context.Context, query string, args ...any) error {
	if b.offline {
		b.ran = append(b.ran, fmt.Sprint(query, args))
		return nil
	}
	b.ran = append(b.ran, query)
	_, err := b.conn.ExecContext(ctx, query, args...)
	return err
}

func (b *testBackend) Placeholder(n int) string { return b.d.Placeholder(n) }

func (b *testBackend) DB() (op.DB, error) {
	if b.offline {
		return nil, op.ErrOffline
	}
	return b.conn, nil
}

func (b *testBackend) Offline() bool { return b.offline }

func (b *testBackend) InspectTable(ctx context.Context, schemaName, name string) (*schema.Table, error) {
	if b.offline {
		return nil, fmt.Errorf("inspect table %s: %w", name, op.ErrOffline)
	}
	opts := dialect.InspectOptions{IncludeTables: []string{name}}
	if schemaName != "" {
		opts.Schemas = []string{schemaName}
		opts.IncludeTables = []string{schemaName + "." + name}
	}
	s, err := b.d.(dialect.Inspector).Inspect(ctx, b.conn, opts)
	if err != nil {
		return nil, err
	}
	for _, t := range s.Tables {
		if t.Name == name {
			return t, nil
		}
	}
	return nil, nil
}

func (b *testBackend) RebuildWrap() (before, after []string) {
	r, ok := b.d.(dialect.Rebuilder)
	if !ok {
		return nil, nil
	}
	head, tail := r.RebuildSection()
	split := func(text string) []string {
		stmts, err := sqlsplit.Split(text, b.d.SplitDialect())
		if err != nil {
			panic(err)
		}
		out := make([]string, len(stmts))
		for i, s := range stmts {
			out[i] = s.SQL
		}
		return out
	}
	return split(head), split(tail)
}

func (b *testBackend) InTransaction() bool { return b.inTx }

func (b *testBackend) RebuildGuard(schemaName, table string) []string {
	r, ok := b.d.(dialect.Rebuilder)
	if !ok {
		return nil
	}
	return r.RebuildGuard(dialect.Table{Schema: schemaName, Name: table})
}

// env is one fresh database of one dialect with Operations on it.
type env struct {
	name string
	d    dialect.Dialect
	conn *sql.Conn
	b    *testBackend
	o    *op.Operations
}

// eachDialect runs fn on a fresh database of every reachable dialect.
func eachDialect(t *testing.T, fn func(t *testing.T, e *env)) {
	for _, name := range testdb.Dialects(t) {
		t.Run(name, func(t *testing.T) {
			fn(t, newEnv(t, name))
		})
	}
}

func newEnv(t *testing.T, name string) *env {
	t.Helper()
	d, err := testdb.Dialect(name)
	if err != nil {
		t.Fatal(err)
	}
	db := testdb.Open(t, testdb.New(t, name))
	ctx := context.Background()
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	if err := d.PrepareSession(ctx, conn, dialect.SessionOptions{}); err != nil {
		t.Fatal(err)
	}
	b := &testBackend{d: d, conn: conn}
	return &env{name: name, d: d, conn: conn, b: b, o: op.NewOperations(ctx, b)}
}

// offline returns Operations that write a script for e's dialect.
func (e *env) offline() (*op.Operations, *testBackend) {
	b := &testBackend{d: e.d, offline: true}
	return op.NewOperations(context.Background(), b), b
}

// table inspects a table, failing the test when it is missing.
func (e *env) table(t *testing.T, name string) *schema.Table {
	t.Helper()
	tb, err := e.b.InspectTable(context.Background(), "", name)
	if err != nil {
		t.Fatal(err)
	}
	if tb == nil {
		t.Fatalf("no table %s", name)
	}
	return tb
}

func (e *env) exists(t *testing.T, name string) bool {
	t.Helper()
	tb, err := e.b.InspectTable(context.Background(), "", name)
	if err != nil {
		t.Fatal(err)
	}
	return tb != nil
}

func (e *env) exec(t *testing.T, q string, args ...any) {
	t.Helper()
	if _, err := e.conn.ExecContext(context.Background(), q, args...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

func (e *env) count(t *testing.T, q string, args ...any) int {
	t.Helper()
	var n int
	if err := e.conn.QueryRowContext(context.Background(), q, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// wantErr fails unless err says every one of parts.
func wantErr(t *testing.T, err error, parts ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want one saying %q", parts)
	}
	for _, p := range parts {
		if !strings.Contains(err.Error(), p) {
			t.Fatalf("error %q does not say %q", err, p)
		}
	}
}

// intType is the canonical name each dialect's inspection gives "integer".
func (e *env) intType() string {
	if e.name == "mysql" {
		return "int"
	}
	return "integer"
}

func col(t *testing.T, tb *schema.Table, name string) *schema.Column {
	t.Helper()
	c := tb.Column(name)
	if c == nil {
		t.Fatalf("table %s has no column %s:\n%s", tb.Name, name, tb)
	}
	return c
}
