package sqlsplit

import (
	"errors"
	"math/rand"
	"strings"
	"testing"
	"unsafe"
)

// FuzzSplit checks properties that must hold for any input and dialect:
//
//   - Split never panics, and fails only with a *SyntaxError whose Line is a
//     line of the input, returning no statements with it.
//   - Every statement's SQL is a non-empty slice of the input that neither
//     starts nor ends with white space; statements appear in input order
//     without overlapping, and Line is exactly the line on which SQL starts.
//   - Idempotence: writing every statement text followed by ";\n" and
//     splitting the result gives the same texts and kinds, in the same order.
//     This is what a caller relies on when it prints statements with ';' and
//     reads them back (offline SQL). Because every statement is lexed from a
//     fresh state and its text spans exactly its tokens, it must hold for all
//     inputs except MySQL inputs that contain the word DELIMITER: a custom
//     delimiter may split a body the ';'-only rules cannot (that is what it is
//     for), and a statement text may itself begin with the word DELIMITER.
//     Every text gets its ';', the last one too, because what follows a text
//     can matter: MySQL's "--" is a comment only before white space or the
//     end of input, so the statement "--" (from "--#") would vanish at the end.
func FuzzSplit(f *testing.F) {
	for _, tc := range splitCases {
		for d := SQLite; d <= MySQL; d++ {
			f.Add(tc.src, uint8(d))
		}
	}
	for d := SQLite; d <= MySQL; d++ {
		f.Add(benchBlock(d), uint8(d))
	}
	for seed := int64(0); seed < 30; seed++ {
		r := rand.New(rand.NewSource(seed))
		for d := SQLite; d <= MySQL; d++ {
			f.Add(tokenSoup(r, d), uint8(d))
		}
	}
	f.Fuzz(func(t *testing.T, src string, dd uint8) {
		checkSplit(t, src, Dialect(dd%3))
	})
}

// TestSplitTokenSoup checks FuzzSplit's properties on many inputs assembled
// from keywords, quotes, comments and punctuation: random bytes rarely spell
// CREATE TRIGGER … BEGIN, so the fuzzer alone barely reaches the body logic.
func TestSplitTokenSoup(t *testing.T) {
	n := 20000
	if testing.Short() {
		n = 2000
	}
	r := rand.New(rand.NewSource(1))
	for k := 0; k < n; k++ {
		d := Dialect(k % 3)
		src := tokenSoup(r, d)
		t.Run("", func(t *testing.T) {
			defer func() {
				if t.Failed() {
					t.Logf("dialect %v, input %q", d, src)
				}
			}()
			checkSplit(t, src, d)
		})
		if t.Failed() {
			return
		}
	}
}

var soupWords = []string{
	"CREATE", "create", "TRIGGER", "PROCEDURE", "FUNCTION", "EVENT", "TABLE", "OR", "REPLACE", "TEMP",
	"BEGIN", "begin", "END", "end", "CASE", "WHEN", "THEN", "ELSE", "ELSEIF", "IF", "NOT", "EXISTS", "LOOP",
	"WHILE", "DO", "REPEAT", "UNTIL", "ATOMIC", "COMMIT", "ROLLBACK", "START", "TRANSACTION", "WORK",
	"TO", "SAVEPOINT", "ABORT", "PREPARED", "SELECT", "x", "lbl", "E", "DELIMITER", "1",
}

var soupPunct = []string{
	";", ";", ";", ".", ":", ":=", "(", ")", ",", "=", "-", "--", "-- c\n", "#", "# c\n", "/", "*",
	"/* c */", "/* ; /* */ */", "/*!1 x; */", "'s;'", "'it''s'", "'a\\'", "'\\''", "\"q;\"", "`b;`",
	"[i;]", "$", "$$", "$$;$$", "$t$;$t$", "$1", "E'\\';'", "\n", "\r\n", " ", "\t", "\ufeff",
	"//", "$$",
}

// soupPhrases start statements that have bodies, and close common blocks.
var soupPhrases = []string{
	";\nCREATE TRIGGER t AFTER INSERT ON x FOR EACH ROW BEGIN ",
	";\nCREATE TEMP TRIGGER IF NOT EXISTS t WHEN new.end BEGIN ",
	";\nCREATE DEFINER=`a`@`%` PROCEDURE p(begin INT) BEGIN ",
	";\nCREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC ",
	";\nCREATE EVENT e ON SCHEDULE EVERY 1 DAY DO BEGIN ",
	";\nBEGIN NOT ATOMIC ",
	";\nDELIMITER // \n", ";\nDELIMITER ;\n", ";\nDELIMITER $$\n",
	"; END IF; ", "; END LOOP; ", "; END CASE; ", "; END WHILE; ", "; END REPEAT; ", " END; ", " END ",
	"; IF x THEN ", "; lbl: LOOP ", "; WHILE x DO ", "; REPEAT ", "; CASE x WHEN 1 THEN ", " CASE WHEN x THEN 1 ELSE ",
}

// tokenSoup returns a random, mostly well-formed, input for dialect d.
func tokenSoup(r *rand.Rand, d Dialect) string {
	var b strings.Builder
	n := 1 + r.Intn(40)
	for k := 0; k < n; k++ {
		if r.Intn(4) == 0 {
			b.WriteString(soupPhrases[r.Intn(len(soupPhrases))])
			continue
		}
		if r.Intn(2) == 0 {
			b.WriteString(soupWords[r.Intn(len(soupWords))])
		} else {
			b.WriteString(soupPunct[r.Intn(len(soupPunct))])
		}
		if r.Intn(3) > 0 {
			b.WriteByte(" \n"[r.Intn(2)])
		}
	}
	return b.String()
}

// checkSplit checks the properties documented on FuzzSplit.
func checkSplit(t *testing.T, src string, d Dialect) {
	t.Helper()
	stmts, err := Split(src, d)
	lines := strings.Count(src, "\n") + 1
	if err != nil {
		var se *SyntaxError
		if !errors.As(err, &se) {
			t.Fatalf("error %v is %T, want *SyntaxError", err, err)
		}
		if se.Line < 1 || se.Line > lines {
			t.Fatalf("error line %d outside 1..%d: %v", se.Line, lines, err)
		}
		if stmts != nil {
			t.Fatalf("statements returned with error %v", err)
		}
		return
	}
	base := uintptr(unsafe.Pointer(unsafe.StringData(src)))
	prevEnd := 0
	for k, s := range stmts {
		if s.SQL == "" {
			t.Fatalf("statement %d is empty", k)
		}
		if class[s.SQL[0]] == clsSpace || class[s.SQL[len(s.SQL)-1]] == clsSpace {
			t.Fatalf("statement %d not trimmed: %q", k, s.SQL)
		}
		off := int(uintptr(unsafe.Pointer(unsafe.StringData(s.SQL))) - base)
		if off < prevEnd || off+len(s.SQL) > len(src) || src[off:off+len(s.SQL)] != s.SQL {
			t.Fatalf("statement %d %q is not a slice of the input after offset %d", k, s.SQL, prevEnd)
		}
		prevEnd = off + len(s.SQL)
		if want := strings.Count(src[:off], "\n") + 1; s.Line != want {
			t.Fatalf("statement %d %q: Line = %d, want %d", k, s.SQL, s.Line, want)
		}
	}
	if d == MySQL && strings.Contains(strings.ToLower(src), "delimiter") {
		return
	}
	var b strings.Builder
	for _, s := range stmts {
		b.WriteString(s.SQL)
		b.WriteString(";\n")
	}
	joined := b.String()
	again, err := Split(joined, d)
	if err != nil {
		t.Fatalf("re-split of %q failed: %v", joined, err)
	}
	if len(again) != len(stmts) {
		t.Fatalf("re-split gives %d statements, want %d:\n%s\nwas\n%s", len(again), len(stmts), dump(again), dump(stmts))
	}
	for k := range again {
		if again[k].SQL != stmts[k].SQL || again[k].Kind != stmts[k].Kind {
			t.Fatalf("re-split statement %d = %q %v, want %q %v", k, again[k].SQL, again[k].Kind, stmts[k].SQL, stmts[k].Kind)
		}
	}
}
