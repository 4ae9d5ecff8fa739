package integration

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/retortdb/retort"
	"github.com/retortdb/retort/config"
	"github.com/retortdb/retort/dialect"
	"github.com/retortdb/retort/internal/testdb"
	"github.com/retortdb/retort/migrate"
)

// BenchmarkLock is the lock's cost per run on each dialect: create the
// lock on the run's connection, take it (the first TryLock also reads the
// database and schema it is keyed on), release it.
func BenchmarkLock(b *testing.B) {
	for _, name := range testdb.Dialects(b) {
		b.Run(name, func(b *testing.B) {
			u := testdb.New(b, name)
			d, err := testdb.Dialect(name)
			if err != nil {
				b.Fatal(err)
			}
			ctx := context.Background()
			conn, err := testdb.Open(b, u).Conn(ctx)
			if err != nil {
				b.Fatal(err)
			}
			defer conn.Close()
			r := migrate.New(d, nil, migrate.Options{})
			vt := dialect.Table{Name: "alembic_version"}
			for b.Loop() {
				lock, err := d.NewLock(conn, u, vt)
				if err != nil {
					b.Fatal(err)
				}
				release, err := r.AcquireLock(ctx, lock, time.Second)
				if err != nil {
					b.Fatal(err)
				}
				if err := release(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkPostgres1000 upgrades a fresh PostgreSQL database through 1,000
// migrations (each creates a table and an index, one transaction per
// migration) and downgrades it back to base, through the library.
func BenchmarkPostgres1000(b *testing.B) {
	const n = 1000
	u := testdb.New(b, config.PostgreSQL)
	dir := b.TempDir()
	versions := filepath.Join(dir, "migrations", "versions")
	if err := os.MkdirAll(versions, 0o755); err != nil {
		b.Fatal(err)
	}
	down := ""
	for i := 1; i <= n; i++ {
		id := revID(i)
		body := rev(id, down, fmt.Sprintf("CREATE TABLE t%04d (id INTEGER PRIMARY KEY, name VARCHAR(100));\nCREATE INDEX ix_t%04d ON t%04d (name);", i, i, i), fmt.Sprintf("DROP TABLE t%04d;", i))
		writeFile(b, filepath.Join(versions, id+"_step.sql"), body)
		down = id
	}
	writeFile(b, filepath.Join(dir, "retort.toml"), baseConfig)
	cfg, err := config.Load(config.LoadOptions{Path: filepath.Join(dir, "retort.toml"), URL: u.String(), Getenv: func(string) (string, bool) { return "", false }})
	if err != nil {
		b.Fatal(err)
	}
	p, err := retort.Open(cfg)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	move := func(up bool) {
		var err error
		if up {
			_, err = p.Upgrade(ctx, "head", retort.RunOptions{})
		} else {
			_, err = p.Downgrade(ctx, "base", retort.RunOptions{})
		}
		if err != nil {
			b.Fatal(err)
		}
	}
	b.Run("upgrade", func(b *testing.B) {
		for b.Loop() {
			move(true)
			b.StopTimer()
			move(false)
			b.StartTimer()
		}
		b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N*n), "µs/migration")
	})
	b.Run("downgrade", func(b *testing.B) {
		for b.Loop() {
			b.StopTimer()
			move(true)
			b.StartTimer()
			move(false)
		}
		b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N*n), "µs/migration")
	})
}
