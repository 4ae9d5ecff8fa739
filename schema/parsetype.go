package schema

import (
	"fmt"
	"strconv"
	"strings"
)

// typeSynonyms are the multi-word SQL spellings whose parameters go in the
// middle ("timestamp(3) with time zone"), renamed to the one-word forms the
// planners can render parameters after.
var typeSynonyms = map[string]string{
	"character varying":           "varchar",
	"character":                   "char",
	"national character varying":  "nvarchar",
	"national character":          "nchar",
	"bit varying":                 "varbit",
	"timestamp with time zone":    "timestamptz",
	"timestamp without time zone": "timestamp",
	"time with time zone":         "timetz",
	"time without time zone":      "time",
}

// precisionTypes take their single parameter as Precision (digits or
// fractional seconds) rather than Length.
var precisionTypes = map[string]bool{
	"numeric": true, "decimal": true, "dec": true, "fixed": true,
	"float": true, "double": true, "double precision": true, "real": true,
	"time": true, "timetz": true, "timestamp": true, "timestamptz": true,
	"datetime": true, "interval": true,
}

// ParseType reads a column type as a migration author writes it, so that
// hand-written Go migrations can say "VARCHAR(100)" instead of building a
// Type: "numeric(10,2)", "int unsigned", "text[]", "timestamp(3)",
// "timestamp(3) with time zone", "enum('a','b')", "billing.mood".
//
// Names are lower-cased and white space collapsed; the SQL-standard
// multi-word spellings whose parameters sit inside the name become the
// one-word forms (character varying → varchar, timestamp with time zone →
// timestamptz) so every planner can render them. A single parameter is a
// Precision for numeric and time types and a Length otherwise. A
// schema-qualified name ("billing.mood") is a UserDefined type. Raw keeps
// s. Anything else (a modifier such as CHARACTER SET, a stray character)
// is an error that quotes s, never a guess.
func ParseType(s string) (Type, error) {
	fail := func(format string, args ...any) (Type, error) {
		return Type{}, fmt.Errorf("bad column type %q: %s", s, fmt.Sprintf(format, args...))
	}
	rest := strings.TrimSpace(s)
	if rest == "" {
		return fail("empty")
	}
	t := Type{Raw: s}
	// Trailing [] (possibly several, as PostgreSQL accepts; one dimension
	// is all the model keeps).
	for strings.HasSuffix(rest, "]") {
		i := strings.LastIndexByte(rest, '[')
		if i < 0 {
			return fail("unbalanced ]")
		}
		if inner := strings.TrimSpace(rest[i+1 : len(rest)-1]); inner != "" {
			if _, err := strconv.ParseUint(inner, 10, 31); err != nil {
				return fail("array bound %q is not a number", inner)
			}
		}
		t.Array = true
		rest = strings.TrimSpace(rest[:i])
	}
	// Words are bare (lower-cased) or double-quoted identifiers (kept
	// as written, a user-defined type); "." joins a schema to a name.
	var words []string
	quoted := map[int]bool{}
	var params []string
	hasParams := false
	for rest != "" {
		switch {
		case rest[0] == '(':
			if hasParams {
				return fail("more than one parameter list")
			}
			end, ps, err := splitParams(rest)
			if err != nil {
				return fail("%v", err)
			}
			params, hasParams = ps, true
			rest = strings.TrimSpace(rest[end:])
		case rest[0] == '"':
			j := 1
			var b strings.Builder
			for {
				if j >= len(rest) {
					return fail("unterminated quoted name")
				}
				if rest[j] == '"' {
					if j+1 < len(rest) && rest[j+1] == '"' {
						b.WriteByte('"')
						j += 2
						continue
					}
					break
				}
				b.WriteByte(rest[j])
				j++
			}
			if b.Len() == 0 {
				return fail("empty quoted name")
			}
			// A quoted plain name is that name ("text" is text).
			quoted[len(words)] = !plainIdent(b.String())
			words = append(words, b.String())
			rest = strings.TrimSpace(rest[j+1:])
		case rest[0] == '.':
			words = append(words, ".")
			rest = strings.TrimSpace(rest[1:])
		case isTypeWordByte(rest[0]):
			j := 0
			for j < len(rest) && isTypeWordByte(rest[j]) {
				j++
			}
			words = append(words, strings.ToLower(rest[:j]))
			rest = strings.TrimSpace(rest[j:])
		default:
			return fail("unexpected %q", rest[0])
		}
	}
	if len(words) == 0 {
		return fail("no type name")
	}
	for len(words) > 1 && !quoted[len(words)-1] {
		last := words[len(words)-1]
		if last == "unsigned" {
			t.Unsigned = true
		} else if last != "signed" && last != "zerofill" {
			break
		}
		words = words[:len(words)-1]
	}
	dot := false
	for i, w := range words {
		if w == "." && !quoted[i] {
			dot = true
		}
	}
	var name string
	switch {
	case dot:
		if len(words) != 3 || words[1] != "." || quoted[1] || words[0] == "." && !quoted[0] || words[2] == "." && !quoted[2] {
			return fail("a schema-qualified type is schema.name")
		}
		t.Schema, name, t.UserDefined = words[0], words[2], true
	case len(words) == 1 && quoted[0]:
		name, t.UserDefined = words[0], true
	default:
		for i := range words {
			if quoted[i] {
				return fail("a quoted name is the whole type name")
			}
		}
		name = strings.Join(words, " ")
		if syn, ok := typeSynonyms[name]; ok {
			// "timestamp(3) with time zone": the parameters may sit inside.
			name = syn
		} else if len(words) > 1 && hasParams {
			return fail("parameters on the multi-word type %q", name)
		}
		if name[0] >= '0' && name[0] <= '9' {
			return fail("a type name cannot start with a digit")
		}
	}
	t.Name = name
	if !hasParams {
		return t, nil
	}
	if name == "enum" || name == "set" {
		vals := make([]string, len(params))
		for i, p := range params {
			v, ok := unquoteSQL(p)
			if !ok {
				return fail("%s member %q is not a quoted string", name, p)
			}
			vals[i] = v
		}
		t.EnumValues = vals
		return t, nil
	}
	nums := make([]int, len(params))
	for i, p := range params {
		n, err := strconv.ParseUint(p, 10, 31)
		if err != nil {
			return fail("parameter %q is not a number", p)
		}
		nums[i] = int(n)
	}
	switch {
	case len(nums) == 1 && precisionTypes[name]:
		t.Precision = nums[0]
	case len(nums) == 1:
		t.Length = nums[0]
	case len(nums) == 2 && precisionTypes[name]:
		t.Precision, t.Scale = nums[0], nums[1]
	case len(nums) == 2:
		return fail("%s takes one parameter, not two", name)
	default:
		return fail("%d parameters", len(nums))
	}
	if t.Scale != 0 && t.Precision == 0 {
		return fail("scale without precision")
	}
	if t.Scale > t.Precision {
		return fail("scale %d is larger than precision %d", t.Scale, t.Precision)
	}
	return t, nil
}

func isTypeWordByte(c byte) bool {
	return c == '_' || c == '$' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c >= 0x80
}

// splitParams reads "(a, b, …)" at the start of s, with single-quoted
// members that may hold commas, parentheses and doubled quotes. It returns
// the index after ')' and the trimmed members.
func splitParams(s string) (int, []string, error) {
	var out []string
	start := 1
	for i := 1; i < len(s); i++ {
		switch s[i] {
		case '\'':
			j := i + 1
			for {
				if j >= len(s) {
					return 0, nil, fmt.Errorf("unterminated string")
				}
				if s[j] == '\'' {
					if j+1 < len(s) && s[j+1] == '\'' {
						j += 2
						continue
					}
					break
				}
				j++
			}
			i = j
		case '(':
			return 0, nil, fmt.Errorf("nested parentheses")
		case ',', ')':
			p := strings.TrimSpace(s[start:i])
			if p == "" {
				return 0, nil, fmt.Errorf("empty parameter")
			}
			out = append(out, p)
			start = i + 1
			if s[i] == ')' {
				return i + 1, out, nil
			}
		}
	}
	return 0, nil, fmt.Errorf("unbalanced (")
}

// unquoteSQL reads a whole single-quoted SQL string literal.
func unquoteSQL(p string) (string, bool) {
	if len(p) < 2 || p[0] != '\'' || p[len(p)-1] != '\'' {
		return "", false
	}
	body := p[1 : len(p)-1]
	if strings.Contains(strings.ReplaceAll(body, "''", ""), "'") {
		return "", false
	}
	return strings.ReplaceAll(body, "''", "'"), true
}

// plainIdent reports a name that needs no quotes: what a bare word
// lower-cases to.
func plainIdent(s string) bool {
	for i, r := range s {
		if r >= 'a' && r <= 'z' || r == '_' || i > 0 && (r >= '0' && r <= '9' || r == '$') {
			continue
		}
		return false
	}
	return s != ""
}
