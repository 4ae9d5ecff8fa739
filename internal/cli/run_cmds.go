package cli

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/retortdb/retort"
	"github.com/retortdb/retort/migrate"
)

// runFlags are the flags of the commands that write.
type runFlags struct {
	sql    bool
	tag    string
	strict bool
}

func (a *app) addRunFlags(cmd *cobra.Command, f *runFlags) {
	cmd.Flags().BoolVar(&f.sql, "sql", false, "offline mode: print the SQL instead of running it (START:END ranges allowed)")
	cmd.Flags().StringVar(&f.tag, "tag", "", "arbitrary tag recorded with each step in retort_history")
}

func (a *app) runOptions(f *runFlags) retort.RunOptions {
	o := retort.RunOptions{Tag: f.tag, NoLock: a.g.noLock, LockTimeout: a.g.lockTimeout, OnEvent: a.onEvent, Strict: f.strict}
	if f.sql {
		o.SQL = a.env.Stdout
	}
	return o
}

// onEvent prints Alembic's "Running upgrade a -> b, message" lines.
func (a *app) onEvent(e migrate.Event) {
	switch e.Kind {
	case migrate.StepStarted:
		if e.Step.Purge {
			return // Alembic empties the table for --purge without a line
		}
		a.status("%s", migrate.Describe(*e.Step))
	case migrate.LockWaiting:
		a.status("%s", e.Message)
	case migrate.Warning:
		a.status("WARNING: %s", e.Message)
	}
}

// summarise ends a run with one line saying where the database is now.
func (a *app) summarise(verb string, res *migrate.Result, offline bool) {
	if offline || res == nil {
		return
	}
	n := 0
	for _, s := range res.Steps {
		if !s.Stamp {
			n++
		}
	}
	at := "base"
	if len(res.Heads) > 0 {
		at = strings.Join(res.Heads, ", ")
	}
	switch {
	case verb == "stamp":
		a.status("Stamped; version table now at %s", at)
	case n == 0:
		a.status("Nothing to %s; database at %s", verb, at)
	default:
		a.status("%s %d revision%s; database now at %s", map[string]string{"upgrade": "Applied", "downgrade": "Reverted"}[verb], n, plural(n), at)
	}
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

func (a *app) upgradeCommand() *cobra.Command {
	var f runFlags
	cmd := &cobra.Command{
		Use:   "upgrade REVISION",
		Short: "Upgrade to a later revision (head, heads, an id, +N, label@head, …)",
		Example: `  retort upgrade head
  retort upgrade +1
  retort upgrade billing@head
  retort upgrade ae10:head --sql > upgrade.sql`,
		Args: exactArgs(1, "upgrade needs the target revision, e.g. `retort upgrade head`"),
		RunE: func(cmd *cobra.Command, args []string) error {
			p, err := a.open()
			if err != nil {
				return err
			}
			res, err := p.Upgrade(cmd.Context(), unescape(args[0]), a.runOptions(&f))
			if err != nil {
				return err
			}
			a.summarise("upgrade", res, f.sql)
			return nil
		},
	}
	a.addRunFlags(cmd, &f)
	cmd.Flags().BoolVar(&f.strict, "strict", false, "refuse to run when an applied migration file was edited since it ran")
	return cmd
}

func (a *app) downgradeCommand() *cobra.Command {
	var f runFlags
	cmd := &cobra.Command{
		Use:   "downgrade REVISION",
		Short: "Revert to an earlier revision (base, an id, -N, label@base, …)",
		Example: `  retort downgrade -1
  retort downgrade base
  retort downgrade head:base --sql > downgrade.sql`,
		Args: exactArgs(1, "downgrade needs the target revision, e.g. `retort downgrade -1`"),
		RunE: func(cmd *cobra.Command, args []string) error {
			p, err := a.open()
			if err != nil {
				return err
			}
			res, err := p.Downgrade(cmd.Context(), unescape(args[0]), a.runOptions(&f))
			if err != nil {
				return err
			}
			a.summarise("downgrade", res, f.sql)
			return nil
		},
	}
	a.addRunFlags(cmd, &f)
	return cmd
}

func (a *app) stampCommand() *cobra.Command {
	var f runFlags
	var purge bool
	cmd := &cobra.Command{
		Use:   "stamp REVISION...",
		Short: "Set the version table to revisions without running migrations",
		Example: `  retort stamp head
  retort stamp --purge 3f2a9c1b7d4e`,
		Args: minArgs(1, "stamp needs at least one revision, e.g. `retort stamp head`"),
		RunE: func(cmd *cobra.Command, args []string) error {
			p, err := a.open()
			if err != nil {
				return err
			}
			res, err := p.Stamp(cmd.Context(), unescapeAll(args), purge, a.runOptions(&f))
			if err != nil {
				return err
			}
			a.summarise("stamp", res, f.sql)
			return nil
		},
	}
	a.addRunFlags(cmd, &f)
	cmd.Flags().BoolVar(&purge, "purge", false, "delete every version row first, even unknown ones")
	return cmd
}

// exactArgs and minArgs are cobra arg checks with a message that says what
// to type.
func exactArgs(n int, hint string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) != n {
			return &usageError{fmt.Sprintf("%s (got %d arguments)", hint, len(args))}
		}
		return nil
	}
}

func minArgs(n int, hint string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) < n {
			return &usageError{hint}
		}
		return nil
	}
}
