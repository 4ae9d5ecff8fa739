package retort_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	_ "modernc.org/sqlite"

	"github.com/retortdb/retort"
	"github.com/retortdb/retort/config"
)

// genProject writes a linear project of n migrations (each creates one table)
// and returns its config.
func genProject(tb testing.TB, n int) *config.Config {
	tb.Helper()
	dir := tb.TempDir()
	versions := filepath.Join(dir, "migrations", "versions")
	if err := os.MkdirAll(versions, 0o755); err != nil {
		tb.Fatal(err)
	}
	prev := ""
	for i := 1; i <= n; i++ {
		id := fmt.Sprintf("%012x", i*7919)
		body := fmt.Sprintf("-- migration %d\n--\n-- Revision ID: %s\n-- Revises: %s\n-- Create Date: 2026-11-26 00:00:00.000000+00:00\n\n-- retort:upgrade\nCREATE TABLE t%d (id INTEGER PRIMARY KEY, name VARCHAR(100));\nCREATE INDEX ix_t%d ON t%d (name);\n\n-- retort:downgrade\nDROP TABLE t%d;\n",
			i, id, prev, i, i, i, i)
		if err := os.WriteFile(filepath.Join(versions, fmt.Sprintf("%05d_%s.sql", i, id)), []byte(body), 0o644); err != nil {
			tb.Fatal(err)
		}
		prev = id
	}
	cfgText := "script_location = \"migrations\"\ndatabase_url = \"sqlite:///bench.db\"\n"
	if err := os.WriteFile(filepath.Join(dir, "retort.toml"), []byte(cfgText), 0o644); err != nil {
		tb.Fatal(err)
	}
	cfg, err := config.Load(config.LoadOptions{Path: filepath.Join(dir, "retort.toml"), Getenv: func(string) (string, bool) { return "", false }})
	if err != nil {
		tb.Fatal(err)
	}
	return cfg
}

// BenchmarkUpgrade1000SQLite applies 1,000 migrations to a fresh SQLite
// database: one commit per migration, as goose does.
func BenchmarkUpgrade1000SQLite(b *testing.B) {
	cfg := genProject(b, 1000)
	db := filepath.Join(filepath.Dir(cfg.File), "bench.db")
	ctx := context.Background()
	for b.Loop() {
		b.StopTimer()
		os.Remove(db)
		b.StartTimer()
		p, err := retort.Open(cfg)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := p.Upgrade(ctx, "head", retort.RunOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkOpenCurrent10k is `retort current` on an up-to-date project of
// 10,000 revisions with a warm header cache: stat every file, build the
// graph, read the version table.
func BenchmarkOpenCurrent10k(b *testing.B) {
	cfg := genProject(b, 10000)
	ctx := context.Background()
	cache := retort.WithHeaderCache(b.TempDir())
	p, err := retort.Open(cfg, cache)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := p.Stamp(ctx, []string{"head"}, false, retort.RunOptions{}); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		p, err := retort.Open(cfg, cache)
		if err != nil {
			b.Fatal(err)
		}
		st, err := p.Current(ctx)
		if err != nil || len(st.Rows) != 1 {
			b.Fatal(st, err)
		}
	}
}
