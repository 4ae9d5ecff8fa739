// Package autogen builds the two schemas autogenerate compares: the target
// (the declared DDL, loaded into a scratch database and inspected) and the
// live database's.
package autogen

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/retortdb/retort/config"
	"github.com/retortdb/retort/dialect"
	"github.com/retortdb/retort/internal/sqlsplit"
	"github.com/retortdb/retort/schema"
)

// TargetError reports a statement of the target schema that could not be
// split or that the database refused. Its message names the file, the line
// on which the statement starts and the database's message.
type TargetError struct {
	// File is the target file, as found under the configured path.
	File string
	// Line is the 1-based line on which the statement starts (for a split
	// error, the construct that never ends).
	Line int
	// Stmt is the statement the database refused; "" for a split error.
	Stmt string
	// Err is the database's (or the splitter's) error.
	Err error
}

// Error returns "retort/autogen: file:line: message", with the statement's
// first line when there is one.
func (e *TargetError) Error() string {
	msg := fmt.Sprintf("retort/autogen: %s:%d: %s", e.File, e.Line, config.RedactString(e.Err.Error()))
	if e.Stmt != "" {
		first, _, more := strings.Cut(e.Stmt, "\n")
		if len(first) > 80 {
			first, more = first[:77], true
		}
		if more {
			first += " …"
		}
		msg += "\n\tin: " + first
	}
	return msg
}

// Unwrap returns the underlying error.
func (e *TargetError) Unwrap() error { return e.Err }

// TargetOption configures [LoadTarget].
type TargetOption interface{ apply(*targetConfig) }

type targetConfig struct {
	inspect dialect.InspectOptions
}

type optionFunc func(*targetConfig)

func (f optionFunc) apply(c *targetConfig) { f(c) }

// WithInspectOptions sets what is read from the scratch database once the
// target is loaded: table filters and, on PostgreSQL, the schemas. Without
// it, every table of every schema is read (Schemas: ["*"]).
func WithInspectOptions(o dialect.InspectOptions) TargetOption {
	return optionFunc(func(c *targetConfig) { c.inspect = o })
}

// closeTimeout bounds dropping the scratch database after ctx is done.
const closeTimeout = 30 * time.Second

// LoadTarget loads the declared schema at path (a .sql file, or a folder
// whose *.sql files are loaded in name order) into a scratch database of
// dialect d and inspects it, so that the database's own parser decides what
// the DDL means.
//
// The scratch database is d's (see dialect.Scratcher): an in-memory SQLite
// database; for PostgreSQL and MySQL a temporary database created on
// base's server, or the database devURL names when it is not "". It is
// always dropped (a dev database emptied) before LoadTarget returns, also
// when loading fails.
//
// Statements are split with d's lexer and run one at a time; explicit
// transaction control (BEGIN, COMMIT) in the files is skipped. A statement
// the database refuses ends the load with a *TargetError naming the file,
// the line and the database's message.
func LoadTarget(ctx context.Context, d dialect.Dialect, base *config.URL, devURL string, path string, opts ...TargetOption) (s *schema.Schema, err error) {
	cfg := targetConfig{inspect: dialect.InspectOptions{Schemas: []string{"*"}}}
	for _, o := range opts {
		o.apply(&cfg)
	}
	scratcher, ok := d.(dialect.Scratcher)
	if !ok {
		return nil, fmt.Errorf("retort/autogen: the %s dialect cannot load a target schema", d.Name())
	}
	var dev *config.URL
	if devURL != "" {
		if dev, err = config.ParseURL(devURL); err != nil {
			return nil, fmt.Errorf("retort/autogen: dev_url: %w", err)
		}
		if dev.Dialect != d.Name() {
			return nil, fmt.Errorf("retort/autogen: dev_url %s is a %s database, the project's is %s", dev.Redacted(), dev.Dialect, d.Name())
		}
	}
	files, err := targetFiles(path)
	if err != nil {
		return nil, err
	}
	// Split everything before a database is touched.
	type stmt struct {
		file string
		sqlsplit.Statement
	}
	var stmts []stmt
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("retort/autogen: read target: %w", err)
		}
		split, err := sqlsplit.Split(string(src), d.SplitDialect())
		if err != nil {
			te := &TargetError{File: f, Err: err}
			var se *sqlsplit.SyntaxError
			if errors.As(err, &se) {
				te.Line, te.Err = se.Line, errors.New(se.Msg)
			}
			return nil, te
		}
		for _, s := range split {
			stmts = append(stmts, stmt{f, s})
		}
	}

	sc, err := scratcher.OpenScratch(ctx, base, dev)
	if err != nil {
		return nil, err
	}
	defer func() {
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), closeTimeout)
		defer cancel()
		if cerr := sc.Close(cctx); cerr != nil {
			err = errors.Join(err, fmt.Errorf("retort/autogen: clean up scratch database %s: %w", sc, cerr))
			s = nil
		}
	}()
	for _, st := range stmts {
		if st.Kind != sqlsplit.Other {
			continue
		}
		if err := sc.Exec(ctx, st.SQL); err != nil {
			return nil, &TargetError{File: st.file, Line: st.Line, Stmt: st.SQL, Err: err}
		}
	}
	s, err = sc.Inspect(ctx, cfg.inspect)
	if err != nil {
		return nil, fmt.Errorf("retort/autogen: inspect the target in %s: %w", sc, err)
	}
	return s, nil
}

// targetFiles returns path itself, or the *.sql files of the folder path
// in name order.
func targetFiles(path string) ([]string, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("retort/autogen: target: %w", err)
	}
	if !info.IsDir() {
		return []string{path}, nil
	}
	entries, err := os.ReadDir(path)
	if err != nil {
		return nil, fmt.Errorf("retort/autogen: target: %w", err)
	}
	var files []string
	for _, e := range entries {
		if strings.HasSuffix(strings.ToLower(e.Name()), ".sql") && !e.IsDir() {
			files = append(files, filepath.Join(path, e.Name()))
		}
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("retort/autogen: target folder %s holds no .sql files", path)
	}
	slices.Sort(files)
	return files, nil
}
