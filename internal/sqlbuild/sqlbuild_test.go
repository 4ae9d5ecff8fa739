package sqlbuild

import (
	"strconv"
	"testing"
	"time"
)

func TestClosingParen(t *testing.T) {
	for _, tc := range []struct {
		s      string
		open   int
		quotes string
		want   int
	}{
		{"(a)", 0, `'"`, 2},
		{"f(a, (b))x", 1, `'"`, 8},
		{"(')')", 0, `'"`, 4},
		{`(")")`, 0, `'"`, 4},
		{"(`)`)", 0, "'\"`", 4},
		{"(`)`)", 0, `'"`, 2}, // a backtick is not a quote here
		{"((a)", 0, `'"`, -1},
	} {
		if got := ClosingParen(tc.s, tc.open, tc.quotes); got != tc.want {
			t.Errorf("ClosingParen(%q, %d, %q) = %d, want %d", tc.s, tc.open, tc.quotes, got, tc.want)
		}
	}
}

func TestRowPlaceholders(t *testing.T) {
	dollar := func(n int) string { return "$" + strconv.Itoa(n) }
	if got := RowPlaceholders(2, 3, dollar); got != "($1, $2, $3), ($4, $5, $6)" {
		t.Errorf("got %s", got)
	}
	if got := RowPlaceholders(1, 1, func(int) string { return "?" }); got != "(?)" {
		t.Errorf("got %s", got)
	}
}

func TestLiteral(t *testing.T) {
	for v, want := range map[any]string{
		nil: "NULL", "it's": "'it''s'", 7: "7", int64(-2): "-2", true: "TRUE", false: "FALSE", 2.5: "2.5",
		time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC): "'2026-01-02 03:04:05'",
	} {
		if got := Literal(v, false, "2006-01-02 15:04:05"); got != want {
			t.Errorf("Literal(%v) = %s, want %s", v, got, want)
		}
	}
	if got := Literal([]byte{0xca, 0xfe}, false, ""); got != "X'cafe'" {
		t.Errorf("bytes: %s", got)
	}
	if got := Literal(`a\b`, true, ""); got != `'a\\b'` {
		t.Errorf("backslash escapes: %s", got)
	}
}
