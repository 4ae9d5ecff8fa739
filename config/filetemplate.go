package config

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// fileTemplateTokens are the {tokens} a file_template may use.
var fileTemplateTokens = []string{"rev", "slug", "epoch", "year", "month", "day", "hour", "minute", "second"}

// alembicTokenRE matches one of Alembic's file_template tokens, a Python
// %-format such as %(rev)s or %(month).2d, also in alembic.ini's escaped
// spelling %%(rev)s.
var alembicTokenRE = regexp.MustCompile(`%?%\((\w+)\)[-#0 +]*[0-9]*(?:\.[0-9]+)?[a-zA-Z]?`)

// CheckFileTemplate returns what is wrong with a file_template, or "" when
// nothing is. It is checked when the config is loaded, so that a bad
// template fails before any revision file is written: Alembic's
// %(name)s tokens (which would otherwise give every file the same literal
// name), a stray brace, an unknown {token}, and a template with no token at
// all (every revision would get the same name). A template without {rev}
// is allowed, as in Alembic ("{year}{month}{day}{hour}{minute}{second}_{slug}"
// orders files by date): `revision` never overwrites a file, so two
// revisions that would get the same name stop with an error instead.
func CheckFileTemplate(tmpl string) string {
	if alembicTokenRE.MatchString(tmpl) {
		return fmt.Sprintf("Alembic's %%(name)s tokens are not retort's, which are in braces: write file_template = %q (tokens: {%s})",
			alembicTokenRE.ReplaceAllString(tmpl, "{$1}"), strings.Join(fileTemplateTokens, "} {"))
	}
	tokens := 0
	rest := tmpl
	for {
		i := strings.IndexAny(rest, "{}")
		if i < 0 {
			break
		}
		if rest[i] == '}' {
			return "'}' without '{'"
		}
		end := strings.IndexByte(rest[i:], '}')
		if end < 0 {
			return "'{' without '}'"
		}
		token := rest[i+1 : i+end]
		rest = rest[i+end+1:]
		if !slices.Contains(fileTemplateTokens, token) {
			return fmt.Sprintf("unknown token {%s}; known tokens: {%s}", token, strings.Join(fileTemplateTokens, "} {"))
		}
		tokens++
	}
	if tokens == 0 {
		return fmt.Sprintf("has no {token}, so every revision file would get the same name: use {rev} (the revision id), as in the default file_template = %q", DefaultFileTemplate)
	}
	return ""
}

// fileTemplate reads file_template from t and checks it.
func (l *loader) fileTemplate(t table, dst *string) error {
	const k = "file_template"
	var s string
	if err := l.str(t, k, true, &s); err != nil || s == "" {
		return err
	}
	if msg := CheckFileTemplate(s); msg != "" {
		return l.errAt(t.key(k), "%s", msg)
	}
	*dst = s
	return nil
}
