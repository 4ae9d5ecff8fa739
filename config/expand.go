package config

import (
	"fmt"
	"strings"
)

// expand replaces ${VAR} and ${VAR:-default} in s with values from getenv
// and $$ with a single $. A $ followed by anything else is kept as it is.
// ${VAR:-default} uses default when VAR is unset or empty; the default is
// literal text up to the first '}'. Error messages quote variable names only,
// never the surrounding text, which may hold a password.
func expand(s string, getenv func(string) (string, bool)) (string, error) {
	if !strings.Contains(s, "$") {
		return s, nil
	}
	var b strings.Builder
	for {
		i := strings.IndexByte(s, '$')
		if i < 0 || i == len(s)-1 {
			b.WriteString(s)
			return b.String(), nil
		}
		b.WriteString(s[:i])
		switch s[i+1] {
		case '$':
			b.WriteByte('$')
			s = s[i+2:]
			continue
		case '{':
		default:
			b.WriteByte('$')
			s = s[i+1:]
			continue
		}
		end := strings.IndexByte(s[i:], '}')
		if end < 0 {
			return "", fmt.Errorf(`unterminated "${" (write $$ for a literal dollar sign)`)
		}
		inner := s[i+2 : i+end]
		s = s[i+end+1:]
		name, def, hasDefault := strings.Cut(inner, ":-")
		if !validVarName(name) {
			if n, _, _ := strings.Cut(inner, ":"); validVarName(n) {
				return "", fmt.Errorf("unsupported form ${%s:…}: write ${%s} or ${%s:-default}", n, n, n)
			}
			return "", fmt.Errorf(`invalid variable reference "${…}": a name is letters, digits and '_' (write $$ for a literal dollar sign)`)
		}
		v, ok := getenv(name)
		switch {
		case hasDefault && v == "":
			v = def
		case !ok:
			return "", fmt.Errorf("environment variable %s is not set (write ${%s:-default} to give a default)", name, name)
		}
		b.WriteString(v)
	}
}

func validVarName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '_' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || i > 0 && '0' <= c && c <= '9' {
			continue
		}
		return false
	}
	return true
}
