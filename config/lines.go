package config

import (
	"strconv"
	"strings"
)

// keyLines maps a key path (parts joined by keySep) to the 1-based line where
// the key is defined. The TOML library does not expose key positions, so
// keyLines scans the already-parsed text: table headers, "key = value" lines
// (bare, quoted and dotted keys) and multi-line strings, which it skips. A key
// it cannot place (say, inside an inline table) gets the line of its closest
// placed ancestor.
type keyLines map[string]int

const keySep = "\x00"

func joinKey(path []string) string { return strings.Join(path, keySep) }

func locateKeys(text string) keyLines {
	kl := keyLines{}
	var table []string
	inString := "" // the delimiter of the multi-line string being skipped
	for i, line := range strings.Split(text, "\n") {
		n := i + 1
		if inString != "" {
			if strings.Contains(line, inString) {
				inString = ""
			}
			continue
		}
		t := strings.TrimSpace(line)
		switch {
		case t == "" || t[0] == '#':
			continue
		case t[0] == '[':
			inner := strings.TrimPrefix(t[1:], "[")
			path, rest, ok := parseKeyPath(inner)
			if !ok || !strings.HasPrefix(rest, "]") {
				continue
			}
			table = path
			kl.add(table, n)
			continue
		}
		path, rest, ok := parseKeyPath(t)
		if !ok || !strings.HasPrefix(rest, "=") {
			continue
		}
		full := append(append([]string(nil), table...), path...)
		kl.add(full, n)
		value := strings.TrimSpace(rest[1:])
		for _, delim := range []string{`"""`, `'''`} {
			if strings.HasPrefix(value, delim) && !strings.Contains(value[3:], delim) {
				inString = delim
			}
		}
	}
	return kl
}

// add records path and each of its prefixes not seen yet at line n.
func (kl keyLines) add(path []string, n int) {
	for i := 1; i <= len(path); i++ {
		k := joinKey(path[:i])
		if _, ok := kl[k]; !ok {
			kl[k] = n
		}
	}
}

// line returns the line of path or of its closest placed ancestor, 0 if none.
func (kl keyLines) line(path []string) int {
	for i := len(path); i > 0; i-- {
		if n, ok := kl[joinKey(path[:i])]; ok {
			return n
		}
	}
	return 0
}

// parseKeyPath parses a dotted TOML key at the start of s and returns its
// parts and the text after it, left-trimmed.
func parseKeyPath(s string) (path []string, rest string, ok bool) {
	for {
		s = strings.TrimLeft(s, " \t")
		if s == "" {
			return nil, "", false
		}
		var part string
		switch s[0] {
		case '"':
			end := closingQuote(s)
			if end < 0 {
				return nil, "", false
			}
			uq, err := strconv.Unquote(s[:end+1])
			if err != nil {
				return nil, "", false
			}
			part, s = uq, s[end+1:]
		case '\'':
			end := strings.IndexByte(s[1:], '\'')
			if end < 0 {
				return nil, "", false
			}
			part, s = s[1:end+1], s[end+2:]
		default:
			end := 0
			for end < len(s) && isBareKeyChar(s[end]) {
				end++
			}
			if end == 0 {
				return nil, "", false
			}
			part, s = s[:end], s[end:]
		}
		path = append(path, part)
		s = strings.TrimLeft(s, " \t")
		if !strings.HasPrefix(s, ".") {
			return path, s, true
		}
		s = s[1:]
	}
}

// closingQuote returns the index of the '"' closing the basic string that
// starts at s[0], or -1.
func closingQuote(s string) int {
	for i := 1; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case '"':
			return i
		}
	}
	return -1
}

func isBareKeyChar(c byte) bool {
	return c == '_' || c == '-' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}
