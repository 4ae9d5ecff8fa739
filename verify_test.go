package retort_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/retortdb/retort"
	"github.com/retortdb/retort/internal/testdb"
)

// TestVerifyOnEveryDialect: an applied file edited afterwards is found,
// upgrade --strict refuses, and --accept records the edit.
func TestVerifyOnEveryDialect(t *testing.T) {
	t.Parallel()
	for _, name := range testdb.Dialects(t) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			files := map[string]string{
				"a.sql": sqlRev("aaaa", "", "one", "CREATE TABLE one_t (id INTEGER PRIMARY KEY);", "DROP TABLE one_t;"),
				"b.sql": sqlRev("bbbb", "aaaa", "two", "CREATE TABLE two_t (id INTEGER PRIMARY KEY);", "DROP TABLE two_t;"),
				"c.sql": sqlRev("cccc", "bbbb", "three", "CREATE TABLE three_t (id INTEGER PRIMARY KEY);", "DROP TABLE three_t;"),
			}
			f := newFixture(t, name, files, "")
			if err := f.upgrade("bbbb"); err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			rep, err := f.project().Verify(ctx)
			if err != nil || len(rep.Checks) != 2 || len(rep.Problems()) != 0 {
				t.Fatalf("clean verify: %+v, %v", rep, err)
			}
			edited := sqlRev("aaaa", "", "one", "CREATE TABLE one_t (id INTEGER PRIMARY KEY, x INTEGER);", "DROP TABLE one_t;")
			if err := os.WriteFile(filepath.Join(f.dir, "migrations", "versions", "a.sql"), []byte(edited), 0o644); err != nil {
				t.Fatal(err)
			}
			rep, err = f.project().Verify(ctx)
			if err != nil || len(rep.Problems()) != 1 || rep.Problems()[0].Revision != "aaaa" || rep.Problems()[0].State != retort.ChecksumEdited {
				t.Fatalf("verify after an edit: %+v, %v", rep, err)
			}
			_, err = f.project().Upgrade(ctx, "head", retort.RunOptions{Strict: true})
			var ce *retort.ChecksumError
			if !errors.As(err, &ce) || !errors.Is(err, retort.ErrChecksumMismatch) {
				t.Fatalf("strict upgrade: %v", err)
			}
			if got := f.rows(); len(got) != 1 || got[0] != "bbbb" {
				t.Fatalf("strict upgrade ran something: %v", got)
			}
			if _, err := f.project().Accept(ctx, []string{"aaaa"}, retort.RunOptions{}); err != nil {
				t.Fatal(err)
			}
			if _, err := f.project().Upgrade(ctx, "head", retort.RunOptions{Strict: true}); err != nil {
				t.Fatalf("after --accept: %v", err)
			}
			rep, err = f.project().Verify(ctx)
			if err != nil || len(rep.Checks) != 3 || len(rep.Problems()) != 0 {
				t.Fatalf("verify after accept: %+v, %v", rep, err)
			}
		})
	}
}
