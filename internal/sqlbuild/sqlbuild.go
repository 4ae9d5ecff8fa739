// Package sqlbuild holds the small pieces of SQL text building that every
// dialect shares: identifier quoting rules and literal rendering.
package sqlbuild

import (
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// NeedsQuote reports whether name must be quoted: it is a reserved word, has
// upper-case letters (which the database would fold), starts with a digit or
// holds anything but lower-case letters, digits, '_' and '$'. This is the rule
// SQLAlchemy applies, so a plain name renders bare as in Alembic's output.
func NeedsQuote(name string, reserved map[string]bool) bool {
	if name == "" {
		return true
	}
	if reserved[strings.ToLower(name)] {
		return true
	}
	for i, r := range name {
		switch {
		case r >= 'a' && r <= 'z', r == '_':
		case r >= '0' && r <= '9', r == '$':
			if i == 0 {
				return true
			}
		default:
			return true
		}
	}
	return false
}

// Quote wraps name in the quote character q, doubling any q inside it.
func Quote(name string, q byte) string {
	var b strings.Builder
	b.Grow(len(name) + 2)
	b.WriteByte(q)
	for i := 0; i < len(name); i++ {
		if name[i] == q {
			b.WriteByte(q)
		}
		b.WriteByte(name[i])
	}
	b.WriteByte(q)
	return b.String()
}

// QuoteIfNeeded quotes name with q when NeedsQuote says so.
func QuoteIfNeeded(name string, q byte, reserved map[string]bool) string {
	if NeedsQuote(name, reserved) {
		return Quote(name, q)
	}
	return name
}

// StringLiteral renders s as a standard SQL string literal (” doubles a
// quote). When backslashEscapes is set (MySQL's default sql_mode) backslashes
// are doubled too, so the literal means the same string there.
func StringLiteral(s string, backslashEscapes bool) string {
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteByte('\'')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\'':
			b.WriteString("''")
		case c == '\\' && backslashEscapes:
			b.WriteString(`\\`)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('\'')
	return b.String()
}

// Literal renders the value kinds retort writes into its own tables.
// timeLayout formats time.Time values (UTC).
func Literal(v any, backslashEscapes bool, timeLayout string) string {
	switch x := v.(type) {
	case nil:
		return "NULL"
	case string:
		return StringLiteral(x, backslashEscapes)
	case int:
		return strconv.Itoa(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case bool:
		// TRUE and FALSE are understood by all three databases (SQLite
		// since 3.23) and, unlike 1 and 0, fit a PostgreSQL boolean.
		if x {
			return "TRUE"
		}
		return "FALSE"
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64)
	case []byte:
		// X'…' is SQLite's and MySQL's blob literal; PostgreSQL's Literal
		// writes bytea itself.
		return "X'" + hex.EncodeToString(x) + "'"
	case time.Time:
		return StringLiteral(x.UTC().Format(timeLayout), false)
	default:
		panic(fmt.Sprintf("sqlbuild: no literal form for %T", v))
	}
}

// WordSet builds a lookup set from a space-separated list of words.
func WordSet(words string) map[string]bool {
	m := make(map[string]bool)
	for _, w := range strings.Fields(words) {
		m[strings.ToLower(w)] = true
	}
	return m
}

// ClosingParen returns the index of the parenthesis that closes the one at
// s[open], skipping text between any of the quote characters in quotes
// (a doubled quote inside is two adjacent quoted runs, which comes to the
// same), or -1 when it is not closed.
func ClosingParen(s string, open int, quotes string) int {
	depth := 0
	for i := open; i < len(s); i++ {
		switch c := s[i]; {
		case strings.IndexByte(quotes, c) >= 0:
			for i++; i < len(s) && s[i] != c; i++ {
			}
		case c == '(':
			depth++
		case c == ')':
			depth--
			if depth == 0 {
				return i
			}
		}
	}
	return -1
}

// RowPlaceholders renders rows rows of cols bind placeholders each,
// numbered in row order: "(?, ?), (?, ?)" or "($1, $2), ($3, $4)".
func RowPlaceholders(rows, cols int, placeholder func(int) string) string {
	out := make([]string, rows)
	n := 0
	for i := range out {
		ph := make([]string, cols)
		for j := range ph {
			n++
			ph[j] = placeholder(n)
		}
		out[i] = "(" + strings.Join(ph, ", ") + ")"
	}
	return strings.Join(out, ", ")
}

// Idents quotes names with quote and joins them with ", ".
func Idents(names []string, quote func(string) string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = quote(n)
	}
	return strings.Join(q, ", ")
}

// Constraint is "CONSTRAINT <quoted name> " for a named constraint, "" for
// an unnamed one (the database names it).
func Constraint(name string, quote func(string) string) string {
	if name == "" {
		return ""
	}
	return "CONSTRAINT " + quote(name) + " "
}
