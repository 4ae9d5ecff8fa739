package cli

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/retortdb/retort"
)

// checkReport is `check --json`'s output.
type checkReport struct {
	// Operations are the upgrade operations autogenerate would write.
	Operations []string `json:"operations"`
}

func (a *app) checkCommand() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "check",
		Short: "Check whether autogenerate would write new upgrade operations",
		Long: `check compares the database, which must be at head, with the [autogenerate]
target, as revision --autogenerate does, and writes nothing. It exits 0 when
they match and 1, listing the operations, when a migration is missing.`,
		Example: `  retort check
  retort check --json`,
		Args: exactArgs(0, "check takes no arguments"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			p, err := a.open()
			if err != nil {
				return err
			}
			res, err := p.Autogenerate(cmd.Context(), retort.AutogenerateOptions{})
			if err != nil {
				return err
			}
			ops := make([]string, len(res.Upgrade))
			for i, o := range res.Upgrade {
				ops[i] = o.String()
			}
			if asJSON {
				if err := writeJSON(a.env.Stdout, checkReport{Operations: ops}); err != nil {
					return err
				}
				if len(ops) > 0 {
					return &silentExit{code: ExitFailure}
				}
				return nil
			}
			if len(ops) == 0 {
				fmt.Fprintln(a.env.Stdout, "No new upgrade operations detected.")
				return nil
			}
			return &retort.CommandError{Msg: "New upgrade operations detected:\n  " + strings.Join(ops, "\n  ")}
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}
