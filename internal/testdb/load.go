package testdb

import (
	"database/sql"
	"testing"

	"github.com/retortdb/retort/internal/sqlsplit"
)

// Load returns a fresh database of the dialect with src run in it statement
// by statement (split by the dialect's own rules); a failing statement
// fails the test, naming its line.
func Load(t testing.TB, dialectName, src string) *sql.DB {
	t.Helper()
	d, err := Dialect(dialectName)
	if err != nil {
		t.Fatal(err)
	}
	db := Open(t, New(t, dialectName))
	stmts, err := sqlsplit.Split(src, d.SplitDialect())
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range stmts {
		if _, err := db.Exec(s.SQL); err != nil {
			t.Fatalf("line %d: %v\n%s", s.Line, err, s.SQL)
		}
	}
	return db
}

// Querier is what Strings needs: a *sql.DB, *sql.Conn or *sql.Tx.
type Querier interface {
	Query(query string, args ...any) (*sql.Rows, error)
}

// Strings runs a query returning one text column and returns its values in
// the order the database gives them, NULL as ""; an error fails the test.
func Strings(t testing.TB, q Querier, query string, args ...any) []string {
	t.Helper()
	rows, err := q.Query(query, args...)
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s sql.NullString
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s.String)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}
