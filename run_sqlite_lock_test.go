package retort_test

import (
	"context"
	"maps"
	"strings"
	"testing"

	"github.com/retortdb/retort"
	"github.com/retortdb/retort/config"
	"github.com/retortdb/retort/internal/testdb"
	"github.com/retortdb/retort/op"
)

// TestSQLiteRunHoldsTheDatabaseLock: an upgrade on a SQLite file keeps the
// database locked from its first commit to its end (a Go migration in the
// middle of the run finds another connection locked out), lets go of it
// when the run ends, and with ?locking_mode=normal leaves the database
// readable between commits, as SQLite does by default.
func TestSQLiteRunHoldsTheDatabaseLock(t *testing.T) {
	for _, tc := range []struct {
		query      string
		wantLocked bool
	}{
		{"", true},
		{"locking_mode=normal", false},
	} {
		t.Run("query="+tc.query, func(t *testing.T) {
			files := map[string]string{
				"a.sql": sqlRev("aaaa", "", "table", "CREATE TABLE t (x INTEGER);", "DROP TABLE t;"),
			}
			f := newFixture(t, config.SQLite, files, "")
			if tc.query != "" {
				u := *f.url
				u.Query = maps.Clone(f.url.Query)
				k, v, _ := strings.Cut(tc.query, "=")
				u.Query.Set(k, v)
				f.url = &u
			}
			var probeErr error
			probed := false
			gos := []retort.GoMigration{{
				Revision: "bbbb", Revises: []string{"aaaa"}, Message: "probe",
				Upgrade: func(ctx context.Context, o *op.Operations) error {
					var n int
					probeErr = testdb.SQLiteNoWait(t, f.url.Path).QueryRowContext(ctx, "SELECT count(*) FROM t").Scan(&n)
					probed = true
					return nil
				},
				Downgrade: func(ctx context.Context, o *op.Operations) error { return nil },
			}}
			p := goProject(t, f, gos...)
			if _, err := p.Upgrade(context.Background(), "head", retort.RunOptions{}); err != nil {
				t.Fatal(err)
			}
			if !probed {
				t.Fatal("the probing migration did not run")
			}
			locked := probeErr != nil && strings.Contains(probeErr.Error(), "database is locked")
			if locked != tc.wantLocked || (!locked && probeErr != nil) {
				t.Fatalf("another connection during the run: %v; want locked=%v", probeErr, tc.wantLocked)
			}
			if _, err := testdb.SQLiteNoWait(t, f.url.Path).Exec("INSERT INTO t VALUES (1)"); err != nil {
				t.Fatalf("another connection cannot write after the run: %v", err)
			}
		})
	}
}
