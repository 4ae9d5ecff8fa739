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

const (
	keyDatabaseURL = "database_url"
	keyDatabases   = "databases"
)

// The keys each table of the file knows.
var (
	topKeys = []string{
		"script_location", keyDatabaseURL, "version_table", "version_table_schema",
		"history_table", "version_locations", "file_template", "truncate_slug_length",
		"transaction_per_migration", "lock_timeout", "statement_lock_timeout",
		"strict_checksums", "autogenerate", "test", keyDatabases,
	}
	autogenerateKeys = []string{"target", "dev_url", "include_tables", "exclude_tables"}
	testKeys         = []string{"expected_heads"}
	// databaseKeys are the keys of a [databases.NAME] table: every
	// top-level key but databases.
	databaseKeys = slices.DeleteFunc(slices.Clone(topKeys), func(k string) bool { return k == keyDatabases })
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
		if err := l.checkKey(k, 0, topKeys); err != nil {
			return err
		}
	}
	return nil
}

// checkKey checks k[i:] against the keys known at k[:i].
func (l *loader) checkKey(k toml.Key, i int, known []string) error {
	if i >= len(k) {
		return nil
	}
	if !slices.Contains(known, k[i]) {
		return l.unknown(k[:i+1], known)
	}
	switch {
	case k[i] == "autogenerate":
		return l.checkKey(k, i+1, autogenerateKeys)
	case k[i] == "test":
		return l.checkKey(k, i+1, testKeys)
	case k[i] == keyDatabases && i == 0:
		// k[1] is a database's name.
		return l.checkKey(k, 2, databaseKeys)
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

	if _, multidb := raw[keyDatabases]; multidb {
		// Each database has its own URL; --url is applied by Select.
		if _, ok := raw[keyDatabaseURL]; ok {
			return l.errAt(top.key(keyDatabaseURL),
				"a multidb config has no top-level database_url: set database_url in each [databases.NAME] table (or drop the [databases] tables for a single database)")
		}
		c.urlOverride = urlOverride
	} else {
		rawURL, hasURL, err := l.rawString(top, keyDatabaseURL)
		if err != nil {
			return err
		}
		envURL, _ := l.getenv(EnvDatabaseURL)
		switch {
		case urlOverride != "":
			c.DatabaseURL, c.urlSource = urlOverride, "--url"
		case envURL != "":
			c.DatabaseURL, c.urlSource = envURL, EnvDatabaseURL
		case hasURL:
			if err := l.fileURL(c, top, rawURL); err != nil {
				return err
			}
		}
	}
	if err := l.settings(c, top); err != nil {
		return err
	}
	if c.VersionLocations == nil && c.ScriptLocation != "" {
		c.VersionLocations = []string{filepath.Join(c.ScriptLocation, "versions")}
	}
	return nil
}

// fileURL sets c's URL from the database_url of table t.
func (l *loader) fileURL(c *Config, t table, rawURL string) error {
	path := t.key(keyDatabaseURL)
	u, err := l.expand(path, rawURL)
	if err != nil {
		return err
	}
	c.DatabaseURL = u
	c.urlSource, c.urlAt = keyDatabaseURL, l.at(path)
	return nil
}

// settings sets the fields of c that table t gives (all keys but
// database_url and databases), leaving the others as they are: the defaults
// at the top level, the top level's values in a [databases.NAME] table.
func (l *loader) settings(c *Config, t table) error {
	for _, step := range []error{
		l.path(t, "script_location", &c.ScriptLocation),
		l.str(t, "version_table", true, &c.VersionTable),
		l.str(t, "version_table_schema", false, &c.VersionTableSchema),
		l.str(t, "history_table", true, &c.HistoryTable),
		l.paths(t, "version_locations", &c.VersionLocations),
		l.fileTemplate(t, &c.FileTemplate),
		l.integer(t, "truncate_slug_length", 1, &c.TruncateSlugLength),
		l.boolean(t, "transaction_per_migration", &c.TransactionPerMigration),
		l.duration(t, "lock_timeout", &c.LockTimeout),
		l.duration(t, "statement_lock_timeout", &c.StatementLockTimeout),
		l.boolean(t, "strict_checksums", &c.StrictChecksums),
	} {
		if step != nil {
			return step
		}
	}

	if ag, ok, err := l.sub(t, "autogenerate"); err != nil {
		return err
	} else if ok {
		a := &c.Autogenerate
		if err := l.path(ag, "target", &a.Target); err != nil {
			return err
		}
		if _, ok := ag.m["target"]; ok {
			c.targetAt = l.at(ag.key("target"))
		}
		if err := l.str(ag, "dev_url", false, &a.DevURL); err != nil {
			return err
		}
		for _, f := range []struct {
			key string
			dst *[]string
		}{{"include_tables", &a.IncludeTables}, {"exclude_tables", &a.ExcludeTables}} {
			if v, ok, err := l.list(ag, f.key); err != nil {
				return err
			} else if ok {
				*f.dst = v
			}
		}
	}
	if tt, ok, err := l.sub(t, "test"); err != nil {
		return err
	} else if ok {
		if err := l.integer(tt, "expected_heads", 0, &c.Test.ExpectedHeads); err != nil {
			return err
		}
	}
	return nil
}

// fillDatabases reads the [databases.NAME] tables in file order, each over
// a copy of the top-level settings.
func (l *loader) fillDatabases(c *Config, raw map[string]any, keys []toml.Key) error {
	dbs, ok, err := l.sub(table{m: raw}, keyDatabases)
	if !ok {
		return err
	}
	// File order: the first key under each name. (Keys lists every key the
	// file defines, in order; a table defined only implicitly, by a
	// [databases.NAME.autogenerate] header, appears through its sub-keys.)
	var names []string
	for _, k := range keys {
		if len(k) >= 2 && k[0] == keyDatabases && !slices.Contains(names, k[1]) {
			names = append(names, k[1])
		}
	}
	if len(names) == 0 {
		return l.errAt(dbs.path, "has no databases: add a [databases.NAME] table with database_url and script_location for each database")
	}
	for _, name := range names {
		t, _, err := l.sub(dbs, name)
		if err != nil {
			return err
		}
		if !validName(name) {
			return l.errAt(t.path, "invalid database name %q: use letters, digits, '_' and '-'", name)
		}
		d := c.clone()
		d.Name = name
		if rawURL, ok, err := l.rawString(t, keyDatabaseURL); err != nil {
			return err
		} else if ok {
			if err := l.fileURL(d, t, rawURL); err != nil {
				return err
			}
		}
		if err := l.settings(d, t); err != nil {
			return err
		}
		if d.ScriptLocation == "" {
			return l.errAt(t.key("script_location"), "missing: set it in [databases.%s] or at the top of the file", name)
		}
		// A database with its own script_location has its own versions/
		// unless it lists version_locations.
		_, ownScripts := t.m["script_location"]
		_, ownLocations := t.m["version_locations"]
		if !ownLocations && (ownScripts || d.VersionLocations == nil) {
			d.VersionLocations = []string{filepath.Join(d.ScriptLocation, "versions")}
		}
		c.databases = append(c.databases, d)
	}
	return nil
}

// at is where the key path is set in the file being read.
func (l *loader) at(path []string) keyAt {
	return keyAt{key: strings.Join(path, "."), file: l.file, line: l.lines.line(path)}
}

// clone copies the settings of a top-level config for one database.
func (c *Config) clone() *Config {
	d := &Config{
		File: c.File, Dir: c.Dir, display: c.display, ScriptLocation: c.ScriptLocation,
		VersionTable: c.VersionTable, VersionTableSchema: c.VersionTableSchema, HistoryTable: c.HistoryTable,
		VersionLocations: slices.Clone(c.VersionLocations), FileTemplate: c.FileTemplate,
		TruncateSlugLength: c.TruncateSlugLength, TransactionPerMigration: c.TransactionPerMigration,
		LockTimeout: c.LockTimeout, StatementLockTimeout: c.StatementLockTimeout, StrictChecksums: c.StrictChecksums,
		Autogenerate: c.Autogenerate, Test: c.Test,
	}
	d.targetAt = c.targetAt
	d.Autogenerate.IncludeTables = slices.Clone(c.Autogenerate.IncludeTables)
	d.Autogenerate.ExcludeTables = slices.Clone(c.Autogenerate.ExcludeTables)
	return d
}

// validName reports whether a database name is usable on the command line
// (--db a,b) and in output.
func validName(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isBareKeyChar(s[i]) {
			return false
		}
	}
	return s != ""
}
