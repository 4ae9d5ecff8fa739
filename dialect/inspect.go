package dialect

import (
	"context"
	"fmt"
	"path"
	"strings"

	"github.com/retortdb/retort/config"
	"github.com/retortdb/retort/schema"
)

// InspectOptions select what [Inspector.Inspect] reads.
type InspectOptions struct {
	// Schemas are the schemas to read (PostgreSQL), as names or path.Match
	// patterns on the schema's name: "*" is every schema but the system
	// ones (pg_catalog, information_schema, pg_toast, pg_temp_…). Empty
	// means the connection's default schema only. Dialects without
	// schemas ignore it.
	Schemas []string
	// VersionTable and HistoryTable are retort's own tables, never part of
	// the result. A Table.Schema of "" means the default schema. A zero
	// Table excludes nothing.
	VersionTable, HistoryTable Table
	// IncludeTables and ExcludeTables are path.Match patterns. A table is
	// read when it matches an include pattern (or IncludeTables is empty)
	// and no exclude pattern. A pattern without a '.' matches the table
	// name in any schema; one with a '.' matches "schema.table" with the
	// schema's real name (public.users), and so matches nothing on
	// dialects without schemas.
	IncludeTables, ExcludeTables []string
}

// Validate reports a malformed pattern.
func (o *InspectOptions) Validate() error {
	for _, list := range [][]string{o.Schemas, o.IncludeTables, o.ExcludeTables} {
		for _, p := range list {
			if _, err := path.Match(p, ""); err != nil {
				return fmt.Errorf("retort/dialect: bad pattern %q: %w", p, err)
			}
		}
	}
	return nil
}

// KeepSchema reports whether the schema named name is read; isDefault is
// true for the connection's default schema.
func (o *InspectOptions) KeepSchema(name string, isDefault bool) bool {
	if len(o.Schemas) == 0 {
		return isDefault
	}
	return matchAny(o.Schemas, name)
}

// KeepTable reports whether a table is read: it is not the version or
// history table and passes the include and exclude patterns. schemaName is
// the real schema name ("" on dialects without schemas); isDefault is true
// when it is the connection's default schema.
func (o *InspectOptions) KeepTable(schemaName string, isDefault bool, name string) bool {
	for _, own := range []Table{o.VersionTable, o.HistoryTable} {
		if own.Name == name && (own.Schema == schemaName || own.Schema == "" && isDefault) {
			return false
		}
	}
	match := func(patterns []string) bool {
		for _, p := range patterns {
			subject := name
			if strings.Contains(p, ".") {
				if schemaName == "" {
					continue
				}
				subject = schemaName + "." + name
			}
			if ok, _ := path.Match(p, subject); ok {
				return true
			}
		}
		return false
	}
	if len(o.IncludeTables) > 0 && !match(o.IncludeTables) {
		return false
	}
	return !match(o.ExcludeTables)
}

func matchAny(patterns []string, s string) bool {
	for _, p := range patterns {
		if ok, _ := path.Match(p, s); ok {
			return true
		}
	}
	return false
}

// Inspector may be implemented by a Dialect: it reads a live database's
// schema into the dialect-neutral model. All three of retort's dialects
// implement it.
//
// Inspect runs a fixed number of catalog queries, whatever the number of
// tables, and returns a sorted (canonical) schema in which the dialect's
// spellings are normalised, so that loading the same DDL twice inspects
// Equal. Tables in the connection's default schema have Schema "". The
// version and history tables named in opts are never in the result.
type Inspector interface {
	Inspect(ctx context.Context, q Querier, opts InspectOptions) (*schema.Schema, error)
}

// Scratcher may be implemented by a Dialect that can load a declared schema
// into a scratch database so that the database's own parser decides what
// the DDL means (autogenerate's target). All three of retort's dialects
// implement it.
type Scratcher interface {
	// OpenScratch returns an empty scratch database. base is the project's
	// database URL; dev, when not nil, is the [autogenerate] dev_url, a
	// database to use instead of creating one. What a dialect creates and
	// how it cleans up is documented on its implementation.
	OpenScratch(ctx context.Context, base, dev *config.URL) (Scratch, error)
	// ScratchInMemory reports whether scratch databases live in the
	// process's memory (SQLite): nothing is created beside the project's
	// database, so there is nothing to name or to clean up after a crash.
	ScratchInMemory() bool
}

// Scratch is an empty database that a target schema is loaded into, one
// statement at a time, on one session.
type Scratch interface {
	// Exec runs one statement.
	Exec(ctx context.Context, stmt string) error
	// Inspect reads the schema the statements built.
	Inspect(ctx context.Context, opts InspectOptions) (*schema.Schema, error)
	// Close drops the scratch database, or undoes everything done in a dev
	// database. Callers must call it, also after a failure; a second call
	// does nothing.
	Close(ctx context.Context) error
	// String names the scratch database for messages, password masked.
	String() string
}
