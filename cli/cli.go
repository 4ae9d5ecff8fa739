// Package cli is the retort command line as a library: the entry point of
// a project's own binary, the Go counterpart of Alembic's env.py.
//
// A project with Go migrations builds a small program (`retort init
// --template go` writes it) that imports its versions package, whose init
// functions register the migrations, and hands control to Main. Every
// command of the retort CLI then works on SQL and Go revisions alike:
//
//	package main
//
//	import (
//		"github.com/retortdb/retort/cli"
//
//		_ "example.com/app/migrations/versions"
//	)
//
//	func main() { cli.Main() }
package cli

import (
	"context"
	"io"
	"log"
	"os"
	"os/signal"
	"syscall"

	// The database/sql drivers of retort's three dialects, so that a
	// project's binary reaches any database its config names.
	"github.com/go-sql-driver/mysql"
	_ "github.com/jackc/pgx/v5/stdlib"
	_ "modernc.org/sqlite"

	"github.com/retortdb/retort/internal/cli"
)

// Main runs the command line given by os.Args and exits with its status:
// 0 on success, 1 on failure, 2 on a usage error. Ctrl-C and SIGTERM
// cancel the running command, which rolls back what it can.
func Main() {
	tuneGC()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := Run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// Run runs one command line (without the program name) and returns its
// exit status, for programs that embed the CLI among commands of their own.
func Run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	// The MySQL driver logs lost connections to stderr on its own; the
	// error retort prints already says it, in one place.
	_ = mysql.SetLogger(log.New(io.Discard, "", 0))
	return cli.Main(ctx, args, cli.Env{Stdin: stdin, Stdout: stdout, Stderr: stderr})
}
