package cli

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/retortdb/retort"
)

func (a *app) testCommand() *cobra.Command {
	var asJSON bool
	var only []string
	var from string
	cmd := &cobra.Command{
		Use:   "test",
		Short: "Test every migration up, down and up again on a scratch database",
		Long: `test runs the project's migrations on a scratch database of its dialect and
checks them:

  single-head  the graph has one head ([test] expected_heads to expect more)
  downgrades   every revision has a downgrade section
  upgrade      from an empty database, each revision upgrades on its own
  stairway     each revision up, down, up again: the schema after the down
               equals the schema before the up (introspected, not textual)
  round-trip   heads -> base -> heads gives the same schemas
  target       at heads, the database matches the [autogenerate] target
  offline      the --sql script of base:heads, run on a fresh database,
               builds the schema of the online run

The scratch database is in memory for SQLite, and a temporary database
created beside the configured one (and dropped afterwards) for PostgreSQL and
MySQL; the configured database itself is never touched. With --url the
checks run on that database instead, which must be empty. test exits 1 when a
check fails, naming the first failing revision and step.`,
		Example: `  retort test
  retort test --only stairway --from 3f2a9c1b7d4e
  retort test --url postgresql://postgres@localhost/scratch --json`,
		Args: exactArgs(0, "test takes no arguments; choose checks with --only CHECK"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			for _, c := range only {
				for _, name := range strings.Split(c, ",") {
					if !contains(retort.TestChecks, strings.TrimSpace(name)) {
						return &usageError{fmt.Sprintf("--only %s: unknown check; the checks are %s", name, strings.Join(retort.TestChecks, ", "))}
					}
				}
			}
			p, err := a.open()
			if err != nil {
				return err
			}
			o := retort.TestOptions{Only: only, From: unescape(from), URL: a.g.url}
			tw := a.newTestTable(p)
			if !asJSON {
				// Announced once Test has checked the options, so that a bad
				// --from prints its error alone; the table header waits for
				// the first row, so that a database that cannot be reached
				// leaves no empty table on stdout.
				o.OnStart = func() { a.status("Testing migrations on %s", scratchName(p, a.g.url)) }
				o.OnResult = tw.row
			}
			rep, err := p.Test(cmd.Context(), o)
			if err != nil && rep == nil {
				return err
			}
			if asJSON {
				if jerr := writeJSON(a.env.Stdout, testJSONOf(rep)); jerr != nil {
					return errors.Join(err, jerr)
				}
			} else if tw.headed || err == nil {
				tw.footer(rep)
			}
			if err != nil {
				return err
			}
			if f := rep.FirstFailure(); f != nil {
				return errors.New(f.Summary())
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the results as JSON")
	cmd.Flags().StringArrayVar(&only, "only", nil, "run only this check (repeatable): "+strings.Join(retort.TestChecks, ", "))
	cmd.Flags().StringVar(&from, "from", "", "start the revision-by-revision checks at this revision; those before it are applied untested")
	return cmd
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// scratchName says where the checks run, before they start.
func scratchName(p *retort.Project, url string) string {
	if url != "" {
		return "the database given with --url"
	}
	if u, err := p.Config.ResolveURL(); err == nil {
		if d, err := retort.DialectFor(u.Dialect); err == nil && retort.ScratchInMemory(d) {
			return "an in-memory database"
		}
		return "temporary databases beside " + u.Redacted()
	}
	return "a scratch database"
}

// testTable prints the results as they arrive, in aligned columns.
type testTable struct {
	a      *app
	revW   int
	headed bool // the header is printed
	failed []retort.TestResult
}

func (a *app) newTestTable(p *retort.Project) *testTable {
	w := len("REVISION")
	for _, r := range p.Graph.Revisions() {
		w = max(w, len(r.ID))
	}
	return &testTable{a: a, revW: w}
}

const checkW = len("single-head") + 1

func (t *testTable) header() {
	if t.headed {
		return
	}
	t.headed = true
	fmt.Fprintf(t.a.env.Stdout, "%-*s  %-*s %-6s %s\n", t.revW, "REVISION", checkW, "CHECK", "RESULT", "TIME")
}

func (t *testTable) row(r retort.TestResult) {
	t.header()
	rev := r.Revision
	if rev == "" {
		rev = "-"
	}
	tm := "-"
	if r.Status != retort.TestSkip {
		tm = formatDuration(r.Duration)
	}
	line := fmt.Sprintf("%-*s  %-*s %-6s %s", t.revW, rev, checkW, r.Check, r.Status, tm)
	if r.Status == retort.TestSkip && r.Message != "" {
		line += "  (" + r.Message + ")"
	}
	if r.Status == retort.TestFail && r.Step != "" {
		line += "  at " + r.Step
	}
	fmt.Fprintln(t.a.env.Stdout, line)
	if r.Status == retort.TestFail {
		t.failed = append(t.failed, r)
	}
}

func (t *testTable) footer(rep *retort.TestReport) {
	out := t.a.env.Stdout
	for _, f := range t.failed {
		fmt.Fprintf(out, "\n%s\n", f.Summary())
	}
	fmt.Fprintf(out, "\n%d passed, %d failed, %d skipped in %s\n",
		rep.Count(retort.TestPass), rep.Count(retort.TestFail), rep.Count(retort.TestSkip), formatDuration(rep.Duration))
}

func formatDuration(d time.Duration) string {
	switch {
	case d < time.Millisecond:
		return fmt.Sprintf("%dµs", d.Microseconds())
	case d < time.Second:
		return fmt.Sprintf("%dms", d.Milliseconds())
	}
	return fmt.Sprintf("%.2fs", d.Seconds())
}

// testJSON is `test --json`.
type testJSON struct {
	Database string           `json:"database"`
	Passed   bool             `json:"passed"`
	Counts   map[string]int   `json:"counts"`
	Seconds  float64          `json:"seconds"`
	Failure  *testResultJSON  `json:"first_failure"`
	Results  []testResultJSON `json:"results"`
}

type testResultJSON struct {
	Revision *string `json:"revision"`
	Check    string  `json:"check"`
	Result   string  `json:"result"`
	Step     string  `json:"step,omitempty"`
	Message  string  `json:"message,omitempty"`
	Seconds  float64 `json:"seconds"`
}

func testResultJSONOf(r retort.TestResult) testResultJSON {
	j := testResultJSON{Check: r.Check, Result: string(r.Status), Step: r.Step, Message: r.Message, Seconds: r.Duration.Seconds()}
	if r.Revision != "" {
		rev := r.Revision
		j.Revision = &rev
	}
	return j
}

func testJSONOf(rep *retort.TestReport) testJSON {
	j := testJSON{Database: rep.Database, Passed: !rep.Failed(), Seconds: rep.Duration.Seconds(), Results: []testResultJSON{},
		Counts: map[string]int{"pass": rep.Count(retort.TestPass), "fail": rep.Count(retort.TestFail), "skip": rep.Count(retort.TestSkip)}}
	for _, r := range rep.Results {
		j.Results = append(j.Results, testResultJSONOf(r))
	}
	if f := rep.FirstFailure(); f != nil {
		fj := testResultJSONOf(*f)
		j.Failure = &fj
	}
	return j
}
