package autogen_test

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/retortdb/retort/autogen"
	"github.com/retortdb/retort/config"
	"github.com/retortdb/retort/dialect"
	"github.com/retortdb/retort/internal/sqlsplit"
	"github.com/retortdb/retort/internal/testdb"
	"github.com/retortdb/retort/schema"
)

// features are the dialect packages' full-model test schemas.
var features = map[string]string{
	config.SQLite:     "../dialect/sqlite/testdata/inspect.sql",
	config.PostgreSQL: "../dialect/postgres/testdata/inspect.sql",
	config.MySQL:      "../dialect/mysql/testdata/inspect.sql",
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func dialectFor(t *testing.T, name string) dialect.Dialect {
	t.Helper()
	d, err := testdb.Dialect(name)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// base is the URL LoadTarget creates its scratch database beside: a fresh
// database of the dialect.
func base(t *testing.T, name string) *config.URL {
	if name == config.SQLite {
		return nil
	}
	return testdb.New(t, name)
}

// loadDirect runs a file into a fresh database and inspects it: what
// LoadTarget must return for the same file.
func loadDirect(t *testing.T, name, file string) *schema.Schema {
	t.Helper()
	d := dialectFor(t, name)
	src, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	db := testdb.Open(t, testdb.New(t, name))
	stmts, err := sqlsplit.Split(string(src), d.SplitDialect())
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range stmts {
		if _, err := db.Exec(s.SQL); err != nil {
			t.Fatalf("%s:%d: %v", file, s.Line, err)
		}
	}
	s, err := d.(dialect.Inspector).Inspect(context.Background(), db, dialect.InspectOptions{Schemas: []string{"*"}})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestLoadTargetFile(t *testing.T) {
	t.Parallel()
	for _, name := range testdb.Dialects(t) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			got, err := autogen.LoadTarget(context.Background(), dialectFor(t, name), base(t, name), "", features[name])
			if err != nil {
				t.Fatal(err)
			}
			if len(got.Tables) < 4 {
				t.Fatalf("only %d tables:\n%s", len(got.Tables), got)
			}
			// The target inspects as the same DDL loaded into a database.
			if diff := schema.Diff(loadDirect(t, name, features[name]), got); diff != "" {
				t.Errorf("target differs from the same DDL loaded directly (- direct, + target):\n%s", diff)
			}
		})
	}
}

// folderTarget is a schema folder: files load in name order (b.sql needs
// a.sql's table), other files and sub-folders are ignored.
func folderTarget(t *testing.T, name string) string {
	dir := t.TempDir()
	id := map[string]string{config.SQLite: "INTEGER PRIMARY KEY", config.PostgreSQL: "serial PRIMARY KEY", config.MySQL: "INT AUTO_INCREMENT PRIMARY KEY"}[name]
	writeFile(t, filepath.Join(dir, "b_posts.sql"), "-- posts\nCREATE TABLE posts (id "+id+", user_id INT NOT NULL REFERENCES users (id));\n")
	writeFile(t, filepath.Join(dir, "a_users.sql"), "CREATE TABLE users (id "+id+", name VARCHAR(50));\nCREATE INDEX ix_users_name ON users (name);\n")
	writeFile(t, filepath.Join(dir, "README.md"), "not SQL")
	writeFile(t, filepath.Join(dir, "old", "z.sql"), "this is not loaded;")
	return dir
}

func TestLoadTargetFolder(t *testing.T) {
	t.Parallel()
	for _, name := range testdb.Dialects(t) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			got, err := autogen.LoadTarget(context.Background(), dialectFor(t, name), base(t, name), "", folderTarget(t, name))
			if err != nil {
				t.Fatal(err)
			}
			users, posts := got.Table("", "users"), got.Table("", "posts")
			if len(got.Tables) != 2 || users == nil || posts == nil || users.Index("ix_users_name") == nil || len(posts.ForeignKeys) != 1 {
				t.Errorf("got:\n%s", got)
			}
		})
	}
}

func TestLoadTargetError(t *testing.T) {
	t.Parallel()
	for _, name := range testdb.Dialects(t) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			writeFile(t, filepath.Join(dir, "1.sql"), "CREATE TABLE a (id INT);\n")
			// A column named twice: every database refuses it.
			writeFile(t, filepath.Join(dir, "2.sql"), "CREATE TABLE b (id INT);\n\n-- the next one is wrong\nCREATE TABLE c (\n  id INT,\n  id INT\n);\nCREATE TABLE d (id INT);\n")
			_, err := autogen.LoadTarget(context.Background(), dialectFor(t, name), base(t, name), "", dir)
			var te *autogen.TargetError
			if !errors.As(err, &te) {
				t.Fatalf("err = %v, want a *TargetError", err)
			}
			file := filepath.Join(dir, "2.sql")
			if te.File != file || te.Line != 4 || !strings.HasPrefix(te.Stmt, "CREATE TABLE c") {
				t.Errorf("TargetError{File: %s, Line: %d, Stmt: %q}", te.File, te.Line, te.Stmt)
			}
			msg := err.Error()
			if !strings.Contains(msg, file+":4: ") || !strings.Contains(msg, "in: CREATE TABLE c (") {
				t.Errorf("message %q does not name %s:4 and the statement", msg, file)
			}
			if te.Unwrap() == nil || !strings.Contains(msg, te.Unwrap().Error()) {
				t.Errorf("message %q lacks the database's %q", msg, te.Unwrap())
			}
		})
	}
}

func TestLoadTargetSplitError(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "schema.sql")
	writeFile(t, path, "CREATE TABLE a (id INT);\nCREATE TABLE b (\n  name TEXT DEFAULT 'never closed\n);\n")
	// The splitter fails before any database is touched: no server needed.
	_, err := autogen.LoadTarget(context.Background(), dialectFor(t, config.PostgreSQL), nil, "", path)
	var te *autogen.TargetError
	if !errors.As(err, &te) || te.File != path || te.Line != 3 || !strings.Contains(err.Error(), path+":3: ") {
		t.Errorf("err = %v", err)
	}
}

func TestLoadTargetBadPaths(t *testing.T) {
	t.Parallel()
	d := dialectFor(t, config.SQLite)
	empty := t.TempDir()
	writeFile(t, filepath.Join(empty, "notes.txt"), "x")
	for path, want := range map[string]string{
		filepath.Join(empty, "missing.sql"): "no such file",
		empty:                               "holds no .sql files",
	} {
		if _, err := autogen.LoadTarget(context.Background(), d, nil, "", path); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("LoadTarget(%s) = %v, want %q", path, err, want)
		}
	}
	if _, err := autogen.LoadTarget(context.Background(), d, nil, "postgresql://x/y", empty); err == nil || !strings.Contains(err.Error(), "dev_url") {
		t.Errorf("a PostgreSQL dev_url for SQLite: %v", err)
	}
}

// TestLoadTargetTransactionsAndSessionState: explicit BEGIN/COMMIT in a
// file are skipped, and a pg_dump preamble that empties search_path does
// not move the tables out of the default schema.
func TestLoadTargetTransactionsAndSessionState(t *testing.T) {
	t.Parallel()
	for _, name := range testdb.Dialects(t) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			src := "BEGIN;\nCREATE TABLE a (id INT);\nCOMMIT;\n"
			if name == config.PostgreSQL {
				src = "SELECT pg_catalog.set_config('search_path', '', false);\nSET client_min_messages = warning;\n" +
					"BEGIN;\nCREATE TABLE public.a (id integer);\nCOMMIT;\n"
			}
			path := filepath.Join(t.TempDir(), "schema.sql")
			writeFile(t, path, src)
			got, err := autogen.LoadTarget(context.Background(), dialectFor(t, name), base(t, name), "", path)
			if err != nil {
				t.Fatal(err)
			}
			if len(got.Tables) != 1 || got.Tables[0].QualifiedName() != "a" {
				t.Errorf("got:\n%s", got)
			}
		})
	}
}

func TestLoadTargetFilters(t *testing.T) {
	t.Parallel()
	got, err := autogen.LoadTarget(context.Background(), dialectFor(t, config.SQLite), nil, "", features[config.SQLite],
		autogen.WithInspectOptions(dialect.InspectOptions{ExcludeTables: []string{"User*", "lines"}}))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, tb := range got.Tables {
		names = append(names, tb.Name)
	}
	if strings.Join(names, " ") != "invoices orgs" {
		t.Errorf("tables %v", names)
	}
}

// TestLoadTargetDevURL: the dev database is used as it is and left empty.
func TestLoadTargetDevURL(t *testing.T) {
	t.Parallel()
	for _, name := range testdb.Dialects(t) {
		if name == config.SQLite {
			continue
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			d := dialectFor(t, name)
			dev := testdb.New(t, name)
			got, err := autogen.LoadTarget(context.Background(), d, nil, dev.String(), features[name])
			if err != nil {
				t.Fatal(err)
			}
			if diff := schema.Diff(loadDirect(t, name, features[name]), got); diff != "" {
				t.Errorf("target in the dev database (- direct, + target):\n%s", diff)
			}
			db := testdb.Open(t, dev)
			left := inspectAll(t, d, db)
			if len(left.Tables)+len(left.Enums)+len(left.Namespaces) != 0 {
				t.Errorf("dev database not left empty:\n%s", left)
			}
			// A failed load leaves it empty too.
			path := filepath.Join(t.TempDir(), "bad.sql")
			writeFile(t, path, "CREATE TABLE a (id INT);\nCREATE TABLE b (id INT, id INT);\n")
			if _, err := autogen.LoadTarget(context.Background(), d, nil, dev.String(), path); err == nil {
				t.Fatal("the broken target loaded")
			}
			if left := inspectAll(t, d, db); len(left.Tables) != 0 {
				t.Errorf("dev database not left empty after a failure:\n%s", left)
			}
			// A dev database that is not empty is refused, and kept.
			if _, err := db.Exec("CREATE TABLE precious (id INT)"); err != nil {
				t.Fatal(err)
			}
			_, err = autogen.LoadTarget(context.Background(), d, nil, dev.String(), features[name])
			if err == nil || !strings.Contains(err.Error(), "not empty") || !strings.Contains(err.Error(), "precious") {
				t.Errorf("non-empty dev database: %v", err)
			}
			if left := inspectAll(t, d, db); len(left.Tables) != 1 {
				t.Errorf("dev database changed:\n%s", left)
			}
		})
	}
}

func inspectAll(t *testing.T, d dialect.Dialect, q dialect.Querier) *schema.Schema {
	t.Helper()
	s, err := d.(dialect.Inspector).Inspect(context.Background(), q, dialect.InspectOptions{Schemas: []string{"*"}})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// databaseExists looks a database up on the server db is connected to.
func databaseExists(t *testing.T, db *sql.DB, dialectName, name string) bool {
	t.Helper()
	query := `SELECT count(*) FROM pg_database WHERE datname = $1`
	if dialectName == config.MySQL {
		query = `SELECT count(*) FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?`
	}
	var n int
	if err := db.QueryRow(query, name).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n > 0
}

var scratchName = regexp.MustCompile(`retort_scratch_[0-9a-f]{16}`)

// TestLoadTargetDropsScratch checks that the scratch database a load
// created is gone from the server's list afterwards, whether the load
// succeeded or failed. The target files find out the database's name
// (the servers are shared, so a before/after list would race).
func TestLoadTargetDropsScratch(t *testing.T) {
	t.Parallel()
	// Statements that put the scratch database's name in a table comment.
	nameInComment := map[string]string{
		config.PostgreSQL: "CREATE TABLE t (id INT);\nDO $$ BEGIN EXECUTE format('COMMENT ON TABLE t IS %L', current_database()); END $$;\n",
		config.MySQL: "SET @s = CONCAT('CREATE TABLE t (id INT) COMMENT = ''', DATABASE(), '''');\n" +
			"PREPARE st FROM @s;\nEXECUTE st;\nDEALLOCATE PREPARE st;\n",
	}
	// A statement that fails with the scratch database's name in the message.
	nameInError := map[string]string{
		config.PostgreSQL: "CREATE TABLE t (id INT);\nDO $$ BEGIN RAISE EXCEPTION 'loaded into %', current_database(); END $$;\n",
		config.MySQL:      "CREATE TABLE t (id INT);\nSELECT * FROM missing_table;\n",
	}
	for _, name := range testdb.Dialects(t) {
		if name == config.SQLite {
			continue
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			d := dialectFor(t, name)
			u := testdb.New(t, name)
			admin := testdb.Open(t, u)

			path := filepath.Join(t.TempDir(), "good.sql")
			writeFile(t, path, nameInComment[name])
			got, err := autogen.LoadTarget(context.Background(), d, u, "", path)
			if err != nil {
				t.Fatal(err)
			}
			scratch := got.Tables[0].Comment
			if !scratchName.MatchString(scratch) {
				t.Fatalf("loaded into %q", scratch)
			}
			if databaseExists(t, admin, name, scratch) {
				t.Errorf("%s still exists after a load", scratch)
			}

			path = filepath.Join(t.TempDir(), "bad.sql")
			writeFile(t, path, nameInError[name])
			_, err = autogen.LoadTarget(context.Background(), d, u, "", path)
			if err == nil {
				t.Fatal("a broken target loaded")
			}
			scratch = scratchName.FindString(err.Error())
			if scratch == "" {
				t.Fatalf("error %q does not name the scratch database", err)
			}
			if databaseExists(t, admin, name, scratch) {
				t.Errorf("%s still exists after a failed load", scratch)
			}

			// A cancelled context fails before creating anything.
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			if _, err := autogen.LoadTarget(ctx, d, u, "", path); err == nil {
				t.Error("a cancelled load succeeded")
			}
		})
	}
}
