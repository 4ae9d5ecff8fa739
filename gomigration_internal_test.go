package retort

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/retortdb/retort/config"
	"github.com/retortdb/retort/op"
	"github.com/retortdb/retort/revision"
	"github.com/retortdb/retort/script"
)

func TestOwnGoMigrationsByFolder(t *testing.T) {
	up := func(context.Context, *op.Operations) error { return nil }
	// Compiled on another machine: only the tail of the path matches.
	mainRev := GoMigration{Revision: "m1", Upgrade: up, file: "/build/app/main/versions/m1.go"}
	otherRev := GoMigration{Revision: "a1", Upgrade: up, file: "/build/app/analytics/versions/a1.go"}
	trimmed := GoMigration{Revision: "m2", Upgrade: up, file: "example.com/app/main/versions/m2.go"}

	multi := &config.Config{File: "/srv/app/retort.toml", Dir: "/srv/app", Name: "main", VersionLocations: []string{"/srv/app/main/versions"}}
	got, err := ownGoMigrations(multi, []GoMigration{mainRev, otherRev, trimmed}, false)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, m := range got {
		ids = append(ids, m.Revision)
	}
	if !slices.Equal(ids, []string{"m1", "m2"}) {
		t.Fatalf("main database got %v, want [m1 m2]", ids)
	}

	single := &config.Config{File: "/srv/app/retort.toml", Dir: "/srv/app", VersionLocations: []string{"/srv/app/main/versions"}}
	_, err = ownGoMigrations(single, []GoMigration{mainRev, otherRev}, false)
	if err == nil || !strings.Contains(err.Error(), "a1 is not in a version location") || !strings.Contains(err.Error(), "analytics/versions/a1.go") {
		t.Fatalf("want an error naming a1 and its file, got %v", err)
	}
	if got, err := ownGoMigrations(single, []GoMigration{mainRev, otherRev}, true); err != nil || len(got) != 2 {
		t.Fatalf("embedded: every registered migration is the project's; got %d, %v", len(got), err)
	}
}

func TestGoMigrationsSortWithSQLFiles(t *testing.T) {
	up := func(context.Context, *op.Operations) error { return nil }
	loc := "/p/migrations/versions"
	sqlScripts := []*script.Script{
		{Revision: scriptRev("s1", loc+"/001_a.sql"), FileName: "001_a.sql"},
		{Revision: scriptRev("s3", loc+"/003_c.sql"), FileName: "003_c.sql"},
	}
	gos := []GoMigration{{Revision: "g2", Upgrade: up, file: "/elsewhere/migrations/versions/002_b.go"}}
	all, byID, err := mergeGoMigrations(sqlScripts, []string{loc}, gos)
	if err != nil {
		t.Fatal(err)
	}
	var order []string
	for _, s := range all {
		order = append(order, s.ID)
	}
	if !slices.Equal(order, []string{"s1", "g2", "s3"}) || byID["g2"] == nil {
		t.Fatalf("load order %v", order)
	}
}

func scriptRev(id, path string) revision.Revision { return revision.Revision{ID: id, Path: path} }
