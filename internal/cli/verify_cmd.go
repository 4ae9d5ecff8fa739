package cli

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/retortdb/retort"
)

func (a *app) verifyCommand() *cobra.Command {
	var asJSON bool
	var accept []string
	cmd := &cobra.Command{
		Use:   "verify",
		Short: "Check that applied migration files are unchanged since they ran",
		Long: `verify compares each applied revision's file with the checksum retort_history
recorded when it ran. Edited or deleted files are listed and make verify exit 1.
Revisions applied before retort (by Alembic) have no checksum and are listed
apart, not as failures. --accept REV records the current file of a deliberate
edit as the one that ran.`,
		Example: `  retort verify
  retort verify --accept 3f2a9c1b7d4e`,
		Args: exactArgs(0, "verify takes no arguments; name revisions to accept with --accept REV"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			p, err := a.open()
			if err != nil {
				return err
			}
			if len(accept) > 0 {
				ids, err := p.Accept(cmd.Context(), unescapeAll(accept), retort.RunOptions{NoLock: a.g.noLock, LockTimeout: a.g.lockTimeout, OnEvent: a.onEvent})
				if err != nil {
					return err
				}
				a.status("Accepted the current file of %s", strings.Join(ids, ", "))
				return nil
			}
			rep, err := p.Verify(cmd.Context())
			if err != nil {
				return err
			}
			if asJSON {
				if rep.Checks == nil {
					rep.Checks = []retort.RevisionCheck{}
				}
				if err := writeJSON(a.env.Stdout, rep); err != nil {
					return err
				}
			} else {
				a.printVerify(rep)
			}
			if len(rep.Problems()) > 0 {
				return &silentExit{code: ExitFailure}
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	cmd.Flags().StringArrayVar(&accept, "accept", nil, "record the current checksum of REV after a deliberate edit (repeatable)")
	return cmd
}

func (a *app) printVerify(rep *retort.VerifyReport) {
	counts := map[string]int{}
	var unrecorded, goRevs []string
	for _, c := range rep.Checks {
		counts[c.State]++
		switch c.State {
		case retort.ChecksumEdited:
			fmt.Fprintf(a.env.Stdout, "edited   %s  %s  (ran %s with checksum %.12s…, now %.12s…)\n",
				c.Revision, c.Path, c.At.UTC().Format("2006-01-02 15:04:05"), c.Recorded, c.Current)
		case retort.ChecksumDeleted:
			fmt.Fprintf(a.env.Stdout, "deleted  %s  applied, but no file declares it any more\n", c.Revision)
		case retort.ChecksumUnrecorded:
			unrecorded = append(unrecorded, c.Revision)
		case retort.ChecksumGo:
			goRevs = append(goRevs, c.Revision)
		}
	}
	if len(goRevs) > 0 {
		fmt.Fprintf(a.env.Stdout, "not checkable (Go revisions, compiled into this program): %s\n", strings.Join(goRevs, ", "))
	}
	if len(unrecorded) > 0 {
		fmt.Fprintf(a.env.Stdout, "not checkable (applied before retort recorded checksums): %s\n", strings.Join(unrecorded, ", "))
	}
	fmt.Fprintf(a.env.Stdout, "%d applied revision(s): %d unchanged, %d edited, %d deleted, %d not checkable\n",
		len(rep.Checks), counts[retort.ChecksumOK], counts[retort.ChecksumEdited], counts[retort.ChecksumDeleted], counts[retort.ChecksumUnrecorded]+counts[retort.ChecksumGo])
	if counts[retort.ChecksumEdited]+counts[retort.ChecksumDeleted] > 0 {
		fmt.Fprintln(a.env.Stdout, "restore the files, or record deliberate edits with `retort verify --accept REV`")
	}
}
