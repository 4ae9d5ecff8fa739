package cli

import (
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/retortdb/retort"
	"github.com/retortdb/retort/revision"
)

func (a *app) currentCommand() *cobra.Command {
	var verbose, checkHeads, asJSON bool
	cmd := &cobra.Command{
		Use:   "current",
		Short: "Show the revisions the database is at",
		Args:  exactArgs(0, "current takes no arguments"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			p, err := a.open()
			if err != nil {
				return err
			}
			st, err := p.Current(cmd.Context())
			if err != nil {
				return err
			}
			g := p.Graph
			// A step left half-done means the rows may not describe the
			// schema: say so even though current only reads.
			for _, u := range st.Unsettled {
				a.status("WARNING: %s", u.Error())
			}
			if hidden := st.AncestorRows; len(hidden) > 0 {
				// Alembic shows such a row only through its descendant:
				// say that the table holds it.
				var keep []string
				for _, row := range st.Rows {
					if !slices.Contains(hidden, row) && !slices.Contains(keep, row) {
						keep = append(keep, row)
					}
				}
				a.status("WARNING: the version table also holds %s, an ancestor of another row, which Alembic never writes: "+
					"upgrade fails until the table is rewritten, with `retort stamp --purge %s` if the schema is at %s",
					strings.Join(hidden, ", "), strings.Join(keep, " "), strings.Join(keep, ", "))
			}
			if asJSON {
				out := struct {
					URL       string          `json:"url"`
					Rows      []string        `json:"version_rows"`
					Revisions []revJSON       `json:"revisions"`
					AtHeads   bool            `json:"at_heads"`
					Unsettled []unsettledJSON `json:"unsettled_steps"`
				}{URL: st.URL, Rows: nonNil(st.Rows), Revisions: []revJSON{}, AtHeads: st.AtHeads, Unsettled: []unsettledJSON{}}
				for _, u := range st.Unsettled {
					out.Unsettled = append(out.Unsettled, unsettledJSON{Revision: u.Revision, Direction: u.Direction, Status: u.Status,
						StartedAt: u.At.UTC().Format(time.RFC3339Nano), Message: u.Error()})
				}
				for _, r := range st.Revisions {
					out.Revisions = append(out.Revisions, toJSON(g, r, nil))
				}
				if err := writeJSON(a.env.Stdout, out); err != nil {
					return err
				}
			} else {
				if verbose {
					fmt.Fprintf(a.env.Stdout, "Current revision(s) for %s:\n", st.URL)
				}
				for _, r := range st.Revisions {
					if verbose {
						fmt.Fprint(a.env.Stdout, logEntry(g, r, nil))
					} else {
						fmt.Fprintln(a.env.Stdout, headOnly(g, r, revFormat{treeIndicators: true, headIndicators: true}))
					}
				}
			}
			if checkHeads && !st.AtHeads {
				return retort.ErrNotAtHead
			}
			return nil
		},
	}
	cmd.Flags().BoolVarP(&verbose, "verbose", "v", false, "show the full revision blocks")
	cmd.Flags().BoolVar(&checkHeads, "check-heads", false, "exit 1 unless the database is on all head revisions")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func (a *app) headsCommand() *cobra.Command {
	var verbose, resolveDeps, asJSON bool
	cmd := &cobra.Command{
		Use:   "heads",
		Short: "Show the head revisions of the graph",
		Args:  exactArgs(0, "heads takes no arguments"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			p, err := a.open()
			if err != nil {
				return err
			}
			heads := p.Heads(resolveDeps)
			return a.printRevisions(p.Graph, heads, asJSON, verbose, nil,
				revFormat{branches: true, headIndicators: true})
		},
	}
	cmd.Flags().BoolVarP(&verbose, "verbose", "v", false, "show the full revision blocks")
	cmd.Flags().BoolVar(&resolveDeps, "resolve-dependencies", false, "treat dependencies as down revisions: show only real heads")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

// printRevisions prints a list as JSON, verbose blocks or one line each.
func (a *app) printRevisions(g *revision.Graph, revs []*revision.Revision, asJSON, verbose bool, current map[string]bool, f revFormat) error {
	if asJSON {
		out := make([]revJSON, 0, len(revs))
		for _, r := range revs {
			out = append(out, toJSON(g, r, current))
		}
		return writeJSON(a.env.Stdout, out)
	}
	for _, r := range revs {
		if verbose {
			fmt.Fprint(a.env.Stdout, logEntry(g, r, current))
		} else {
			fmt.Fprintln(a.env.Stdout, headOnly(g, r, f))
		}
	}
	return nil
}

func (a *app) historyCommand() *cobra.Command {
	var verbose, indicate, asJSON bool
	var rng string
	cmd := &cobra.Command{
		Use:   "history",
		Short: "List revisions, newest first",
		Example: `  retort history
  retort history -r ae1027:head
  retort history -r-3:current -i`,
		Args: exactArgs(0, "history takes no arguments; give a range with -r START:END"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			p, err := a.open()
			if err != nil {
				return err
			}
			res, err := p.History(cmd.Context(), unescape(rng), indicate)
			if err != nil {
				return err
			}
			var current map[string]bool
			if indicate {
				current = res.Current
			}
			return a.printRevisions(p.Graph, res.Revisions, asJSON, verbose, current,
				revFormat{branches: true, doc: true, parents: true, treeIndicators: true, headIndicators: true, current: current})
		},
	}
	cmd.Flags().StringVarP(&rng, "rev-range", "r", "", "range START:END, START: or :END (current allowed)")
	cmd.Flags().BoolVarP(&verbose, "verbose", "v", false, "show the full revision blocks")
	cmd.Flags().BoolVarP(&indicate, "indicate-current", "i", false, "mark the revisions the database is at")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func (a *app) branchesCommand() *cobra.Command {
	var verbose, asJSON bool
	cmd := &cobra.Command{
		Use:   "branches",
		Short: "Show the branch points of the graph",
		Args:  exactArgs(0, "branches takes no arguments"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			p, err := a.open()
			if err != nil {
				return err
			}
			g := p.Graph
			points, err := p.Branches()
			if err != nil {
				return err
			}
			if asJSON {
				return a.printRevisions(g, points, true, false, nil, revFormat{})
			}
			for _, r := range points {
				if verbose {
					fmt.Fprint(a.env.Stdout, logEntry(g, r, nil))
				} else {
					fmt.Fprintln(a.env.Stdout, headOnly(g, r, revFormat{branches: true, treeIndicators: true, headIndicators: true}))
				}
				pad := strings.Repeat(" ", len(r.ID))
				for _, c := range g.Children(r.ID) {
					cr, _ := g.Get(c)
					fmt.Fprintf(a.env.Stdout, "%s -> %s\n", pad, headOnly(g, cr, revFormat{branches: true, doc: verbose, treeIndicators: true, headIndicators: true}))
				}
				fmt.Fprintln(a.env.Stdout)
			}
			return nil
		},
	}
	cmd.Flags().BoolVarP(&verbose, "verbose", "v", false, "show the full revision blocks")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func (a *app) showCommand() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "show REVISION",
		Short: "Show the revision(s) a spec names (current reads the database)",
		Args:  exactArgs(1, "show needs a revision, e.g. `retort show head`"),
		RunE: func(cmd *cobra.Command, args []string) error {
			p, err := a.open()
			if err != nil {
				return err
			}
			revs, err := p.Show(cmd.Context(), unescape(args[0]))
			if err != nil {
				return err
			}
			return a.printRevisions(p.Graph, revs, asJSON, true, nil, revFormat{})
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func (a *app) editCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "edit REVISION",
		Short: "Open revision file(s) in $EDITOR",
		Args:  exactArgs(1, "edit needs a revision, e.g. `retort edit head`"),
		RunE: func(cmd *cobra.Command, args []string) error {
			p, err := a.open()
			if err != nil {
				return err
			}
			spec := unescape(args[0])
			revs, err := p.Show(cmd.Context(), spec)
			if err != nil {
				return err
			}
			if len(revs) == 0 {
				if spec == "current" {
					return &retort.CommandError{Msg: "No current revisions"}
				}
				return &retort.CommandError{Msg: fmt.Sprintf("No revision files indicated by symbol '%s'", spec)}
			}
			editor, _ := a.env.Getenv("VISUAL")
			if editor == "" {
				editor, _ = a.env.Getenv("EDITOR")
			}
			if editor == "" {
				return &retort.CommandError{Msg: "no editor: set $EDITOR (or $VISUAL) to the command that opens a file"}
			}
			words := strings.Fields(editor)
			for _, r := range revs {
				words = append(words, r.Path)
			}
			c := exec.CommandContext(cmd.Context(), words[0], words[1:]...)
			c.Stdin, c.Stdout, c.Stderr = a.env.Stdin, a.env.Stdout, a.env.Stderr
			if f, ok := a.env.Stdin.(*os.File); ok {
				c.Stdin = f
			}
			if err := c.Run(); err != nil {
				return fmt.Errorf("editor %q: %w", editor, err)
			}
			return nil
		},
	}
}

// unsettledJSON is a step left half-done, in `current --json`.
type unsettledJSON struct {
	Revision  string `json:"revision"`
	Direction string `json:"direction"`
	Status    string `json:"status"` // "started" (interrupted) or "failed"
	StartedAt string `json:"started_at"`
	Message   string `json:"message"`
}
