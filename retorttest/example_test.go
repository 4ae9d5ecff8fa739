package retorttest_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"strings"
	"testing"

	_ "modernc.org/sqlite" // the driver of the project's dialect

	"github.com/retortdb/retort"
	"github.com/retortdb/retort/retorttest"
)

// ExampleRun is the whole test a project needs: every check of
// `retort test` as subtests of TestMigrations.
func ExampleRun() {
	// In migrations_test.go, beside retort.toml:
	_ = func(t *testing.T) { // func TestMigrations(t *testing.T) {
		retorttest.Run(t, "retort.toml")
	}
}

// Example checks a project whose second migration forgets, in its
// downgrade, the index its upgrade creates: the stairway check (up, down,
// up again, comparing schemas) names the revision and what was left behind.
func Example() {
	dir, _ := os.MkdirTemp("", "retorttest-example")
	defer os.RemoveAll(dir)
	versions := filepath.Join(dir, "migrations", "versions")
	_ = os.MkdirAll(versions, 0o755)
	write := func(name, body string) { _ = os.WriteFile(filepath.Join(versions, name), []byte(body), 0o644) }
	write("a1_users.sql", `-- create users
--
-- Revision ID: a1
-- Revises:

-- retort:upgrade
CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL);

-- retort:downgrade
DROP TABLE users;
`)
	write("b2_email_index.sql", `-- index users.email
--
-- Revision ID: b2
-- Revises: a1

-- retort:upgrade
CREATE INDEX ix_users_email ON users (email);

-- retort:downgrade
`)
	config := filepath.Join(dir, "retort.toml")
	_ = os.WriteFile(config, []byte("script_location = \"migrations\"\ndatabase_url = \"sqlite:///app.db\"\n"), 0o644)

	rep, err := retorttest.Check(context.Background(), config,
		retorttest.Only(retort.CheckUpgrade, retort.CheckStairway), retorttest.URL(""))
	if err != nil {
		log.Fatal(err)
	}
	for _, r := range rep.Results {
		fmt.Println(strings.TrimSpace(fmt.Sprint(r.Check, " ", r.Revision, " ", r.Status, " ", r.Step)))
	}
	fmt.Println(rep.FirstFailure().Message)
	// Output:
	// upgrade a1 pass
	// stairway a1 pass
	// upgrade b2 pass
	// stairway b2 fail compare after downgrade
	// the schema after the downgrade differs from the schema before the upgrade (- only before the upgrade, + left by the downgrade):
	//   + table users: index ix_users_email (email)
}
