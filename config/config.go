// Package config loads retort.toml, retort's alembic.ini, and the environment
// into a plain [Config]. It has no behaviour beyond that: it validates,
// expands ${VAR} references, makes relative paths absolute and parses
// database URLs ([ParseURL]).
//
// Unlike alembic.ini, an unknown key is an error that suggests the closest
// known key: a typo must not silently fall back to a default. Every error
// names the file, the line and the key ([Error]).
//
// A config file looks like this (every key but script_location is optional):
//
//	script_location = "migrations"
//	database_url = "${DATABASE_URL:-sqlite:///app.db}"
//	version_table = "alembic_version"
//	# version_table_schema = "public"
//	# history_table = "retort_history"
//	# version_locations = ["migrations/versions", "billing/versions"]
//	# file_template = "{rev}_{slug}"
//	# truncate_slug_length = 40
//	# transaction_per_migration = true
//	# lock_timeout = "60s"
//	# statement_lock_timeout = "5s"
//	# strict_checksums = false
//
//	[autogenerate]
//	target = "schema.sql"
//	# dev_url = "postgresql://…/scratch"
//	# include_tables = ["*"]
//	# exclude_tables = ["audit_*"]
//
//	[test]
//	# expected_heads = 1
//
// A multidb config has no top-level database_url: it has one
// [databases.NAME] table per database, in the order commands visit them.
// Each table takes every top-level key but databases (its own
// [databases.NAME.autogenerate] and [databases.NAME.test] too); a key it does
// not set is taken from the top level, so the top level holds the defaults.
// DATABASE_URL does not apply to a multidb config. [Config.Databases] and
// [Config.Select] give one ordinary *Config per database:
//
//	version_table = "alembic_version"      # default for every database
//
//	[databases.main]
//	database_url = "${MAIN_DATABASE_URL:-sqlite:///main.db}"
//	script_location = "migrations/main"
//
//	[databases.analytics]
//	database_url = "postgresql://…/analytics"
//	script_location = "migrations/analytics"
//	transaction_per_migration = false
package config

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/BurntSushi/toml"
)

// Default values of the optional settings.
const (
	DefaultFileName           = "retort.toml"
	DefaultVersionTable       = "alembic_version"
	DefaultHistoryTable       = "retort_history"
	DefaultFileTemplate       = "{rev}_{slug}"
	DefaultTruncateSlugLength = 40
	DefaultLockTimeout        = 60 * time.Second
)

// EnvConfig names the environment variable holding the config file path used
// when no -c/--config is given.
const EnvConfig = "RETORT_CONFIG"

// EnvDatabaseURL names the environment variable that overrides database_url
// (but not in a multidb config).
const EnvDatabaseURL = "DATABASE_URL"

// Config is the loaded configuration. Paths in it are absolute.
type Config struct {
	// File is the absolute path of the config file read; "" when none.
	File string
	// Dir is the directory relative paths resolve against: the config
	// file's directory, else the working directory.
	Dir string
	// ScriptLocation holds versions/ and script.sql.tmpl. Absolute. It is
	// empty only in a multidb config that sets it per database.
	ScriptLocation string
	// DatabaseURL is the URL after ${VAR} expansion and after the --url and
	// DATABASE_URL overrides. Use [Config.ResolveURL] to parse it.
	DatabaseURL string
	// VersionTable is Alembic's version table (default "alembic_version").
	VersionTable string
	// VersionTableSchema qualifies the version and history tables; "" for
	// the connection's default schema.
	VersionTableSchema string
	// HistoryTable is retort's history table (default "retort_history").
	HistoryTable string
	// VersionLocations are the directories holding revision files, in
	// config order. Absolute; default [<ScriptLocation>/versions].
	VersionLocations []string
	// FileTemplate names new revision files (default "{rev}_{slug}").
	FileTemplate string
	// TruncateSlugLength is the longest slug in a file name (default 40).
	TruncateSlugLength int
	// TransactionPerMigration commits each migration separately (default true).
	TransactionPerMigration bool
	// LockTimeout is how long to wait for another run's lock (default 60s).
	LockTimeout time.Duration
	// StatementLockTimeout, if not 0, is set as the DDL lock timeout on
	// PostgreSQL and MySQL.
	StatementLockTimeout time.Duration
	// StrictChecksums makes an edited applied file an error rather than a warning.
	StrictChecksums bool
	// Autogenerate is the [autogenerate] table.
	Autogenerate struct {
		// Target is the desired schema, a .sql file or a folder of them. Absolute.
		Target string
		// DevURL is a scratch database the target is loaded into.
		DevURL string
		// IncludeTables and ExcludeTables are glob patterns on table names.
		IncludeTables, ExcludeTables []string
	}
	// Test is the [test] table.
	Test struct {
		// ExpectedHeads, if not 0, is the number of heads `retort test` expects.
		ExpectedHeads int
	}
	// Name is NAME for the config of one [databases.NAME] table of a
	// multidb config (see [Config.Databases]); "" otherwise.
	Name string

	// databases are the configs of the [databases.NAME] tables, in file
	// order; nil for a single-database config.
	databases []*Config
	// urlOverride is the --url value of a multidb config, applied by Select
	// to the one database selected.
	urlOverride string
	// display is the config file's path as given (-c, RETORT_CONFIG or
	// retort.toml), for messages.
	display string

	// urlSource says where DatabaseURL came from, for errors: "database_url"
	// (the key at urlAt), "--url" or "DATABASE_URL".
	urlSource string
	urlAt     keyAt

	// targetAt is the key that set Autogenerate.Target, for TargetError.
	targetAt keyAt
}

// keyAt is where a key was set: its dotted name, file and line.
type keyAt struct {
	key, file string
	line      int
}

// err is a config *Error at the key.
func (k keyAt) err(msg string) *Error {
	return &Error{File: k.file, Line: k.line, Key: k.key, Msg: msg}
}

// Named is one database of a config: its name (NAME of [databases.NAME], ""
// for a single-database config) and its settings, an ordinary *Config that
// retort.Open takes as it is.
type Named struct {
	Name   string
	Config *Config
}

// MultiDB reports whether the config has [databases.NAME] tables.
func (c *Config) MultiDB() bool { return len(c.databases) > 0 }

// DisplayFile is the config file's path as it was given (-c PATH,
// $RETORT_CONFIG, or retort.toml), for messages.
func (c *Config) DisplayFile() string {
	switch {
	case c.display != "":
		return c.display
	case c.File != "":
		return c.File
	}
	return "the config"
}

// Names returns the database names of a multidb config in config order; nil
// for a single-database config.
func (c *Config) Names() []string {
	names := make([]string, 0, len(c.databases))
	for _, d := range c.databases {
		names = append(names, d.Name)
	}
	if len(names) == 0 {
		return nil
	}
	return names
}

// Databases returns every database of the config in config order: one per
// [databases.NAME] table of a multidb config, or the config itself, unnamed,
// for a single-database config. It is Select with no names, without its
// error: --url (LoadOptions.URL) applies to a multidb config only when it
// has a single database.
func (c *Config) Databases() []Named {
	out, err := c.Select(nil)
	if err != nil {
		out = make([]Named, len(c.databases))
		for i, d := range c.databases {
			out[i] = Named{Name: d.Name, Config: d}
		}
	}
	return out
}

// SelectError is a --db name that the config does not define, or --db or
// --url used where they do not apply.
type SelectError struct{ Msg string }

func (e *SelectError) Error() string { return e.Msg }

// Select returns the databases the --db values names pick, in config order
// (not the order of names); no names picks them all. A value may be a
// comma-separated list. An unknown name is a [*SelectError] that lists the
// known ones, as is a name given to a single-database config.
//
// --url (LoadOptions.URL) overrides the URL of the one database picked in a
// multidb config; with several picked it is a [*SelectError].
func (c *Config) Select(names []string) ([]Named, error) {
	var want []string
	for _, n := range names {
		for _, part := range strings.Split(n, ",") {
			if part = strings.TrimSpace(part); part != "" && !slices.Contains(want, part) {
				want = append(want, part)
			}
		}
	}
	if !c.MultiDB() {
		if len(want) > 0 {
			return nil, &SelectError{fmt.Sprintf("--db %s: %s is a single-database config (it has no [databases.NAME] tables)",
				strings.Join(want, ","), c.DisplayFile())}
		}
		return []Named{{Config: c}}, nil
	}
	for _, n := range want {
		if !slices.ContainsFunc(c.databases, func(d *Config) bool { return d.Name == n }) {
			return nil, &SelectError{fmt.Sprintf("--db %s: no such database in %s; the databases are %s",
				n, c.DisplayFile(), strings.Join(c.Names(), ", "))}
		}
	}
	var out []Named
	for _, d := range c.databases {
		if len(want) == 0 || slices.Contains(want, d.Name) {
			out = append(out, Named{Name: d.Name, Config: d})
		}
	}
	if c.urlOverride != "" {
		if len(out) > 1 {
			return nil, &SelectError{fmt.Sprintf("--url gives the URL of one database, and %s has several (%s): pick one with --db NAME",
				c.DisplayFile(), strings.Join(c.Names(), ", "))}
		}
		d := *out[0].Config
		d.DatabaseURL, d.urlSource = c.urlOverride, "--url"
		out[0].Config = &d
	}
	return out, nil
}

// LoadOptions says where [Load] looks and what overrides the file.
type LoadOptions struct {
	// Path is the -c/--config value; "" to use RETORT_CONFIG, else
	// retort.toml in Cwd. A relative path is relative to Cwd.
	Path string
	// URL is the --url value; it overrides DATABASE_URL and database_url.
	// In a multidb config it is the URL of the one database [Config.Select]
	// picks.
	URL string
	// Getenv looks up environment variables; nil means os.LookupEnv.
	Getenv func(string) (string, bool)
	// Cwd is the working directory; "" means os.Getwd().
	Cwd string
}

// Error is a problem with the config file. File is the path as it was given
// (or found), Line is 1-based (0 when unknown) and Key is the dotted key
// ("autogenerate.target"), "" when the problem is not one key's.
type Error struct {
	File string
	Line int
	Key  string
	Msg  string
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
	}
	b.WriteString(": ")
	// Messages about unknown keys already quote the key.
	if e.Key != "" && !strings.Contains(e.Msg, "'"+e.Key+"'") {
		b.WriteString(e.Key + ": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// NotFoundError says that no config file was found. It matches
// [fs.ErrNotExist] with [errors.Is].
type NotFoundError struct {
	// Path is the absolute path looked at.
	Path string
	// Via is how the path was chosen: "-c", "RETORT_CONFIG", or "" for the
	// default ./retort.toml.
	Via string
}

func (e *NotFoundError) Error() string {
	const hint = "run `retort init DIR` to create one"
	if e.Via == "" {
		return fmt.Sprintf("no config file: looked for %s; %s, or pass -c PATH or set %s to use another file",
			e.Path, hint, EnvConfig)
	}
	return fmt.Sprintf("config file %s (from %s) does not exist; %s", e.Path, e.Via, hint)
}

// Unwrap returns [fs.ErrNotExist].
func (e *NotFoundError) Unwrap() error { return fs.ErrNotExist }

// Load finds and reads the config file and applies the environment and
// options. The file is -c PATH (opts.Path), else $RETORT_CONFIG, else
// ./retort.toml in opts.Cwd; none found gives a [*NotFoundError]. Problems in
// the file give an [*Error].
//
// ${VAR} and ${VAR:-default} are expanded in every string value (the
// default is used when VAR is unset or empty; $$ is a literal $). The URL
// is, by precedence, opts.URL, then DATABASE_URL (not for a multidb config),
// then database_url; when an override applies, the file's database_url is
// not expanded, so a variable it names need not be set.
func Load(opts LoadOptions) (*Config, error) {
	getenv := opts.Getenv
	if getenv == nil {
		getenv = os.LookupEnv
	}
	cwd := opts.Cwd
	if cwd == "" {
		wd, err := os.Getwd()
		if err != nil {
			return nil, fmt.Errorf("retort/config: %w", err)
		}
		cwd = wd
	}
	display, via := opts.Path, "-c"
	if display == "" {
		if v, ok := getenv(EnvConfig); ok && v != "" {
			display, via = v, EnvConfig
		} else {
			display, via = DefaultFileName, ""
		}
	}
	abs := display
	if !filepath.IsAbs(abs) {
		abs = filepath.Join(cwd, abs)
	}
	abs = filepath.Clean(abs)
	data, err := os.ReadFile(abs)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, &NotFoundError{Path: abs, Via: via}
		}
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return nil, &Error{File: display, Msg: "cannot read the config file: " + err.Error()}
	}
	return parse(data, display, abs, opts.URL, getenv)
}

// TargetError reports a problem with the [autogenerate] target (msg says
// what is wrong and what to do) as a config *Error at the key that set it,
// as other config errors are; for a Config not read from a file, it names
// the setting.
func (c *Config) TargetError(msg string) error {
	if c.targetAt.key == "" {
		return errors.New("autogenerate target: " + msg)
	}
	return c.targetAt.err(msg)
}

// ResolveURL parses DatabaseURL, making a relative SQLite path absolute
// against Dir. An error names where the URL came from.
func (c *Config) ResolveURL() (*URL, error) {
	if c.DatabaseURL == "" {
		switch {
		case c.MultiDB():
			return nil, fmt.Errorf("%s is a multidb config: each [databases.NAME] table has its own database_url (open one of Config.Databases())",
				c.DisplayFile())
		case c.Name != "":
			return nil, fmt.Errorf("no database URL for database %s: set database_url in [databases.%s] (%s does not apply to a multidb config), or pass --db %s --url URL",
				c.Name, c.Name, EnvDatabaseURL, c.Name)
		}
		return nil, fmt.Errorf("no database URL: set database_url in %s, the %s environment variable, or pass --url",
			DefaultFileName, EnvDatabaseURL)
	}
	u, err := ParseURLRelativeTo(c.DatabaseURL, c.Dir)
	if err != nil {
		switch c.urlSource {
		case "":
			return nil, err
		case keyDatabaseURL:
			msg := err.Error()
			if ue, ok := err.(*URLError); ok {
				msg = ue.Msg
			}
			return nil, c.urlAt.err(msg)
		default:
			return nil, fmt.Errorf("%s: %w", c.urlSource, err)
		}
	}
	return u, nil
}

func parse(data []byte, display, abs, urlOverride string, getenv func(string) (string, bool)) (*Config, error) {
	var raw map[string]any
	md, err := toml.Decode(string(data), &raw)
	if err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) {
			return nil, &Error{File: display, Line: pe.Position.Line, Msg: "invalid TOML: " + pe.Message}
		}
		return nil, &Error{File: display, Msg: "invalid TOML: " + err.Error()}
	}
	l := &loader{
		file:   display,
		dir:    filepath.Dir(abs),
		lines:  locateKeys(string(data)),
		getenv: getenv,
	}
	if err := l.checkKeys(md.Keys()); err != nil {
		return nil, err
	}
	c := &Config{File: abs, Dir: l.dir, display: display}
	if err := l.fill(c, raw, urlOverride); err != nil {
		return nil, err
	}
	if err := l.fillDatabases(c, raw, md.Keys()); err != nil {
		return nil, err
	}
	if c.ScriptLocation == "" && !c.MultiDB() {
		return nil, &Error{File: display, Key: "script_location",
			Msg: `missing: set script_location = "DIR", the directory that holds versions/ and script.sql.tmpl`}
	}
	return c, nil
}
