package migrate_test

import (
	"context"
	"errors"
	"testing"

	"github.com/retortdb/retort/dialect"
	"github.com/retortdb/retort/internal/testdb"
	"github.com/retortdb/retort/migrate"
	"github.com/retortdb/retort/revision"
)

// An UPDATE of the version table that matches no row fails the step, on
// every dialect and whether or not the write is batched with the history
// row (PostgreSQL).
func TestVersionRowCheck(t *testing.T) {
	t.Parallel()
	for _, name := range testdb.Dialects(t) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			u := testdb.New(t, name)
			d, err := testdb.Dialect(name)
			if err != nil {
				t.Fatal(err)
			}
			db := testdb.Open(t, u)
			ctx := context.Background()
			conn, err := db.Conn(ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			r := migrate.New(d, nil, migrate.Options{
				VersionTable:            dialect.Table{Name: "alembic_version"},
				HistoryTable:            dialect.Table{Name: "retort_history"},
				TransactionPerMigration: true,
			})
			target := &revision.Revision{ID: "bbbb"}
			stamp := func(w revision.VersionWrite) error {
				_, err := r.Apply(ctx, conn, func([]string) ([]revision.Step, error) {
					return []revision.Step{{Revision: target, Stamp: true, To: []string{"bbbb"}, Writes: []revision.VersionWrite{w}}}, nil
				})
				return err
			}
			if err := stamp(revision.VersionWrite{Op: revision.Insert, To: "aaaa"}); err != nil {
				t.Fatal(err)
			}
			err = stamp(revision.VersionWrite{Op: revision.Update, From: "zzzz", To: "bbbb"})
			var vr *migrate.VersionRowError
			if !errors.As(err, &vr) || vr.RowsSeen != 0 {
				t.Fatalf("want a VersionRowError with 0 rows, got %v", err)
			}
			rows, _, err := r.Heads(ctx, conn)
			if err != nil || len(rows) != 1 || rows[0] != "aaaa" {
				t.Fatalf("rows after the failed step: %v %v (the step must have rolled back)", rows, err)
			}
			var n int
			if err := conn.QueryRowContext(ctx, "SELECT count(*) FROM retort_history WHERE status = 'stamped'").Scan(&n); err != nil || n != 1 {
				t.Fatalf("history rows %d, %v: the failed step's row must be rolled back too", n, err)
			}
		})
	}
}
