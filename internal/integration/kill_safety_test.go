package integration

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/retortdb/retort/config"
	"github.com/retortdb/retort/dialect"
	"github.com/retortdb/retort/internal/testdb"
)

// TestSIGKILLDuringUpgrade kills `upgrade head` of 200 migrations at a
// random moment, 20 times per dialect (3 with -short). After each kill:
//
//   - PostgreSQL and SQLite: the version table matches the schema (the
//     tables of every applied revision exist, no later one does), and the
//     next `upgrade head` finishes;
//   - MySQL: the same, except that the interrupted revision's table may
//     exist without its version row; then the next run stops with a
//     PartialStepError naming it, and after a `stamp` (of the revision if
//     its table exists, else of the one before) `upgrade head` finishes.
//
// The kill lands after a random number of "Running upgrade" lines plus a
// random part of a step's duration, so it falls anywhere in a step: in a
// statement, in the version-row write, in the commit, or before the first
// step.
func TestSIGKILLDuringUpgrade(t *testing.T) {
	t.Parallel()
	iterations := 20
	if testing.Short() {
		iterations = 3
	}
	dialects(t, func(t *testing.T, name string) {
		const n = 200
		seed := uint64(time.Now().UnixNano())
		t.Logf("seed %d", seed)
		rng := rand.New(rand.NewPCG(seed, 0))
		p := newProject(t, name, linearTables(n), "")
		stats := map[string]int{}
		for it := 0; it < iterations; it++ {
			k := rng.IntN(n) // kill within step k+1 (0: possibly before the first)
			s := p.start("upgrade", "head")
			killAt(t, s, k, rng)
			r := s.wait(t)
			if r.code == 0 {
				stats["finished before the kill"]++
			} else if r.code != -1 {
				t.Fatalf("iteration %d: the killed run failed on its own; %s", it, r)
			}
			waitLockFree(t, p)

			applied := appliedIndex(t, p)
			tables := tableIndexes(t, p)
			partial := false
			switch {
			case slices.Equal(tables, upTo(applied)):
			case name == config.MySQL && slices.Equal(tables, upTo(applied+1)):
				partial = true // r<applied+1>'s CREATE ran, its version row did not
			default:
				t.Fatalf("iteration %d (kill in step %d): version row at %d but tables %v", it, k+1, applied, tables)
			}

			r = p.run("upgrade", "head")
			switch {
			case r.code == 0 && !partial:
				stats["next run finished"]++
			case r.code == 1 && name == config.MySQL:
				interrupted := revID(applied + 1)
				if !strings.Contains(r.stderr, "upgrade of "+interrupted+" was interrupted") {
					t.Fatalf("iteration %d: want a PartialStepError for %s; %s", it, interrupted, r)
				}
				stamp := "base"
				if partial {
					stamp = interrupted
					stats["partial step, table created: stamp the revision"]++
				} else {
					if applied > 0 {
						stamp = revID(applied)
					}
					stats["partial step, table not created: stamp the one before"]++
				}
				if !strings.Contains(r.stderr, "`retort stamp "+stamp+"`") {
					t.Fatalf("iteration %d: the error does not suggest `retort stamp %s`; %s", it, stamp, r)
				}
				p.ok("stamp", stamp)
				p.ok("upgrade", "head")
			default:
				t.Fatalf("iteration %d (kill in step %d, version row at %d, partial %v): %s", it, k+1, applied, partial, r)
			}
			if got := appliedIndex(t, p); got != n {
				t.Fatalf("iteration %d: after the recovery the version row is at %d", it, got)
			}
			if got := tableIndexes(t, p); !slices.Equal(got, upTo(n)) {
				t.Fatalf("iteration %d: after the recovery %d tables", it, len(got))
			}
			resetDatabase(t, p)
		}
		t.Logf("%s: %v", name, stats)
	})
}

// killAt SIGKILLs s once it has printed k "Running upgrade" lines (k = 0:
// right after it starts), plus a random fraction of the average step time.
func killAt(t *testing.T, s *started, k int, rng *rand.Rand) {
	t.Helper()
	var first time.Time
	count := 0
	avg := 10 * time.Millisecond
	if k == 0 {
		avg = 150 * time.Millisecond // process start-up, connect, lock, version table
	}
	for count < k {
		line, ok := <-s.lines
		if !ok {
			return // ended before step k
		}
		if !strings.HasPrefix(line, "Running upgrade") {
			continue
		}
		count++
		if count == 1 {
			first = time.Now()
		} else {
			avg = time.Since(first) / time.Duration(count-1)
		}
	}
	time.Sleep(time.Duration(rng.Float64() * 1.5 * float64(avg)))
	_ = s.cmd.Process.Signal(syscall.SIGKILL)
}

// waitLockFree waits until the lock is free: the killed process's server
// session, which may still be finishing its last statement, has ended.
func waitLockFree(t *testing.T, p *project) {
	t.Helper()
	d, err := testdb.Dialect(p.dialect)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	conn, err := p.DB().Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	lock, err := d.NewLock(conn, p.url, dialect.Table{Name: "alembic_version"})
	if err != nil {
		t.Fatal(err)
	}
	waitUntil(t, 30*time.Second, "the killed run's lock to be released", func() bool {
		ok, err := lock.TryLock(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return ok
	})
	if err := lock.Unlock(ctx); err != nil {
		t.Fatal(err)
	}
}

// appliedIndex is i of the version row r<i>, 0 for none.
func appliedIndex(t *testing.T, p *project) int {
	t.Helper()
	rows := p.versions()
	switch len(rows) {
	case 0:
		return 0
	case 1:
		i, err := strconv.Atoi(strings.TrimPrefix(rows[0], "r"))
		if err != nil {
			t.Fatalf("version row %q", rows[0])
		}
		return i
	}
	t.Fatalf("version rows %v", rows)
	return 0
}

// tableIndexes lists i of every table t<i>, sorted.
func tableIndexes(t *testing.T, p *project) []int {
	t.Helper()
	var out []int
	for _, tbl := range p.tables() {
		if len(tbl) == 5 && tbl[0] == 't' {
			if i, err := strconv.Atoi(tbl[1:]); err == nil {
				out = append(out, i)
			}
		}
	}
	slices.Sort(out)
	return out
}

func upTo(n int) []int {
	var out []int
	for i := 1; i <= n; i++ {
		out = append(out, i)
	}
	return out
}

// resetDatabase drops every table, for the next iteration.
func resetDatabase(t *testing.T, p *project) {
	t.Helper()
	tables := p.tables()
	if len(tables) == 0 {
		return
	}
	if p.dialect == config.SQLite {
		tx, err := p.DB().Begin()
		if err != nil {
			t.Fatal(err)
		}
		for _, tbl := range tables {
			if _, err := tx.Exec("DROP TABLE " + tbl); err != nil {
				t.Fatal(err)
			}
		}
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
		return
	}
	p.exec(fmt.Sprintf("DROP TABLE %s", strings.Join(tables, ", ")))
}
