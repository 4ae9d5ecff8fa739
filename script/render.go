package script

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"sync"
	"text/template"
	"time"
)

// TemplateName is the name of the template file in the script location, and
// the name template errors give.
const TemplateName = "script.sql.tmpl"

// DefaultTemplate is the script.sql.tmpl that `retort init` writes. It is a
// Go text/template; see [Render] for its data.
const DefaultTemplate = `--{{if .Message}} {{.Message}}{{end}}
--
-- Revision ID: {{.Revision}}
-- Revises:{{if .DownRevisions}} {{join ", " .DownRevisions}}{{end}}
{{- if .BranchLabels}}
-- Branch Labels: {{join ", " .BranchLabels}}
{{- end}}
{{- if .DependsOn}}
-- Depends On: {{join ", " .DependsOn}}
{{- end}}
-- Create Date: {{.CreateDate}}

-- retort:upgrade
{{- with .Upgrades}}
{{.}}
{{- end}}

-- retort:downgrade
{{- with .Downgrades}}
{{.}}
{{- end}}
`

// CreateDateLayout formats the "Create Date:" field (in UTC):
// 2026-11-26 14:00:00.123456+00:00, like Alembic's.
const CreateDateLayout = "2006-01-02 15:04:05.000000-07:00"

// NewRevision describes a revision file to write.
type NewRevision struct {
	// ID is the revision id (see [NewRevisionID] and [ValidateID]).
	ID string
	// Message is the message; further lines, if any, become free text of the
	// header.
	Message string
	// Down, BranchLabels and DependsOn become "Revises:", "Branch Labels:"
	// and "Depends On:".
	Down, BranchLabels, DependsOn []string
	// CreateDate is written in UTC; the zero time means now.
	CreateDate time.Time
	// Upgrades and Downgrades are the SQL of the two sections; "" for an
	// empty (no-op) section. A "-- retort:no-transaction" line may lead them.
	Upgrades, Downgrades string
	// X are the -x key=value pairs of the command, for the template.
	X map[string]string
}

// templateData is what the template sees.
type templateData struct {
	Message                                string
	Revision                               string
	DownRevisions, BranchLabels, DependsOn []string
	CreateDate                             string
	Upgrades, Downgrades                   string
	X                                      map[string]string
}

// Render executes the script template tmplText (a Go text/template) for nr
// and checks that the result parses back to nr's header. The template sees
//
//	.Message        the message, later lines prefixed with "-- " (write it after "-- ")
//	.Revision       the id
//	.DownRevisions  []string
//	.BranchLabels   []string
//	.DependsOn      []string
//	.CreateDate     nr.CreateDate in [CreateDateLayout]
//	.Upgrades       string, trailing white space removed
//	.Downgrades     string, trailing white space removed
//	.X              map[string]string, the -x key=value pairs
//
// and the function join (join ", " .DownRevisions). Errors of the template
// name it ([TemplateName]). With missingkey=error, {{.X.tenant}} fails
// when no -x tenant=… was given; {{index .X "tenant"}} gives "".
func Render(tmplText string, nr NewRevision) ([]byte, error) {
	if err := validateNew(nr); err != nil {
		return nil, err
	}
	msg, err := templateMessage(nr.Message)
	if err != nil {
		return nil, err
	}
	created := nr.CreateDate
	if created.IsZero() {
		created = time.Now()
	}
	tmpl, err := parseTemplate(tmplText)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	err = tmpl.Execute(&buf, templateData{
		Message:       msg,
		Revision:      nr.ID,
		DownRevisions: nr.Down,
		BranchLabels:  nr.BranchLabels,
		DependsOn:     nr.DependsOn,
		CreateDate:    FormatCreateDate(created),
		Upgrades:      sectionText(nr.Upgrades),
		Downgrades:    sectionText(nr.Downgrades),
		X:             nr.X,
	})
	if err != nil {
		return nil, err
	}
	out := buf.Bytes()
	if err := checkRendered(out, nr); err != nil {
		return nil, err
	}
	return out, nil
}

// parseTemplate parses a script template; DefaultTemplate only once.
func parseTemplate(text string) (*template.Template, error) {
	if text == DefaultTemplate {
		return defaultTemplate()
	}
	return newTemplate(text)
}

var defaultTemplate = sync.OnceValues(func() (*template.Template, error) {
	return newTemplate(DefaultTemplate)
})

func newTemplate(text string) (*template.Template, error) {
	return template.New(TemplateName).
		Funcs(template.FuncMap{"join": func(sep string, elems []string) string { return strings.Join(elems, sep) }}).
		Option("missingkey=error").
		Parse(text)
}

// FormatCreateDate formats t for the "Create Date:" field: in UTC, with
// microseconds, like Alembic.
func FormatCreateDate(t time.Time) string {
	return t.UTC().Format(CreateDateLayout)
}

func validateNew(nr NewRevision) error {
	if err := ValidateID(nr.ID); err != nil {
		return err
	}
	for _, list := range []struct {
		field, what string
		items       []string
	}{
		{"Revises", "revision id", nr.Down},
		{"Branch Labels", "branch label", nr.BranchLabels},
		{"Depends On", "revision id", nr.DependsOn},
	} {
		for i, item := range list.items {
			if err := validateName(list.what, item); err != nil {
				return fmt.Errorf("%s: %w", list.field, err)
			}
			if slices.Contains(list.items[:i], item) {
				return fmt.Errorf("%s: lists %q twice", list.field, item)
			}
		}
	}
	return nil
}

// templateMessage normalises a message for a "-- " line: line endings to
// LF, trailing white space and surrounding blank lines removed, later lines
// prefixed with "-- " ("--" when empty). A line that would read back as a
// marker, or (after the first) as a field, is an error.
func templateMessage(message string) (string, error) {
	lines := strings.Split(string(normalizeNewlines([]byte(message))), "\n")
	for i := range lines {
		lines[i] = strings.TrimRight(lines[i], " \t")
	}
	joined := trimBlankLines(lines)
	if joined == "" {
		return "", nil
	}
	lines = strings.Split(joined, "\n")
	lines[0] = strings.TrimSpace(lines[0])
	var b strings.Builder
	for i, line := range lines {
		if _, _, ok := markerOf(line); ok {
			return "", fmt.Errorf("message line %q would be read as a %q marker", line, "-- "+markerPrefix)
		}
		if i == 0 {
			b.WriteString(line)
			continue
		}
		if f, _, ok := fieldOf(line); ok {
			return "", fmt.Errorf("message line %q would be read as the %q field", line, f)
		}
		b.WriteString("\n--")
		if line != "" {
			b.WriteString(" " + line)
		}
	}
	return b.String(), nil
}

// sectionText normalises section SQL for the template.
func sectionText(sql string) string {
	return strings.TrimRight(string(normalizeNewlines([]byte(sql))), " \t\n")
}

// checkRendered parses a rendered file and compares its header with nr, so
// that a broken template fails before a file is written.
func checkRendered(out []byte, nr NewRevision) error {
	s, err := Parse("("+TemplateName+" output)", out)
	if err != nil {
		return fmt.Errorf("template %s renders a file that does not parse: %w", TemplateName, err)
	}
	firstLine, _, _ := strings.Cut(strings.TrimSpace(string(normalizeNewlines([]byte(nr.Message)))), "\n")
	mismatch := func(what string, got, want any) error {
		return fmt.Errorf("template %s renders %s %q, want %q", TemplateName, what, got, want)
	}
	switch {
	case s.ID != nr.ID:
		return mismatch("Revision ID", s.ID, nr.ID)
	case !slices.Equal(s.Down, nr.Down):
		return mismatch("Revises", s.Down, nr.Down)
	case !slices.Equal(s.BranchLabels, nr.BranchLabels):
		return mismatch("Branch Labels", s.BranchLabels, nr.BranchLabels)
	case !slices.Equal(s.DependsOn, nr.DependsOn):
		return mismatch("Depends On", s.DependsOn, nr.DependsOn)
	case s.Message != strings.TrimSpace(firstLine):
		return mismatch("message", s.Message, strings.TrimSpace(firstLine))
	}
	return nil
}
