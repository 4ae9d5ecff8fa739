package cli

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/retortdb/retort"
	"github.com/retortdb/retort/config"
)

// A multidb config ([databases.NAME] tables) runs each command once per
// database, in config order, or on those named with --db. The commands
// themselves know nothing of it: perDatabase wraps their RunE, points
// a.loadConfig at one database at a time, prints a header line before each
// database's output when there are several, and gathers --json output into
// one object keyed by database name. A single-database config runs exactly
// as before.

// oneDatabase are the commands that write one database's scripts or open
// them: they need exactly one database.
var oneDatabase = map[string]bool{"revision": true, "merge": true, "edit": true}

// statusOutput are the commands whose output is status lines on stderr
// (unless --sql): their database header goes there too.
var statusOutput = map[string]bool{"upgrade": true, "downgrade": true, "stamp": true}

// noDatabase are the commands that do not read the config.
var noDatabase = map[string]bool{"init": true, "list-templates": true, "help": true}

// perDatabase makes cmd run once per selected database of a multidb config.
func (a *app) perDatabase(cmd *cobra.Command) {
	run := cmd.RunE
	if run == nil || noDatabase[cmd.Name()] {
		return
	}
	cmd.RunE = func(c *cobra.Command, args []string) error {
		cfg, err := a.loadConfig()
		if err != nil || (!cfg.MultiDB() && len(a.g.dbs) == 0) {
			// Single database, or no usable config: the command runs and
			// reports as it always has.
			return run(c, args)
		}
		dbs, err := cfg.Select(a.g.dbs)
		if err != nil {
			return &usageError{err.Error()}
		}
		if !cfg.MultiDB() {
			return run(c, args)
		}
		if oneDatabase[c.Name()] && len(dbs) > 1 {
			return &usageError{fmt.Sprintf("%s needs one database, and %s has %d (%s): pick one with --db NAME",
				c.Name(), cfg.DisplayFile(), len(dbs), strings.Join(namesOf(dbs), ", "))}
		}
		return a.eachDatabase(c, dbs, func() error { return run(c, args) })
	}
}

// eachDatabase runs fn with a.loadConfig giving each database in turn. The
// first failure stops the run: the databases after it are not touched.
func (a *app) eachDatabase(c *cobra.Command, dbs []config.Named, fn func() error) error {
	defer func() { a.cur, a.opened = nil, nil }()
	// Every database's scripts and graph are loaded first: a broken file in
	// one stops the command before any database is touched.
	a.opened = map[*config.Config]*retort.Project{}
	for _, d := range dbs {
		a.cur = d.Config
		p, err := a.open()
		if err != nil {
			var ue *usageError
			if errors.As(err, &ue) {
				return err
			}
			others := slices.DeleteFunc(namesOf(dbs), func(n string) bool { return n == d.Name })
			return &databaseError{name: d.Name, err: err, notRun: others}
		}
		a.opened[d.Config] = p
	}
	asJSON := flagOn(c, "json")
	offline := flagOn(c, "sql")
	stdout := a.env.Stdout
	var out keyedJSON
	defer func() { a.env.Stdout = stdout }()
	for i, d := range dbs {
		a.cur = d.Config
		var buf bytes.Buffer
		switch {
		case asJSON:
			a.env.Stdout = &buf
		case len(dbs) < 2:
		case offline:
			fmt.Fprintf(stdout, "%s-- database: %s\n\n", blankIf(i > 0), d.Name)
		case statusOutput[c.Name()]:
			a.status("== %s ==", d.Name)
		default:
			fmt.Fprintf(stdout, "%s== %s ==\n", blankIf(i > 0), d.Name)
		}
		err := fn()
		a.env.Stdout = stdout
		if asJSON && buf.Len() > 0 {
			out = append(out, keyedValue{d.Name, json.RawMessage(bytes.TrimSpace(buf.Bytes()))})
		}
		if err != nil {
			if len(out) > 0 {
				_ = writeJSON(stdout, out)
			}
			var ue *usageError
			if errors.As(err, &ue) {
				return err
			}
			return &databaseError{name: d.Name, err: err, notRun: namesOf(dbs[i+1:])}
		}
	}
	if asJSON {
		return writeJSON(stdout, out)
	}
	return nil
}

func blankIf(b bool) string {
	if b {
		return "\n"
	}
	return ""
}

// flagOn reports whether cmd has a boolean flag name that is set.
func flagOn(cmd *cobra.Command, name string) bool {
	f := cmd.Flags().Lookup(name)
	return f != nil && f.Value.Type() == "bool" && f.Value.String() == "true"
}

func namesOf(dbs []config.Named) []string {
	out := make([]string, len(dbs))
	for i, d := range dbs {
		out[i] = d.Name
	}
	return out
}

// databaseError is a command's failure on one database of several.
type databaseError struct {
	name   string
	err    error
	notRun []string // the databases after it, left alone
}

func (e *databaseError) Error() string { return "database " + e.name + ": " + e.err.Error() }
func (e *databaseError) Unwrap() error { return e.err }

// failure is the FAILED line's message, naming the database that failed.
func (a *app) failure(err error) string {
	var de *databaseError
	if !errors.As(err, &de) {
		return a.explain(err)
	}
	msg := "database " + de.name + ": " + a.explain(de.err)
	if len(de.notRun) > 0 {
		msg += fmt.Sprintf("\n(stopped: not run on database%s %s)", plural(len(de.notRun)), strings.Join(de.notRun, ", "))
	}
	return msg
}

// stopped tells, after a command that exits with its own code, which
// databases were not run.
func (a *app) stopped(err error) {
	var de *databaseError
	if errors.As(err, &de) && len(de.notRun) > 0 {
		fmt.Fprintf(a.env.Stderr, "Stopped at database %s: not run on %s\n", de.name, strings.Join(de.notRun, ", "))
	}
}

// keyedJSON is a JSON object whose keys keep their order: database names in
// config order.
type keyedJSON []keyedValue

type keyedValue struct {
	key   string
	value json.RawMessage
}

func (k keyedJSON) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, kv := range k {
		if i > 0 {
			b.WriteByte(',')
		}
		key, err := json.Marshal(kv.key)
		if err != nil {
			return nil, err
		}
		b.Write(key)
		b.WriteByte(':')
		b.Write(kv.value)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}
