// Package sqlsplit splits the SQL of a migration section into statements.
//
// It is a single-pass lexer over bytes that knows, per dialect, where a
// semicolon does not end a statement: inside string literals, quoted
// identifiers, comments, PostgreSQL dollar quotes and parentheses, and inside
// the BEGIN … END bodies of triggers, stored programs and SQL-standard function
// bodies. MySQL's client-side DELIMITER command is understood too.
//
// Statement texts are slices of the input (no copies are made), so they keep
// the input alive for as long as they are referenced.
package sqlsplit

import (
	"errors"
	"strconv"
	"strings"
)

// Dialect selects the lexical rules of one database.
type Dialect int

// The supported dialects.
const (
	SQLite Dialect = iota
	Postgres
	MySQL // also MariaDB
)

// String returns the dialect's name.
func (d Dialect) String() string {
	switch d {
	case SQLite:
		return "sqlite"
	case Postgres:
		return "postgres"
	case MySQL:
		return "mysql"
	}
	return "Dialect(" + strconv.Itoa(int(d)) + ")"
}

// Kind tells explicit transaction-control statements apart from all others, so
// that callers can refuse them or run the section without a transaction of
// their own.
type Kind int

// The statement kinds. Begin, Commit and Rollback are statements that start,
// commit or abort the session's current transaction; ROLLBACK TO SAVEPOINT,
// SAVEPOINT, RELEASE and PostgreSQL's COMMIT/ROLLBACK PREPARED do neither and are
// Other.
const (
	Other    Kind = iota
	Begin         // BEGIN [DEFERRED|IMMEDIATE|EXCLUSIVE|WORK|TRANSACTION …], START TRANSACTION
	Commit        // COMMIT …, END [WORK|TRANSACTION] (SQLite, PostgreSQL)
	Rollback      // ROLLBACK … without TO, ABORT (PostgreSQL)
)

// String returns the kind's name.
func (k Kind) String() string {
	switch k {
	case Other:
		return "Other"
	case Begin:
		return "Begin"
	case Commit:
		return "Commit"
	case Rollback:
		return "Rollback"
	}
	return "Kind(" + strconv.Itoa(int(k)) + ")"
}

// Statement is one statement of the input.
type Statement struct {
	// SQL is the statement text from the start of its first token to the end
	// of its last token: comments and white space before the first token and
	// after the last one are not part of it, comments between tokens are kept
	// verbatim, and the terminating delimiter is left out.
	SQL string
	// Line is the 1-based line of the input on which the first token starts.
	// Lines are counted by '\n', so CRLF input counts as expected.
	Line int
	// Kind says whether the statement is explicit transaction control.
	Kind Kind
}

// SyntaxError reports input that cannot be split because a quoted or
// bracketed construct never ends. Line is where that construct starts.
type SyntaxError struct {
	Line int
	Msg  string
}

// Error returns "line N: msg".
func (e *SyntaxError) Error() string {
	return "line " + strconv.Itoa(e.Line) + ": " + e.Msg
}

// bom is the UTF-8 byte order mark.
const bom = "\ufeff"

// errDialect is returned for a Dialect value outside the declared constants.
var errDialect = errors.New("sqlsplit: unknown dialect")

// Split splits src into statements by the rules of dialect d.
//
// Statements end at a ';' that is outside strings, quoted identifiers,
// comments, dollar quotes, BEGIN … END bodies and (PostgreSQL, as psql does)
// parentheses; a final statement needs no ';'. Statements with no token, such
// as ";;" or a comment alone, are dropped, so comment-only input yields no
// statements and no error. A UTF-8 byte order mark (U+FEFF) where a token
// could start is white space.
//
// Construct-specific rules:
//   - SQLite: '…' strings, "…", `…` and […] identifiers, -- and /* */ comments
//     (not nested), and the BEGIN … END body of CREATE TRIGGER, in which
//     CASE … END is tracked so that its END does not close the body.
//   - PostgreSQL: '…' strings (backslash is literal), E'…' escape strings, "…"
//     identifiers, nested /* */ comments, $$…$$ and $tag$…$tag$ quotes ($1 is a
//     parameter), and BEGIN ATOMIC … END function bodies.
//   - MySQL: '…' and "…" strings with backslash escapes, `…` identifiers, #,
//     "-- " (dash dash space or control character) and /* */ comments,
//     /*!…*/ executable comments (kept as part of the statement), BEGIN … END
//     bodies of CREATE TRIGGER/PROCEDURE/FUNCTION/EVENT with nested BEGIN, IF,
//     CASE, LOOP, WHILE and REPEAT blocks, MariaDB's BEGIN NOT ATOMIC, and
//     DELIMITER lines. A DELIMITER line is recognized where a new statement
//     may start (no token pending) at the start of a line; it is not a
//     statement itself. While a delimiter other than ';' is active, only that
//     delimiter ends statements, whatever the body tracking thinks.
//
// A construct still open at the end of input is a *SyntaxError that names the
// line where it started.
func Split(src string, d Dialect) ([]Statement, error) {
	if d != SQLite && d != Postgres && d != MySQL {
		return nil, errDialect
	}
	src = strings.TrimPrefix(src, bom) // so that DELIMITER on the first line is at a line start
	s := splitter{src: src, d: d, lineNo: 1}
	s.reset()
	// Most ';' end a statement, so their count sizes the result of a typical
	// migration in one allocation. The cap keeps input full of ';' in strings
	// (or ";;;;") from allocating 40 bytes per byte; big inputs grow by append.
	s.out = make([]Statement, 0, min(strings.Count(src, ";")+1, 256))
	if err := s.run(); err != nil {
		return nil, err
	}
	return s.out, nil
}

// byte classes of the lexer's dispatch table.
const (
	clsOther = iota
	clsSpace
	clsWord // identifier or keyword or number byte; bytes >= 0x80 are UTF-8 letters
)

var class = func() (t [256]uint8) {
	for _, c := range " \t\n\r\f\v" {
		t[c] = clsSpace
	}
	for c := 'a'; c <= 'z'; c++ {
		t[c] = clsWord
		t[c-'a'+'A'] = clsWord
	}
	for c := '0'; c <= '9'; c++ {
		t[c] = clsWord
	}
	t['_'] = clsWord
	t['$'] = clsWord // identifier byte in all three; PostgreSQL handles a leading '$' first
	for c := 0x80; c < 0x100; c++ {
		t[c] = clsWord
	}
	return t
}()

// mode is what the splitter is still looking for in the current statement.
// Keyword analysis costs time, so most statements drop to modePlain after their
// first word and are then only lexed.
type mode uint8

const (
	modeFirst      mode = iota // no token yet
	modeCreate                 // CREATE/ALTER seen: looking for the object kind
	modeRoutine                // a kind that may have a body: looking for its BEGIN
	modeBody                   // inside BEGIN … END; stack is not empty
	modeBeginMySQL             // MySQL statement starting with BEGIN: maybe BEGIN NOT ATOMIC
	modePlain                  // nothing more to learn: ';' ends the statement
)

// blockKind is the opener of an open block inside a body.
type blockKind uint8

const (
	blkBegin    blockKind = iota
	blkCase               // CASE expression: THEN/ELSE are followed by expressions
	blkCaseStmt           // MySQL CASE statement: THEN/ELSE are followed by statements
	blkIf
	blkLoop
	blkWhile
	blkRepeat
)

func (b blockKind) String() string {
	switch b {
	case blkBegin:
		return "BEGIN"
	case blkCase, blkCaseStmt:
		return "CASE"
	case blkIf:
		return "IF"
	case blkLoop:
		return "LOOP"
	case blkWhile:
		return "WHILE"
	}
	return "REPEAT"
}

type block struct {
	kind blockKind
	pos  int // byte offset of the opening keyword, for error messages
}

type splitter struct {
	src   string
	d     Dialect
	delim string // MySQL delimiter set by DELIMITER; "" means the default ';'
	out   []Statement

	// lineOf cache: lineNo is the line of byte offset linePos.
	linePos, lineNo int

	// The current statement.
	start, end int       // first token start and last token end; start < 0 before the first token
	ntok       int       // tokens so far
	words      [3]string // the first three tokens if they are words, else "", for Kind
	mode       mode
	stack      []block // open blocks of a body
	parenDepth int
	parenPos   int // offset of the outermost open '('

	// Facts about the previous token, reset by every token.
	prevDot   bool // it was '.', so a following word is a qualified name, not a keyword
	stmtStart bool // MySQL body: the next word starts a statement (IF, LOOP, WHILE, REPEAT open blocks only there)
	afterEnd  bool // MySQL body: it was END, so IF/LOOP/CASE/… next is END IF etc., not an opener
	label     bool // MySQL body: a word at statement start, which a ':' makes a label
	beginPos  int  // PostgreSQL routine: it was BEGIN at this offset (ATOMIC may follow), else -1
}

// reset forgets the current statement.
func (s *splitter) reset() {
	s.start, s.end, s.ntok = -1, 0, 0
	s.words = [3]string{}
	s.mode = modeFirst
	s.stack = s.stack[:0]
	s.parenDepth = 0
	s.prevDot, s.stmtStart, s.afterEnd, s.label = false, false, false, false
	s.beginPos = -1
}

// lineOf returns the 1-based line of byte offset pos. Queries come in
// increasing order (statement starts, then the start of a failing construct),
// so counting from the previous answer keeps the whole pass linear without
// tracking lines in the hot loops.
func (s *splitter) lineOf(pos int) int {
	if pos < s.linePos {
		s.linePos, s.lineNo = 0, 1
	}
	s.lineNo += strings.Count(s.src[s.linePos:pos], "\n")
	s.linePos = pos
	return s.lineNo
}

func (s *splitter) errorAt(pos int, msg string) error {
	return &SyntaxError{Line: s.lineOf(pos), Msg: msg}
}

// flush emits the current statement, if it has a token, and starts a new one.
func (s *splitter) flush() {
	if s.start >= 0 {
		s.out = append(s.out, Statement{
			SQL:  s.src[s.start:s.end],
			Line: s.lineOf(s.start),
			Kind: s.kind(),
		})
	}
	s.reset()
}

// tok records a token [i, j); w is its text if it is a word, else "".
func (s *splitter) tok(i, j int, w string) {
	if s.start < 0 {
		s.start = i
		if w == "" {
			s.mode = modePlain // only statements starting with a keyword matter
		}
	}
	s.end = j
	if s.ntok < len(s.words) {
		s.words[s.ntok] = w
	}
	s.ntok++
	s.prevDot, s.stmtStart, s.afterEnd, s.label = false, false, false, false
	s.beginPos = -1
}

func (s *splitter) run() error {
	src, n := s.src, len(s.src)
	i := 0
	for i < n {
		c := src[i]
		if class[c] == clsSpace {
			i++
			continue
		}
		if s.delim != "" && strings.HasPrefix(src[i:], s.delim) {
			s.flush()
			i += len(s.delim)
			continue
		}
		var err error
		switch {
		case c == 0xEF && strings.HasPrefix(src[i:], bom):
			// A byte order mark outside literals is white space wherever it
			// is (files concatenated or pasted together), not just at the
			// start, so that no statement consists of or ends in one.
			i += len(bom)
		case c == '$' && s.d == Postgres:
			i, err = s.dollar(i)
		case class[c] == clsWord:
			i, err = s.scanWord(i)
		case c == ';':
			if s.delim == "" && len(s.stack) == 0 && (s.d != Postgres || s.parenDepth == 0) {
				s.flush()
			} else {
				inBody := len(s.stack) > 0
				s.tok(i, i+1, "")
				s.stmtStart = inBody
			}
			i++
		case c == '\'':
			i, err = s.quoted(i, '\'', s.d == MySQL, "unterminated string literal")
		case c == '"':
			if s.d == MySQL {
				i, err = s.quoted(i, '"', true, "unterminated string literal")
			} else {
				i, err = s.quoted(i, '"', false, "unterminated quoted identifier")
			}
		case c == '`' && s.d != Postgres:
			i, err = s.quoted(i, '`', false, "unterminated quoted identifier")
		case c == '[' && s.d == SQLite:
			k := strings.IndexByte(src[i+1:], ']')
			if k < 0 {
				return s.errorAt(i, "unterminated quoted identifier")
			}
			s.tok(i, i+k+2, "")
			i += k + 2
		case c == '-' && i+1 < n && src[i+1] == '-' &&
			(s.d != MySQL || i+2 == n || src[i+2] <= ' '):
			// MySQL wants "-- " so that 1--1 stays an expression.
			i = lineEnd(src, i+2)
		case c == '#' && s.d == MySQL:
			i = lineEnd(src, i+1)
		case c == '/' && i+1 < n && src[i+1] == '*':
			i, err = s.blockComment(i)
		default:
			i = s.punct(i)
		}
		if err != nil {
			return err
		}
	}
	if len(s.stack) > 0 {
		return s.bodyError()
	}
	if s.d == Postgres && s.parenDepth > 0 {
		return s.errorAt(s.parenPos, "unclosed parenthesis")
	}
	s.flush()
	return nil
}

// lineEnd returns the offset after the '\n' that ends the line containing i,
// or len(src).
func lineEnd(src string, i int) int {
	k := strings.IndexByte(src[i:], '\n')
	if k < 0 {
		return len(src)
	}
	return i + k + 1
}

// punct records the one-byte token at i and returns the next offset.
func (s *splitter) punct(i int) int {
	c := s.src[i]
	label := s.label
	s.tok(i, i+1, "")
	switch c {
	case '(':
		if s.parenDepth == 0 {
			s.parenPos = i
		}
		s.parenDepth++
	case ')':
		if s.parenDepth > 0 {
			s.parenDepth--
		}
	case '.':
		s.prevDot = true
	case ':':
		// "lbl: LOOP" — a label keeps the statement start; ":=" is assignment.
		if label && (i+1 == len(s.src) || s.src[i+1] != '=') {
			s.stmtStart = true
		}
	}
	return i + 1
}

// quoted records the literal or identifier opened by q at i. Doubled quotes are
// escapes; with backslash, so is a backslash before any byte.
func (s *splitter) quoted(i int, q byte, backslash bool, msg string) (int, error) {
	end := skipQuoted(s.src, i, q, backslash)
	if end < 0 {
		return 0, s.errorAt(i, msg)
	}
	s.tok(i, end, "")
	return end, nil
}

// skipQuoted returns the offset after the closing quote of the quoted run that
// src[i] opens, or -1 if it does not close.
func skipQuoted(src string, i int, q byte, backslash bool) int {
	n := len(src)
	j := i + 1
	for {
		k := strings.IndexByte(src[j:], q)
		if k < 0 {
			return -1
		}
		qpos := j + k
		if backslash {
			// Skip escapes before the candidate quote; searching only up to it
			// keeps the scan linear however many backslashes there are.
			for {
				b := strings.IndexByte(src[j:qpos], '\\')
				if b < 0 {
					break
				}
				j += b + 2
				if j > qpos {
					break
				}
			}
			if j > qpos { // the candidate was escaped
				continue
			}
		}
		j = qpos + 1
		if j < n && src[j] == q {
			j++
			continue
		}
		return j
	}
}

// blockComment skips the comment that starts at i ("/*"). A MySQL /*!…*/
// executable comment is SQL that MySQL runs, so it is recorded as a token.
func (s *splitter) blockComment(i int) (int, error) {
	src := s.src
	if s.d != Postgres {
		k := strings.Index(src[i+2:], "*/")
		if k < 0 {
			return 0, s.errorAt(i, "unterminated block comment")
		}
		end := i + 2 + k + 2
		if s.d == MySQL && i+2 < len(src) && src[i+2] == '!' {
			s.tok(i, end, "")
		}
		return end, nil
	}
	// PostgreSQL comments nest.
	depth := 1
	for j := i + 2; j+1 < len(src); {
		switch {
		case src[j] == '*' && src[j+1] == '/':
			depth--
			j += 2
			if depth == 0 {
				return j, nil
			}
		case src[j] == '/' && src[j+1] == '*':
			depth++
			j += 2
		default:
			j++
		}
	}
	return 0, s.errorAt(i, "unterminated block comment")
}

// dollar handles a PostgreSQL '$' at a token start: $n parameter, $tag$ quote
// or a lone '$'.
func (s *splitter) dollar(i int) (int, error) {
	src, n := s.src, len(s.src)
	j := i + 1
	if j < n && src[j] >= '0' && src[j] <= '9' {
		for j < n && src[j] >= '0' && src[j] <= '9' {
			j++
		}
		s.tok(i, j, "")
		return j, nil
	}
	// The tag follows identifier rules, except that '$' cannot be part of it.
	for j < n && src[j] != '$' && class[src[j]] == clsWord {
		j++
	}
	if j == n || src[j] != '$' {
		return s.punct(i), nil
	}
	tag := src[i : j+1]
	k := strings.Index(src[j+1:], tag)
	if k < 0 {
		return 0, s.errorAt(i, "unterminated dollar-quoted string")
	}
	end := j + 1 + k + len(tag)
	s.tok(i, end, "")
	return end, nil
}

// scanWord lexes an identifier, keyword or number at i.
func (s *splitter) scanWord(i int) (int, error) {
	src, n := s.src, len(s.src)
	j := i + 1
	// A byte order mark ends a word as white space would (see run).
	if s.delim == "" {
		for j < n && class[src[j]] == clsWord && (src[j] != 0xEF || !strings.HasPrefix(src[j:], bom)) {
			j++
		}
	} else {
		// "END$$" ends the body at "$$" although '$' is an identifier byte:
		// the mysql client looks for the delimiter everywhere outside quotes.
		for j < n && class[src[j]] == clsWord && (src[j] != 0xEF || !strings.HasPrefix(src[j:], bom)) &&
			!strings.HasPrefix(src[j:], s.delim) {
			j++
		}
	}
	if s.d == Postgres && j == i+1 && src[i]|0x20 == 'e' && j < n && src[j] == '\'' {
		end := skipQuoted(src, j, '\'', true)
		if end < 0 {
			return 0, s.errorAt(i, "unterminated string literal")
		}
		s.tok(i, end, "")
		return end, nil
	}
	w := src[i:j]
	if s.d == MySQL && s.start < 0 && len(w) == 9 && s.atLineStart(i) && lookupKeyword(w) == kwDelimiter &&
		(j == n || class[src[j]] == clsSpace) {
		return s.delimiterCommand(i, j)
	}
	s.word(i, j, w)
	return j, nil
}

// atLineStart reports whether only blanks precede offset i on its line.
func (s *splitter) atLineStart(i int) bool {
	for i > 0 {
		i--
		switch s.src[i] {
		case ' ', '\t':
		case '\n':
			return true
		default:
			return false
		}
	}
	return true
}

// delimiterCommand handles "DELIMITER xx" whose keyword spans [i, j), and
// returns the offset of the next line: the rest of the line is ignored, as the
// mysql client does.
func (s *splitter) delimiterCommand(i, j int) (int, error) {
	src, n := s.src, len(s.src)
	for j < n && (src[j] == ' ' || src[j] == '\t') {
		j++
	}
	a := j
	for j < n && class[src[j]] != clsSpace {
		j++
	}
	if a == j {
		return 0, s.errorAt(i, "DELIMITER must be followed by a delimiter")
	}
	s.delim = src[a:j]
	if s.delim == ";" {
		s.delim = ""
	}
	return lineEnd(src, j), nil
}

// keyword identifiers; kwNone for every other word.
type keyword uint8

const (
	kwNone keyword = iota
	kwAlter
	kwAtomic
	kwBegin
	kwCase
	kwCreate
	kwDelimiter
	kwDo
	kwElse
	kwEnd
	kwEvent
	kwFunction
	kwIf
	kwLoop
	kwNot
	kwOtherKind // an object kind without a body: TABLE, VIEW, INDEX, …
	kwProcedure
	kwRepeat
	kwThen
	kwTrigger
	kwWhile
)

// lookupKeyword returns the keyword w is, ignoring ASCII case.
func lookupKeyword(w string) keyword {
	if len(w) < 2 || len(w) > 9 {
		return kwNone
	}
	var buf [9]byte
	for k := 0; k < len(w); k++ {
		c := w[k]
		if 'a' <= c && c <= 'z' {
			c -= 'a' - 'A'
		}
		buf[k] = c
	}
	switch string(buf[:len(w)]) { // no allocation: the conversion only feeds comparisons
	case "IF":
		return kwIf
	case "DO":
		return kwDo
	case "END":
		return kwEnd
	case "NOT":
		return kwNot
	case "CASE":
		return kwCase
	case "LOOP":
		return kwLoop
	case "THEN":
		return kwThen
	case "ELSE":
		return kwElse
	case "BEGIN":
		return kwBegin
	case "WHILE":
		return kwWhile
	case "ALTER":
		return kwAlter
	case "EVENT":
		return kwEvent
	case "CREATE":
		return kwCreate
	case "REPEAT":
		return kwRepeat
	case "ATOMIC":
		return kwAtomic
	case "TRIGGER":
		return kwTrigger
	case "FUNCTION":
		return kwFunction
	case "PROCEDURE":
		return kwProcedure
	case "DELIMITER":
		return kwDelimiter
	case "TABLE", "VIEW", "INDEX", "SEQUENCE", "SCHEMA", "DATABASE", "TYPE", "DOMAIN":
		return kwOtherKind
	}
	return kwNone
}

// word records the word [i, j) and advances the statement's keyword analysis.
func (s *splitter) word(i, j int, w string) {
	dot, stmtStart, afterEnd, beginPos := s.prevDot, s.stmtStart, s.afterEnd, s.beginPos
	s.tok(i, j, w)
	if s.mode == modePlain || dot { // after '.', a word is a qualified name part, never a keyword
		return
	}
	k := lookupKeyword(w)
	switch s.mode {
	case modeFirst:
		switch {
		case k == kwCreate || k == kwAlter:
			s.mode = modeCreate
		case k == kwBegin && s.d == MySQL:
			s.mode = modeBeginMySQL
		default:
			s.mode = modePlain
		}
	case modeCreate:
		// The first object-kind word decides; modifiers before it (OR REPLACE,
		// TEMP, DEFINER=…, ALGORITHM=…) are words of no interest.
		routine := false
		switch k {
		case kwTrigger:
			routine = s.d != Postgres // a PostgreSQL trigger calls a function; it has no body
		case kwFunction, kwProcedure:
			routine = s.d != SQLite
		case kwEvent:
			routine = s.d == MySQL
		case kwOtherKind:
		default:
			return
		}
		if routine {
			s.mode = modeRoutine
		} else {
			s.mode = modePlain
		}
	case modeRoutine:
		// A BEGIN in parentheses is a parameter or column name (f(begin int)).
		if s.parenDepth > 0 {
			return
		}
		switch {
		case k == kwBegin && s.d == Postgres:
			s.beginPos = i // a body only if ATOMIC follows
		case k == kwBegin:
			s.push(blkBegin, i)
			s.stmtStart = true
		case k == kwAtomic && beginPos >= 0:
			s.push(blkBegin, beginPos)
		}
	case modeBeginMySQL:
		switch {
		case s.ntok == 2 && k == kwNot:
		case s.ntok == 3 && k == kwAtomic && lookupKeyword(s.words[1]) == kwNot:
			s.push(blkBegin, s.start)
			s.stmtStart = true
		default:
			s.mode = modePlain
		}
	case modeBody:
		s.bodyWord(k, i, stmtStart, afterEnd)
	}
}

// bodyWord tracks the blocks of a body so that the END closing it is found.
func (s *splitter) bodyWord(k keyword, i int, stmtStart, afterEnd bool) {
	if s.d != MySQL {
		// SQLite trigger bodies and PostgreSQL BEGIN ATOMIC bodies hold plain
		// DML, where only a CASE expression has an END of its own.
		switch k {
		case kwCase:
			s.push(blkCase, i)
		case kwEnd:
			s.pop()
		}
		return
	}
	if afterEnd {
		switch k {
		case kwIf, kwLoop, kwWhile, kwRepeat, kwCase:
			return // END IF, END LOOP, …: part of the END just counted
		}
	}
	// IF, LOOP, WHILE and REPEAT open blocks only where a statement starts;
	// elsewhere they are IF(), REPEAT() or IF [NOT] EXISTS.
	switch k {
	case kwBegin:
		s.push(blkBegin, i)
		s.stmtStart = true
	case kwCase:
		if stmtStart {
			s.push(blkCaseStmt, i)
		} else {
			s.push(blkCase, i)
		}
	case kwEnd:
		s.pop()
		s.afterEnd = true
	case kwIf:
		if stmtStart {
			s.push(blkIf, i)
		}
	case kwWhile:
		if stmtStart {
			s.push(blkWhile, i)
		}
	case kwLoop, kwRepeat:
		if stmtStart {
			if k == kwLoop {
				s.push(blkLoop, i)
			} else {
				s.push(blkRepeat, i)
			}
			s.stmtStart = true
		}
	case kwThen, kwElse:
		if s.stack[len(s.stack)-1].kind != blkCase {
			s.stmtStart = true
		}
	case kwDo:
		if s.stack[len(s.stack)-1].kind == blkWhile {
			s.stmtStart = true
		}
	default:
		s.label = stmtStart
	}
}

func (s *splitter) push(k blockKind, pos int) {
	if s.stack == nil {
		// One allocation per Split: the stack is reused by later bodies, and
		// real bodies rarely nest deeper than this.
		s.stack = make([]block, 0, 16)
	}
	s.stack = append(s.stack, block{kind: k, pos: pos})
	s.mode = modeBody
}

// pop closes the innermost block; closing the outermost one ends the body, after
// which the next ';' ends the statement.
func (s *splitter) pop() {
	s.stack = s.stack[:len(s.stack)-1]
	if len(s.stack) == 0 {
		s.mode = modePlain
	}
}

// bodyError reports a body still open at the end of input, at the line of its
// BEGIN, naming the innermost open block when that is a different one.
func (s *splitter) bodyError() error {
	outer := s.stack[0]
	msg := "unterminated BEGIN ... END body"
	if s.d == Postgres {
		msg = "unterminated BEGIN ATOMIC ... END body"
	}
	line := s.lineOf(outer.pos)
	if len(s.stack) > 1 {
		inner := s.stack[len(s.stack)-1]
		msg += " (" + inner.kind.String() + " on line " + strconv.Itoa(s.lineOf(inner.pos)) + " is not closed)"
	}
	return &SyntaxError{Line: line, Msg: msg}
}

// kind classifies the current statement by its first three tokens.
func (s *splitter) kind() Kind {
	w0, w1, w2 := lookupTx(s.words[0]), lookupTx(s.words[1]), lookupTx(s.words[2])
	switch w0 {
	case txBegin:
		if s.d == MySQL && w1 == txNot { // MariaDB BEGIN NOT ATOMIC … END block
			return Other
		}
		return Begin
	case txStart:
		if w1 == txTransaction {
			return Begin
		}
	case txCommit, txEnd:
		if w0 == txEnd && s.d == MySQL {
			return Other
		}
		if w1 == txPrepared { // PostgreSQL two-phase commit of another transaction
			return Other
		}
		return Commit
	case txRollback, txAbort:
		if w0 == txAbort && s.d != Postgres {
			return Other
		}
		if w1 == txPrepared || w1 == txTo || ((w1 == txWork || w1 == txTransaction) && w2 == txTo) {
			return Other // ROLLBACK TO SAVEPOINT keeps the transaction open
		}
		return Rollback
	}
	return Other
}

// Transaction-control words; separate from keyword because they are needed
// only once per statement.
type txWord uint8

const (
	txNone txWord = iota
	txAbort
	txBegin
	txCommit
	txEnd
	txNot
	txPrepared
	txRollback
	txStart
	txTo
	txTransaction
	txWork
)

func lookupTx(w string) txWord {
	if len(w) < 2 || len(w) > 11 {
		return txNone
	}
	var buf [11]byte
	for k := 0; k < len(w); k++ {
		c := w[k]
		if 'a' <= c && c <= 'z' {
			c -= 'a' - 'A'
		}
		buf[k] = c
	}
	switch string(buf[:len(w)]) {
	case "ABORT":
		return txAbort
	case "BEGIN":
		return txBegin
	case "COMMIT":
		return txCommit
	case "END":
		return txEnd
	case "NOT":
		return txNot
	case "PREPARED":
		return txPrepared
	case "ROLLBACK":
		return txRollback
	case "START":
		return txStart
	case "TO":
		return txTo
	case "TRANSACTION":
		return txTransaction
	case "WORK":
		return txWork
	}
	return txNone
}
