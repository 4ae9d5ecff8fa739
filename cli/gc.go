package cli

import (
	"os"
	"runtime/debug"
	"strconv"
	"strings"
)

// defaultMemoryLimit is the heap size at which a retort process starts
// collecting garbage, unless GOGC or GOMEMLIMIT say otherwise.
const defaultMemoryLimit = 256 << 20

// tuneGC makes the collector wait until the heap is large. A retort
// command is short-lived and its live data (the revision graph, one
// migration at a time) is small: with the default GOGC=100 the collector
// runs several times while a 10,000-revision project loads, which is a
// sixth of what `retort current` costs. The soft memory limit keeps long
// runs (an upgrade through thousands of migrations) bounded: past it the
// collector runs as usual. Under a cgroup memory limit the threshold is at
// most half of it, so a small container is never pushed towards its
// ceiling. Setting GOGC or GOMEMLIMIT restores the runtime's own policy.
func tuneGC() {
	if _, ok := os.LookupEnv("GOGC"); ok {
		return
	}
	if _, ok := os.LookupEnv("GOMEMLIMIT"); ok {
		return
	}
	limit := int64(defaultMemoryLimit)
	if c := cgroupMemoryMax(); c > 0 && c/2 < limit {
		limit = c / 2
	}
	debug.SetMemoryLimit(limit)
	debug.SetGCPercent(-1)
}

// cgroupMemoryMax reads the cgroup v2 (or v1) memory limit of this process,
// or 0 when there is none or it cannot be read.
func cgroupMemoryMax() int64 {
	for _, path := range []string{"/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"} {
		if data, err := os.ReadFile(path); err == nil {
			return parseCgroupLimit(string(data))
		}
	}
	return 0
}

// parseCgroupLimit reads a cgroup memory limit file: a byte count, "max"
// (v2) or a huge sentinel (v1) when there is no limit.
func parseCgroupLimit(s string) int64 {
	v, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil || v <= 0 || v >= 1<<60 {
		return 0
	}
	return v
}
