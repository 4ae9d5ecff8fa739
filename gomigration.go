package retort

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"

	"github.com/retortdb/retort/config"
	"github.com/retortdb/retort/migrate"
	"github.com/retortdb/retort/op"
	"github.com/retortdb/retort/revision"
	"github.com/retortdb/retort/script"
)

// MigrationFunc is one direction of a Go migration. o is bound to the
// run: online to the migration's transaction (or its connection, for a
// NoTransaction migration), offline to the script being written.
type MigrationFunc func(ctx context.Context, o *op.Operations) error

// GoMigration is a revision written in Go: the header fields of a SQL
// revision file as a struct, with Go functions for its two directions.
// Register it from an init function of the versions package; SQL and Go
// revisions form one graph.
type GoMigration struct {
	// Revision is the revision id (Alembic's revision).
	Revision string
	// Revises are the parent revisions (Alembic's down_revision): none for
	// a base, several for a merge point.
	Revises []string
	// BranchLabels and DependsOn are Alembic's branch_labels and
	// depends_on.
	BranchLabels []string
	DependsOn    []string
	// Message is the revision's one-line message; Doc any further text.
	Message string
	Doc     string
	// CreateDate is the creation time as written by `retort revision`.
	CreateDate string
	// Upgrade applies the revision.
	Upgrade MigrationFunc
	// Downgrade reverts it; nil makes the revision irreversible.
	Downgrade MigrationFunc
	// NoTransaction runs both directions outside any transaction, as
	// `-- retort:no-transaction` does for a SQL section.
	NoTransaction bool

	// file is the Go file that registered the migration; it orders the
	// revision among the files of its version location.
	file string
}

// registry holds the Go migrations registered by init functions: the one
// piece of package-level state, as database/sql keeps its drivers.
var registry struct {
	mu   sync.Mutex
	list []GoMigration
}

// Register adds a Go migration to the revisions every Project opened in
// this program sees (unless opened WithGoMigrations). Call it from an
// init function of the versions package; the file it is called from
// orders the revision among the files of its version location, as a SQL
// revision's file name does. Mistakes (a bad id, a missing Upgrade) are
// reported by Open, with the file, not here.
func Register(m GoMigration) {
	if _, file, _, ok := runtime.Caller(1); ok && m.file == "" {
		m.file = file
	}
	registry.mu.Lock()
	defer registry.mu.Unlock()
	registry.list = append(registry.list, m)
}

// Registered returns the Go migrations registered so far, in registration
// order.
func Registered() []GoMigration {
	registry.mu.Lock()
	defer registry.mu.Unlock()
	return slices.Clone(registry.list)
}

// WithGoMigrations gives the project exactly these Go migrations instead of
// the registered ones (tests, or programs that keep several projects
// apart). A migration's position among the files of its version location
// is that of the file calling WithGoMigrations.
func WithGoMigrations(ms ...GoMigration) Option {
	_, file, _, _ := runtime.Caller(1)
	list := slices.Clone(ms)
	for i := range list {
		if list[i].file == "" {
			list[i].file = file
		}
	}
	return optionFunc(func(p *Project) {
		p.goMigrations = list
		p.goExplicit = true
	})
}

// WithFS reads the SQL revisions from dirs of fsys (an embed.FS compiled
// into the program, say) instead of the config's version locations, in the
// order given ("." when none). Go migrations whose file lies in a folder
// whose path ends with one of dirs belong to that location.
func WithFS(fsys fs.FS, dirs ...string) Option {
	if len(dirs) == 0 {
		dirs = []string{"."}
	}
	return optionFunc(func(p *Project) {
		p.fsys = fsys
		p.fsDirs = slices.Clone(dirs)
	})
}

// goScript describes a Go migration as the script of its revision, so the
// graph, history and show treat both kinds alike.
func (m *GoMigration) script() (*script.Script, error) {
	where := m.file
	if where == "" {
		where = "Go migration"
	}
	switch {
	case m.Revision == "":
		return nil, fmt.Errorf("%s: Go migration %q has no Revision", where, m.Message)
	case m.Upgrade == nil:
		return nil, fmt.Errorf("%s: Go migration %s has no Upgrade function", where, m.Revision)
	}
	if err := script.ValidateID(m.Revision); err != nil {
		return nil, fmt.Errorf("%s: %w", where, err)
	}
	doc := m.Message
	if m.Doc != "" {
		doc += "\n\n" + m.Doc
	}
	s := &script.Script{
		Revision: revision.Revision{
			ID:           m.Revision,
			Down:         slices.Clone(m.Revises),
			BranchLabels: slices.Clone(m.BranchLabels),
			DependsOn:    slices.Clone(m.DependsOn),
			Message:      m.Message,
			LongDoc:      doc,
			Path:         m.file,
		},
		CreateDate: m.CreateDate,
		FileName:   filepath.Base(m.file),
	}
	if m.Downgrade != nil {
		s.Downgrade = &script.Section{}
	}
	return s, nil
}

// migration is the runnable side of a Go migration.
func (m *GoMigration) migration() *migrate.Migration {
	mig := &migrate.Migration{ID: m.Revision, Path: m.file,
		Upgrade: &migrate.Body{Go: migrate.GoFunc(m.Upgrade), NoTransaction: m.NoTransaction}}
	if m.Downgrade != nil {
		mig.Downgrade = &migrate.Body{Go: migrate.GoFunc(m.Downgrade), NoTransaction: m.NoTransaction}
	}
	return mig
}

// mergeGoMigrations places the Go migrations among the SQL scripts loaded
// from locations: each in the location its file's folder ends with (else
// the first), ordered by file name with that location's SQL files, which
// is the load order that breaks ties between branches.
func mergeGoMigrations(sqlScripts []*script.Script, locations []string, gos []GoMigration) ([]*script.Script, map[string]*GoMigration, error) {
	if len(gos) == 0 {
		return sqlScripts, nil, nil
	}
	byLoc := make([][]*script.Script, len(locations)+1)
	// A Go migration's file path is where it was compiled, which may be
	// another machine (or a module path, with -trimpath): the location it
	// belongs to is the one sharing the longest run of trailing folder
	// names with it.
	locOf := func(dir string) int {
		best, bestN := -1, 0
		for i, loc := range locations {
			if n := commonTail(dir, loc); n > bestN {
				best, bestN = i, n
			}
		}
		return best
	}
	for _, s := range sqlScripts {
		i := locOf(filepath.Dir(s.Path))
		if i < 0 {
			i = len(locations) // not expected: keep it, after the rest
		}
		byLoc[i] = append(byLoc[i], s)
	}
	goByID := make(map[string]*GoMigration, len(gos))
	var errs []error
	for i := range gos {
		m := &gos[i]
		s, err := m.script()
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if prev, dup := goByID[m.Revision]; dup {
			errs = append(errs, fmt.Errorf("%s: Go migration %s is registered twice (also in %s)", m.file, m.Revision, prev.file))
			continue
		}
		goByID[m.Revision] = m
		li := locOf(filepath.Dir(m.file))
		if li < 0 {
			li = 0
		}
		byLoc[li] = append(byLoc[li], s)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, nil, err
	}
	var all []*script.Script
	for _, group := range byLoc {
		slices.SortStableFunc(group, func(a, b *script.Script) int { return strings.Compare(a.FileName, b.FileName) })
		all = append(all, group...)
	}
	return all, goByID, nil
}

// commonTail counts the trailing path elements a and b share.
func commonTail(a, b string) int {
	x := strings.Split(filepath.ToSlash(filepath.Clean(a)), "/")
	y := strings.Split(filepath.ToSlash(filepath.Clean(b)), "/")
	n := 0
	for n < len(x) && n < len(y) && x[len(x)-1-n] == y[len(y)-1-n] && x[len(x)-1-n] != "" {
		n++
	}
	return n
}

// ownGoMigrations picks, among the registered Go migrations, those of the
// project cfg describes: each lives in a folder whose path ends with one of
// the config's version locations, taken relative to the config file (the
// path a program was compiled at differs from where it runs, but not in
// its tail). In a multidb config the others belong to other databases;
// otherwise one outside every location is an error naming it. Without a
// config file (New) or with embedded files (WithFS) every registered
// migration is the project's.
func ownGoMigrations(cfg *config.Config, gos []GoMigration, embedded bool) ([]GoMigration, error) {
	if cfg.File == "" || embedded || len(gos) == 0 {
		return gos, nil
	}
	var rels []string
	for _, loc := range cfg.VersionLocations {
		rel, err := filepath.Rel(cfg.Dir, loc)
		if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			return gos, nil // a location outside the config's folder: keep every migration
		}
		rels = append(rels, rel)
	}
	var own []GoMigration
	var errs []error
	for _, m := range gos {
		dir := filepath.Dir(m.file)
		in := slices.ContainsFunc(rels, func(rel string) bool {
			return rel == "." || commonTail(dir, rel) == len(strings.Split(filepath.ToSlash(rel), "/"))
		})
		switch {
		case in:
			own = append(own, m)
		case cfg.Name == "":
			errs = append(errs, fmt.Errorf("%s: Go migration %s is not in a version location of %s (%s): move the file there, or list its folder in version_locations",
				m.file, m.Revision, cfg.DisplayFile(), strings.Join(rels, ", ")))
		}
	}
	return own, errors.Join(errs...)
}
