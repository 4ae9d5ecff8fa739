package migrate

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"time"

	"github.com/retortdb/retort/dialect"
)

// RecordedChecksum is what retort_history says about one revision's file.
type RecordedChecksum struct {
	// Checksum is the file's checksum when it last ran, was stamped, or was
	// accepted with `verify --accept`; "" if never recorded.
	Checksum string
	// At is when that was recorded.
	At time.Time
	// Applied is whether the revision's latest step left it in the version
	// table: false after a downgrade of it, or a stamp to base that removed
	// its row. It cannot see a stamp that moved a row below the revision
	// (stamp rows do not say which way they went), so whether a revision
	// is applied is decided from the version rows (retort.Project.Verify);
	// Applied only stands in where the rows cannot tell.
	Applied bool
	// Down are the revisions it revised when it last ran (the from side
	// of its latest upgrade), so that what lies below a version row whose
	// file is gone can still be found.
	Down []string
}

// Checksums replays retort_history in order and returns, per revision, the
// checksum its file had when it was last applied. A database without the
// history table (one Alembic managed) gives an empty map.
func (r *Runner) Checksums(ctx context.Context, q dialect.Querier) (map[string]RecordedChecksum, error) {
	out := map[string]RecordedChecksum{}
	exists, err := r.d.TableExists(ctx, q, r.opts.HistoryTable)
	if err != nil || !exists {
		return out, err
	}
	rows, err := q.QueryContext(ctx, "SELECT revision, direction, status, from_revisions, to_revisions, checksum, started_at FROM "+
		r.d.QualifiedName(r.opts.HistoryTable)+" ORDER BY id")
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", r.opts.HistoryTable.Name, err)
	}
	defer rows.Close()
	for rows.Next() {
		var rev, dir, status string
		var from, to, sum sql.NullString
		var at any
		if err := rows.Scan(&rev, &dir, &status, &from, &to, &sum, &at); err != nil {
			return nil, fmt.Errorf("read %s: %w", r.opts.HistoryTable.Name, err)
		}
		rec := out[rev]
		switch {
		case status == "accepted":
			rec.Checksum, rec.At = sum.String, parseTime(at)
		case status == "stamped" && slices.Contains(splitList(to.String), rev):
			// Stamped to this revision: the file as it was then is what
			// the database is taken to hold.
			rec = RecordedChecksum{Checksum: sum.String, At: parseTime(at), Applied: true, Down: rec.Down}
		case status == "stamped":
			// A stamp to base records the row it removed as its revision.
			rec.Applied = false
		case status == "applied" && dir == "upgrade":
			rec = RecordedChecksum{Checksum: sum.String, At: parseTime(at), Applied: true, Down: splitList(from.String)}
		case status == "applied" && dir == "downgrade":
			rec = RecordedChecksum{Down: rec.Down}
		default:
			continue // started, failed, settled: the file's state then says nothing
		}
		out[rev] = rec
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read %s: %w", r.opts.HistoryTable.Name, err)
	}
	return out, nil
}

// RecordAccepted writes an `accepted` history row per revision with the
// file's current checksum, for an edit made on purpose. It creates the
// history table if needed.
func (r *Runner) RecordAccepted(ctx context.Context, conn *sql.Conn, ids, checksums []string) error {
	for _, ddl := range r.d.HistoryTableDDL(r.opts.HistoryTable) {
		if _, err := conn.ExecContext(ctx, ddl); err != nil {
			return fmt.Errorf("create %s: %w", r.opts.HistoryTable.Name, err)
		}
	}
	ex := newOnlineExec(r.d, conn)
	if err := ex.begin(ctx); err != nil {
		return err
	}
	runID := newRunID()
	now := clock{r.opts.Now().UTC()}
	for i, id := range ids {
		qq := q("INSERT INTO ", r.d.QualifiedName(r.opts.HistoryTable), " ", historyColumns, ") VALUES (",
			arg{runID}, ", ", arg{id}, ", 'verify', 'accepted', NULL, NULL, NULL, ", arg{checksums[i]}, ", 1, ",
			arg{nilIfEmpty(r.opts.Tag)}, ", ", arg{now}, ", ", arg{now}, ")")
		if _, err := ex.execQuery(ctx, qq); err != nil {
			return fmt.Errorf("record %s: %w", id, joinRollback(err, ex.rollback(ctx)))
		}
	}
	return ex.commit(ctx)
}

func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func joinRollback(err, rbErr error) error {
	if rbErr != nil {
		return fmt.Errorf("%w (and rollback: %v)", err, rbErr)
	}
	return err
}
