package config

import (
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/BurntSushi/toml"
)

const keyDatabaseURL = "database_url"

// The keys each table of the file knows.
var (
	topKeys = []string{
		"script_location", keyDatabaseURL, "version_table", "version_table_schema",
		"history_table", "version_locations", "file_template", "truncate_slug_length",
		"transaction_per_migration", "lock_timeout", "statement_lock_timeout",
		"strict_checksums", "autogenerate", "test", "databases",
	}
	autogenerateKeys = []string{"target", "dev_url", "include_tables", "exclude_tables"}
	testKeys         = []string{"expected_heads"}
	databaseKeys     = []string{
		keyDatabaseURL, "script_location", "version_table", "version_table_schema",
		"history_table", "version_locations",
	}
	// aliases suggest retort's key for names other tools use.
	aliases = map[string]string{
		"sqlalchemy": keyDatabaseURL, // sqlalchemy.url = …
		"url":        keyDatabaseURL,
		"dsn":        keyDatabaseURL,
		"database":   keyDatabaseURL,
		"db_url":     keyDatabaseURL,
	}
)

// loader turns the decoded TOML into a Config, naming file, line and key in
// every error.
type loader struct {
	file   string // as displayed in errors
	dir    string // absolute; relative paths resolve against it
	lines  keyLines
	getenv func(string) (string, bool)
}

func (l *loader) errAt(path []string, format string, args ...any) *Error {
	return &Error{File: l.file, Line: l.lines.line(path), Key: strings.Join(path, "."), Msg: fmt.Sprintf(format, args...)}
}

// checkKeys reports the first unknown key, in file order.
func (l *loader) checkKeys(keys []toml.Key) error {
	for _, k := range keys {
		switch {
		case !slices.Contains(topKeys, k[0]):
			return l.unknown(k[:1], topKeys)
		case len(k) < 2:
		case k[0] == "autogenerate" && !slices.Contains(autogenerateKeys, k[1]):
			return l.unknown(k[:2], autogenerateKeys)
		case k[0] == "test" && !slices.Contains(testKeys, k[1]):
			return l.unknown(k[:2], testKeys)
		case k[0] == "databases" && len(k) >= 3 && !slices.Contains(databaseKeys, k[2]):
			return l.unknown(k[:3], databaseKeys)
		}
	}
	return nil
}

func (l *loader) unknown(path []string, known []string) *Error {
	name := path[len(path)-1]
	full := strings.Join(path, ".")
	prefix := strings.Join(path[:len(path)-1], ".")
	if prefix != "" {
		prefix += "."
	}
	e := l.errAt(path, "unknown key '%s'", full)
	if s := suggest(name, known); s != "" {
		e.Msg += fmt.Sprintf("; did you mean '%s%s'?", prefix, s)
	} else {
		e.Msg += fmt.Sprintf("; known keys: %s", strings.Join(known, ", "))
	}
	return e
}

// suggest returns the known key closest to name, or "" if none is close.
func suggest(name string, known []string) string {
	if a, ok := aliases[strings.ToLower(name)]; ok && slices.Contains(known, a) {
		return a
	}
	best, bestDist := "", 0
	for _, k := range known {
		d := editDistance(strings.ToLower(name), k)
		if best == "" || d < bestDist {
			best, bestDist = k, d
		}
	}
	if bestDist <= max(2, len(name)/3) {
		return best
	}
	if len(name) >= 4 {
		for _, k := range known {
			if strings.HasPrefix(k, strings.ToLower(name)) {
				return k
			}
		}
	}
	return ""
}

// editDistance is the Levenshtein distance between a and b, in bytes.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// table is a decoded TOML table and its key path.
type table struct {
	m    map[string]any
	path []string
}

func (t table) key(k string) []string {
	return append(append([]string(nil), t.path...), k)
}

// sub returns the table under key k; ok is false when k is absent.
func (l *loader) sub(t table, k string) (table, bool, error) {
	v, ok := t.m[k]
	if !ok {
		return table{}, false, nil
	}
	m, isMap := v.(map[string]any)
	if !isMap {
		return table{}, false, l.errAt(t.key(k), "must be a table, not %s", typeName(v))
	}
	return table{m: m, path: t.key(k)}, true, nil
}

func typeName(v any) string {
	switch v.(type) {
	case string:
		return "a string"
	case int64:
		return "an integer"
	case float64:
		return "a float"
	case bool:
		return "a boolean"
	case []any, []map[string]any:
		return "an array"
	case map[string]any:
		return "a table"
	default:
		return "a date/time"
	}
}

// rawString returns the string under k without expansion.
func (l *loader) rawString(t table, k string) (string, bool, error) {
	v, ok := t.m[k]
	if !ok {
		return "", false, nil
	}
	s, isString := v.(string)
	if !isString {
		return "", false, l.errAt(t.key(k), "must be a string, not %s", typeName(v))
	}
	return s, true, nil
}

func (l *loader) expand(path []string, s string) (string, error) {
	x, err := expand(s, l.getenv)
	if err != nil {
		return "", l.errAt(path, "%s", err.Error())
	}
	return x, nil
}

// str returns the expanded string under k; nonEmpty rejects "".
func (l *loader) str(t table, k string, nonEmpty bool, dst *string) error {
	s, ok, err := l.rawString(t, k)
	if !ok {
		return err
	}
	if s, err = l.expand(t.key(k), s); err != nil {
		return err
	}
	if nonEmpty && s == "" {
		return l.errAt(t.key(k), "must not be empty")
	}
	*dst = s
	return nil
}

// path is str for a path made absolute against the config's directory.
func (l *loader) path(t table, k string, dst *string) error {
	var s string
	if err := l.str(t, k, true, &s); err != nil || s == "" {
		return err
	}
	*dst = l.abs(s)
	return nil
}

func (l *loader) abs(p string) string {
	if filepath.IsAbs(p) {
		return filepath.Clean(p)
	}
	return filepath.Join(l.dir, p)
}

// list returns the expanded strings of the array under k; ok is false when
// k is absent.
func (l *loader) list(t table, k string) ([]string, bool, error) {
	v, ok := t.m[k]
	if !ok {
		return nil, false, nil
	}
	arr, isArray := v.([]any)
	if !isArray {
		return nil, false, l.errAt(t.key(k), "must be an array of strings, not %s", typeName(v))
	}
	out := make([]string, 0, len(arr))
	for i, e := range arr {
		s, isString := e.(string)
		if !isString {
			return nil, false, l.errAt(t.key(k), "element %d must be a string, not %s", i+1, typeName(e))
		}
		x, err := l.expand(t.key(k), s)
		if err != nil {
			return nil, false, err
		}
		out = append(out, x)
	}
	return out, true, nil
}

// paths is list for directories made absolute; the list must not be empty.
func (l *loader) paths(t table, k string, dst *[]string) error {
	ps, ok, err := l.list(t, k)
	if !ok {
		return err
	}
	if len(ps) == 0 {
		return l.errAt(t.key(k), "must list at least one directory")
	}
	for i, p := range ps {
		if p == "" {
			return l.errAt(t.key(k), "element %d is empty", i+1)
		}
		ps[i] = l.abs(p)
	}
	*dst = ps
	return nil
}

func (l *loader) integer(t table, k string, minimum int, dst *int) error {
	v, ok := t.m[k]
	if !ok {
		return nil
	}
	n, isInt := v.(int64)
	if !isInt {
		return l.errAt(t.key(k), "must be an integer, not %s", typeName(v))
	}
	if n < int64(minimum) || n > math.MaxInt32 {
		return l.errAt(t.key(k), "must be an integer from %d to %d, not %d", minimum, math.MaxInt32, n)
	}
	*dst = int(n)
	return nil
}

func (l *loader) boolean(t table, k string, dst *bool) error {
	v, ok := t.m[k]
	if !ok {
		return nil
	}
	b, isBool := v.(bool)
	if !isBool {
		return l.errAt(t.key(k), "must be true or false, not %s", typeName(v))
	}
	*dst = b
	return nil
}

func (l *loader) duration(t table, k string, dst *time.Duration) error {
	v, ok := t.m[k]
	if !ok {
		return nil
	}
	s, isString := v.(string)
	if !isString {
		return l.errAt(t.key(k), `must be a duration string such as "60s" or "2m", not %s`, typeName(v))
	}
	s, err := l.expand(t.key(k), s)
	if err != nil {
		return err
	}
	d, perr := time.ParseDuration(strings.TrimSpace(s))
	if perr != nil {
		return l.errAt(t.key(k), `invalid duration %q: write a number with a unit, such as "60s", "1m30s" or "500ms"`, s)
	}
	if d < 0 {
		return l.errAt(t.key(k), "must not be negative")
	}
	*dst = d
	return nil
}

// fill sets c from the top-level keys and the [autogenerate] and [test]
// tables, applying defaults and the URL overrides.
func (l *loader) fill(c *Config, raw map[string]any, urlOverride string) error {
	top := table{m: raw}
	c.VersionTable = DefaultVersionTable
	c.HistoryTable = DefaultHistoryTable
	c.FileTemplate = DefaultFileTemplate
	c.TruncateSlugLength = DefaultTruncateSlugLength
	c.TransactionPerMigration = true
	c.LockTimeout = DefaultLockTimeout

	_, multidb := raw["databases"]
	rawURL, hasURL, err := l.rawString(top, keyDatabaseURL)
	if err != nil {
		return err
	}
	envURL, _ := l.getenv(EnvDatabaseURL)
	switch {
	case urlOverride != "":
		c.DatabaseURL, c.urlSource = urlOverride, "--url"
	case !multidb && envURL != "":
		c.DatabaseURL, c.urlSource = envURL, EnvDatabaseURL
	case hasURL:
		path := top.key(keyDatabaseURL)
		if c.DatabaseURL, err = l.expand(path, rawURL); err != nil {
			return err
		}
		c.urlSource, c.urlFile, c.urlLine = keyDatabaseURL, l.file, l.lines.line(path)
	}

	for _, step := range []error{
		l.path(top, "script_location", &c.ScriptLocation),
		l.str(top, "version_table", true, &c.VersionTable),
		l.str(top, "version_table_schema", false, &c.VersionTableSchema),
		l.str(top, "history_table", true, &c.HistoryTable),
		l.paths(top, "version_locations", &c.VersionLocations),
		l.str(top, "file_template", true, &c.FileTemplate),
		l.integer(top, "truncate_slug_length", 1, &c.TruncateSlugLength),
		l.boolean(top, "transaction_per_migration", &c.TransactionPerMigration),
		l.duration(top, "lock_timeout", &c.LockTimeout),
		l.duration(top, "statement_lock_timeout", &c.StatementLockTimeout),
		l.boolean(top, "strict_checksums", &c.StrictChecksums),
	} {
		if step != nil {
			return step
		}
	}
	if c.VersionLocations == nil && c.ScriptLocation != "" {
		c.VersionLocations = []string{filepath.Join(c.ScriptLocation, "versions")}
	}

	if ag, ok, err := l.sub(top, "autogenerate"); err != nil {
		return err
	} else if ok {
		a := &c.Autogenerate
		if err := l.path(ag, "target", &a.Target); err != nil {
			return err
		}
		if err := l.str(ag, "dev_url", false, &a.DevURL); err != nil {
			return err
		}
		if a.IncludeTables, _, err = l.list(ag, "include_tables"); err != nil {
			return err
		}
		if a.ExcludeTables, _, err = l.list(ag, "exclude_tables"); err != nil {
			return err
		}
	}
	if tt, ok, err := l.sub(top, "test"); err != nil {
		return err
	} else if ok {
		if err := l.integer(tt, "expected_heads", 0, &c.Test.ExpectedHeads); err != nil {
			return err
		}
	}
	return nil
}

// fillDatabases reads the [databases.NAME] tables in file order.
func (l *loader) fillDatabases(c *Config, raw map[string]any, keys []toml.Key) error {
	dbs, ok, err := l.sub(table{m: raw}, "databases")
	if !ok {
		return err
	}
	for _, k := range keys {
		if len(k) != 2 || k[0] != "databases" {
			continue
		}
		t, _, err := l.sub(dbs, k[1])
		if err != nil {
			return err
		}
		d := Database{
			Name:               k[1],
			ScriptLocation:     c.ScriptLocation,
			VersionTable:       c.VersionTable,
			VersionTableSchema: c.VersionTableSchema,
			HistoryTable:       c.HistoryTable,
		}
		for _, step := range []error{
			l.str(t, keyDatabaseURL, false, &d.DatabaseURL),
			l.path(t, "script_location", &d.ScriptLocation),
			l.str(t, "version_table", true, &d.VersionTable),
			l.str(t, "version_table_schema", false, &d.VersionTableSchema),
			l.str(t, "history_table", true, &d.HistoryTable),
			l.paths(t, "version_locations", &d.VersionLocations),
		} {
			if step != nil {
				return step
			}
		}
		if d.ScriptLocation == "" {
			return l.errAt(t.key("script_location"), "missing: set it in [databases.%s] or at the top of the file", d.Name)
		}
		if d.VersionLocations == nil {
			if _, own := t.m["script_location"]; own || c.VersionLocations == nil {
				d.VersionLocations = []string{filepath.Join(d.ScriptLocation, "versions")}
			} else {
				d.VersionLocations = slices.Clone(c.VersionLocations)
			}
		}
		c.Databases = append(c.Databases, d)
	}
	return nil
}
