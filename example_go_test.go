package retort_test

import (
	"context"
	"fmt"
	"log"
	"log/slog"
	"os"
	"path/filepath"
	"testing/fstest"

	"github.com/retortdb/retort"
	"github.com/retortdb/retort/migrate"
	"github.com/retortdb/retort/op"
)

// ExampleNew runs a service's migrations at start-up with no config file:
// SQL revisions compiled into the binary (an embed.FS; here a MapFS), a Go
// data migration beside them, log records through slog and a progress
// callback.
func ExampleNew() {
	dir, _ := os.MkdirTemp("", "retort-example")
	defer os.RemoveAll(dir)

	migrations := fstest.MapFS{
		"versions/a1_people.sql": {Data: []byte(`-- people
--
-- Revision ID: a1
-- Revises:

-- retort:upgrade
CREATE TABLE people (id INTEGER PRIMARY KEY, name TEXT NOT NULL);

-- retort:downgrade
DROP TABLE people;
`)},
	}
	seed := retort.GoMigration{
		Revision: "b2", Revises: []string{"a1"}, Message: "seed people",
		Upgrade: func(ctx context.Context, o *op.Operations) error {
			for _, name := range []string{"Ada", "Grace"} {
				if err := o.Execute("INSERT INTO people (name) VALUES ("+o.Placeholder(1)+")", name); err != nil {
					return err
				}
			}
			return nil
		},
		Downgrade: func(ctx context.Context, o *op.Operations) error {
			return o.Execute("DELETE FROM people")
		},
	}
	// Log records without their time, so the output is stable.
	logger := slog.New(slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{
		ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey || a.Key == "took" {
				return slog.Attr{}
			}
			return a
		},
	}))
	p, err := retort.New("sqlite:///"+filepath.Join(dir, "app.db"),
		retort.WithFS(migrations, "versions"),
		retort.WithGoMigrations(seed), // programs usually call retort.Register instead
		retort.WithLogger(logger))
	if err != nil {
		log.Fatal(err)
	}
	progress := func(e migrate.Event) {
		if e.Kind == migrate.StepFinished {
			fmt.Printf("progress: %d/%d\n", e.Index, e.Total)
		}
	}
	if _, err := p.Upgrade(context.Background(), "head", retort.RunOptions{OnEvent: progress}); err != nil {
		log.Fatal(err)
	}
	st, err := p.Current(context.Background())
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("at", st.Rows, "heads:", st.AtHeads)
	// Output:
	// level=INFO msg="Running upgrade  -> a1, people" revision=a1 step=1 steps=2
	// level=INFO msg="step done" revision=a1 step=1 steps=2
	// progress: 1/2
	// level=INFO msg="Running upgrade a1 -> b2, seed people" revision=b2 step=2 steps=2
	// level=INFO msg="step done" revision=b2 step=2 steps=2
	// progress: 2/2
	// at [b2] heads: true
}

// ExampleRegister declares a Go migration. The call sits in an init
// function of the versions package (`retort revision --format go` writes
// the file); every Project the program opens then has the revision in its
// graph. (Compiled, not run: registering is for the whole program.)
func ExampleRegister() {
	retort.Register(retort.GoMigration{
		Revision: "3f2a9c1b7d4e",
		Revises:  []string{"1b2c3d4e5f60"},
		Message:  "backfill display names",
		Upgrade: func(ctx context.Context, o *op.Operations) error {
			return o.Execute("UPDATE users SET display_name = name WHERE display_name IS NULL")
		},
		Downgrade: func(ctx context.Context, o *op.Operations) error { return nil },
	})
}
