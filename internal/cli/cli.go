// Package cli is the retort command line: flags in, one library call, text
// or JSON out, and an exit code. It holds no migration logic of its own.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/retortdb/retort"
	"github.com/retortdb/retort/config"
)

// Exit codes, as the design fixes them.
const (
	ExitOK      = 0
	ExitFailure = 1
	ExitUsage   = 2
)

// Env is what a command runs with: streams, working directory and the
// environment, so tests can run the CLI in-process.
type Env struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	Cwd            string
	Getenv         func(string) (string, bool)
}

// globals are the flags every command accepts.
type globals struct {
	configPath  string
	url         string
	xArgs       []string
	quiet       bool
	lockTimeout time.Duration
	noLock      bool
	dbs         []string // --db: the databases of a multidb config to run on
}

// app carries one invocation's state.
type app struct {
	env Env
	g   globals
	// cur is the database a command runs on, one of a multidb config's
	// (see perDatabase); nil to load the config.
	cur *config.Config
	// opened are the projects of a multidb config's databases, opened
	// before any runs.
	opened map[*config.Config]*retort.Project
}

// Main runs the retort command line with args (without the program name)
// and returns the exit code.
func Main(ctx context.Context, args []string, env Env) int {
	if env.Getenv == nil {
		env.Getenv = os.LookupEnv
	}
	if env.Cwd == "" {
		env.Cwd, _ = os.Getwd()
	}
	if env.Stdin == nil {
		env.Stdin = os.Stdin
	}
	a := &app{env: env}
	root := a.rootCommand()
	root.SetArgs(escapeNegatives(args))
	root.SetOut(env.Stdout)
	root.SetErr(env.Stderr)
	root.SetIn(env.Stdin)
	cmd, err := root.ExecuteContextC(ctx)
	if err == nil {
		return ExitOK
	}
	var ue *usageError
	if errors.As(err, &ue) || isCobraUsageError(err) {
		// The design's one error form, FAILED: <message>, then where to
		// read how the command is used. ExecuteContextC returns the command
		// that failed even when its arguments or flags did not parse, so
		// the hint names it ("retort upgrade --help").
		fmt.Fprintf(env.Stderr, "FAILED: %s\n", err)
		path := "retort"
		if cmd != nil {
			path = cmd.CommandPath()
		}
		fmt.Fprintf(env.Stderr, "Run '%s --help' for usage.\n", path)
		return ExitUsage
	}
	var silent *silentExit
	if errors.As(err, &silent) {
		a.stopped(err)
		return silent.code
	}
	fmt.Fprintf(env.Stderr, "FAILED: %s\n", a.failure(err))
	return ExitFailure
}

// usageError is a command line that cannot be understood: exit 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

// silentExit ends a command with a code after it printed its own output.
type silentExit struct{ code int }

func (e *silentExit) Error() string { return fmt.Sprintf("exit %d", e.code) }

// isCobraUsageError recognises cobra's and pflag's argument errors, which
// are not typed.
func isCobraUsageError(err error) bool {
	msg := err.Error()
	for _, p := range []string{"unknown flag", "unknown shorthand flag", "unknown command", "flag needs an argument",
		"invalid argument", "accepts ", "requires at least", "requires at most", "received ", "bad flag syntax",
		"required flag", "if any flags in the group"} {
		if strings.Contains(msg, p) {
			return true
		}
	}
	return false
}

// negative matches arguments such as -1 or -3:current that Alembic reads as
// relative revisions, not flags.
var negative = regexp.MustCompile(`^-[0-9]+(:.*)?$`)

// negPrefix hides a leading '-' from the flag parser; unescape removes it.
const negPrefix = "\x00"

func escapeNegatives(args []string) []string {
	out := make([]string, len(args))
	for i, a := range args {
		if negative.MatchString(a) {
			a = negPrefix + a
		}
		out[i] = a
	}
	return out
}

func unescape(s string) string { return strings.TrimPrefix(s, negPrefix) }

func unescapeAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = unescape(s)
	}
	return out
}

func version() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "0.1.0-dev"
}

func (a *app) rootCommand() *cobra.Command {
	root := &cobra.Command{
		Use:   "retort",
		Short: "Database migrations with Alembic's revision graph, as one Go binary",
		Long: `retort manages database schema migrations the way Alembic does: SQL migration
files form a revision graph (branches, merges, labels, dependencies), the
database's alembic_version table records what is applied, and upgrade and
downgrade move it to any point of the graph. --sql prints the SQL instead.`,
		Version:           version(),
		SilenceUsage:      true,
		SilenceErrors:     true,
		CompletionOptions: cobra.CompletionOptions{DisableDefaultCmd: true},
		// A command is required: without one cobra would print the help
		// and exit 0, but a missing argument is a usage error (exit 2),
		// with the usage on stderr where scripts will see it.
		RunE: func(cmd *cobra.Command, _ []string) error {
			fmt.Fprint(a.env.Stderr, cmd.UsageString())
			return &usageError{"missing command: retort takes a command, such as upgrade or current"}
		},
	}
	// The root runs only to report a missing command, so its usage does
	// not offer "retort [flags]" as a way to run it; subcommands keep
	// their use line.
	root.SetUsageTemplate(strings.Replace(root.UsageTemplate(), "{{if .Runnable}}", "{{if and .Runnable .HasParent}}", 1))
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error {
		return &usageError{err.Error()}
	})
	pf := root.PersistentFlags()
	pf.StringVarP(&a.g.configPath, "config", "c", "", "config file (default: $RETORT_CONFIG, else ./retort.toml)")
	pf.StringVar(&a.g.url, "url", "", "database URL, overriding the config and DATABASE_URL")
	pf.StringArrayVarP(&a.g.xArgs, "x", "x", nil, "key=value passed to Go migrations and templates (repeatable)")
	pf.BoolVarP(&a.g.quiet, "quiet", "q", false, "print no status messages, only data and errors")
	pf.DurationVar(&a.g.lockTimeout, "lock-timeout", 0, "how long to wait for another run's lock (default: lock_timeout, 60s)")
	pf.BoolVar(&a.g.noLock, "no-lock", false, "do not take the lock that keeps runs from overlapping")
	pf.StringArrayVar(&a.g.dbs, "db", nil, "multidb config: run on this database only (repeatable, or NAME,NAME; default: all, in config order)")

	root.AddCommand(
		a.initCommand(), a.listTemplatesCommand(), a.revisionCommand(), a.mergeCommand(),
		a.upgradeCommand(), a.downgradeCommand(), a.stampCommand(),
		a.currentCommand(), a.historyCommand(), a.headsCommand(), a.branchesCommand(),
		a.showCommand(), a.editCommand(), a.verifyCommand(), a.testCommand(), a.checkCommand(),
	)
	for _, cmd := range root.Commands() {
		a.perDatabase(cmd)
	}
	return root
}

// status prints a progress or status line to stderr unless -q.
func (a *app) status(format string, args ...any) {
	if a.g.quiet {
		return
	}
	fmt.Fprintf(a.env.Stderr, format+"\n", args...)
}

// loadConfig reads the config with the global flags applied; while a
// command runs on one database of a multidb config, it is that database's.
func (a *app) loadConfig() (*config.Config, error) {
	if a.cur != nil {
		return a.cur, nil
	}
	return config.Load(config.LoadOptions{Path: a.g.configPath, URL: a.g.url, Getenv: a.env.Getenv, Cwd: a.env.Cwd})
}

// open loads the config and the project.
func (a *app) open() (*retort.Project, error) {
	if p := a.opened[a.cur]; p != nil {
		return p, nil
	}
	cfg, err := a.loadConfig()
	if err != nil {
		return nil, err
	}
	xs, err := parseXArgs(a.g.xArgs)
	if err != nil {
		return nil, err
	}
	return retort.Open(cfg, retort.WithXArgs(xs), retort.WithHeaderCache(a.cacheDir()))
}

// cacheDir is where parsed revision headers are kept between runs:
// $RETORT_CACHE_DIR ("off" disables the cache), else the user's cache
// directory.
func (a *app) cacheDir() string {
	if d, ok := a.env.Getenv("RETORT_CACHE_DIR"); ok && d != "" {
		if d == "off" {
			return ""
		}
		return d
	}
	d, err := os.UserCacheDir()
	if err != nil {
		return ""
	}
	return filepath.Join(d, "retort")
}

func parseXArgs(xs []string) (map[string]string, error) {
	m := make(map[string]string, len(xs))
	for _, x := range xs {
		k, v, _ := strings.Cut(x, "=")
		if k == "" {
			return nil, &usageError{fmt.Sprintf("-x %q: expected key=value", x)}
		}
		m[k] = v
	}
	return m, nil
}
