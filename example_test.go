package retort_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"strings"

	_ "modernc.org/sqlite" // the SQLite driver retort's sqlite dialect uses

	"github.com/retortdb/retort"
	"github.com/retortdb/retort/config"
	"github.com/retortdb/retort/migrate"
)

// Example upgrades a project to head from Go, as a service might at
// start-up, then reads where the database is.
func Example() {
	dir, _ := os.MkdirTemp("", "retort-example")
	defer os.RemoveAll(dir)
	versions := filepath.Join(dir, "migrations", "versions")
	_ = os.MkdirAll(versions, 0o755)
	_ = os.WriteFile(filepath.Join(versions, "a1_users.sql"), []byte(`-- create users
--
-- Revision ID: a1
-- Revises:

-- retort:upgrade
CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL);

-- retort:downgrade
DROP TABLE users;
`), 0o644)
	_ = os.WriteFile(filepath.Join(dir, "retort.toml"), []byte("script_location = \"migrations\"\ndatabase_url = \"sqlite:///app.db\"\n"), 0o644)

	cfg, err := config.Load(config.LoadOptions{Path: filepath.Join(dir, "retort.toml")})
	if err != nil {
		log.Fatal(err)
	}
	p, err := retort.Open(cfg)
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	_, err = p.Upgrade(ctx, "head", retort.RunOptions{
		OnEvent: func(e migrate.Event) {
			if e.Kind == migrate.StepStarted {
				fmt.Println(migrate.Describe(*e.Step))
			}
		},
	})
	if err != nil {
		log.Fatal(err)
	}
	st, err := p.Current(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("at", st.Rows, "heads:", st.AtHeads)
	// Output:
	// Running upgrade  -> a1, create users
	// at [a1] heads: true
}

// ExampleProject_Upgrade_offline prints the SQL of an upgrade without
// connecting to the database (Alembic's --sql).
func ExampleProject_Upgrade_offline() {
	dir, _ := os.MkdirTemp("", "retort-example")
	defer os.RemoveAll(dir)
	versions := filepath.Join(dir, "migrations", "versions")
	_ = os.MkdirAll(versions, 0o755)
	_ = os.WriteFile(filepath.Join(versions, "a1.sql"), []byte("-- first\n--\n-- Revision ID: a1\n-- Revises:\n\n-- retort:upgrade\nCREATE TABLE t (id INTEGER);\n"), 0o644)
	_ = os.WriteFile(filepath.Join(dir, "retort.toml"), []byte("script_location = \"migrations\"\ndatabase_url = \"postgresql://app@db.internal/app\"\n"), 0o644)
	cfg, err := config.Load(config.LoadOptions{Path: filepath.Join(dir, "retort.toml")})
	if err != nil {
		fmt.Println(err)
		return
	}
	p, err := retort.Open(cfg)
	if err != nil {
		log.Fatal(err)
	}
	var script strings.Builder
	if _, err := p.Upgrade(context.Background(), "base:head", retort.RunOptions{SQL: &script}); err != nil {
		log.Fatal(err)
	}
	// Show the migration's own statements and the version-table writes;
	// the script also creates the version and history tables and records
	// each step in retort_history.
	for _, line := range strings.Split(script.String(), "\n") {
		if line == "BEGIN;" || line == "COMMIT;" || strings.HasPrefix(line, "--") ||
			strings.HasPrefix(line, "CREATE TABLE t ") || strings.HasPrefix(line, "INSERT INTO alembic_version") {
			fmt.Println(line)
		}
	}
	// Output:
	// -- Running upgrade  -> a1, first
	// BEGIN;
	// CREATE TABLE t (id INTEGER);
	// INSERT INTO alembic_version (version_num) VALUES ('a1');
	// COMMIT;
}
