package script

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/retortdb/retort/config"
)

// MaxIDLength is the longest revision id: the width of Alembic's
// version_num column.
const MaxIDLength = 32

// ValidateID returns an error unless id can be a revision id: 1 to 32
// characters, none of them white space, a control character, '@', '-',
// '+', ':' or ',' (Alembic's rule, plus ',' which separates list entries
// and ':' which separates ranges). The same rule applies to branch labels
// and to the entries of Revises and Depends On.
func ValidateID(id string) error {
	return validateName("revision id", id)
}

func validateName(what, s string) error {
	if s == "" {
		return fmt.Errorf("empty %s", what)
	}
	if n := utf8.RuneCountInString(s); n > MaxIDLength {
		return fmt.Errorf("%s %q is %d characters long; the limit is %d", what, s, n, MaxIDLength)
	}
	var bad []string
	for _, r := range s {
		if unicode.IsSpace(r) || unicode.IsControl(r) || strings.ContainsRune("@-+:,", r) || r == utf8.RuneError {
			if c := escape(string(r)); !slices.Contains(bad, c) {
				bad = append(bad, c)
			}
		}
	}
	if len(bad) == 0 {
		return nil
	}
	if what == "revision id" {
		// Alembic's wording, which users search for.
		return fmt.Errorf("Character(s) '%s' not allowed in revision identifier '%s'", strings.Join(bad, ", "), escape(s))
	}
	return fmt.Errorf("%s %q contains '%s'; it may not contain white space or any of @ - + : ,", what, s, bad[0])
}

// NewRevisionID returns a fresh revision id: 12 random lowercase hex
// characters, like Alembic's uuid4().hex[-12:].
func NewRevisionID() string {
	var b [6]byte
	_, _ = rand.Read(b[:]) // never fails (crypto/rand crashes the program instead)
	return hex.EncodeToString(b[:])
}

// Slug turns a message into the slug of a file name, as Alembic does: the
// words of the message (runs of Unicode letters, digits and '_') joined by
// '_' and lower-cased; if that is longer than truncate characters, it is
// cut to truncate characters, then back to its last '_', which is kept.
// truncate < 1 means no truncation.
func Slug(message string, truncate int) string {
	var words []string
	start := -1
	for i, r := range message {
		word := r == '_' || unicode.IsLetter(r) || unicode.IsNumber(r)
		switch {
		case word && start < 0:
			start = i
		case !word && start >= 0:
			words = append(words, message[start:i])
			start = -1
		}
	}
	if start >= 0 {
		words = append(words, message[start:])
	}
	slug := strings.ToLower(strings.Join(words, "_"))
	if truncate < 1 || utf8.RuneCountInString(slug) <= truncate {
		return slug
	}
	runes := []rune(slug)[:truncate]
	cut := string(runes)
	if i := strings.LastIndexByte(cut, '_'); i >= 0 {
		cut = cut[:i]
	}
	return cut + "_"
}

// FileName expands a file_template ("{rev}_{slug}") into a revision file
// name ending in ".sql" (added unless the template already ends with it).
// Tokens: {rev}, {slug}, {epoch} (Unix seconds of t), {year}, and {month}
// {day} {hour} {minute} {second}, which are zero-padded to 2 digits; t is
// used as given, so pass it in the zone the names should use. A template
// [config.CheckFileTemplate] rejects (no token at all, an unknown token, a stray
// brace, Alembic's %(rev)s spelling), or a name that holds a path
// separator or starts with '.' (which loading would skip) is an error.
func FileName(fileTemplate string, id, slug string, t time.Time) (string, error) {
	// Loading the config checks the template too; a library caller's
	// Config may not have been loaded.
	if msg := config.CheckFileTemplate(fileTemplate); msg != "" {
		return "", fmt.Errorf("file_template %q: %s", fileTemplate, msg)
	}
	var b strings.Builder
	rest := fileTemplate
	for rest != "" {
		// The template is checked: every '{' opens a known token.
		i := strings.IndexByte(rest, '{')
		if i < 0 {
			b.WriteString(rest)
			break
		}
		b.WriteString(rest[:i])
		end := strings.IndexByte(rest[i:], '}')
		token := rest[i+1 : i+end]
		rest = rest[i+end+1:]
		switch token {
		case "rev":
			b.WriteString(id)
		case "slug":
			b.WriteString(slug)
		case "epoch":
			b.WriteString(strconv.FormatInt(t.Unix(), 10))
		case "year":
			b.WriteString(strconv.Itoa(t.Year()))
		case "month":
			fmt.Fprintf(&b, "%02d", int(t.Month()))
		case "day":
			fmt.Fprintf(&b, "%02d", t.Day())
		case "hour":
			fmt.Fprintf(&b, "%02d", t.Hour())
		case "minute":
			fmt.Fprintf(&b, "%02d", t.Minute())
		case "second":
			fmt.Fprintf(&b, "%02d", t.Second())
		default:
			// A token config's fileTemplateTokens gained and this switch has not.
			return "", fmt.Errorf("file_template %q: token {%s} has no expansion", fileTemplate, token)
		}
	}
	name := b.String()
	if !strings.HasSuffix(name, ".sql") {
		name += ".sql"
	}
	switch {
	case name == ".sql":
		return "", fmt.Errorf("file_template %q gives an empty file name", fileTemplate)
	case strings.ContainsAny(name, "/\\\x00"):
		return "", fmt.Errorf("file_template %q gives %q, which is not a plain file name", fileTemplate, name)
	case name[0] == '.':
		return "", fmt.Errorf("file_template %q gives %q, a hidden file name that loading would skip", fileTemplate, name)
	}
	return name, nil
}

// escape shows control and space characters as Go escapes, so a message
// names a tab as \t rather than printing one.
func escape(s string) string {
	q := strconv.Quote(s)
	return q[1 : len(q)-1]
}
