// Package integration runs the retort command as real processes against
// real databases (SQLite, PostgreSQL, MariaDB/MySQL): concurrency, crashes,
// lost connections, offline SQL fed to each database's own client, and the
// production settings. Nothing is mocked.
//
// The test binary doubles as the retort command: TestMain runs the CLI
// instead of the tests when [asCLIEnv] is set, so the tests start real
// processes (which can be killed) without building a binary first.
package integration

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"

	"github.com/retortdb/retort/config"
	"github.com/retortdb/retort/internal/cli"
	"github.com/retortdb/retort/internal/testdb"
)

const (
	// asCLIEnv makes the test binary behave as the retort command.
	asCLIEnv = "RETORT_INTEGRATION_AS_CLI"
	// startAtEnv holds a UnixNano time the CLI process sleeps until before
	// it starts, so many processes can start "at the same moment".
	startAtEnv = "RETORT_INTEGRATION_START_AT"
)

func TestMain(m *testing.M) {
	if os.Getenv(asCLIEnv) == "1" {
		os.Exit(runCLI())
	}
	// These tests spend their time waiting for databases and child
	// processes, not on the CPU: unless -parallel says otherwise, run four
	// at a time rather than GOMAXPROCS (two on CI), which halves the time.
	flag.Parse()
	set := false
	flag.Visit(func(f *flag.Flag) { set = set || f.Name == "test.parallel" })
	if !set {
		_ = flag.Set("test.parallel", "4")
	}
	os.Exit(m.Run())
}

// runCLI is cmd/retort's main (the drivers are imported by testdb).
func runCLI() int {
	if at, err := strconv.ParseInt(os.Getenv(startAtEnv), 10, 64); err == nil {
		time.Sleep(time.Until(time.Unix(0, at)))
	}
	_ = mysql.SetLogger(log.New(io.Discard, "", 0)) // as cmd/retort does
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return cli.Main(ctx, os.Args[1:], cli.Env{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr})
}

// project is a retort project directory whose database is a fresh one of
// a dialect.
type project struct {
	t       testing.TB
	dialect string
	dir     string
	url     *config.URL
	cfg     string // path of retort.toml

	dbOnce sync.Once
	db     *sql.DB
}

const baseConfig = "script_location = \"migrations\"\ndatabase_url = \"sqlite:///unused.db\"\n"

// newProject writes files into migrations/versions and a retort.toml with
// extraConfig appended, on a fresh database of dialectName.
func newProject(t testing.TB, dialectName string, files map[string]string, extraConfig string) *project {
	t.Helper()
	return newProjectOn(t, testdb.New(t, dialectName), files, extraConfig)
}

func newProjectOn(t testing.TB, u *config.URL, files map[string]string, extraConfig string) *project {
	t.Helper()
	dir := t.TempDir()
	p := &project{t: t, dialect: u.Dialect, dir: dir, url: u, cfg: filepath.Join(dir, "retort.toml")}
	writeFile(t, p.cfg, baseConfig+extraConfig)
	if err := os.MkdirAll(filepath.Join(dir, "migrations", "versions"), 0o755); err != nil {
		t.Fatal(err)
	}
	for name, body := range files {
		writeFile(t, filepath.Join(dir, "migrations", "versions", name), body)
	}
	return p
}

func writeFile(t testing.TB, path, body string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

// rev is an SQL migration file. downSQL "-" leaves the downgrade section out.
func rev(id, down, up, downSQL string, extra ...string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "-- %s\n--\n-- Revision ID: %s\n-- Revises: %s\n", id, id, down)
	for _, e := range extra {
		b.WriteString("-- " + e + "\n")
	}
	b.WriteString("\n-- retort:upgrade\n" + up + "\n")
	if downSQL != "-" {
		b.WriteString("\n-- retort:downgrade\n" + downSQL + "\n")
	}
	return b.String()
}

// linearTables is a linear project of n revisions r0001…; revision i
// creates table t<i> and drops it on downgrade.
func linearTables(n int) map[string]string {
	files := make(map[string]string, n)
	down := ""
	for i := 1; i <= n; i++ {
		id := revID(i)
		files[id+"_step.sql"] = rev(id, down, fmt.Sprintf("CREATE TABLE t%04d (id INTEGER PRIMARY KEY);", i), fmt.Sprintf("DROP TABLE t%04d;", i))
		down = id
	}
	return files
}

func revID(i int) string { return fmt.Sprintf("r%04d", i) }

// result is a finished retort process.
type result struct {
	args           []string
	stdout, stderr string
	code           int
	elapsed        time.Duration
}

func (r result) String() string {
	return fmt.Sprintf("retort %s: exit %d after %s\nstdout:\n%s\nstderr:\n%s", strings.Join(r.args, " "), r.code, r.elapsed.Round(time.Millisecond), r.stdout, r.stderr)
}

// command returns the retort process for args, on the project's config and
// database (--url, so DATABASE_URL of the environment cannot interfere).
func (p *project) command(ctx context.Context, args ...string) *exec.Cmd {
	full := append([]string{"-c", p.cfg, "--url", p.url.String()}, args...)
	return retortCommand(ctx, p.dir, full...)
}

func retortCommand(ctx context.Context, dir string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, os.Args[0], args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), asCLIEnv+"=1", "RETORT_CACHE_DIR=off")
	cmd.WaitDelay = 5 * time.Second
	return cmd
}

// run runs the retort command to the end (at most 2 minutes).
func (p *project) run(args ...string) result {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	return runCmd(p.command(ctx, args...), args)
}

func runCmd(cmd *exec.Cmd, args []string) result {
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	start := time.Now()
	err := cmd.Run()
	r := result{args: args, stdout: out.String(), stderr: errb.String(), elapsed: time.Since(start)}
	r.code = exitCode(err)
	return r
}

func exitCode(err error) int {
	if err == nil {
		return 0
	}
	if ee, ok := err.(*exec.ExitError); ok {
		if ee.ExitCode() >= 0 {
			return ee.ExitCode()
		}
		return -1 // killed by a signal
	}
	return -2
}

// ok runs a command that must succeed.
func (p *project) ok(args ...string) result {
	p.t.Helper()
	r := p.run(args...)
	if r.code != 0 {
		p.t.Fatalf("%s", r)
	}
	return r
}

// fail runs a command that must exit 1 and print every one of wants on
// stderr.
func (p *project) fail(wants []string, args ...string) result {
	p.t.Helper()
	r := p.run(args...)
	if r.code != 1 {
		p.t.Fatalf("want exit 1; %s", r)
	}
	for _, w := range wants {
		if !strings.Contains(r.stderr, w) {
			p.t.Fatalf("stderr lacks %q; %s", w, r)
		}
	}
	return r
}

// started is a retort process running in the background, whose stderr is
// read line by line.
type started struct {
	cmd   *exec.Cmd
	args  []string
	start time.Time
	lines chan string // stderr lines; closed at EOF
	mu    sync.Mutex
	errb  strings.Builder
	out   bytes.Buffer
	done  chan struct{}
	res   result
}

// startCmd starts cmd; waitFor and wait observe it.
func startCmd(t testing.TB, cmd *exec.Cmd, args []string) *started {
	t.Helper()
	s := &started{cmd: cmd, args: args, lines: make(chan string, 1024), done: make(chan struct{})}
	cmd.Stdout = &s.out
	pr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	s.start = time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		sc := bufio.NewScanner(pr)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			s.mu.Lock()
			s.errb.WriteString(sc.Text() + "\n")
			s.mu.Unlock()
			select {
			case s.lines <- sc.Text():
			default: // nobody is listening closely; the text is kept in errb
			}
		}
		_, _ = io.Copy(io.Discard, pr)
		close(s.lines)
		err := cmd.Wait()
		s.mu.Lock()
		s.res = result{args: args, stdout: s.out.String(), stderr: s.errb.String(), code: exitCode(err), elapsed: time.Since(s.start)}
		s.mu.Unlock()
		close(s.done)
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-s.done
	})
	return s
}

func (p *project) start(args ...string) *started {
	p.t.Helper()
	return startCmd(p.t, p.command(context.Background(), args...), args)
}

// waitFor reads stderr until a line contains want, failing the test after
// timeout or when the process ends first.
func (s *started) waitFor(t testing.TB, want string, timeout time.Duration) {
	t.Helper()
	deadline := time.After(timeout)
	for {
		select {
		case line, ok := <-s.lines:
			if !ok {
				r := s.wait(t)
				t.Fatalf("process ended before printing %q; %s", want, r)
			}
			if strings.Contains(line, want) {
				return
			}
		case <-deadline:
			s.mu.Lock()
			text := s.errb.String()
			s.mu.Unlock()
			t.Fatalf("no %q on stderr after %s; stderr so far:\n%s", want, timeout, text)
		}
	}
}

// wait waits for the process to end (at most 2 minutes).
func (s *started) wait(t testing.TB) result {
	t.Helper()
	select {
	case <-s.done:
	case <-time.After(2 * time.Minute):
		_ = s.cmd.Process.Kill()
		<-s.done
		t.Fatalf("retort %s did not end within 2 minutes", strings.Join(s.args, " "))
	}
	for range s.lines {
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.res
}

// DB returns a pool on the project's database.
func (p *project) DB() *sql.DB {
	p.dbOnce.Do(func() { p.db = testdb.Open(p.t, p.url) })
	return p.db
}

func (p *project) exec(query string, args ...any) {
	p.t.Helper()
	if _, err := p.DB().Exec(query, args...); err != nil {
		p.t.Fatalf("%s: %v", query, err)
	}
}

func (p *project) queryInt(query string, args ...any) int {
	p.t.Helper()
	var n int
	if err := p.DB().QueryRow(query, args...).Scan(&n); err != nil {
		p.t.Fatalf("%s: %v", query, err)
	}
	return n
}

// sortedStrings is testdb.Strings, sorted.
func sortedStrings(t testing.TB, q testdb.Querier, query string, args ...any) []string {
	t.Helper()
	out := testdb.Strings(t, q, query, args...)
	sort.Strings(out)
	return out
}

// versions returns the sorted rows of alembic_version (nil when the table
// does not exist).
func (p *project) versions() []string {
	p.t.Helper()
	if !slices.Contains(p.tables(), "alembic_version") {
		return nil
	}
	return sortedStrings(p.t, p.DB(), "SELECT version_num FROM alembic_version")
}

// tables lists the tables of the database, sorted.
func (p *project) tables() []string {
	p.t.Helper()
	return tablesOf(p.t, p.DB(), p.dialect)
}

func tablesOf(t testing.TB, db testdb.Querier, dialectName string) []string {
	t.Helper()
	switch dialectName {
	case config.SQLite:
		return sortedStrings(t, db, "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
	case config.PostgreSQL:
		return sortedStrings(t, db, "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
	default:
		return sortedStrings(t, db, "SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE() AND table_type = 'BASE TABLE'")
	}
}

// schema describes every table as "table: column type null, …" lines, for
// comparing two databases of one dialect.
func schemaOf(t testing.TB, db *sql.DB, dialectName string) []string {
	t.Helper()
	var out []string
	for _, tbl := range tablesOf(t, db, dialectName) {
		var cols []string
		switch dialectName {
		case config.SQLite:
			rows, err := db.Query("SELECT name || ' ' || type || ' ' || \"notnull\" || ' ' || pk FROM pragma_table_info(?) ORDER BY cid", tbl)
			if err != nil {
				t.Fatal(err)
			}
			for rows.Next() {
				var c string
				if err := rows.Scan(&c); err != nil {
					t.Fatal(err)
				}
				cols = append(cols, c)
			}
			rows.Close()
		case config.PostgreSQL:
			cols = orderedStrings(t, db, "SELECT column_name || ' ' || data_type || ' ' || is_nullable FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position", tbl)
		default:
			cols = orderedStrings(t, db, "SELECT CONCAT(column_name, ' ', column_type, ' ', is_nullable, ' ', column_key) FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = ? ORDER BY ordinal_position", tbl)
		}
		out = append(out, tbl+": "+strings.Join(cols, ", "))
	}
	switch dialectName {
	case config.SQLite:
		out = append(out, "indexes: "+strings.Join(sortedStrings(t, db, "SELECT name FROM sqlite_master WHERE type = 'index' AND name NOT LIKE 'sqlite_%'"), ", "))
		out = append(out, "triggers: "+strings.Join(sortedStrings(t, db, "SELECT name FROM sqlite_master WHERE type = 'trigger'"), ", "))
	case config.PostgreSQL:
		out = append(out, "indexes: "+strings.Join(sortedStrings(t, db, "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()"), ", "))
		out = append(out, "triggers: "+strings.Join(sortedStrings(t, db, "SELECT DISTINCT trigger_name FROM information_schema.triggers WHERE trigger_schema = current_schema()"), ", "))
		out = append(out, "functions: "+strings.Join(sortedStrings(t, db, "SELECT p.proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = current_schema()"), ", "))
	default:
		out = append(out, "indexes: "+strings.Join(sortedStrings(t, db, "SELECT DISTINCT CONCAT(table_name, '.', index_name) FROM information_schema.statistics WHERE table_schema = DATABASE()"), ", "))
		out = append(out, "triggers: "+strings.Join(sortedStrings(t, db, "SELECT trigger_name FROM information_schema.triggers WHERE trigger_schema = DATABASE()"), ", "))
	}
	return out
}

func orderedStrings(t testing.TB, db *sql.DB, query string, args ...any) []string {
	t.Helper()
	return sortedStrings(t, db, query, args...)
}

// dialects runs body as a parallel subtest per available dialect.
func dialects(t *testing.T, body func(t *testing.T, dialectName string)) {
	t.Helper()
	for _, name := range testdb.Dialects(t) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			body(t, name)
		})
	}
}
