package retort

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"

	"github.com/retortdb/retort/autogen"
	"github.com/retortdb/retort/dialect"
	"github.com/retortdb/retort/migrate"
	"github.com/retortdb/retort/op"
	"github.com/retortdb/retort/schema"
)

// AutogenerateOptions tune [Project.Autogenerate].
type AutogenerateOptions struct {
	// Renames are tables and columns to rename, keeping their data,
	// instead of dropping and adding them, as the --rename flag takes them:
	// "old=new" for a table, "table.old=table.new" for a column (see
	// autogen.ParseRenames). One that does not name a dropped and an added
	// table or column is an error saying what the diff found instead.
	Renames []string
	// Confirm, when set, is asked about each likely rename the diff finds
	// besides Renames (autogen.DetectRenames), with a question such as "Did
	// you rename column users.name to users.full_name?"; true writes the
	// rename. Unset, likely renames stay a drop and an add and are listed
	// in AutogenerateResult.PossibleRenames.
	Confirm func(question string) (bool, error)
}

// AutogenerateResult is what autogenerate found: the operations that turn
// the live database into the target, and their SQL.
type AutogenerateResult struct {
	// Upgrade turns the database's schema into the target's, in order.
	Upgrade []op.Op
	// Downgrade undoes Upgrade; ops without an inverse are missing here
	// and listed in Irreversible.
	Downgrade []op.Op
	// Irreversible holds one reason per upgrade op that has no inverse.
	Irreversible []string
	// Notes are remarks for the user (statements with caveats).
	Notes []string
	// Renames are the renames written: those of the options and those
	// Confirm accepted.
	Renames []autogen.Rename
	// PossibleRenames are likely renames that were written as a drop and
	// an add (no Confirm, or Confirm declined them); Rename.Flag is the
	// --rename argument that would write them as renames.
	PossibleRenames []autogen.Rename
	// Upgrades and Downgrades are the rendered sections of the revision
	// file: statements ending in ';', destructive ones preceded by a
	// WARNING comment.
	Upgrades, Downgrades string
}

// Empty reports whether the target and the database have the same schema.
func (r *AutogenerateResult) Empty() bool { return len(r.Upgrade) == 0 }

// ErrNoTarget is returned by Autogenerate when no target is configured.
var ErrNoTarget = errors.New("no target schema is configured: set `target` in the [autogenerate] table of retort.toml to the .sql file (or folder) of the schema you want")

// Autogenerate compares the live database, which must be at all heads,
// with the target schema of [autogenerate] and returns the operations and
// SQL that turn one into the other. The version and history tables are
// never compared; include_tables and exclude_tables filter both sides.
//
// Renames: see AutogenerateOptions.
func (p *Project) Autogenerate(ctx context.Context, o AutogenerateOptions) (res *AutogenerateResult, err error) {
	ag := p.Config.Autogenerate
	if ag.Target == "" {
		return nil, &CommandError{Msg: ErrNoTarget.Error(), Err: ErrNoTarget}
	}
	if err := p.statTarget(); err != nil {
		return nil, err
	}
	s, err := p.connect(ctx)
	if err != nil {
		return nil, err
	}
	defer func() { err = errors.Join(err, s.close()) }()
	d := s.t.d
	in, ok := d.(dialect.Inspector)
	planner, ok2 := d.(dialect.Planner)
	if !ok || !ok2 {
		return nil, fmt.Errorf("retort: autogenerate is not supported on %s", d.Name())
	}
	vt, ht := p.tables(d)
	r := migrate.New(d, nil, migrate.Options{VersionTable: vt, HistoryTable: ht})
	rows, _, err := r.Heads(ctx, s.conn)
	if err != nil {
		return nil, err
	}
	if !sameSet(rows, p.Graph.Heads()) {
		return nil, &CommandError{Msg: "Target database is not up to date."}
	}
	opts := dialect.InspectOptions{Schemas: []string{"*"}, VersionTable: vt, HistoryTable: ht,
		IncludeTables: ag.IncludeTables, ExcludeTables: ag.ExcludeTables}
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	live, err := in.Inspect(ctx, s.conn, opts)
	if err != nil {
		return nil, fmt.Errorf("inspect %s: %w", s.t.url.Redacted(), err)
	}
	want, err := autogen.LoadTarget(ctx, d, s.t.url, ag.DevURL, ag.Target, autogen.WithInspectOptions(opts))
	if err != nil {
		return nil, err
	}
	renames, possible, err := chooseRenames(live, want, o)
	if err != nil {
		return nil, err
	}
	res, err = planAutogenerate(planner, live, want, renames...)
	if err != nil {
		return nil, err
	}
	res.PossibleRenames = possible
	return res, nil
}

// statTarget checks that the configured target is there before any
// database is opened. A missing one is a mistake in the config, so the
// error is a config error at the key that names it (not autogen's stat
// error) and says what to do.
func (p *Project) statTarget() error {
	target := p.Config.Autogenerate.Target
	_, err := os.Stat(target)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, fs.ErrNotExist):
		return p.Config.TargetError(fmt.Sprintf("%s does not exist: create it with the schema you want (CREATE statements; a .sql file or a folder of them), or set the key to the file or folder that has it", target))
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	return p.Config.TargetError(fmt.Sprintf("cannot read %s: %v", target, err))
}

// chooseRenames returns the renames to write: o.Renames and the likely
// renames o.Confirm accepts; possible are the likely ones not written.
// Columns of a table renamed on confirmation are looked at after it.
func chooseRenames(live, want *schema.Schema, o AutogenerateOptions) (renames, possible []autogen.Rename, err error) {
	renames, err = autogen.ParseRenames(live, want, o.Renames)
	if err != nil {
		return nil, nil, &CommandError{Msg: err.Error(), Err: err}
	}
	asked := map[autogen.Rename]bool{}
	for {
		var found bool
		for _, r := range autogen.DetectRenames(live, want, renames) {
			if asked[r] {
				continue
			}
			asked[r], found = true, true
			ok := false
			if o.Confirm != nil {
				if ok, err = o.Confirm("Did you rename " + r.String() + "?"); err != nil {
					return nil, nil, err
				}
			}
			if ok {
				renames = append(renames, r)
			} else {
				possible = append(possible, r)
			}
		}
		if !found {
			return renames, possible, nil
		}
	}
}

// planAutogenerate diffs live against want and renders both sections.
// The planner is also the dialect: one with limited ALTER TABLE
// (dialect.Rebuilder) gets table rebuilds.
func planAutogenerate(planner dialect.Planner, live, want *schema.Schema, renames ...autogen.Rename) (*AutogenerateResult, error) {
	rebuilder, _ := planner.(dialect.Rebuilder)
	var opts autogen.DiffOptions
	if d, ok := planner.(dialect.Dialect); ok {
		opts = autogen.OptionsFor(d)
	} else {
		opts.InlineForeignKeys = rebuilder != nil
		opts.RebuildTables = rebuilder != nil
	}
	opts.Renames = renames
	up, err := autogen.Diff(live, want, opts)
	if err != nil {
		return nil, err
	}
	res := &AutogenerateResult{Upgrade: up, Renames: renames}
	if len(up) == 0 {
		return res, nil
	}
	var downItems []renderItem
	for i := len(up) - 1; i >= 0; i-- {
		rev, err := up[i].Reverse()
		if err != nil {
			reason := err.Error()
			res.Irreversible = append(res.Irreversible, reason)
			downItems = append(downItems, renderItem{irreversible: reason})
			continue
		}
		res.Downgrade = append(res.Downgrade, rev)
		downItems = append(downItems, renderItem{op: rev})
	}
	upItems := make([]renderItem, len(up))
	for i, o := range up {
		upItems[i] = renderItem{op: o}
	}
	if res.Upgrades, err = renderSection(planner, rebuilder, upItems, &res.Notes); err != nil {
		return nil, err
	}
	if res.Downgrades, err = renderSection(planner, rebuilder, downItems, &res.Notes); err != nil {
		return nil, err
	}
	return res, nil
}

// renderItem is an op to render, or the reason an op has no inverse.
type renderItem struct {
	op           op.Op
	irreversible string
}

// renderSection renders ops as a section of a revision file. A section
// with a table rebuild is wrapped in the dialect's RebuildSection text.
func renderSection(planner dialect.Planner, rebuilder dialect.Rebuilder, items []renderItem, notes *[]string) (string, error) {
	var b strings.Builder
	var tail string
	for _, it := range items {
		if _, ok := it.op.(*op.RebuildTable); ok && rebuilder != nil {
			var head string
			head, tail = rebuilder.RebuildSection()
			b.WriteString(head)
			break
		}
	}
	for i, it := range items {
		if i > 0 {
			b.WriteString("\n")
		}
		if it.op == nil {
			fmt.Fprintf(&b, "-- cannot be reversed automatically: %s\n", oneLineText(it.irreversible))
			continue
		}
		if w := warning(it.op); w != "" {
			fmt.Fprintf(&b, "-- WARNING: %s\n", w)
		}
		if addsEnumValues(it.op) {
			note := fmt.Sprintf("%s: on PostgreSQL 12 and later ALTER TYPE … ADD VALUE runs inside the transaction, but the new value cannot be used until it commits; before 12 move it to a `-- retort:no-transaction` section", it.op)
			fmt.Fprintf(&b, "-- NOTE: %s\n", note)
			*notes = append(*notes, note)
		}
		stmts, err := planner.Plan(it.op)
		if err != nil {
			return "", err
		}
		for _, s := range stmts {
			b.WriteString(strings.TrimRight(strings.TrimSpace(s), ";"))
			b.WriteString(";\n")
		}
	}
	b.WriteString(tail)
	return strings.TrimRight(b.String(), "\n"), nil
}

// addsEnumValues reports whether o is planned as ALTER TYPE … ADD VALUE.
func addsEnumValues(o op.Op) bool {
	switch o := o.(type) {
	case *op.AddEnumValue:
		return true
	case *op.ChangeEnum:
		_, ok := o.Additions()
		return ok
	}
	return false
}

// warning says what data a destructive op loses; "" when it loses none.
func warning(o op.Op) string {
	if !o.Destructive() {
		return ""
	}
	switch o := o.(type) {
	case *op.DropTable:
		return fmt.Sprintf("drops table %s and its data", op.Ref(o.Table))
	case *op.DropColumn:
		return fmt.Sprintf("drops column %s.%s and its data", o.Table, o.Column.Name)
	case *op.ChangeEnum:
		return fmt.Sprintf("rebuilds enum type %s without the labels %q: fails if a row holds one", o.Enum, o.Removed())
	case *op.AlterColumn:
		return fmt.Sprintf("changes the type of column %s.%s from %s to %s, which may lose data", o.Table, o.Column.Name, o.Existing.Type, o.Column.Type)
	case *op.RebuildTable:
		var lost []string
		for _, c := range o.From.Columns {
			n := o.To.Column(c.Name)
			switch {
			case n == nil:
				lost = append(lost, fmt.Sprintf("drops column %s.%s and its data", op.Ref(o.From), c.Name))
			case (&op.AlterColumn{Existing: c, Column: *n}).Destructive():
				lost = append(lost, fmt.Sprintf("changes the type of column %s.%s from %s to %s, which may lose data", op.Ref(o.From), c.Name, c.Type, n.Type))
			}
		}
		if len(lost) > 0 {
			return "rebuilds table " + op.Ref(o.To).String() + ": " + strings.Join(lost, "; ")
		}
	}
	return o.String() + " may lose data"
}

func oneLineText(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
