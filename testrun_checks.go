package retort

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/retortdb/retort/autogen"
	"github.com/retortdb/retort/internal/sqlsplit"
	"github.com/retortdb/retort/migrate"
	"github.com/retortdb/retort/op"
)

// checkTarget compares the database at heads with the autogenerate target,
// both read with the [autogenerate] table filters.
func (t *tester) checkTarget(ctx context.Context) error {
	ag := t.p.Config.Autogenerate
	if ag.Target == "" {
		t.skip(CheckTarget, "", "no [autogenerate] target is configured")
		return nil
	}
	if t.atHeads == nil {
		return nil
	}
	began := time.Now()
	if err := t.p.statTarget(); err != nil {
		t.fail(CheckTarget, "", "load the target", err, time.Since(began))
		return nil
	}
	opts := t.inspectOptions()
	opts.IncludeTables, opts.ExcludeTables = ag.IncludeTables, ag.ExcludeTables
	want, err := autogen.LoadTarget(ctx, t.d, t.src.base, ag.DevURL, ag.Target, autogen.WithInspectOptions(opts))
	if err != nil {
		t.fail(CheckTarget, "", "load the target", err, time.Since(began))
		return nil
	}
	got, err := t.snapshotWith(ctx, t.db, opts)
	if err != nil {
		return err
	}
	if d := (&snapshot{s: want}).diff(got); len(d) > 0 {
		t.fail(CheckTarget, "", "compare", &SchemaDiffError{
			What:  fmt.Sprintf("the database at heads does not match the target %s (- only in the target, + only in the database); write a migration for the difference, or update the target", ag.Target),
			Diffs: d}, time.Since(began))
		return nil
	}
	t.pass(CheckTarget, "", time.Since(began))
	return nil
}

// checkOffline runs the offline SQL of base:heads on a fresh database and
// compares the schema it builds with the online run's.
func (t *tester) checkOffline(ctx context.Context) error {
	if t.atHeads == nil {
		return nil
	}
	began := time.Now()
	var script bytes.Buffer
	r := migrate.New(t.d, t.p.migration, migrate.Options{
		VersionTable: t.vt(), HistoryTable: t.ht(),
		TransactionPerMigration: t.p.Config.TransactionPerMigration,
		Now:                     t.p.now,
		XArgs:                   t.p.xArgs,
	})
	if err := r.WriteScript(ctx, &script, nil, t.plan); err != nil {
		if errors.Is(err, op.ErrOffline) {
			// A Go revision that reads data has no offline form: that is
			// what it is, not a defect the test should report.
			t.skip(CheckOffline, stepRevision(err), "a Go revision needs the live database, so the project has no offline script: "+errText(err))
			return nil
		}
		t.fail(CheckOffline, stepRevision(err), "write the script", err, time.Since(began))
		return nil
	}
	stmts, err := sqlsplit.Split(script.String(), t.d.SplitDialect())
	if err != nil {
		t.fail(CheckOffline, "", "split the script", err, time.Since(began))
		return nil
	}
	db, err := t.src.fresh(ctx)
	if err != nil {
		if t.src.fixed != nil {
			t.skip(CheckOffline, "", "needs a second, fresh database, and none could be created beside "+t.src.describe()+": "+errText(err))
			return nil
		}
		return err
	}
	defer db.close(ctx)
	revAt := scriptRevisions(script.String())
	for i, st := range stmts {
		rev := revAt(st.Line)
		if _, err := db.conn.ExecContext(ctx, st.SQL); err != nil {
			t.fail(CheckOffline, rev, fmt.Sprintf("run statement %d (script line %d)", i+1, st.Line),
				fmt.Errorf("%w\n  statement: %s", err, oneLine(st.SQL, 300)), time.Since(began))
			return nil
		}
	}
	rows, _, err := r.Heads(ctx, db.conn)
	if err != nil {
		t.fail(CheckOffline, "", "read the version table", err, time.Since(began))
		return nil
	}
	want := []string{}
	if len(t.plan) > 0 {
		want = t.plan[len(t.plan)-1].HeadsAfter
	}
	if !sameSet(rows, want) {
		t.fail(CheckOffline, "", "compare the version table", fmt.Errorf("the script leaves the version table at %v, the online run at %v", rows, want), time.Since(began))
		return nil
	}
	got, err := t.snapshot(ctx, db)
	if err != nil {
		return err
	}
	if d := t.atHeads.diff(got); len(d) > 0 {
		t.fail(CheckOffline, "", "compare", &SchemaDiffError{What: "the offline script builds another schema than the online upgrade (- online, + offline)", Diffs: d}, time.Since(began))
		return nil
	}
	t.pass(CheckOffline, "", time.Since(began))
	return errors.Join(nil, db.close(ctx))
}

// scriptRevisions maps a line of an offline script to the revision whose
// step it belongs to, from the "-- Running upgrade a -> b" comments.
func scriptRevisions(script string) func(line int) string {
	type mark struct {
		line int
		rev  string
	}
	var marks []mark
	for i, l := range strings.Split(script, "\n") {
		rest, ok := strings.CutPrefix(l, "-- Running upgrade ")
		if !ok {
			continue
		}
		_, to, ok := strings.Cut(rest, " -> ")
		if !ok {
			continue
		}
		to, _, _ = strings.Cut(to, ",")
		marks = append(marks, mark{i + 1, strings.TrimSpace(to)})
	}
	return func(line int) string {
		rev := ""
		for _, m := range marks {
			if m.line > line {
				break
			}
			rev = m.rev
		}
		return rev
	}
}

// oneLine shortens a statement for a message.
func oneLine(s string, limit int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > limit {
		s = s[:limit] + "…"
	}
	return s
}
