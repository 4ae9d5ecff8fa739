package retort

import (
	"context"
	"errors"
	"slices"
	"strings"

	"github.com/retortdb/retort/migrate"
	"github.com/retortdb/retort/revision"
)

// CurrentState is what `current` reports.
type CurrentState struct {
	// URL is the database, password masked.
	URL string
	// Rows are the version table's rows as the database returned them.
	Rows []string
	// Revisions are the rows plus the revisions their dependencies imply
	// (Alembic's get_all_current), in graph load order.
	Revisions []*revision.Revision
	// AtHeads reports whether the rows are exactly the graph's heads
	// (`current --check-heads`).
	AtHeads bool
	// Unsettled are steps retort_history shows as interrupted, or failed
	// part-way, on a database that could not roll them back: the rows may
	// not say what the schema holds, and every run but a stamp refuses to
	// start until each is settled by hand.
	Unsettled []*migrate.PartialStepError
	// AncestorRows are rows that are ancestors of another row, which
	// Alembic never writes: Revisions shows them only through that
	// descendant, and upgrade refuses until the table is rewritten.
	AncestorRows []string
}

// ErrNotAtHead is returned by callers (such as `current --check-heads`) that
// treat a database not on all heads as a failure. Its text is Alembic's.
var ErrNotAtHead error = notAtHeadError{}

type notAtHeadError struct{}

func (notAtHeadError) Error() string { return "Database is not on all head revisions" }

// Current reads the version table. It never creates it: a database without
// one is at base.
func (p *Project) Current(ctx context.Context) (*CurrentState, error) {
	var unsettled []*migrate.PartialStepError
	rows, redacted, err := p.readRowsThen(ctx, func(s *session, r *migrate.Runner) (err error) {
		unsettled, err = r.Unsettled(ctx, s.conn)
		return err
	})
	if err != nil {
		return nil, err
	}
	ids, err := p.Graph.Current(rows)
	if err != nil {
		return nil, err
	}
	st := &CurrentState{URL: redacted, Rows: rows, Unsettled: unsettled}
	for _, id := range ids {
		r, _ := p.Graph.Get(id)
		st.Revisions = append(st.Revisions, r)
	}
	for _, row := range rows {
		if !slices.Contains(ids, row) && !slices.Contains(st.AncestorRows, row) {
			st.AncestorRows = append(st.AncestorRows, row)
		}
	}
	heads := p.Graph.Heads()
	st.AtHeads = sameSet(rows, heads)
	return st, nil
}

func sameSet(a, b []string) bool {
	x, y := slices.Clone(a), slices.Clone(b)
	slices.Sort(x)
	slices.Sort(y)
	return slices.Equal(slices.Compact(x), slices.Compact(y))
}

// readRows connects, reads the version rows and disconnects.
func (p *Project) readRows(ctx context.Context) (rows []string, redactedURL string, err error) {
	return p.readRowsThen(ctx, nil)
}

// readRowsThen is readRows, then calls more (when not nil) on the same
// connection before it is closed.
func (p *Project) readRowsThen(ctx context.Context, more func(*session, *migrate.Runner) error) (rows []string, redactedURL string, err error) {
	s, err := p.connect(ctx)
	if err != nil {
		return nil, "", err
	}
	defer func() { err = errors.Join(err, s.close()) }()
	vt, ht := p.tables(s.t.d)
	r := migrate.New(s.t.d, nil, migrate.Options{VersionTable: vt, HistoryTable: ht})
	if rows, _, err = r.Heads(ctx, s.conn); err != nil {
		return nil, "", err
	}
	if more != nil {
		if err := more(s, r); err != nil {
			return nil, "", err
		}
	}
	return rows, s.t.url.Redacted(), nil
}

// Heads returns the graph's heads: with resolveDependencies, only the real
// heads (Alembic's `heads --resolve-dependencies`).
func (p *Project) Heads(resolveDependencies bool) []*revision.Revision {
	ids := p.Graph.Heads()
	if resolveDependencies {
		ids = p.Graph.RealHeads()
	}
	return p.revisions(ids)
}

func (p *Project) revisions(ids []string) []*revision.Revision {
	out := make([]*revision.Revision, 0, len(ids))
	for _, id := range ids {
		if r, ok := p.Graph.Get(id); ok {
			out = append(out, r)
		}
	}
	return out
}

// Branches returns the branch points, newest first, as Alembic's `branches`.
func (p *Project) Branches() ([]*revision.Revision, error) {
	all, err := p.Graph.History("", "", nil)
	if err != nil {
		return nil, err
	}
	var out []*revision.Revision
	for _, r := range all {
		if p.Graph.IsBranchPoint(r.ID) {
			out = append(out, r)
		}
	}
	return out, nil
}

// HistoryResult is what `history` lists.
type HistoryResult struct {
	// Revisions, newest first (the order of a full downgrade).
	Revisions []*revision.Revision
	// Current holds the version rows, when they were read (a range naming
	// "current", or indicateCurrent).
	Current map[string]bool
}

// History lists the revisions of rangeSpec ("[start]:[end]", "" for all).
// The database is read only when the range names "current" or
// indicateCurrent is set.
func (p *Project) History(ctx context.Context, rangeSpec string, indicateCurrent bool) (*HistoryResult, error) {
	var lower, upper string
	if rangeSpec != "" {
		var ok bool
		lower, upper, ok = strings.Cut(strings.TrimSpace(rangeSpec), ":")
		if !ok {
			return nil, &UsageError{"History range requires [start]:[end], [start]:, or :[end]"}
		}
	}
	res := &HistoryResult{}
	var rows []string
	if indicateCurrent || lower == "current" || upper == "current" {
		var err error
		if rows, _, err = p.readRows(ctx); err != nil {
			return nil, err
		}
		res.Current = make(map[string]bool, len(rows))
		for _, r := range rows {
			res.Current[r] = true
		}
	}
	revs, err := p.Graph.History(lower, upper, rows)
	if err != nil {
		return nil, err
	}
	res.Revisions = revs
	return res, nil
}

// Show resolves spec to revisions; "current" reads the database.
func (p *Project) Show(ctx context.Context, spec string) ([]*revision.Revision, error) {
	if spec == "current" {
		rows, _, err := p.readRows(ctx)
		if err != nil {
			return nil, err
		}
		return p.revisions(rows), nil
	}
	ids, err := p.Graph.Resolve(spec)
	if err != nil {
		return nil, err
	}
	return p.revisions(ids), nil
}
