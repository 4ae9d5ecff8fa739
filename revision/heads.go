package revision

import (
	"fmt"
	"slices"
	"strings"
)

// WriteOp is the kind of a version-table change.
type WriteOp int

// Version-table changes.
const (
	Insert WriteOp = iota // INSERT To
	Update                // UPDATE From -> To
	Delete                // DELETE From
)

// String returns a short readable form.
func (o WriteOp) String() string {
	switch o {
	case Insert:
		return "insert"
	case Update:
		return "update"
	case Delete:
		return "delete"
	}
	return fmt.Sprintf("WriteOp(%d)", int(o))
}

// VersionWrite is one change of the version table: Insert uses To, Delete
// uses From, Update rewrites the row From to To. Online, every Update and
// Delete must match exactly one row.
type VersionWrite struct {
	Op       WriteOp
	From, To string
}

// String returns a short readable form.
func (w VersionWrite) String() string {
	switch w.Op {
	case Insert:
		return "insert " + w.To
	case Delete:
		return "delete " + w.From
	}
	return "update " + w.From + "->" + w.To
}

// maintainer is Alembic's HeadMaintainer: the set of version rows, changed
// step by step.
type maintainer struct {
	c      *ctx
	rows   []int // sorted by id
	writes []VersionWrite
}

func newMaintainer(c *ctx, rows []int) *maintainer {
	m := &maintainer{c: c}
	for _, r := range rows {
		if !m.has(r) {
			m.add(r)
		}
	}
	return m
}

// find returns where r is or would be in the sorted rows.
func (m *maintainer) find(r int) (int, bool) {
	id := m.c.id(r)
	return slices.BinarySearchFunc(m.rows, id, func(x int, id string) int { return strings.Compare(m.c.id(x), id) })
}

func (m *maintainer) has(r int) bool {
	_, ok := m.find(r)
	return ok
}

func (m *maintainer) add(r int) {
	i, _ := m.find(r)
	m.rows = slices.Insert(m.rows, i, r)
}

func (m *maintainer) remove(r int) bool {
	i, ok := m.find(r)
	if ok {
		m.rows = slices.Delete(m.rows, i, i+1)
	}
	return ok
}

func (m *maintainer) fail(format string, args ...any) error {
	return revErr("version table bookkeeping failed: "+format, args...)
}

func (m *maintainer) insert(r int) error {
	if m.has(r) {
		return m.fail("revision %s is already in the version table", m.c.id(r))
	}
	m.add(r)
	m.writes = append(m.writes, VersionWrite{Op: Insert, To: m.c.id(r)})
	return nil
}

func (m *maintainer) delete(r int) error {
	if !m.remove(r) {
		return m.fail("revision %s is not in the version table", m.c.id(r))
	}
	m.writes = append(m.writes, VersionWrite{Op: Delete, From: m.c.id(r)})
	return nil
}

func (m *maintainer) update(from, to int) error {
	if m.has(to) {
		return m.fail("revision %s is already in the version table", m.c.id(to))
	}
	if !m.remove(from) {
		return m.fail("revision %s is not in the version table", m.c.id(from))
	}
	m.add(to)
	m.writes = append(m.writes, VersionWrite{Op: Update, From: m.c.id(from), To: m.c.id(to)})
	return nil
}

// ancOf returns the ancestors of r (through normalized down revisions),
// including r, memoized for the operation.
func (c *ctx) ancOf(r int) bitset {
	if b, ok := c.anc[r]; ok {
		return b
	}
	b := c.g.closure([]int{r}, eNormDown)
	c.anc[r] = b
	return b
}

// implied reports whether d is one of others or an ancestor of one.
func (m *maintainer) implied(d int, others []int) bool {
	for _, o := range others {
		if m.c.ancOf(o).has(d) {
			return true
		}
	}
	return false
}

func (m *maintainer) rowsExcept(xs []int) []int {
	var out []int
	for _, r := range m.rows {
		if !containsInt(xs, r) {
			out = append(out, r)
		}
	}
	return out
}

// applyRevision records the version-table changes of migrating revision r
// up or down (HeadMaintainer.update_to_step with a RevisionStep).
func (m *maintainer) applyRevision(r int, up bool) error {
	down := m.c.g.normDown(r)
	if up {
		present := 0
		for _, d := range down {
			if m.has(d) {
				present++
			}
		}
		switch {
		case present == 0:
			// a base, or a new branch: none of the parents is a row.
			return m.insert(r)
		case len(down) > 1 && present > 1:
			// merge: parents implied by other rows are left alone; the
			// first remaining parent's row is updated, the others deleted.
			others := m.rowsExcept(down)
			var from []int
			for _, d := range down {
				if m.has(d) && !m.implied(d, others) {
					from = append(from, d)
				}
			}
			if len(from) == 0 {
				return m.fail("no row to merge into %s", m.c.id(r))
			}
			for _, d := range from[1:] {
				if err := m.delete(d); err != nil {
					return err
				}
			}
			return m.update(from[0], r)
		}
		from := down[0]
		if len(down) > 1 {
			for _, d := range down {
				if m.has(d) {
					from = d
				}
			}
		}
		return m.update(from, r)
	}
	if !m.has(r) {
		return m.fail("revision %s is not in the version table", m.c.id(r))
	}
	if len(down) == 0 {
		return m.delete(r)
	}
	to := m.unmergeTo(r, down)
	switch {
	case len(to) == 0:
		// every parent is implied by another row.
		return m.delete(r)
	case len(down) > 1:
		// unmerge: insert the other parents, update r to the first.
		for _, d := range to[1:] {
			if err := m.insert(d); err != nil {
				return err
			}
		}
		return m.update(r, to[0])
	}
	return m.update(r, down[0])
}

// unmergeTo is RevisionStep._unmerge_to_revisions: the parents of r that no
// other row implies (without other rows: the parents that are not ancestors
// of another parent, Alembic #1373).
func (m *maintainer) unmergeTo(r int, down []int) []int {
	others := m.rowsExcept([]int{r})
	var out []int
	if len(others) > 0 {
		for _, d := range down {
			if !m.implied(d, others) {
				out = append(out, d)
			}
		}
		return out
	}
	if len(down) < 2 {
		return down
	}
	for _, d := range down {
		below := false
		for _, t := range down {
			if t != d && m.c.ancOf(t).has(d) {
				below = true
				break
			}
		}
		if !below {
			out = append(out, d)
		}
	}
	return out
}

// applyStamp records the changes of a stamp step (StampStep) from the rows
// in from to the revision to (rvNone for base).
func (m *maintainer) applyStamp(from []int, to int, up, branchMove bool) error {
	switch {
	case !up && branchMove:
		if len(from) != 1 {
			return m.fail("cannot delete %d rows in one stamp step", len(from))
		}
		return m.delete(from[0])
	case up && to >= 0 && !m.has(to) && (branchMove || m.anyMissing(from)):
		return m.insert(to)
	case to < 0:
		return m.fail("cannot stamp to base from %d rows", len(from))
	case len(from) > 1:
		for _, f := range from[:len(from)-1] {
			if err := m.delete(f); err != nil {
				return err
			}
		}
		return m.update(from[len(from)-1], to)
	case len(from) == 1:
		return m.update(from[0], to)
	}
	return m.fail("nothing to stamp to %s", m.c.id(to))
}

func (m *maintainer) anyMissing(xs []int) bool {
	for _, x := range xs {
		if !m.has(x) {
			return true
		}
	}
	return false
}

// sortedRows returns the rows' ids, sorted.
func (m *maintainer) sortedRows() []string { return m.c.ids(m.rows) }

// takeWrites returns and clears the writes recorded since the last call.
func (m *maintainer) takeWrites() []VersionWrite {
	w := m.writes
	m.writes = nil
	return w
}
