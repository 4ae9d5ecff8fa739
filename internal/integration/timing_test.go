package integration

import (
	"testing"
	"time"
)

func TestTiming200(t *testing.T) {
	dialects(t, func(t *testing.T, name string) {
		p := newProject(t, name, linearTables(200), "")
		start := time.Now()
		r := p.ok("-q", "upgrade", "head")
		t.Logf("%s upgrade: %s (%s)", name, time.Since(start), r.elapsed)
		start = time.Now()
		p.ok("-q", "downgrade", "base")
		t.Logf("%s downgrade: %s", name, time.Since(start))
	})
}
