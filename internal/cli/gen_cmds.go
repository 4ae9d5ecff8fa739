package cli

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/retortdb/retort"
)

func (a *app) initCommand() *cobra.Command {
	var tmpl string
	cmd := &cobra.Command{
		Use:   "init DIRECTORY",
		Short: "Create a migration project: DIRECTORY (versions/, script.sql.tmpl) and retort.toml",
		Example: `  retort init migrations
  retort init -t generic db/migrations`,
		Args: exactArgs(1, "init needs the directory to create, e.g. `retort init migrations`"),
		RunE: func(cmd *cobra.Command, args []string) error {
			cfgPath := a.g.configPath
			if cfgPath == "" {
				cfgPath = "retort.toml"
			}
			res, err := retort.Init(retort.InitOptions{
				Dir:        a.abs(args[0]),
				Template:   tmpl,
				ConfigPath: a.abs(cfgPath),
			})
			if err != nil {
				return err
			}
			for _, c := range res.Created {
				a.status("Creating %s ...  done", c)
			}
			for _, s := range res.Skipped {
				a.status("File %s already exists, skipping", s)
			}
			a.status("Please edit the settings in %s (database_url first) before proceeding.", a.abs(cfgPath))
			switch tmpl {
			case "multidb":
				a.status("Next: `retort --db main revision -m \"create first table\"`, fill in the new file, then `retort upgrade head` (every database).")
			case "go":
				dir := filepath.ToSlash(filepath.Clean(args[0]))
				if !filepath.IsAbs(dir) && !strings.HasPrefix(dir, ".") {
					dir = "./" + dir
				}
				a.status("Next: `go mod tidy`, then `go run %s revision --format go -m \"create first table\"`, fill in the new file, then `go run %s upgrade head`.", dir, dir)
			default:
				a.status("Next: `retort revision -m \"create first table\"`, fill in the new file, then `retort upgrade head`.")
			}
			return nil
		},
	}
	cmd.Flags().StringVarP(&tmpl, "template", "t", "generic", "project template (see list-templates)")
	return cmd
}

// abs makes a path from the command line absolute against the working
// directory the CLI was given.
func (a *app) abs(p string) string {
	if filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(a.env.Cwd, p)
}

func (a *app) listTemplatesCommand() *cobra.Command {
	return &cobra.Command{
		Use:     "list-templates",
		Aliases: []string{"list_templates"},
		Short:   "List the project templates init can write",
		Args:    exactArgs(0, "list-templates takes no arguments"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			fmt.Fprintln(a.env.Stdout, "Available templates:")
			fmt.Fprintln(a.env.Stdout)
			for _, t := range retort.Templates() {
				fmt.Fprintf(a.env.Stdout, "%s - %s\n", t.Name, t.Description)
			}
			fmt.Fprintln(a.env.Stdout)
			fmt.Fprintln(a.env.Stdout, "Templates are used via the 'init' command, e.g.:")
			fmt.Fprintln(a.env.Stdout)
			fmt.Fprintln(a.env.Stdout, "  retort init --template generic ./migrations")
			return nil
		},
	}
}

func (a *app) revisionCommand() *cobra.Command {
	var o retort.RevisionOptions
	var autogenerate, allowEmpty bool
	var renames []string
	cmd := &cobra.Command{
		Use:   "revision",
		Short: "Create a new revision file",
		Example: `  retort revision -m "add users table"
  retort revision -m "start billing" --head base --branch-label billing --version-path billing/versions
  retort revision -m "fix" --head ae1027 --splice
  retort revision --autogenerate -m "add users.email"
  retort revision --format go -m "backfill full names"
  retort revision --autogenerate -m "rename" --rename users=people --rename people.name=people.full_name`,
		Args: exactArgs(0, "revision takes no arguments; give the message with -m"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			p, err := a.open()
			if err != nil {
				return err
			}
			o.Head = unescape(o.Head)
			if o.VersionPath != "" {
				o.VersionPath = a.abs(o.VersionPath)
			}
			if allowEmpty && !autogenerate {
				return &usageError{"--allow-empty needs --autogenerate"}
			}
			if len(renames) > 0 && !autogenerate {
				return &usageError{"--rename needs --autogenerate"}
			}
			if autogenerate {
				ao := retort.AutogenerateOptions{Renames: renames}
				if isTerminal(a.env.Stdin) {
					ao.Confirm = a.confirmer()
				}
				res, err := p.Autogenerate(cmd.Context(), ao)
				if err != nil {
					return err
				}
				for _, r := range res.PossibleRenames {
					a.status("Possible rename of %s written as a drop and an add; to rename it instead (keeping its data), pass --rename %s", r, r.Flag())
				}
				if res.Empty() && !allowEmpty {
					a.status("No changes in schema detected.")
					return nil
				}
				for _, op := range res.Upgrade {
					a.status("Detected %s", op)
				}
				for _, r := range res.Irreversible {
					a.status("Cannot reverse automatically: %s", r)
				}
				for _, n := range res.Notes {
					a.status("Note: %s", n)
				}
				o.Upgrades, o.Downgrades = res.Upgrades, res.Downgrades
				if o.Format == "go" {
					if o.Upgrades, o.Downgrades, o.GoImports, err = goBodies(res); err != nil {
						return err
					}
					o.GoNoTransaction = rebuildsTables(res)
				}
			}
			if o.Format != "sql" && o.Format != "go" {
				return &usageError{fmt.Sprintf("--format %s: use sql or go", o.Format)}
			}
			s, err := p.NewRevision(o)
			if err != nil {
				return err
			}
			a.status("Generating %s ...  done", s.Path)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVarP(&o.Message, "message", "m", "", "message of the revision")
	f.BoolVar(&autogenerate, "autogenerate", false, "write the SQL that turns the database (at head) into the [autogenerate] target")
	f.BoolVar(&allowEmpty, "allow-empty", false, "with --autogenerate: write the revision even when nothing changed")
	f.StringArrayVar(&renames, "rename", nil, "with --autogenerate: write a rename instead of a drop and an add, old=new for a table, table.old=table.new for a column (repeatable)")
	f.StringVar(&o.Head, "head", "head", "revision the new one is based on (base starts a new root)")
	f.BoolVar(&o.Splice, "splice", false, "allow --head to name a revision that is not a head (starts a branch)")
	f.StringArrayVar(&o.BranchLabels, "branch-label", nil, "branch label for the new revision (repeatable)")
	f.StringArrayVar(&o.DependsOn, "depends-on", nil, "revision or label the new revision depends on (repeatable)")
	f.StringVar(&o.RevID, "rev-id", "", "revision id to use instead of a generated one")
	f.StringVar(&o.VersionPath, "version-path", "", "version location to write the file into")
	f.StringVar(&o.Format, "format", "sql", "sql, or go for a Go revision (built into your own binary, see init --template go)")
	return cmd
}

// isTerminal reports whether r is a terminal, where revision
// --autogenerate asks about likely renames. A variable for tests.
var isTerminal = func(r io.Reader) bool {
	// A terminal is what has terminal settings: /dev/null is a character
	// device too, but nobody is there to answer.
	f, ok := r.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// confirmer returns a function that asks a question on stderr and reads
// the answer from stdin: yes for "y" or "yes", no otherwise (also at the
// end of the input).
func (a *app) confirmer() func(question string) (bool, error) {
	in := bufio.NewReader(a.env.Stdin)
	return func(question string) (bool, error) {
		fmt.Fprintf(a.env.Stderr, "%s [y/N] ", question)
		line, err := in.ReadString('\n')
		if err != nil && line == "" {
			if errors.Is(err, io.EOF) {
				return false, nil
			}
			return false, err
		}
		ans := strings.ToLower(strings.TrimSpace(line))
		return ans == "y" || ans == "yes", nil
	}
}

func (a *app) mergeCommand() *cobra.Command {
	var o retort.MergeOptions
	cmd := &cobra.Command{
		Use:   "merge REVISION...",
		Short: "Create a revision that merges two or more revisions (e.g. heads)",
		Example: `  retort merge heads -m "merge billing and main"
  retort merge ae1027 27c6a3 -m "merge"`,
		Args: minArgs(1, "merge needs the revisions to merge, e.g. `retort merge heads -m \"merge\"`"),
		RunE: func(cmd *cobra.Command, args []string) error {
			p, err := a.open()
			if err != nil {
				return err
			}
			s, err := p.Merge(unescapeAll(args), o)
			if err != nil {
				return err
			}
			a.status("Generating %s ...  done", s.Path)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVarP(&o.Message, "message", "m", "", "message of the merge revision")
	f.StringArrayVar(&o.BranchLabels, "branch-label", nil, "branch label for the merge revision")
	f.StringVar(&o.RevID, "rev-id", "", "revision id to use instead of a generated one")
	f.BoolVar(&o.Splice, "splice", false, "allow merging revisions that are not heads")
	return cmd
}
