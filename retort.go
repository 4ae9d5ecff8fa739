// Package retort is Alembic's model of database migrations as a Go library:
// a revision graph of SQL (and Go) migrations, upgrade and downgrade to any
// point of it, stamping, offline SQL, and a version table Alembic shares.
//
// The retort command is a thin shell over this package: each of its
// commands is one method of Project.
package retort

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"maps"
	"strings"
	"time"

	"github.com/retortdb/retort/config"
	"github.com/retortdb/retort/dialect"
	"github.com/retortdb/retort/dialect/mysql"
	"github.com/retortdb/retort/dialect/postgres"
	"github.com/retortdb/retort/dialect/sqlite"
	"github.com/retortdb/retort/migrate"
	"github.com/retortdb/retort/revision"
	"github.com/retortdb/retort/script"
)

// dialects is the explicit lookup of URL dialect names.
var dialects = map[string]func() dialect.Dialect{
	"sqlite":     func() dialect.Dialect { return sqlite.New() },
	"postgresql": func() dialect.Dialect { return postgres.New() },
	"mysql":      func() dialect.Dialect { return mysql.New() },
}

// DialectFor returns the dialect for a URL's dialect name.
func DialectFor(name string) (dialect.Dialect, error) {
	mk, ok := dialects[name]
	if !ok {
		known := make([]string, 0, len(dialects))
		for k := range dialects {
			known = append(known, k)
		}
		return nil, fmt.Errorf("retort: dialect %q is not supported yet (supported: %s)", name, strings.Join(known, ", "))
	}
	return mk(), nil
}

// Project is a loaded migration project: its config, its migration scripts
// and the revision graph they form. Opening one does not connect to the
// database; each command that needs it connects, and disconnects when done.
type Project struct {
	Config  *config.Config
	Scripts []*script.Script
	Graph   *revision.Graph

	logger *slog.Logger
	now    func() time.Time
	xArgs  map[string]string
	// cacheDir holds the header cache; "" disables it.
	cacheDir string
	// goMigrations replace the registered ones when goExplicit is set
	// (WithGoMigrations); goByID are the project's Go migrations.
	goMigrations []GoMigration
	goExplicit   bool
	goByID       map[string]*GoMigration
	// goFiles are the Go files the loader found in the version locations
	// (none with WithFS).
	goFiles []string
	// fsys, when set, holds the SQL revisions in fsDirs (WithFS).
	fsys   fs.FS
	fsDirs []string
}

// Option configures a Project.
type Option interface{ apply(*Project) }

type optionFunc func(*Project)

func (f optionFunc) apply(p *Project) { f(p) }

// WithLogger sends the library's log records to l (default: discarded).
func WithLogger(l *slog.Logger) Option { return optionFunc(func(p *Project) { p.logger = l }) }

// WithClock pins the time used for create dates and history rows (tests).
func WithClock(now func() time.Time) Option { return optionFunc(func(p *Project) { p.now = now }) }

// Open loads the project cfg describes: every migration file of its version
// locations, parsed and checked, and the revision graph. Any broken file or
// graph is an error here, before a database is touched.
func Open(cfg *config.Config, opts ...Option) (*Project, error) {
	if cfg.MultiDB() {
		return nil, fmt.Errorf("%s is a multidb config: open the config of each of its databases (Config.Databases or Config.Select), one Project each", cfg.DisplayFile())
	}
	p := &Project{Config: cfg, now: time.Now, logger: slog.New(slog.DiscardHandler)}
	for _, o := range opts {
		o.apply(p)
	}
	locations := cfg.VersionLocations
	var scripts []*script.Script
	var err error
	if p.fsys != nil {
		locations = p.fsDirs
		scripts, err = loadFS(p.fsys, p.fsDirs)
	} else {
		var l script.Listing
		l, err = script.LoadCachedListing(cfg.VersionLocations, p.cacheDir)
		scripts, p.goFiles = l.Scripts, l.GoFiles
	}
	if err != nil {
		return nil, err
	}
	gos := p.goMigrations
	if !p.goExplicit {
		gos, err = ownGoMigrations(cfg, Registered(), p.fsys != nil)
		if err != nil {
			return nil, err
		}
	}
	scripts, p.goByID, err = mergeGoMigrations(scripts, locations, gos)
	if err != nil {
		return nil, err
	}
	// Before the graph is built: without the Go revisions it is not the
	// project's graph (a revision on top of one is an error about a missing
	// revision; one at a head is silently left out), so every command says
	// why instead.
	if err := p.checkNoUnregisteredGo(); err != nil {
		return nil, err
	}
	if err := p.setScripts(scripts); err != nil {
		if len(p.goByID) == 0 && p.fsys == nil {
			if len(p.goFiles) > 0 {
				return nil, fmt.Errorf("%w\n(%s is a Go file in a version location, and this program has no Go migrations registered: a project with Go migrations runs through its own binary, the main.go that `retort init --template go` writes)", err, p.goFiles[0])
			}
		}
		return nil, err
	}
	return p, nil
}

// loadFS reads the SQL revisions of dirs of fsys, in order.
func loadFS(fsys fs.FS, dirs []string) ([]*script.Script, error) {
	var all []*script.Script
	var errs []error
	for _, d := range dirs {
		scripts, err := script.LoadDir(fsys, d, d)
		if err != nil {
			errs = append(errs, fmt.Errorf("version location %s: %w", d, err))
			continue
		}
		all = append(all, scripts...)
	}
	return all, errors.Join(errs...)
}

func (p *Project) setScripts(scripts []*script.Script) error {
	g, err := graphOf(scripts)
	if err != nil {
		return err
	}
	p.Scripts = scripts
	p.Graph = g
	return nil
}

// graphOf builds the graph of scripts, in their order. The revisions are
// copied into a slice of its own, which the graph keeps instead of copying
// it again.
func graphOf(scripts []*script.Script) (*revision.Graph, error) {
	revs := make([]revision.Revision, len(scripts))
	for i, s := range scripts {
		revs[i] = s.Revision
	}
	return revision.NewGraphOwned(revs)
}

// Script returns the script of a revision id, or nil.
func (p *Project) Script(id string) *script.Script {
	if p.Graph == nil {
		return nil
	}
	if i, ok := p.Graph.Index(id); ok {
		return p.Scripts[i] // the graph was built from Scripts, in order
	}
	return nil
}

// migration is the runner's Source: it reads a revision's bodies when a
// plan needs them (scripts from the header cache have none yet).
func (p *Project) migration(id string) (*migrate.Migration, error) {
	if g := p.goByID[id]; g != nil {
		return g.migration(), nil
	}
	s := p.Script(id)
	if s == nil {
		return nil, fmt.Errorf("retort: no script for revision %s", id)
	}
	if err := s.Complete(); err != nil {
		return nil, err
	}
	m := &migrate.Migration{ID: s.ID, Path: s.Path, Checksum: s.Checksum,
		Upgrade: &migrate.Body{SQL: s.Upgrade.SQL, Line: s.Upgrade.Line, NoTransaction: s.Upgrade.NoTransaction}}
	if s.Downgrade != nil {
		m.Downgrade = &migrate.Body{SQL: s.Downgrade.SQL, Line: s.Downgrade.Line, NoTransaction: s.Downgrade.NoTransaction}
	}
	return m, nil
}

// target is the database of the project's URL, resolved.
type target struct {
	url *config.URL
	d   dialect.Dialect
}

// open returns a pool for the target with the dialect's settings; it does
// not connect yet.
func (t *target) open() (*sql.DB, error) {
	dsn, err := t.d.DSN(t.url)
	if err != nil {
		return nil, err
	}
	db, err := sql.Open(t.d.DriverName(), dsn)
	if err != nil {
		if strings.Contains(err.Error(), "unknown driver") {
			return nil, fmt.Errorf("retort: no database/sql driver %q is registered: import the driver for %s in your program", t.d.DriverName(), t.d.Name())
		}
		return nil, connectError(t.d, t.url, err)
	}
	t.d.ConfigureDB(db, t.url)
	return db, nil
}

func (p *Project) target() (*target, error) {
	u, err := p.Config.ResolveURL()
	if err != nil {
		return nil, err
	}
	d, err := DialectFor(u.Dialect)
	if err != nil {
		return nil, err
	}
	return &target{url: u, d: d}, nil
}

func (p *Project) tables(d dialect.Dialect) (vt, ht dialect.Table) {
	vt = dialect.Table{Schema: p.Config.VersionTableSchema, Name: p.Config.VersionTable}
	ht = dialect.Table{Schema: p.Config.VersionTableSchema, Name: p.Config.HistoryTable}
	return vt, ht
}

// ConnectError is a failure to reach the database; URL has no password.
type ConnectError struct {
	URL string
	Err error
	// Hint says what the error means and what to do, when the dialect
	// knows (dialect.ErrorHinter).
	Hint string
}

func (e *ConnectError) Error() string {
	msg := fmt.Sprintf("cannot connect to %s: %s", e.URL, oneLineDeduped(config.RedactString(e.Err.Error())))
	if e.Hint != "" {
		msg += "; " + e.Hint
	}
	return msg
}

// connectError wraps a failure to reach u's database, with the dialect's
// hint when it has one.
func connectError(d dialect.Dialect, u *config.URL, err error) *ConnectError {
	ce := &ConnectError{URL: u.Redacted(), Err: err}
	if h, ok := d.(dialect.ErrorHinter); ok {
		ce.Hint = h.Hint(err)
	}
	return ce
}

// oneLineDeduped folds a driver's multi-line message (pgx lists every
// address and TLS mode it tried, often the same failure twice) into one
// line without repeats.
func oneLineDeduped(msg string) string {
	var parts []string
	seen := map[string]bool{}
	for _, line := range strings.Split(msg, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || seen[line] {
			continue
		}
		seen[line] = true
		parts = append(parts, strings.TrimSuffix(line, ":"))
	}
	return strings.Join(parts, ": ")
}

func (e *ConnectError) Unwrap() error { return e.Err }

// session is one open connection to the project's database.
type session struct {
	t    *target
	db   *sql.DB
	conn *sql.Conn
}

func (s *session) close() error {
	var errs []error
	if s.conn != nil {
		// A connection the server ended is already closed: not an error.
		if err := s.conn.Close(); !errors.Is(err, sql.ErrConnDone) {
			errs = append(errs, err)
		}
	}
	if s.db != nil {
		errs = append(errs, s.db.Close())
	}
	return errors.Join(errs...)
}

// connect opens one connection and prepares its session.
func (p *Project) connect(ctx context.Context) (*session, error) {
	t, err := p.target()
	if err != nil {
		return nil, err
	}
	db, err := t.open()
	if err != nil {
		return nil, err
	}
	s := &session{t: t, db: db}
	conn, err := db.Conn(ctx)
	if err == nil {
		err = conn.PingContext(ctx)
	}
	if err != nil {
		_ = s.close()
		return nil, connectError(t.d, t.url, err)
	}
	s.conn = conn
	if err := t.d.PrepareSession(ctx, conn, dialect.SessionOptions{StatementLockTimeout: p.Config.StatementLockTimeout}); err != nil {
		_ = s.close()
		return nil, fmt.Errorf("prepare session on %s: %w", t.url.Redacted(), err)
	}
	return s, nil
}

// WithHeaderCache keeps parsed revision headers in dir between runs, so
// commands that only need the graph stat the files instead of reading them.
// The retort command uses $RETORT_CACHE_DIR, else the user's cache directory.
func WithHeaderCache(dir string) Option {
	return optionFunc(func(p *Project) { p.cacheDir = dir })
}

// WithXArgs passes -x key=value pairs to the project: Go migrations read
// them with Operations.XArgs (online, offline and in Project.Test), and
// revision templates as .X.
func WithXArgs(x map[string]string) Option {
	// A copy, so that the caller changing its map later does not change
	// what the migrations see.
	x = maps.Clone(x)
	return optionFunc(func(p *Project) { p.xArgs = x })
}

// XArgs returns the -x key=value pairs the project was opened with.
func (p *Project) XArgs() map[string]string { return p.xArgs }
