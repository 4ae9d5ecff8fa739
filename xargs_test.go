package retort_test

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/retortdb/retort"
	"github.com/retortdb/retort/config"
	"github.com/retortdb/retort/internal/testdb"
	"github.com/retortdb/retort/op"
)

// tenantMigrations: a SQL base creating seen, and a Go revision that
// records the -x tenant it was given (and fails without one, so that a
// run which does not pass the values cannot pass).
func tenantMigrations() (map[string]string, retort.GoMigration) {
	files := map[string]string{
		"a_seen.sql": sqlRev("aaaa", "", "seen", "CREATE TABLE seen (tenant VARCHAR(40));", "DROP TABLE seen;"),
	}
	record := func(ctx context.Context, o *op.Operations) error {
		tenant, ok := o.XArgs()["tenant"]
		if !ok {
			return fmt.Errorf("no -x tenant (got %v)", o.XArgs())
		}
		if got := op.XArgs(ctx)["tenant"]; got != tenant {
			return fmt.Errorf("the context says tenant %q, the operations %q", got, tenant)
		}
		return o.Execute("INSERT INTO seen (tenant) VALUES ("+o.Placeholder(1)+")", tenant)
	}
	return files, retort.GoMigration{Revision: "bbbb", Revises: []string{"aaaa"}, Message: "record tenant",
		Upgrade: record, Downgrade: record}
}

// TestGoMigrationsSeeXArgs: the values given with WithXArgs reach Go
// migrations online, offline (--sql) and in Project.Test.
func TestGoMigrationsSeeXArgs(t *testing.T) {
	t.Parallel()
	files, gm := tenantMigrations()
	open := func(f *fixture, opts ...retort.Option) *retort.Project {
		t.Helper()
		cfg, err := config.Load(config.LoadOptions{Path: filepath.Join(f.dir, "retort.toml"), URL: f.url.String(),
			Getenv: func(string) (string, bool) { return "", false }})
		if err != nil {
			t.Fatal(err)
		}
		p, err := retort.Open(cfg, append(opts, retort.WithGoMigrations(gm))...)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	f := newFixture(t, "sqlite", files, "")
	x := map[string]string{"tenant": "acme"}
	p := open(f, retort.WithXArgs(x))
	x["tenant"] = "changed later" // the project keeps the values it was opened with
	ctx := context.Background()

	var script bytes.Buffer
	if _, err := p.Upgrade(ctx, "base:head", retort.RunOptions{SQL: &script}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(script.String(), "INSERT INTO seen (tenant) VALUES ('acme');") {
		t.Errorf("offline script lacks the tenant:\n%s", script.String())
	}

	rep, err := p.Test(ctx, retort.TestOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if fail := rep.FirstFailure(); fail != nil {
		t.Errorf("retort test: %+v", *fail)
	}

	if _, err := p.Upgrade(ctx, "head", retort.RunOptions{}); err != nil {
		t.Fatal(err)
	}
	var seen string
	if err := testdb.Open(t, f.url).QueryRow("SELECT tenant FROM seen").Scan(&seen); err != nil || seen != "acme" {
		t.Fatalf("the migration saw tenant %q (%v), want acme", seen, err)
	}

	// Without WithXArgs the migration sees none.
	bare := open(newFixture(t, "sqlite", files, ""))
	if _, err := bare.Upgrade(ctx, "head", retort.RunOptions{}); err == nil || !strings.Contains(err.Error(), "no -x tenant (got map[])") {
		t.Fatalf("upgrade without -x: %v", err)
	}
}
