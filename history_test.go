package retort_test

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/retortdb/retort"
	"github.com/retortdb/retort/internal/testdb"
	"github.com/retortdb/retort/migrate"
)

// historyRow is one retort_history row as the stamp tests read it.
type historyRow struct{ revision, direction, status, from, to string }

func stampRows(t *testing.T, db *sql.DB, afterID int64) []historyRow {
	t.Helper()
	rows, err := db.Query("SELECT revision, direction, status, from_revisions, to_revisions FROM retort_history WHERE id > " +
		fmt.Sprint(afterID) + " ORDER BY id")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []historyRow
	for rows.Next() {
		var r historyRow
		var from, to sql.NullString
		if err := rows.Scan(&r.revision, &r.direction, &r.status, &from, &to); err != nil {
			t.Fatal(err)
		}
		r.from, r.to = from.String, to.String
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func maxHistoryID(t *testing.T, db *sql.DB) int64 {
	t.Helper()
	var id int64
	if err := db.QueryRow("SELECT MAX(id) FROM retort_history").Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}

// TestStampPurgeHistoryRows: `stamp --purge` records one history row per
// version row it removes, however many there are and whatever they name.
// It used to write a single row whose revision was the ids joined with
// commas, which overflows the VARCHAR(32) column on PostgreSQL and MySQL.
func TestStampPurgeHistoryRows(t *testing.T) {
	t.Parallel()
	for _, name := range testdb.Dialects(t) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			files := map[string]string{
				"a.sql": sqlRev("aaaa", "", "one", "CREATE TABLE one_t (id INTEGER PRIMARY KEY);", "DROP TABLE one_t;"),
				"b.sql": sqlRev("bbbb", "aaaa", "two", "CREATE TABLE two_t (id INTEGER PRIMARY KEY);", "DROP TABLE two_t;"),
			}
			f := newFixture(t, name, files, "")
			if err := f.upgrade("head"); err != nil {
				t.Fatal(err)
			}
			db := testdb.Open(t, f.url)
			unknown := []string{"3c4d5e6f7081", "4d5e6f708192", "5e6f708192a4"}
			insertRows := func() {
				t.Helper()
				for _, id := range unknown {
					if _, err := db.Exec("INSERT INTO alembic_version (version_num) VALUES ('" + id + "')"); err != nil {
						t.Fatal(err)
					}
				}
			}
			insertRows()
			before := maxHistoryID(t, db)
			ctx := context.Background()
			if _, err := f.project().Stamp(ctx, []string{"base"}, true, retort.RunOptions{}); err != nil {
				t.Fatalf("stamp --purge base: %v", err)
			}
			if got := f.rows(); len(got) != 0 {
				t.Fatalf("rows after stamp --purge base: %v", got)
			}
			got := stampRows(t, db, before)
			removed := append([]string{"bbbb"}, unknown...)
			if len(got) != len(removed) {
				t.Fatalf("history rows of stamp --purge base: %+v, want one per removed row %v", got, removed)
			}
			var revs []string
			for _, r := range got {
				if r.direction != "stamp" || r.status != "stamped" || r.from != r.revision || r.to != "" {
					t.Errorf("history row %+v, want stamp/stamped from the revision to nothing", r)
				}
				revs = append(revs, r.revision)
			}
			slices.Sort(revs)
			slices.Sort(removed)
			if !slices.Equal(revs, removed) {
				t.Errorf("history rows name %v, want %v", revs, removed)
			}

			// Purging to a revision: a row per removed row, then the stamp
			// from the emptied table.
			insertRows()
			before = maxHistoryID(t, db)
			if _, err := f.project().Stamp(ctx, []string{"aaaa"}, true, retort.RunOptions{}); err != nil {
				t.Fatalf("stamp --purge aaaa: %v", err)
			}
			if got := f.rows(); !slices.Equal(got, []string{"aaaa"}) {
				t.Fatalf("rows after stamp --purge aaaa: %v", got)
			}
			got = stampRows(t, db, before)
			want := []historyRow{
				{"3c4d5e6f7081", "stamp", "stamped", "3c4d5e6f7081", ""},
				{"4d5e6f708192", "stamp", "stamped", "4d5e6f708192", ""},
				{"5e6f708192a4", "stamp", "stamped", "5e6f708192a4", ""},
				{"aaaa", "stamp", "stamped", "", "aaaa"},
			}
			// The database returns the rows in its own order.
			slices.SortFunc(got[:3], func(a, b historyRow) int { return strings.Compare(a.revision, b.revision) })
			if !slices.Equal(got, want) {
				t.Fatalf("history rows of stamp --purge aaaa:\n%+v\nwant\n%+v", got, want)
			}
			rep, err := f.project().Verify(ctx)
			if err != nil || len(rep.Problems()) != 0 {
				t.Fatalf("verify after the purge: %+v, %v", rep, err)
			}
		})
	}
}

// TestStampedAwayIsNotApplied: a revision a stamp moved the version table
// below is no longer applied, so neither verify nor upgrade reports its
// file as gone or edited; a row whose file is gone still is, with what it
// revised when it ran.
func TestStampedAwayIsNotApplied(t *testing.T) {
	t.Parallel()
	for _, name := range testdb.Dialects(t) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			// IF NOT EXISTS: the test upgrades again over tables a stamp
			// left in place.
			files := map[string]string{
				"a.sql": sqlRev("aaaa", "", "one", "CREATE TABLE IF NOT EXISTS one_t (id INTEGER PRIMARY KEY);", "DROP TABLE one_t;"),
				"b.sql": sqlRev("bbbb", "aaaa", "two", "CREATE TABLE IF NOT EXISTS two_t (id INTEGER PRIMARY KEY);", "DROP TABLE two_t;"),
				"c.sql": sqlRev("cccc", "bbbb", "three", "CREATE TABLE IF NOT EXISTS three_t (id INTEGER PRIMARY KEY);", "DROP TABLE three_t;"),
			}
			f := newFixture(t, name, files, "")
			ctx := context.Background()
			versions := filepath.Join(f.dir, "migrations", "versions")
			checked := func(rep *retort.VerifyReport) []string {
				var out []string
				for _, c := range rep.Checks {
					out = append(out, c.Revision+"="+c.State)
				}
				return out
			}
			if err := f.upgrade("head"); err != nil {
				t.Fatal(err)
			}
			// Stamped down to aaaa, then cccc's file deleted.
			if _, err := f.project().Stamp(ctx, []string{"aaaa"}, false, retort.RunOptions{}); err != nil {
				t.Fatal(err)
			}
			if err := os.Remove(filepath.Join(versions, "c.sql")); err != nil {
				t.Fatal(err)
			}
			rep, err := f.project().Verify(ctx)
			if err != nil || !slices.Equal(checked(rep), []string{"aaaa=ok"}) {
				t.Fatalf("verify after stamp aaaa: %v, %v", checked(rep), err)
			}
			// Stamped to base, then bbbb's file deleted too.
			if _, err := f.project().Stamp(ctx, []string{"base"}, false, retort.RunOptions{}); err != nil {
				t.Fatal(err)
			}
			if err := os.Remove(filepath.Join(versions, "b.sql")); err != nil {
				t.Fatal(err)
			}
			rep, err = f.project().Verify(ctx)
			if err != nil || len(rep.Checks) != 0 {
				t.Fatalf("verify after stamp base: %v, %v", checked(rep), err)
			}
			// The upgrade's look at applied files warns about nothing.
			var warnings []string
			_, err = f.project().Upgrade(ctx, "head", retort.RunOptions{OnEvent: func(e migrate.Event) {
				if e.Kind == migrate.Warning {
					warnings = append(warnings, e.Message)
				}
			}})
			if err != nil || len(warnings) != 0 {
				t.Fatalf("upgrade after stamp base: %v, warnings %q", err, warnings)
			}

			// Run bbbb and cccc again, then delete both files: the row
			// cccc names no file, and what it revised, per the history,
			// is below it.
			for _, name := range []string{"b.sql", "c.sql"} {
				if err := os.WriteFile(filepath.Join(versions, name), []byte(files[name]), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			if err := f.upgrade("head"); err != nil {
				t.Fatal(err)
			}
			for _, name := range []string{"b.sql", "c.sql"} {
				if err := os.Remove(filepath.Join(versions, name)); err != nil {
					t.Fatal(err)
				}
			}
			rep, err = f.project().Verify(ctx)
			if err != nil || !slices.Equal(checked(rep), []string{"aaaa=ok", "bbbb=deleted", "cccc=deleted"}) {
				t.Fatalf("verify with the head's files gone: %v, %v", checked(rep), err)
			}
		})
	}
}

// TestHistoryTimestampFormat: every kind of retort_history row stores its
// times alike: applied, failed, stamped and accepted rows, online or from
// an offline script. On SQLite, where the column is text, failed and
// accepted rows used to hold the driver's format
// ("…39.02351171+00:00") and offline rows CURRENT_TIMESTAMP's ("…39")
// while applied rows hold "…39.023511".
func TestHistoryTimestampFormat(t *testing.T) {
	t.Parallel()
	for _, name := range testdb.Dialects(t) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			files := map[string]string{
				"a.sql": sqlRev("aaaa", "", "one", "CREATE TABLE one_t (id INTEGER PRIMARY KEY);", "DROP TABLE one_t;"),
				"b.sql": sqlRev("bbbb", "aaaa", "two", "INSERT INTO no_such_table VALUES (1);", "-"),
			}
			f := newFixture(t, name, files, "")
			ctx := context.Background()
			if err := f.upgrade("head"); err == nil {
				t.Fatal("bbbb did not fail")
			}
			if _, err := f.project().Stamp(ctx, []string{"base"}, false, retort.RunOptions{}); err != nil {
				t.Fatal(err)
			}
			if _, err := f.project().Accept(ctx, []string{"aaaa"}, retort.RunOptions{}); err != nil {
				t.Fatal(err)
			}
			db := testdb.Open(t, f.url)

			// The offline script of aaaa, run in a fresh database.
			var script bytes.Buffer
			if _, err := f.project().Upgrade(ctx, "aaaa", retort.RunOptions{SQL: &script}); err != nil {
				t.Fatal(err)
			}
			offline := testdb.Load(t, name, script.String())

			type stored struct {
				what string
				v    any
			}
			var all []stored
			read := func(db *sql.DB, where string) {
				t.Helper()
				rows, err := db.Query("SELECT status, started_at, finished_at FROM retort_history ORDER BY id")
				if err != nil {
					t.Fatal(err)
				}
				defer rows.Close()
				for rows.Next() {
					var status string
					var started, finished any
					if err := rows.Scan(&status, &started, &finished); err != nil {
						t.Fatal(err)
					}
					all = append(all, stored{where + " " + status + " started_at", started}, stored{where + " " + status + " finished_at", finished})
				}
				if err := rows.Err(); err != nil {
					t.Fatal(err)
				}
			}
			read(db, "online")
			read(offline, "offline")
			statuses := map[string]bool{}
			for _, s := range all {
				statuses[strings.Fields(s.what)[1]] = true
			}
			for _, st := range []string{"applied", "failed", "stamped", "accepted"} {
				if !statuses[st] {
					t.Fatalf("no %s row to compare: %v", st, statuses)
				}
			}
			// Text columns (SQLite) hold exactly the applied rows' layout;
			// time columns are read back as times.
			for _, s := range all {
				if b, ok := s.v.([]byte); ok {
					s.v = string(b)
				}
				if fmt.Sprintf("%T", s.v) != fmt.Sprintf("%T", all[0].v) {
					t.Errorf("%s is a %T, the first applied row's a %T", s.what, s.v, all[0].v)
					continue
				}
				str, ok := s.v.(string)
				if !ok {
					continue
				}
				const layout = "2006-01-02 15:04:05.000000"
				if tm, err := time.Parse(layout, str); err != nil || tm.Format(layout) != str {
					t.Errorf("%s is %q, not in the layout %q", s.what, str, layout)
				}
			}
		})
	}
}
