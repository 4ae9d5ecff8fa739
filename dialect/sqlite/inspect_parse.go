package sqlite

import (
	"strings"

	"github.com/retortdb/retort/internal/sqlbuild"
)

// SQLite keeps CHECK constraints, constraint names, column collations,
// AUTOINCREMENT, DEFERRABLE and generated-column expressions only in the
// text of CREATE TABLE, and index expressions and predicates only in the
// text of CREATE INDEX. This file reads those statements: a tokenizer and a
// parser that knows the grammar around expressions, and copies each
// expression's tokens out in a canonical spelling.

type tokKind uint8

const (
	tEOF    tokKind = iota
	tWord           // bare identifier or keyword
	tQuoted         // "x", `x` or [x]
	tString         // 'x'
	tNumber         // 1, 1.5e3, 0x1F
	tBlob           // x'00'
	tOp             // punctuation and operators
)

type token struct {
	kind tokKind
	text string // source text
	val  string // identifier or string value, unquoted
}

// is reports whether t is the keyword kw (upper case).
func (t token) is(kw string) bool { return t.kind == tWord && strings.EqualFold(t.text, kw) }

// op reports whether t is the operator s.
func (t token) op(s string) bool { return t.kind == tOp && t.text == s }

// name is the identifier t names: its unquoted value.
func (t token) name() string {
	switch t.kind {
	case tWord:
		return t.text
	case tQuoted, tString:
		return t.val
	}
	return t.text
}

// tokenize splits SQLite SQL into tokens, dropping white space and
// comments. Unterminated constructs run to the end of the input.
func tokenize(src string) []token {
	var out []token
	i := 0
	for i < len(src) {
		c := src[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v':
			i++
		case c == '-' && i+1 < len(src) && src[i+1] == '-':
			for i < len(src) && src[i] != '\n' {
				i++
			}
		case c == '/' && i+1 < len(src) && src[i+1] == '*':
			end := strings.Index(src[i+2:], "*/")
			if end < 0 {
				i = len(src)
			} else {
				i += end + 4
			}
		case c == '\'':
			j, val := quoted(src, i, '\'')
			out = append(out, token{kind: tString, text: src[i:j], val: val})
			i = j
		case c == '"' || c == '`':
			j, val := quoted(src, i, c)
			out = append(out, token{kind: tQuoted, text: src[i:j], val: val})
			i = j
		case c == '[':
			j := strings.IndexByte(src[i:], ']')
			if j < 0 { // unterminated: the rest of the text
				out = append(out, token{kind: tQuoted, text: src[i:], val: src[i+1:]})
				i = len(src)
				continue
			}
			out = append(out, token{kind: tQuoted, text: src[i : i+j+1], val: src[i+1 : i+j]})
			i += j + 1
		case (c == 'x' || c == 'X') && i+1 < len(src) && src[i+1] == '\'':
			j, _ := quoted(src, i+1, '\'')
			out = append(out, token{kind: tBlob, text: src[i:j]})
			i = j
		case c >= '0' && c <= '9' || c == '.' && i+1 < len(src) && src[i+1] >= '0' && src[i+1] <= '9':
			j := i
			if c == '0' && i+1 < len(src) && (src[i+1] == 'x' || src[i+1] == 'X') {
				j += 2
				for j < len(src) && isWordByte(src[j]) {
					j++
				}
			} else {
				for j < len(src) && (src[j] >= '0' && src[j] <= '9' || src[j] == '.' || src[j] == '_') {
					j++
				}
				if j < len(src) && (src[j] == 'e' || src[j] == 'E') {
					j++
					if j < len(src) && (src[j] == '+' || src[j] == '-') {
						j++
					}
					for j < len(src) && src[j] >= '0' && src[j] <= '9' {
						j++
					}
				}
			}
			out = append(out, token{kind: tNumber, text: src[i:j]})
			i = j
		case isWordByte(c) && !(c >= '0' && c <= '9'):
			j := i
			for j < len(src) && isWordByte(src[j]) {
				j++
			}
			out = append(out, token{kind: tWord, text: src[i:j]})
			i = j
		default:
			n := 1
			for _, op := range []string{"->>", "->", "||", "<=", ">=", "==", "!=", "<>", "<<", ">>"} {
				if strings.HasPrefix(src[i:], op) {
					n = len(op)
					break
				}
			}
			out = append(out, token{kind: tOp, text: src[i : i+n]})
			i += n
		}
	}
	return out
}

func isWordByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '$' || c >= 0x80
}

// quoted scans the quoted construct at src[i] (q doubled inside) and
// returns the index after it and its value.
func quoted(src string, i int, q byte) (int, string) {
	var b strings.Builder
	for j := i + 1; j < len(src); j++ {
		if src[j] == q {
			if j+1 < len(src) && src[j+1] == q {
				b.WriteByte(q)
				j++
				continue
			}
			return j + 1, b.String()
		}
		b.WriteByte(src[j])
	}
	return len(src), b.String()
}

// keywords are upper-cased in canonical expressions, and a '(' after one
// of them is spaced as after an operator, not glued as after a function.
var keywords = wordSet(`and or not null is isnull notnull in like glob regexp match escape between
case when then else end cast as collate exists distinct true false current_timestamp
current_date current_time`)

func wordSet(s string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(s) {
		m[w] = true
	}
	return m
}

// canonical writes tokens as one line: keywords in upper case, one space
// between tokens except inside parentheses, before ',' and around '.', a
// function name glued to its '(' and a unary sign glued to its operand.
// The same expression written with different spacing or keyword case
// comes out the same.
func canonical(toks []token) string { return canonicalIn(toks, nil) }

// canonicalIn is canonical for an expression over a table's columns: a
// quoted name of one of them is written bare when it needs no quotes, so
// that `"c12" > 0` and `c12 > 0` compare equal. SQLite itself writes the
// quoted form when ALTER TABLE … RENAME COLUMN rewrites a CHECK or an
// index. Only column names are unquoted: a double-quoted word that names
// no column is a string to SQLite, and must stay one.
func canonicalIn(toks []token, isColumn func(string) bool) string {
	var b strings.Builder
	for i, t := range toks {
		text := t.text
		switch {
		case t.kind == tWord && keywords[strings.ToLower(text)]:
			text = strings.ToUpper(text)
		case t.kind == tQuoted && isColumn != nil && isColumn(t.val) && bareName(t.val):
			text = t.val
		}
		if i > 0 && spaceBetween(toks, i) {
			b.WriteByte(' ')
		}
		b.WriteString(text)
	}
	return b.String()
}

// bareName reports whether SQLite reads name written without quotes as
// the same identifier: what QuoteIdent would leave bare, in either case
// (SQLite ignores it), and not a word canonical upper-cases.
func bareName(name string) bool {
	lower := strings.ToLower(name)
	return !sqlbuild.NeedsQuote(lower, reserved) && !keywords[lower]
}

func spaceBetween(toks []token, i int) bool {
	prev, t := toks[i-1], toks[i]
	switch {
	case t.op(".") && prev.kind == tNumber, prev.op(".") && t.kind == tNumber:
		return true // glued, "0." or ".5" would read as one number
	case t.op(")") || t.op(",") || t.op(".") || prev.op("(") || prev.op("."):
		return false
	case t.op("("):
		// A function call: name(…). Keywords (IN (…), AND (…)) keep a space.
		return !(prev.kind == tQuoted || prev.kind == tWord && !keywords[strings.ToLower(prev.text)])
	case (prev.op("-") || prev.op("+")) && unary(toks, i-1):
		return false
	}
	return true
}

// unary reports whether the sign at toks[i] is a prefix operator.
func unary(toks []token, i int) bool {
	if i == 0 {
		return true
	}
	p := toks[i-1]
	switch p.kind {
	case tOp:
		return !p.op(")")
	case tWord:
		return keywords[strings.ToLower(p.text)]
	}
	return false
}

// parser walks a token list.
type parser struct {
	toks []token
	pos  int
}

func (p *parser) peek() token {
	if p.pos < len(p.toks) {
		return p.toks[p.pos]
	}
	return token{kind: tEOF}
}

func (p *parser) next() token {
	t := p.peek()
	if p.pos < len(p.toks) {
		p.pos++
	}
	return t
}

// accept consumes the keywords kws in order if they come next.
func (p *parser) accept(kws ...string) bool {
	for i, kw := range kws {
		if p.pos+i >= len(p.toks) || !p.toks[p.pos+i].is(kw) {
			return false
		}
	}
	p.pos += len(kws)
	return true
}

func (p *parser) acceptOp(s string) bool {
	if p.peek().op(s) {
		p.pos++
		return true
	}
	return false
}

// group consumes a parenthesised group and returns the tokens inside it;
// nil if no '(' comes next.
func (p *parser) group() []token {
	if !p.peek().op("(") {
		return nil
	}
	start := p.pos + 1
	depth := 0
	for p.pos < len(p.toks) {
		t := p.next()
		switch {
		case t.op("("):
			depth++
		case t.op(")"):
			depth--
			if depth == 0 {
				return p.toks[start : p.pos-1]
			}
		}
	}
	return p.toks[start:]
}

// splitList splits tokens at top-level commas.
func splitList(toks []token) [][]token {
	var out [][]token
	depth, start := 0, 0
	for i, t := range toks {
		switch {
		case t.op("("):
			depth++
		case t.op(")"):
			depth--
		case t.op(",") && depth == 0:
			out = append(out, toks[start:i])
			start = i + 1
		}
	}
	if start < len(toks) {
		out = append(out, toks[start:])
	}
	return out
}

// ddlTable is what the text of a CREATE TABLE adds to the pragmas.
type ddlTable struct {
	columns map[string]*ddlColumn // by lower-case name
	pkName  string
	uniques []ddlKey
	fks     []ddlFK
	checks  []ddlCheck
}

// isColumn reports whether the table has a column of that name (SQLite
// compares names case-insensitively).
func (t *ddlTable) isColumn(name string) bool { return t.columns[strings.ToLower(name)] != nil }

type ddlColumn struct {
	collation     string
	autoIncrement bool
	generated     string // expression, canonical
	generatedToks []token
}

type ddlKey struct {
	name    string
	columns []string
	used    bool
}

type ddlFK struct {
	name              string
	columns           []string
	refTable          string
	deferrable        bool
	initiallyDeferred bool
	used              bool
}

type ddlCheck struct {
	name string
	expr string // canonical, set once all columns are known
	toks []token
}

// constraintStart are the words that end a column's type and start its
// constraints.
var constraintStart = wordSet(`constraint primary not null unique check default collate references generated as`)

// parseCreateTable reads a CREATE TABLE statement. It never fails: what it
// cannot read is left out.
func parseCreateTable(sql string) *ddlTable {
	out := &ddlTable{columns: map[string]*ddlColumn{}}
	p := &parser{toks: tokenize(sql)}
	// CREATE [TEMP|TEMPORARY] TABLE [IF NOT EXISTS] [schema.]name (
	for p.pos < len(p.toks) && !p.peek().op("(") {
		if p.peek().is("AS") {
			return out // CREATE TABLE … AS SELECT
		}
		p.next()
	}
	for _, def := range splitList(p.group()) {
		if len(def) == 0 {
			continue
		}
		q := &parser{toks: def}
		switch first := q.peek(); {
		case first.is("CONSTRAINT") || first.is("PRIMARY") || first.is("UNIQUE") || first.is("CHECK") || first.is("FOREIGN"):
			out.tableConstraint(q)
		default:
			out.column(q)
		}
	}
	for i := range out.checks {
		out.checks[i].expr = canonicalIn(out.checks[i].toks, out.isColumn)
	}
	for _, c := range out.columns {
		if c.generatedToks != nil {
			c.generated = canonicalIn(c.generatedToks, out.isColumn)
		}
	}
	return out
}

func (out *ddlTable) column(p *parser) {
	name := p.next().name()
	col := &ddlColumn{}
	out.columns[strings.ToLower(name)] = col
	// The type: words and an optional (…) up to the first constraint.
	for p.pos < len(p.toks) {
		t := p.peek()
		if t.kind == tWord && constraintStart[strings.ToLower(t.text)] {
			break
		}
		if t.op("(") {
			p.group()
			continue
		}
		p.next()
	}
	var cname string
	for p.pos < len(p.toks) {
		switch {
		case p.accept("CONSTRAINT"):
			cname = p.next().name()
			continue
		case p.accept("PRIMARY", "KEY"):
			out.pkName = cname
			for p.accept("ASC") || p.accept("DESC") || skipConflict(p) {
			}
			if p.accept("AUTOINCREMENT") {
				col.autoIncrement = true
			}
		case p.accept("NOT", "NULL"), p.accept("NULL"):
			skipConflict(p)
		case p.accept("UNIQUE"):
			skipConflict(p)
			out.uniques = append(out.uniques, ddlKey{name: cname, columns: []string{name}})
		case p.accept("CHECK"):
			out.checks = append(out.checks, ddlCheck{name: cname, toks: p.group()})
		case p.accept("DEFAULT"):
			if p.group() == nil {
				if t := p.next(); t.op("-") || t.op("+") {
					p.next()
				}
			}
		case p.accept("COLLATE"):
			col.collation = strings.ToUpper(p.next().name())
		case p.accept("REFERENCES"):
			fk := parseReferences(p)
			fk.name, fk.columns = cname, []string{name}
			out.fks = append(out.fks, fk)
		case p.accept("GENERATED", "ALWAYS", "AS"), p.accept("AS"):
			col.generatedToks = p.group()
			_ = p.accept("STORED") || p.accept("VIRTUAL")
		default:
			p.next() // unknown: skip a token
		}
		cname = ""
	}
}

func (out *ddlTable) tableConstraint(p *parser) {
	var cname string
	if p.accept("CONSTRAINT") {
		cname = p.next().name()
	}
	switch {
	case p.accept("PRIMARY", "KEY"):
		out.pkName = cname
	case p.accept("UNIQUE"):
		out.uniques = append(out.uniques, ddlKey{name: cname, columns: indexedColumns(p.group())})
	case p.accept("CHECK"):
		out.checks = append(out.checks, ddlCheck{name: cname, toks: p.group()})
	case p.accept("FOREIGN", "KEY"):
		cols := indexedColumns(p.group())
		if p.accept("REFERENCES") {
			fk := parseReferences(p)
			fk.name, fk.columns = cname, cols
			out.fks = append(out.fks, fk)
		}
	}
}

// indexedColumns returns the column names of "a COLLATE x DESC, b".
func indexedColumns(toks []token) []string {
	var out []string
	for _, part := range splitList(toks) {
		if len(part) > 0 {
			out = append(out, part[0].name())
		}
	}
	return out
}

// skipConflict consumes ON CONFLICT <resolution>.
func skipConflict(p *parser) bool {
	if p.accept("ON", "CONFLICT") {
		p.next()
		return true
	}
	return false
}

// parseReferences reads the foreign-key clause after REFERENCES.
func parseReferences(p *parser) ddlFK {
	fk := ddlFK{refTable: p.next().name()}
	if p.acceptOp(".") { // schema.table
		fk.refTable = p.next().name()
	}
	p.group() // the referenced columns come from the pragma
	for p.pos < len(p.toks) {
		switch {
		case p.accept("ON"):
			p.next() // DELETE or UPDATE
			switch {
			case p.accept("SET"), p.accept("NO"):
				p.next()
			default:
				p.next()
			}
		case p.accept("MATCH"):
			p.next()
		case p.accept("NOT", "DEFERRABLE"):
			fk.deferrable = false
			_ = p.accept("INITIALLY", "DEFERRED") || p.accept("INITIALLY", "IMMEDIATE")
		case p.accept("DEFERRABLE"):
			fk.deferrable = true
			if p.accept("INITIALLY", "DEFERRED") {
				fk.initiallyDeferred = true
			} else {
				p.accept("INITIALLY", "IMMEDIATE")
			}
		default:
			return fk
		}
	}
	return fk
}

// ddlIndex is what the text of a CREATE INDEX adds to the pragmas.
type ddlIndex struct {
	parts []ddlPart
	where string
}

type ddlPart struct {
	expr string // canonical expression or column text
}

// parseCreateIndex reads a CREATE INDEX statement on a table with the given
// columns (nil: unknown).
func parseCreateIndex(sql string, isColumn func(string) bool) *ddlIndex {
	out := &ddlIndex{}
	p := &parser{toks: tokenize(sql)}
	for p.pos < len(p.toks) && !p.peek().op("(") {
		p.next()
	}
	for _, part := range splitList(p.group()) {
		// Drop a trailing ASC/DESC and COLLATE name: the pragma has them.
		if n := len(part); n > 0 && (part[n-1].is("ASC") || part[n-1].is("DESC")) {
			part = part[:n-1]
		}
		if n := len(part); n >= 2 && part[n-2].is("COLLATE") {
			part = part[:n-2]
		}
		// An expression's enclosing parentheses are not part of it.
		for len(part) >= 2 && part[0].op("(") {
			q := &parser{toks: part}
			inner := q.group()
			if q.pos != len(part) {
				break
			}
			part = inner
		}
		out.parts = append(out.parts, ddlPart{expr: canonicalIn(part, isColumn)})
	}
	if p.accept("WHERE") {
		out.where = canonicalIn(p.toks[p.pos:], isColumn)
	}
	return out
}

// isLiteral reports whether a default expression is a literal that SQLite
// accepts bare after DEFAULT: a number (signed), string, blob, NULL, TRUE,
// FALSE or CURRENT_TIME/DATE/TIMESTAMP.
func isLiteral(toks []token) bool {
	if len(toks) == 2 && (toks[0].op("-") || toks[0].op("+")) && toks[1].kind == tNumber {
		return true
	}
	if len(toks) != 1 {
		return false
	}
	switch t := toks[0]; t.kind {
	case tNumber, tString, tBlob:
		return true
	case tWord:
		switch strings.ToLower(t.text) {
		case "null", "true", "false", "current_time", "current_date", "current_timestamp":
			return true
		}
	}
	return false
}
