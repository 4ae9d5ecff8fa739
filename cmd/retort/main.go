// Command retort manages database migrations with Alembic's revision graph.
package main

import (
	"context"
	"io"
	"log"
	"os"
	"os/signal"
	"syscall"

	// The database/sql drivers retort's dialects use; the library itself
	// imports none.
	"github.com/go-sql-driver/mysql"
	_ "github.com/jackc/pgx/v5/stdlib"
	_ "modernc.org/sqlite"

	"github.com/retortdb/retort/internal/cli"
)

func main() {
	// The MySQL driver logs lost connections to stderr on its own; the
	// error retort prints already says it, in one place.
	_ = mysql.SetLogger(log.New(io.Discard, "", 0))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Main(ctx, os.Args[1:], cli.Env{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr})
	stop()
	os.Exit(code)
}
