package migrate

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/retortdb/retort/dialect"
)

// query is an SQL statement of retort's own (version and history tables)
// with its arguments kept apart, so the same statement can run with bind
// parameters online and be written with literals offline.
type query struct {
	parts []string // len(parts) == len(args)+1
	args  []any
}

// arg marks a value inside q(...).
type arg struct{ v any }

// q builds a query from raw SQL strings and arg values.
func q(fragments ...any) query {
	var out query
	var cur strings.Builder
	for _, f := range fragments {
		switch x := f.(type) {
		case string:
			cur.WriteString(x)
		case arg:
			out.parts = append(out.parts, cur.String())
			out.args = append(out.args, x.v)
			cur.Reset()
		default:
			panic(fmt.Sprintf("migrate: q: unexpected %T", f))
		}
	}
	out.parts = append(out.parts, cur.String())
	return out
}

// clock is a timestamp argument: online it is the client's time, offline
// it is the database's current time (dialect.Now) so the row records when
// the script ran, not when it was generated.
//
// Online the time is always written inline as the dialect's literal, never
// bound: a bound time.Time is formatted by the driver, which on SQLite (a
// TEXT column) stores "…39.02351171+00:00" where the literal, which the
// batched one-trip bookkeeping has to use, stores "…39.023511". Inline
// everywhere, every row of retort_history has the one format.
type clock struct{ t time.Time }

// render returns the statement with placeholders and its args, or, when
// literal is set, with the values written inline.
func (qq query) render(d dialect.Dialect, literal bool) (string, []any) {
	var b strings.Builder
	var args []any
	for i, p := range qq.parts {
		b.WriteString(p)
		if i >= len(qq.args) {
			continue
		}
		c, isClock := qq.args[i].(clock)
		switch {
		case literal && isClock:
			b.WriteString(nowSQL(d))
		case literal:
			b.WriteString(d.Literal(qq.args[i]))
		case isClock:
			b.WriteString(d.Literal(c.t))
		default:
			args = append(args, qq.args[i])
			b.WriteString(d.Placeholder(len(args)))
		}
	}
	if literal {
		return b.String(), nil
	}
	return b.String(), args
}

// nowSQL is the expression an offline script writes for a clock.
func nowSQL(d dialect.Dialect) string {
	if n, ok := d.(dialect.Now); ok {
		return n.NowSQL()
	}
	return "CURRENT_TIMESTAMP"
}

// executor is the one choke point every statement goes through, online or
// offline, so --sql output holds exactly what an online run would execute.
type executor interface {
	begin(ctx context.Context) error
	commit(ctx context.Context) error
	rollback(ctx context.Context) error
	inTx() bool
	// execSQL runs a statement of a migration body with its arguments
	// (a Go migration's; SQL files have none).
	execSQL(ctx context.Context, sqlText string, args []any) error
	// execQuery runs one of retort's own statements and returns the number
	// of rows it changed, or -1 when that is unknown (offline).
	execQuery(ctx context.Context, qq query) (int64, error)
	// comment annotates offline output; online it does nothing.
	comment(text string)
	// lost reports, after a failure, whether the connection is gone (the
	// server ended the session, or the network failed).
	lost(ctx context.Context) bool
}

// onlineExec runs statements on one connection.
type onlineExec struct {
	d    dialect.Dialect
	conn *sql.Conn
	tx   *sql.Tx
	// textual is set where the driver runs several statements without
	// arguments in one round trip (Caps.BatchedBookkeeping): transactions
	// are then opened with a BEGIN sent in front of their first statement
	// rather than on a round trip of its own, and closed with COMMIT or
	// ROLLBACK statements. open says one is open; beginPending that its
	// BEGIN has not been sent yet.
	textual, open, beginPending bool
	// held are statements of the open transaction kept back to travel
	// with its COMMIT (see holdForCommit); any other statement sends them
	// first.
	held []string
}

func newOnlineExec(d dialect.Dialect, conn *sql.Conn) *onlineExec {
	return &onlineExec{d: d, conn: conn, textual: d.Caps().BatchedBookkeeping}
}

// flushBegin sends a BEGIN still held back, before a statement that cannot
// carry it (one with arguments) or before handing the connection out, and
// the statements held for the commit, which must run before what follows.
func (e *onlineExec) flushBegin(ctx context.Context) error {
	if err := e.flushHeld(ctx); err != nil {
		return err
	}
	if !e.beginPending {
		return nil
	}
	e.beginPending = false
	if _, err := e.conn.ExecContext(ctx, "BEGIN"); err != nil {
		e.open = false
		return fmt.Errorf("begin transaction: %w", err)
	}
	return nil
}

// holdForCommit keeps a statement without arguments back to be sent in
// front of the transaction's COMMIT, in the same round trip: the history
// row of a migration sent as one batch, which can only record when the
// migration's statements finished once the batch has returned.
func (e *onlineExec) holdForCommit(text string) {
	e.held = append(e.held, text)
}

// flushHeld sends the statements held for the commit on their own, when
// something other than the COMMIT comes next in the transaction.
func (e *onlineExec) flushHeld(ctx context.Context) error {
	if len(e.held) == 0 {
		return nil
	}
	text := strings.Join(e.held, "\n;\n")
	e.held = nil
	if _, err := e.target().ExecContext(ctx, text); err != nil {
		return fmt.Errorf("write the history row held for the commit: %w", err)
	}
	return nil
}

// withBegin prefixes a statement without arguments with the BEGIN held back.
func (e *onlineExec) withBegin(text string) string {
	if !e.beginPending {
		return text
	}
	e.beginPending = false
	return "BEGIN;\n" + text
}

func (e *onlineExec) begin(ctx context.Context) error {
	if e.tx != nil || e.open {
		return errors.New("retort/migrate: transaction already open")
	}
	if e.textual {
		e.open, e.beginPending = true, true
		return nil
	}
	tx, err := e.conn.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin transaction: %w", err)
	}
	e.tx = tx
	return nil
}

func (e *onlineExec) commit(ctx context.Context) error {
	if e.open {
		e.open = false
		if e.beginPending { // nothing ran in it
			e.beginPending = false
			return nil
		}
		held := e.held
		e.held = nil
		if _, err := e.conn.ExecContext(ctx, strings.Join(append(held, "COMMIT"), "\n;\n")); err != nil {
			if len(held) > 0 {
				// A held statement failed, so the COMMIT after it did not
				// run and the transaction is still open: end it. (After a
				// failed COMMIT there is none, and the ROLLBACK's
				// complaint about that says nothing new.)
				_, _ = e.conn.ExecContext(context.WithoutCancel(ctx), "ROLLBACK")
			}
			return fmt.Errorf("commit: %w", err)
		}
		return nil
	}
	if e.tx == nil {
		return nil
	}
	err := e.tx.Commit()
	e.tx = nil
	if err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

func (e *onlineExec) rollback(ctx context.Context) error {
	e.held = nil // part of the transaction being rolled back
	if e.open {
		e.open = false
		if e.beginPending {
			e.beginPending = false
			return nil
		}
		if _, err := e.conn.ExecContext(ctx, "ROLLBACK"); err != nil && !errors.Is(err, driver.ErrBadConn) && !errors.Is(err, sql.ErrConnDone) && !e.txEnded(err) {
			return fmt.Errorf("rollback: %w", err)
		}
		return nil
	}
	if e.tx == nil {
		return nil
	}
	err := e.tx.Rollback()
	e.tx = nil
	if err != nil && !errors.Is(err, sql.ErrTxDone) && !e.txEnded(err) {
		return fmt.Errorf("rollback: %w", err)
	}
	return nil
}

// txEnded reports whether a ROLLBACK failed because the database had
// already ended the transaction (dialect.TxEnder).
func (e *onlineExec) txEnded(err error) bool {
	te, ok := e.d.(dialect.TxEnder)
	return ok && te.TxAlreadyEnded(err)
}

func (e *onlineExec) inTx() bool { return e.tx != nil || e.open }

func (e *onlineExec) target() dialect.Querier {
	if e.tx != nil {
		return e.tx
	}
	return e.conn
}

func (e *onlineExec) execSQL(ctx context.Context, sqlText string, args []any) error {
	if err := e.flushHeld(ctx); err != nil {
		return err
	}
	if len(args) == 0 {
		sqlText = e.withBegin(sqlText)
	} else if err := e.flushBegin(ctx); err != nil {
		return err
	}
	_, err := e.target().ExecContext(ctx, sqlText, args...)
	return err
}

func (e *onlineExec) execQuery(ctx context.Context, qq query) (int64, error) {
	if err := e.flushBegin(ctx); err != nil {
		return 0, err
	}
	text, args := qq.render(e.d, false)
	res, err := e.target().ExecContext(ctx, text, args...)
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return -1, nil
	}
	return n, nil
}

func (e *onlineExec) comment(string) {}

// lostTimeout bounds the ping that tells a lost connection from a failed
// statement.
const lostTimeout = 5 * time.Second

func (e *onlineExec) lost(ctx context.Context) bool {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), lostTimeout)
	defer cancel()
	return e.conn.PingContext(ctx) != nil
}

// batcher is an executor that can send several of retort's own statements
// in one round trip, returning the row count of the last.
type batcher interface {
	execBatch(ctx context.Context, qs ...query) (int64, error)
}

// execBatch renders the queries with literal values (the driver sends a
// statement without arguments through the simple protocol, which accepts
// several at once) and runs them as one. Times are the client's, as with
// bind parameters, not the server's CURRENT_TIMESTAMP of offline scripts.
func (e *onlineExec) execBatch(ctx context.Context, qs ...query) (int64, error) {
	texts := make([]string, len(qs))
	for i, qq := range qs {
		texts[i] = literalQuery(e.d, qq)
	}
	return e.execScript(ctx, texts)
}

// literalQuery renders one of retort's statements with its values inline,
// times as the client's (as bind parameters would be), not the server's
// CURRENT_TIMESTAMP of offline scripts.
func literalQuery(d dialect.Dialect, qq query) string {
	args := make([]any, len(qq.args))
	for j, a := range qq.args {
		if c, ok := a.(clock); ok {
			a = c.t
		}
		args[j] = a
	}
	text, _ := query{parts: qq.parts, args: args}.render(d, true)
	return text
}

// execScript sends statements without arguments as one round trip (with a
// BEGIN held back) and returns the row count of the last.
func (e *onlineExec) execScript(ctx context.Context, texts []string) (int64, error) {
	if err := e.flushHeld(ctx); err != nil {
		return 0, err
	}
	// "\n;\n": a statement may end in a line comment.
	res, err := e.target().ExecContext(ctx, e.withBegin(strings.Join(texts, "\n;\n")))
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return -1, nil
	}
	return n, nil
}

// offlineExec writes statements as a script, terminated with ';', with
// BEGIN/COMMIT where an online run would open and commit transactions.
type offlineExec struct {
	d   dialect.Dialect
	w   io.Writer
	tx  bool
	err error // first write error; later writes are skipped
}

func (e *offlineExec) write(s string) {
	if e.err != nil {
		return
	}
	_, e.err = io.WriteString(e.w, s)
}

func (e *offlineExec) begin(context.Context) error {
	e.write("BEGIN;\n\n")
	e.tx = true
	return e.err
}

func (e *offlineExec) commit(context.Context) error {
	if e.tx {
		e.write("COMMIT;\n\n")
	}
	e.tx = false
	return e.err
}

func (e *offlineExec) rollback(context.Context) error { e.tx = false; return e.err }

func (e *offlineExec) inTx() bool { return e.tx }

func (e *offlineExec) execSQL(_ context.Context, sqlText string, args []any) error {
	if len(args) > 0 {
		inlined, err := inlineArgs(e.d, sqlText, args)
		if err != nil {
			return err
		}
		sqlText = inlined
	}
	e.write(e.statement(sqlText))
	return e.err
}

func (e *offlineExec) execQuery(_ context.Context, qq query) (int64, error) {
	text, _ := qq.render(e.d, true)
	e.write(e.statement(text))
	return -1, e.err
}

// statement terminates a statement for the dialect's command-line client.
func (e *offlineExec) statement(s string) string {
	if sw, ok := e.d.(dialect.ScriptWriter); ok {
		return sw.ScriptStatement(s)
	}
	return terminate(s)
}

func (e *offlineExec) lost(context.Context) bool { return false }

func (e *offlineExec) comment(text string) {
	e.write("-- " + text + "\n\n")
}

// terminate ends a statement for a script. A statement that ends in a line
// comment gets its ';' on the next line, where the comment cannot swallow it.
func terminate(s string) string {
	s = strings.TrimRight(s, " \t\r\n")
	last := s
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		last = s[i+1:]
	}
	if strings.Contains(last, "--") {
		return s + "\n;\n\n"
	}
	return s + ";\n\n"
}
