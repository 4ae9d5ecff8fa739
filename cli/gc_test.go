package cli

import (
	"os"
	"runtime/debug"
	"testing"
)

func TestParseCgroupLimit(t *testing.T) {
	for in, want := range map[string]int64{
		"max\n":                 0,
		"9223372036854771712\n": 0, // cgroup v1 without a limit
		"536870912\n":           512 << 20,
		"":                      0,
		"garbage":               0,
		"-1":                    0,
	} {
		if got := parseCgroupLimit(in); got != want {
			t.Errorf("parseCgroupLimit(%q) = %d, want %d", in, got, want)
		}
	}
}

// unsetEnv removes an environment variable for the test's duration.
func unsetEnv(t *testing.T, name string) {
	t.Setenv(name, "") // restores the old value afterwards
	os.Unsetenv(name)
}

func TestTuneGC(t *testing.T) {
	oldPercent := debug.SetGCPercent(100)
	oldLimit := debug.SetMemoryLimit(-1)
	t.Cleanup(func() { debug.SetGCPercent(oldPercent); debug.SetMemoryLimit(oldLimit) })

	unsetEnv(t, "GOGC")
	unsetEnv(t, "GOMEMLIMIT")
	debug.SetMemoryLimit(1 << 62)
	tuneGC()
	if p := debug.SetGCPercent(100); p != -1 {
		t.Errorf("GC percent after tuneGC = %d, want -1 (collect at the memory limit)", p)
	}
	limit := debug.SetMemoryLimit(-1)
	if limit <= 0 || limit > defaultMemoryLimit {
		t.Errorf("memory limit after tuneGC = %d, want in (0, %d]", limit, defaultMemoryLimit)
	}

	// A user's GOGC wins.
	t.Setenv("GOGC", "50")
	debug.SetGCPercent(50)
	tuneGC()
	if p := debug.SetGCPercent(100); p != 50 {
		t.Errorf("with GOGC=50 set, tuneGC changed the GC percent to %d", p)
	}
}
