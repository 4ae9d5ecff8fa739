// Package retorttest runs retort's migration checks (the checks of
// `retort test`) from go test, so a project's own test suite proves that
// every migration upgrades, downgrades and upgrades again cleanly:
//
//	func TestMigrations(t *testing.T) {
//		retorttest.Run(t, "../retort.toml")
//	}
//
// Each check of each revision is a subtest named check/revision
// ("stairway/3f2a9c1b7d4e"; "single-head" for checks of the whole graph), so
// `go test -run TestMigrations/stairway` shows only the stairway results.
// The checks run on the scratch database `retort test` would use: an
// in-memory database for a SQLite project, a temporary database beside the
// configured one for PostgreSQL and MySQL (dropped afterwards), or the empty
// database named by $RETORT_TEST_URL when it is set.
//
// Like the retort library, this package registers no database/sql driver:
// the test imports the driver of its dialect (modernc.org/sqlite,
// github.com/jackc/pgx/v5/stdlib or github.com/go-sql-driver/mysql).
package retorttest

import (
	"context"
	"os"
	"testing"

	"github.com/retortdb/retort"
	"github.com/retortdb/retort/config"
)

// EnvURL names the environment variable that, when set, gives the scratch
// database the checks run on (an empty database; see retort.TestOptions.URL).
const EnvURL = "RETORT_TEST_URL"

// Option tunes Run and Check.
type Option func(*settings)

type settings struct {
	only   []string
	from   string
	url    string
	urlSet bool
	onRes  func(retort.TestResult)
}

// Only restricts the run to the named checks (retort.CheckStairway, …).
func Only(checks ...string) Option {
	return func(s *settings) { s.only = append(s.only, checks...) }
}

// From starts the revision-by-revision checks at rev; the revisions before
// it are applied untested (`retort test --from`).
func From(rev string) Option { return func(s *settings) { s.from = rev } }

// URL runs the checks on the empty database u instead of a temporary one;
// it takes precedence over $RETORT_TEST_URL. An empty u ignores the
// variable.
func URL(u string) Option { return func(s *settings) { s.url, s.urlSet = u, true } }

// Run runs the checks of `retort test` for the project of the config file
// at configPath (relative to the test's working directory, its package
// directory), each result as a subtest check/revision. A failing check
// fails its subtest with the revision, step and reason; a check that did not
// run (no autogenerate target configured, …) is a skipped subtest. An error
// of the run itself (the config cannot be read, the server cannot be
// reached) fails t at once.
func Run(t *testing.T, configPath string, opts ...Option) {
	t.Helper()
	opts = append(opts, func(s *settings) {
		s.onRes = func(r retort.TestResult) {
			name := r.Check
			if r.Revision != "" {
				name += "/" + r.Revision
			}
			t.Run(name, func(t *testing.T) {
				switch r.Status {
				case retort.TestFail:
					t.Error(r.Summary())
				case retort.TestSkip:
					t.Skip(r.Message)
				default:
					t.Logf("%s in %s", r.Status, r.Duration)
				}
			})
		}
	})
	if _, err := Check(t.Context(), configPath, opts...); err != nil {
		t.Fatalf("retorttest: %v", err)
	}
}

// Check runs the checks like Run, without a *testing.T, and returns the
// report: for harnesses of your own. The error is about the run itself;
// failing checks are in the report (TestReport.Failed).
func Check(ctx context.Context, configPath string, opts ...Option) (*retort.TestReport, error) {
	var s settings
	for _, o := range opts {
		o(&s)
	}
	if !s.urlSet {
		s.url = os.Getenv(EnvURL)
	}
	cfg, err := config.Load(config.LoadOptions{Path: configPath})
	if err != nil {
		return nil, err
	}
	p, err := retort.Open(cfg)
	if err != nil {
		return nil, err
	}
	return p.Test(ctx, retort.TestOptions{Only: s.only, From: s.from, URL: s.url, OnResult: s.onRes})
}
