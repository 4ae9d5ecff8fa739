package revision

import (
	"errors"
	"fmt"
	"slices"
)

// Direction tells whether a step applies or reverts a revision.
type Direction int

// Step directions.
const (
	Upgrade Direction = iota
	Downgrade
)

// String returns a short readable form.
func (d Direction) String() string {
	switch d {
	case Upgrade:
		return "upgrade"
	case Downgrade:
		return "downgrade"
	}
	return fmt.Sprintf("Direction(%d)", int(d))
}

// Step is one migration (or stamp) step of a plan, in execution order.
type Step struct {
	// Revision is the revision applied or reverted; for a stamp step, the
	// destination (nil when stamping to base).
	Revision *Revision
	// Direction is Upgrade or Downgrade (for a stamp: whether it moves up).
	Direction Direction
	// Stamp is true for stamp steps, which run no migration body.
	Stamp bool
	// Purge marks the stamp steps of `stamp --purge` that only delete a
	// version row before the stamp proper: Alembic empties the table
	// without a log line, so they are not announced (but each is recorded).
	Purge bool
	// From and To are the revisions Alembic's log line shows, "Running
	// upgrade <From> -> <To>" (each joined with ", "): for an upgrade the
	// revision's Down and the revision, for a downgrade the reverse, for a
	// stamp the rows it replaces and its destination. Dependencies are not
	// included, as in Alembic's line.
	From, To []string
	// Writes are the version-table changes of the step, in order, computed
	// with Alembic's HeadMaintainer rules.
	Writes []VersionWrite
	// HeadsAfter are the version rows after the step, sorted.
	HeadsAfter []string
}

// String returns a short readable form.
func (s Step) String() string {
	kind := s.Direction.String()
	if s.Stamp {
		kind = "stamp " + kind
	}
	return fmt.Sprintf("%s %v -> %v %v", kind, s.From, s.To, s.Writes)
}

// annotate records the command (and destination) an error arose in, so that
// CLIMessage words it as Alembic's command layer does.
func annotate(err error, cmd Command, dest string) error {
	var mh *MultipleHeadsError
	if errors.As(err, &mh) {
		mh.Command, mh.Dest = cmd, dest
	}
	var rn *RangeNotAncestorError
	if errors.As(err, &rn) {
		rn.Command, rn.Dest = cmd, dest
	}
	return err
}

func rejectCurrent(spec string) error {
	if spec == "current" {
		// "current" is only meaningful in history ranges, show and edit.
		return &ResolutionError{Arg: spec, Reason: "No such revision or branch 'current'"}
	}
	return nil
}

// PlanUpgrade plans `upgrade target` from the version rows current (in the
// order the database returned them): Alembic's _upgrade_revs followed by its
// HeadMaintainer. target is any spec of Alembic's grammar, including
// relative forms ("+2", "label@+1", "ab12+2", "head-1"); "current" is
// rejected. Upgrading to an ancestor of the current revisions, to base or to
// the current revision plans no steps. Steps of independent branches come in
// reverse load order (the last-loaded branch first).
//
// Errors: *ResolutionError (an unknown spec or row), *MultipleHeadsError,
// *RevisionError (relative-walk and overlap errors).
func (g *Graph) PlanUpgrade(target string, current []string) ([]Step, error) {
	if err := rejectCurrent(target); err != nil {
		return nil, err
	}
	c := newCtx(g)
	order, err := c.iterate(strArg(target), rowsArg(current), true, false, true, false)
	if err != nil {
		return nil, annotate(err, CmdUpgrade, target)
	}
	slices.Reverse(order)
	return c.runSteps(order, current, true)
}

// PlanDowngrade plans `downgrade target` from the version rows current (in
// the order the database returned them): Alembic's _downgrade_revs followed
// by its HeadMaintainer. target is any spec, including "-N", "label@-N",
// "<rev>-N", "label@base" and "base"; "current" is rejected. Downgrading to
// the current revision plans no steps. "-N" with several rows walks down
// from the first row and only on its branch; DowngradeWarnings returns the
// warning Alembic prints then.
//
// Errors: *ResolutionError, *MultipleHeadsError, *RangeNotAncestorError (the
// destination is not below the current rows), *RevisionError.
func (g *Graph) PlanDowngrade(target string, current []string) ([]Step, error) {
	if err := rejectCurrent(target); err != nil {
		return nil, err
	}
	c := newCtx(g)
	order, err := c.iterate(rowsArg(current), strArg(target), false, false, true, true)
	if err != nil {
		return nil, annotate(err, CmdDowngrade, target)
	}
	return c.runSteps(order, current, false)
}

// DowngradeWarnings returns the warnings Alembic emits while planning
// `downgrade target` from the rows current: "downgrade -1 from multiple
// heads is ambiguous; this usage will be disallowed in a future release."
// when a bare "-N" is given with several distinct rows. It returns nil
// otherwise; it does not validate target.
func (g *Graph) DowngradeWarnings(target string, current []string) []string {
	m, ok := parseRelative(target)
	if !ok || !m.neg || m.n == 0 || m.hasSymbol || m.label != "" {
		return nil
	}
	if distinctCount(current) > 1 {
		return []string{downgradeMinusWarning}
	}
	return nil
}

func (c *ctx) runSteps(order []int, current []string, up bool) ([]Step, error) {
	rows, err := c.getRevisions(rowsArg(current))
	if err != nil {
		return nil, err
	}
	m := newMaintainer(c, rows)
	steps := make([]Step, 0, len(order))
	for _, r := range order {
		rev := c.g.revision(r)
		s := Step{Revision: rev, Direction: Upgrade, From: slices.Clone(rev.Down), To: []string{rev.ID}}
		if !up {
			s.Direction, s.From, s.To = Downgrade, s.To, s.From
		}
		if s.From == nil {
			s.From = []string{}
		}
		if s.To == nil {
			s.To = []string{}
		}
		if err := m.applyRevision(r, up); err != nil {
			return nil, err
		}
		s.Writes = m.takeWrites()
		s.HeadsAfter = m.sortedRows()
		steps = append(steps, s)
	}
	return steps, nil
}

// PlanStamp plans `stamp targets...` from the rows current: Alembic's
// _stamp_revs followed by its HeadMaintainer. Each target is an absolute
// spec ("heads", "base", "label@head", an id, ...); no targets means base.
// Like Alembic, stamp does not check that the resulting rows are consistent.
//
// With purge, current is ignored (it may hold unknown revisions): the caller
// deletes every row first, and the steps start from an empty table.
//
// Errors: *ResolutionError (an unknown target or row, or a relative spec),
// *MultipleHeadsError (CLIMessage: "Multiple heads are present; please
// specify a single target revision").
func (g *Graph) PlanStamp(targets []string, current []string, purge bool) ([]Step, error) {
	for _, t := range targets {
		if err := rejectCurrent(t); err != nil {
			return nil, err
		}
	}
	if purge {
		current = nil
	}
	c := newCtx(g)
	c.noNegWalk = true
	steps, err := c.stamp(targets, current)
	if err != nil {
		return nil, annotate(err, CmdStamp, "")
	}
	return steps, nil
}

func (c *ctx) stamp(targets, current []string) ([]Step, error) {
	g := c.g
	heads, err := c.getRevisions(rowsArg(current))
	if err != nil {
		return nil, err
	}
	if len(targets) == 0 {
		targets = []string{"base"}
	}
	var filtered []int
	for _, t := range targets {
		if t == "" {
			continue
		}
		f, err := c.filterForLineage(heads, t, true)
		if err != nil {
			return nil, err
		}
		filtered = append(filtered, f...)
	}
	filtered = dedupeInts(filtered)
	dests, err := c.getRevisions(tupleArg(targets))
	if err != nil {
		return nil, err
	}
	dests = dedupeInts(nonNeg(dests))
	if len(dests) == 0 {
		dests = []int{rvNone}
	}
	m := newMaintainer(c, heads)
	var steps []Step
	add := func(from []int, to int, up, branchMove bool) error {
		s := Step{Stamp: true, Direction: Upgrade, From: c.ids(from), To: []string{}}
		if !up {
			s.Direction = Downgrade
		}
		if to >= 0 {
			s.Revision = g.revision(to)
			s.To = []string{g.id(to)}
		}
		if err := m.applyStamp(from, to, up, branchMove); err != nil {
			return err
		}
		s.Writes = m.takeWrites()
		s.HeadsAfter = m.sortedRows()
		steps = append(steps, s)
		return nil
	}
	for _, dest := range dests {
		if dest == rvNone {
			// base: delete every row in the targets' lineage.
			for _, h := range filtered {
				if err := add([]int{h}, rvNone, false, true); err != nil {
					return nil, err
				}
			}
			continue
		}
		if containsInt(filtered, dest) {
			continue
		}
		below, above := false, false
		desc := g.closure([]int{dest}, eAllNext)
		anc := c.ancOf(dest)
		for _, h := range filtered {
			below = below || desc.has(h)
			above = above || anc.has(h)
		}
		var err error
		switch {
		case below: // rows above the destination: stamp down as one merge
			err = add(filtered, dest, false, false)
		case above: // rows below it: stamp up as one merge
			err = add(filtered, dest, true, false)
		default: // a branch with no row yet
			err = add(nil, dest, true, true)
		}
		if err != nil {
			if len(dests) > 1 {
				// Alembic fails here with a KeyError: an earlier target's
				// step moved the row this one would have replaced.
				return nil, revErr("%v; the targets are stamped one after another from the current rows, and an earlier one's step took the row this one needed: with --purge the table is emptied first and each target gets its own row",
					err)
			}
			return nil, err
		}
	}
	return steps, nil
}
