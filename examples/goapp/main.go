// Command goapp is a small service that carries its migrations inside its
// binary: SQL revisions embedded with embed.FS and Go revisions registered
// by the versions package.
//
//	goapp                      upgrade the database to head, then list people
//	goapp migrate ARGS…        the retort command line on the same revisions
//	                           (goapp migrate history, goapp migrate downgrade base, …)
//
// The database is $DATABASE_URL (default sqlite:///goapp.db).
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"os/signal"

	"github.com/retortdb/retort"
	"github.com/retortdb/retort/cli"

	"github.com/retortdb/retort/examples/goapp/migrations/versions"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == "migrate" {
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
		code := cli.Run(ctx, os.Args[2:], os.Stdin, os.Stdout, os.Stderr)
		stop()
		os.Exit(code)
	}
	if err := serve(context.Background()); err != nil {
		fmt.Fprintln(os.Stderr, "goapp:", err)
		os.Exit(1)
	}
}

// serve is the service's start-up: migrate, then do its work.
func serve(ctx context.Context) error {
	url := os.Getenv("DATABASE_URL")
	if url == "" {
		url = "sqlite:///goapp.db"
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, nil))
	p, err := retort.New(url, retort.WithFS(versions.SQL), retort.WithLogger(logger))
	if err != nil {
		return err
	}
	if _, err := p.Upgrade(ctx, "heads", retort.RunOptions{}); err != nil {
		return err
	}
	return listPeople(ctx, p)
}

// listPeople prints the people as JSON lines.
func listPeople(ctx context.Context, p *retort.Project) error {
	db, err := p.DB(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	rows, err := db.QueryContext(ctx, "SELECT id, full_name, handle FROM people ORDER BY id")
	if err != nil {
		return err
	}
	defer rows.Close()
	enc := json.NewEncoder(os.Stdout)
	for rows.Next() {
		var person struct {
			ID       int64  `json:"id"`
			FullName string `json:"full_name"`
			Handle   string `json:"handle"`
		}
		if err := rows.Scan(&person.ID, &person.FullName, &person.Handle); err != nil {
			return err
		}
		if err := enc.Encode(person); err != nil {
			return err
		}
	}
	return rows.Err()
}
