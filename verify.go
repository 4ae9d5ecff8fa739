package retort

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/retortdb/retort/migrate"
)

// Checksum states a revision can be in, as `verify` reports them.
const (
	// ChecksumOK: the file is as it was when it ran.
	ChecksumOK = "ok"
	// ChecksumEdited: the file changed after it ran.
	ChecksumEdited = "edited"
	// ChecksumDeleted: an applied revision's file is gone.
	ChecksumDeleted = "deleted"
	// ChecksumUnrecorded: applied before retort (by Alembic, or by a stamp
	// without history): nothing to compare against.
	ChecksumUnrecorded = "unrecorded"
	// ChecksumGo: a Go revision, whose code is compiled into the program
	// rather than read from a file: not checksummed.
	ChecksumGo = "go"
)

// RevisionCheck is the verdict on one applied revision.
type RevisionCheck struct {
	Revision string    `json:"revision"`
	Path     string    `json:"path,omitempty"`
	State    string    `json:"state"`
	Recorded string    `json:"recorded_checksum,omitempty"`
	Current  string    `json:"current_checksum,omitempty"`
	At       time.Time `json:"recorded_at,omitzero"`
}

// VerifyReport is what `verify` found: one check per applied revision, in
// graph order.
type VerifyReport struct {
	Checks []RevisionCheck `json:"revisions"`
}

// Problems returns the edited and deleted revisions.
func (r *VerifyReport) Problems() []RevisionCheck {
	var out []RevisionCheck
	for _, c := range r.Checks {
		if c.State == ChecksumEdited || c.State == ChecksumDeleted {
			out = append(out, c)
		}
	}
	return out
}

// ErrChecksumMismatch is returned by `verify` (and `upgrade --strict`) when an
// applied file was edited or deleted.
var ErrChecksumMismatch = errors.New("applied migration files were edited or deleted since they ran")

// Verify compares each applied revision's file with the checksum
// retort_history recorded when it ran (or was stamped, or accepted).
func (p *Project) Verify(ctx context.Context) (*VerifyReport, error) {
	s, err := p.connect(ctx)
	if err != nil {
		return nil, err
	}
	defer s.close()
	vt, ht := p.tables(s.t.d)
	r := migrate.New(s.t.d, nil, migrate.Options{VersionTable: vt, HistoryTable: ht})
	rows, _, err := r.Heads(ctx, s.conn)
	if err != nil {
		return nil, err
	}
	recorded, err := r.Checksums(ctx, s.conn)
	if err != nil {
		return nil, err
	}
	return p.verifyAgainst(rows, recorded)
}

// verifyAgainst builds the report from version rows and recorded checksums.
//
// A revision is applied when it is at or below a version row, as Alembic
// reads the version table; retort_history is only consulted for what the
// rows cannot say. Replaying history alone would be wrong: a stamp moves
// rows without saying which revisions it left below them, so a revision
// that ran and was later stamped away would still look applied (and its
// deleted file be reported). The walk below the rows follows the graph,
// and through a revision whose file is gone, the revisions it revised when
// it last ran (RecordedChecksum.Down). Each applied revision is compared
// with the checksum of its latest run, stamp or accepted edit.
func (p *Project) verifyAgainst(rows []string, recorded map[string]migrate.RecordedChecksum) (*VerifyReport, error) {
	var known, gone []string
	noDown := false // a gone revision whose history does not say what it revised
	visited := map[string]bool{}
	for queue := slices.Clone(rows); len(queue) > 0; queue = queue[1:] {
		id := queue[0]
		if visited[id] {
			continue
		}
		visited[id] = true
		if _, ok := p.Graph.Get(id); ok {
			known = append(known, id)
			continue
		}
		gone = append(gone, id)
		rec, ok := recorded[id]
		noDown = noDown || !ok || len(rec.Down) == 0
		queue = append(queue, rec.Down...)
	}
	applied, err := p.Graph.Applied(known)
	if err != nil {
		return nil, err
	}
	inApplied := make(map[string]bool, len(applied))
	for _, id := range applied {
		inApplied[id] = true
	}
	if noDown {
		// A row whose file is gone and whose history is silent (it was
		// stamped, or ran under Alembic) hides what is below it: fall
		// back on the revisions whose latest step left them applied.
		for _, sc := range p.Scripts {
			if rec, ok := recorded[sc.ID]; ok && rec.Applied && !inApplied[sc.ID] {
				applied = append(applied, sc.ID)
				inApplied[sc.ID] = true
			}
		}
		for id, rec := range recorded {
			if _, ok := p.Graph.Get(id); !ok && rec.Applied && !visited[id] {
				gone = append(gone, id)
			}
		}
	}
	rep := &VerifyReport{}
	for _, id := range applied {
		sc := p.Script(id)
		c := RevisionCheck{Revision: id, Path: sc.Path, Current: sc.Checksum}
		rec, ok := recorded[id]
		switch {
		case p.goByID[id] != nil:
			c.State = ChecksumGo
		case !ok || rec.Checksum == "":
			c.State = ChecksumUnrecorded
		case rec.Checksum == sc.Checksum:
			c.State, c.Recorded, c.At = ChecksumOK, rec.Checksum, rec.At
		default:
			c.State, c.Recorded, c.At = ChecksumEdited, rec.Checksum, rec.At
		}
		rep.Checks = append(rep.Checks, c)
	}
	// Applied revisions whose files are gone: rows naming no file, and
	// what the history says those revised.
	slices.Sort(gone)
	for _, id := range gone {
		rep.Checks = append(rep.Checks, RevisionCheck{Revision: id, State: ChecksumDeleted, Recorded: recorded[id].Checksum, At: recorded[id].At})
	}
	return rep, nil
}

// Accept records the current checksum of revisions whose files were edited
// on purpose, so verify and upgrade accept them from now on. It takes the
// lock that serialises runs, as upgrade does (o.NoLock, o.LockTimeout and
// o.OnEvent apply; o.Tag is recorded).
func (p *Project) Accept(ctx context.Context, specs []string, o RunOptions) ([]string, error) {
	var ids []string
	for _, spec := range specs {
		got, err := p.Graph.Resolve(spec)
		if err != nil {
			return nil, err
		}
		ids = append(ids, got...)
	}
	if len(ids) == 0 {
		return nil, &UsageError{"verify --accept needs a revision"}
	}
	var checksums []string
	for _, id := range ids {
		if err := p.Script(id).Complete(); err != nil {
			return nil, err
		}
		checksums = append(checksums, p.Script(id).Checksum)
	}
	r, _, err := p.runner(o)
	if err != nil {
		return nil, err
	}
	// It writes retort_history, so it waits for a run in progress as a run
	// would (on SQLite, connecting during one fails on the busy timeout).
	err = p.withWriteSession(ctx, o, r, false, func(s *session) error {
		if err := r.RecordAccepted(ctx, s.conn, ids, checksums); err != nil {
			return fmt.Errorf("verify --accept: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return ids, nil
}
