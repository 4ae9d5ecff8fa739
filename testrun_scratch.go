package retort

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/retortdb/retort/config"
	"github.com/retortdb/retort/dialect"
)

// scratchSource hands out the databases Project.Test runs on: the
// dialect's scratch databases (dialect.Scratcher: in memory for SQLite,
// temporary databases beside the project's for PostgreSQL and MySQL), or
// the database TestOptions.URL names.
type scratchSource struct {
	p     *Project
	d     dialect.Dialect
	base  *config.URL // the project's database: temporary ones go beside it
	fixed *config.URL // TestOptions.URL
	used  bool        // fixed was handed out

	open    []*scratchDB
	created []string // every temporary database created, password masked

	// next is a temporary database being created in the background while
	// the walk runs, for the offline check.
	next chan createdDB
}

type createdDB struct {
	sd  *scratchDB
	err error
}

// scratchDB is one open scratch database.
type scratchDB struct {
	name  string // for messages, password masked
	conn  *sql.Conn
	heads []string // version rows, as the checks moved them
	done  func(context.Context) error
}

func (s *scratchDB) close(ctx context.Context) error {
	if s.done == nil {
		return nil
	}
	err := s.done(ctx)
	s.done, s.conn = nil, nil
	return err
}

// sessionConner is implemented by the scratch databases of retort's
// dialects: the connection a migration run can be driven on.
type sessionConner interface {
	SessionConn(ctx context.Context) (*sql.Conn, error)
}

func (p *Project) scratchSource(ctx context.Context, fixed string) (*scratchSource, error) {
	s := &scratchSource{p: p}
	if fixed != "" {
		u, err := config.ParseURL(fixed)
		if err != nil {
			return nil, err
		}
		s.fixed, s.base = u, u
	} else {
		t, err := p.target()
		if err != nil {
			return nil, err
		}
		s.base = t.url
	}
	d, err := DialectFor(s.base.Dialect)
	if err != nil {
		return nil, err
	}
	s.d = d
	return s, nil
}

// memory reports whether scratch databases are in-memory ones.
func (s *scratchSource) memory() bool { return ScratchInMemory(s.d) }

// ScratchInMemory reports whether d's scratch databases (autogenerate's
// target, retort test's checks) live in memory rather than beside the
// project's database.
func ScratchInMemory(d dialect.Dialect) bool {
	sc, ok := d.(dialect.Scratcher)
	return ok && sc.ScratchInMemory()
}

// describe names where the checks run, password masked.
func (s *scratchSource) describe() string {
	switch {
	case s.fixed != nil:
		return s.fixed.Redacted()
	case s.memory():
		return "sqlite:///:memory:"
	}
	return "temporary databases beside " + s.base.Redacted()
}

// fresh returns an empty database: the first call with TestOptions.URL
// returns that database; otherwise a new in-memory or temporary one.
func (s *scratchSource) fresh(ctx context.Context) (*scratchDB, error) {
	switch {
	case s.fixed != nil && !s.used:
		s.used = true
		return s.connect(ctx, s.fixed)
	}
	var c createdDB
	if s.next != nil {
		c = <-s.next
		s.next = nil
	} else {
		c.sd, c.err = s.create(ctx)
	}
	s.track(c.sd)
	return c.sd, c.err
}

// track remembers a scratch database to close.
func (s *scratchSource) track(sd *scratchDB) {
	if sd == nil {
		return
	}
	s.open = append(s.open, sd)
	if !s.memory() {
		s.created = append(s.created, sd.name)
	}
}

// prefetch starts creating the next temporary database in the background.
func (s *scratchSource) prefetch(ctx context.Context) {
	if s.memory() || s.next != nil {
		return
	}
	s.next = make(chan createdDB, 1)
	go func() {
		sd, err := s.create(ctx)
		s.next <- createdDB{sd, err}
	}()
}

// create makes a temporary database beside the project's. On error the
// returned scratchDB, if any, still needs closing.
func (s *scratchSource) create(ctx context.Context) (*scratchDB, error) {
	sc, ok := s.d.(dialect.Scratcher)
	if !ok {
		return nil, fmt.Errorf("retort test: the %s dialect cannot create scratch databases; pass an empty one with --url", s.d.Name())
	}
	scr, err := sc.OpenScratch(ctx, s.base, nil)
	if err != nil {
		return nil, err
	}
	sd := &scratchDB{name: scr.String(), done: scr.Close}
	sess, ok := scr.(sessionConner)
	if !ok {
		return sd, fmt.Errorf("retort test: the %s dialect's scratch databases cannot run migrations", s.d.Name())
	}
	if sd.conn, err = sess.SessionConn(ctx); err != nil {
		return sd, err
	}
	return sd, s.prepare(ctx, sd, true)
}

// connect opens one connection to u.
func (s *scratchSource) connect(ctx context.Context, u *config.URL) (*scratchDB, error) {
	dsn, err := s.d.DSN(u)
	if err != nil {
		return nil, err
	}
	db, err := sql.Open(s.d.DriverName(), dsn)
	if err != nil {
		if strings.Contains(err.Error(), "unknown driver") {
			return nil, fmt.Errorf("retort: no database/sql driver %q is registered: import the driver for %s in your program", s.d.DriverName(), s.d.Name())
		}
		return nil, &ConnectError{URL: u.Redacted(), Err: err}
	}
	s.d.ConfigureDB(db, u)
	sd := &scratchDB{name: u.Redacted()}
	sd.done = func(context.Context) error {
		var errs []error
		if sd.conn != nil {
			errs = append(errs, sd.conn.Close())
		}
		return errors.Join(append(errs, db.Close())...)
	}
	s.open = append(s.open, sd)
	if sd.conn, err = db.Conn(ctx); err == nil {
		err = sd.conn.PingContext(ctx)
	}
	if err != nil {
		return nil, &ConnectError{URL: u.Redacted(), Err: err}
	}
	return sd, s.prepare(ctx, sd, false)
}

// prepare sets up a scratch session as the project's own would be.
func (s *scratchSource) prepare(ctx context.Context, sd *scratchDB, created bool) error {
	if err := s.d.PrepareSession(ctx, sd.conn, dialect.SessionOptions{}); err != nil {
		return fmt.Errorf("prepare session on %s: %w", sd.name, err)
	}
	if vs := s.p.Config.VersionTableSchema; vs != "" && created && s.d.Caps().Schemas {
		// A new database has only the default schema.
		if _, err := sd.conn.ExecContext(ctx, "CREATE SCHEMA IF NOT EXISTS "+s.d.QuoteIdent(vs)); err != nil {
			return fmt.Errorf("create schema %s on %s: %w", vs, sd.name, err)
		}
	}
	return nil
}

// close closes every scratch database and drops the temporary ones, even
// when ctx is done.
func (s *scratchSource) close(ctx context.Context) error {
	if s.next != nil {
		s.track((<-s.next).sd)
		s.next = nil
	}
	errs := make([]error, len(s.open))
	var wg sync.WaitGroup
	for i, sd := range s.open {
		wg.Go(func() { errs[i] = sd.close(ctx) })
	}
	wg.Wait()
	s.open = nil
	return errors.Join(errs...)
}
