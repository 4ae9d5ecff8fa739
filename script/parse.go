// Package script turns migration files into revisions and back: it parses
// SQL revision files ([Parse], [LoadDir], [Load]) and renders new ones from
// script.sql.tmpl ([Render], [FileName], [Slug]).
//
// A revision file looks like this:
//
//	-- add users table
//	--
//	-- Revision ID: 3f2a9c1b7d4e
//	-- Revises: 1b2c3d4e5f60
//	-- Create Date: 2026-11-26 14:00:00.123456+00:00
//
//	-- retort:upgrade
//	CREATE TABLE users (id INTEGER PRIMARY KEY);
//
//	-- retort:downgrade
//	DROP TABLE users;
//
// The header is the leading block of "--" comment lines (blank lines before
// it are skipped); it ends at the first line that is not a comment or at the
// first "-- retort:" marker. Its first line is always the message, whatever
// it looks like, so a message may be empty ("--") but a file cannot start
// with a field. The lines "-- Revision ID:", "-- Revises:", "-- Branch
// Labels:", "-- Depends On:" and "-- Create Date:" are fields, each given at
// most once, lists comma-separated; the other comment lines are free text,
// with "--" alone separating paragraphs. "Revision ID" and "Revises" are
// required ("-- Revises:" with nothing after it for a base), and field
// names are case-sensitive: a line that matches one only when case is
// ignored is an error.
//
// Between the header and the first section only blank lines and comments may
// appear; a field line there is an error (it usually means a blank line
// split the header). A marker is a comment whose text is "retort:" followed
// directly by a name ("-- retort: note" is an ordinary comment):
// "-- retort:upgrade" and "-- retort:downgrade" start the sections (each at
// most once, upgrade required, downgrade optional: without it the revision
// cannot be downgraded), and "-- retort:no-transaction" inside a section
// runs it outside a transaction.
package script

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/retortdb/retort/revision"
)

// Section is the SQL of one section of a revision file.
type Section struct {
	// SQL is the section's text with leading blank lines and trailing white
	// space removed, and the "-- retort:no-transaction" line blanked, so
	// that line Line+k of the file is line k (0-based) of SQL.
	SQL string
	// Line is the 1-based file line of the first line of SQL; for an empty
	// section, the line of its marker.
	Line int
	// NoTransaction is set by "-- retort:no-transaction".
	NoTransaction bool
}

// Script is a parsed revision file.
type Script struct {
	// Revision holds the header: ID, Down ("Revises"), BranchLabels,
	// DependsOn, Message (the first header line), LongDoc (all free text
	// of the header, message included, without surrounding blank lines)
	// and Path.
	revision.Revision
	// CreateDate is the "Create Date:" field as written; "" if absent.
	CreateDate string
	// Upgrade is the "-- retort:upgrade" section.
	Upgrade Section
	// Downgrade is the "-- retort:downgrade" section; nil when the file has
	// none, which makes the revision irreversible.
	Downgrade *Section
	// Checksum is [NormalizedChecksum] of the file.
	Checksum string
	// FileName is the base name of Path; it orders files within a directory.
	FileName string

	// headerOnly is set on scripts restored from the header cache.
	headerOnly bool
}

// ParseError is a problem in a revision file. Line is 1-based; 0 when the
// problem is with the file as a whole (a missing field or section).
type ParseError struct {
	Path string
	Line int
	Msg  string
}

func (e *ParseError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.Path, e.Line, e.Msg)
	}
	return fmt.Sprintf("%s: %s", e.Path, e.Msg)
}

// NormalizedChecksum returns the hex SHA-256 of data with CRLF and CR line
// endings replaced by LF, so that a checkout with other line endings has the
// same checksum.
func NormalizedChecksum(data []byte) string {
	var sum [sha256.Size]byte
	if bytes.IndexByte(data, '\r') < 0 {
		sum = sha256.Sum256(data)
	} else {
		sum = sha256.Sum256(normalizeNewlines(data))
	}
	return hex.EncodeToString(sum[:])
}

func normalizeNewlines(data []byte) []byte {
	if bytes.IndexByte(data, '\r') < 0 {
		return data
	}
	out := make([]byte, 0, len(data))
	for i := 0; i < len(data); i++ {
		c := data[i]
		if c == '\r' {
			c = '\n'
			if i+1 < len(data) && data[i+1] == '\n' {
				i++
			}
		}
		out = append(out, c)
	}
	return out
}

// Header field names, as written after "-- ".
const (
	fieldID       = "Revision ID:"
	fieldRevises  = "Revises:"
	fieldLabels   = "Branch Labels:"
	fieldDepends  = "Depends On:"
	fieldCreated  = "Create Date:"
	markerPrefix  = "retort:"
	markUpgrade   = "upgrade"
	markDowngrade = "downgrade"
	markNoTx      = "no-transaction"
)

var fieldNames = []string{fieldID, fieldRevises, fieldLabels, fieldDepends, fieldCreated}

// commentText returns what follows "--" on a comment line (leading spaces
// and tabs before "--" allowed).
func commentText(line string) (string, bool) {
	t := strings.TrimLeft(line, " \t")
	if !strings.HasPrefix(t, "--") {
		return "", false
	}
	return t[2:], true
}

// fieldOf returns the field a comment text declares and its trimmed value.
func fieldOf(text string) (name, value string, ok bool) {
	t := strings.TrimSpace(text)
	for _, f := range fieldNames {
		if strings.HasPrefix(t, f) {
			return f, strings.TrimSpace(t[len(f):]), true
		}
	}
	return "", "", false
}

// markerOf reports whether a comment text is a "retort:" marker and returns
// its name and the text after the name.
func markerOf(text string) (name, extra string, ok bool) {
	t := strings.TrimLeft(text, " \t")
	if !strings.HasPrefix(t, markerPrefix) || len(t) == len(markerPrefix) {
		return "", "", false
	}
	t = t[len(markerPrefix):]
	if c := t[0]; c == ' ' || c == '\t' {
		return "", "", false
	}
	if j := strings.IndexAny(t, " \t"); j >= 0 {
		return t[:j], strings.TrimSpace(t[j:]), true
	}
	return t, "", true
}

// docText is a free-text header line as kept in LongDoc: one space after
// "--" and trailing white space removed.
func docText(text string) string {
	return strings.TrimRight(strings.TrimPrefix(text, " "), " \t")
}

func isBlank(line string) bool { return strings.TrimSpace(line) == "" }

// parser holds the state of one Parse call.
type parser struct {
	path  string
	lines []string
}

func (p *parser) errf(line int, format string, args ...any) *ParseError {
	return &ParseError{Path: p.path, Line: line, Msg: fmt.Sprintf(format, args...)}
}

// Parse parses the revision file at path (used in errors and as
// Revision.Path) with content data. Errors are [*ParseError]s.
func Parse(path string, data []byte) (*Script, error) {
	s := &Script{
		Checksum: NormalizedChecksum(data),
		FileName: filepath.Base(path),
	}
	s.Path = path
	data = normalizeNewlines(data)
	p := &parser{path: path}
	if err := p.checkText(data); err != nil {
		return nil, err
	}
	text := strings.TrimPrefix(string(data), "\uFEFF")
	p.lines = strings.Split(text, "\n")

	i, err := p.header(s)
	if err != nil {
		return nil, err
	}
	if err := p.sections(s, i); err != nil {
		return nil, err
	}
	return s, nil
}

// checkText rejects binary content and invalid UTF-8, naming the line.
func (p *parser) checkText(data []byte) error {
	lineOf := func(off int) int { return bytes.Count(data[:off], []byte{'\n'}) + 1 }
	if i := bytes.IndexByte(data, 0); i >= 0 {
		return p.errf(lineOf(i), "binary content (a NUL byte): not a SQL revision file")
	}
	if utf8.Valid(data) {
		return nil
	}
	for off := 0; off < len(data); {
		r, size := utf8.DecodeRune(data[off:])
		if r == utf8.RuneError && size == 1 {
			return p.errf(lineOf(off), "invalid UTF-8 (byte 0x%02x): save the file as UTF-8", data[off])
		}
		off += size
	}
	return nil
}

// header parses the header into s and returns the index of the first line
// after it.
func (p *parser) header(s *Script) (int, error) {
	i := 0
	for i < len(p.lines) && isBlank(p.lines[i]) {
		i++
	}
	first := i
	var doc []string
	seen := map[string]int{}
	for ; i < len(p.lines); i++ {
		text, ok := commentText(p.lines[i])
		if !ok {
			break
		}
		if _, _, isMarker := markerOf(text); isMarker {
			break
		}
		n := i + 1
		if i == first {
			s.Message = strings.TrimSpace(text)
			doc = append(doc, s.Message)
			continue
		}
		name, value, isField := fieldOf(text)
		if !isField {
			if f, ok := fieldOfFold(text); ok {
				return 0, p.errf(n, "%q is not a field: field names are case-sensitive: write %q", "-- "+strings.TrimSpace(text)[:len(f)], "-- "+f)
			}
			doc = append(doc, docText(text))
			continue
		}
		if prev, dup := seen[name]; dup {
			return 0, p.errf(n, "%q given twice (first on line %d)", name, prev)
		}
		seen[name] = n
		var err error
		switch name {
		case fieldID:
			if err = ValidateID(value); err == nil {
				s.ID = value
			}
		case fieldRevises:
			s.Down, err = parseList(value, "revision id")
		case fieldLabels:
			s.BranchLabels, err = parseList(value, "branch label")
		case fieldDepends:
			s.DependsOn, err = parseList(value, "revision id")
		case fieldCreated:
			s.CreateDate = value
		}
		if err != nil {
			return 0, p.errf(n, "%s %v", name, err)
		}
	}
	if _, ok := seen[fieldID]; !ok {
		if _, _, isField := fieldOf(s.Message); isField && first < len(p.lines) {
			return 0, p.errf(first+1, "no %q line in the header: its first line is the message, so write the message above the fields",
				"-- "+fieldID)
		}
		return 0, p.errf(0, "no %q line in the header (the block of \"--\" lines at the top of the file)", "-- "+fieldID)
	}
	if _, ok := seen[fieldRevises]; !ok {
		// Without the line a revision silently becomes one more base.
		return 0, p.errf(seen[fieldID], "no %q line in the header: write %q with nothing after it for a base, or with the id of the revision this one follows",
			"-- "+fieldRevises, "-- "+fieldRevises)
	}
	s.LongDoc = trimBlankLines(doc)
	return i, nil
}

// fieldOfFold returns the field a comment text would declare if field
// names were not case-sensitive ("-- revision id: x").
func fieldOfFold(text string) (string, bool) {
	t := strings.TrimSpace(text)
	for _, f := range fieldNames {
		if len(t) >= len(f) && strings.EqualFold(t[:len(f)], f) {
			return f, true
		}
	}
	return "", false
}

// trimBlankLines joins lines with "\n" after dropping leading and trailing
// empty ones.
func trimBlankLines(lines []string) string {
	for len(lines) > 0 && lines[0] == "" {
		lines = lines[1:]
	}
	for len(lines) > 0 && lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	return strings.Join(lines, "\n")
}

// parseList splits a comma-separated field value; "" is an empty list.
func parseList(value, what string) ([]string, error) {
	if value == "" {
		return nil, nil
	}
	parts := strings.Split(value, ",")
	out := make([]string, 0, len(parts))
	for _, part := range parts {
		part = strings.TrimSpace(part)
		if part == "" {
			return nil, fmt.Errorf("has an empty entry (a stray ',')")
		}
		if err := validateName(what, part); err != nil {
			return nil, err
		}
		if slices.Contains(out, part) {
			return nil, fmt.Errorf("lists %q twice", part)
		}
		out = append(out, part)
	}
	return out, nil
}

// sections parses the lines from index start on: the upgrade and downgrade
// sections and what may stand before them.
func (p *parser) sections(s *Script, start int) error {
	type open struct {
		name   string
		marker int // index of the marker line
		noTx   int // index of the no-transaction line, -1 if none
	}
	var (
		cur     *open
		markers = map[string]int{} // section name → 1-based marker line
	)
	closeSection := func(end int) {
		if cur == nil {
			return
		}
		sec := p.section(cur.marker, end, cur.noTx)
		if cur.name == markUpgrade {
			s.Upgrade = sec
		} else {
			s.Downgrade = &sec
		}
	}
	for i := start; i < len(p.lines); i++ {
		line := p.lines[i]
		n := i + 1
		text, isComment := commentText(line)
		if !isComment {
			if cur == nil && !isBlank(line) {
				return p.errf(n, "SQL outside a section: start it with %q", "-- "+markerPrefix+markUpgrade)
			}
			continue
		}
		name, extra, isMarker := markerOf(text)
		if !isMarker {
			if field, _, isField := fieldOf(text); cur == nil && isField {
				return p.errf(n, "%q outside the header: the header ends at the first line that is not a \"--\" comment (line %d); write \"--\" for an empty header line",
					field, start+1)
			}
			continue
		}
		marker := "-- " + markerPrefix + name
		if extra != "" {
			return p.errf(n, "unexpected text after %q", marker)
		}
		switch name {
		case markUpgrade, markDowngrade:
			if prev, dup := markers[name]; dup {
				return p.errf(n, "%q given twice (first on line %d)", marker, prev)
			}
			markers[name] = n
			closeSection(i)
			cur = &open{name: name, marker: i, noTx: -1}
		case markNoTx:
			if cur == nil {
				return p.errf(n, "%q must be inside a section (after %q or %q)", marker,
					"-- "+markerPrefix+markUpgrade, "-- "+markerPrefix+markDowngrade)
			}
			if cur.noTx >= 0 {
				return p.errf(n, "%q given twice in the %s section (first on line %d)", marker, cur.name, cur.noTx+1)
			}
			cur.noTx = i
		default:
			return p.errf(n, "unknown marker %q (known: %s)", marker,
				strings.Join([]string{markUpgrade, markDowngrade, markNoTx}, ", "))
		}
	}
	closeSection(len(p.lines))
	if _, ok := markers[markUpgrade]; !ok {
		return p.errf(0, "no %q section", "-- "+markerPrefix+markUpgrade)
	}
	return nil
}

// section builds the Section between the marker at index marker and the
// line at index end (exclusive), blanking the no-transaction line noTx.
func (p *parser) section(marker, end, noTx int) Section {
	sec := Section{Line: marker + 1, NoTransaction: noTx >= 0}
	first := marker + 1
	for first < end && (first == noTx || isBlank(p.lines[first])) {
		first++
	}
	if first == end {
		return sec
	}
	var b strings.Builder
	for i := first; i < end; i++ {
		if i > first {
			b.WriteByte('\n')
		}
		if i != noTx {
			b.WriteString(p.lines[i])
		}
	}
	sec.SQL = strings.TrimRight(b.String(), " \t\n")
	sec.Line = first + 1
	return sec
}
