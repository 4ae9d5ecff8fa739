package dialect_test

import (
	"testing"

	"github.com/retortdb/retort/dialect"
	"github.com/retortdb/retort/dialect/mysql"
	"github.com/retortdb/retort/dialect/postgres"
	"github.com/retortdb/retort/dialect/sqlite"
)

func TestSessionOnly(t *testing.T) {
	cases := []struct {
		d    dialect.SessionStatements
		stmt string
		want bool
	}{
		{sqlite.New(), "PRAGMA foreign_keys = OFF", true},
		{sqlite.New(), "pragma foreign_keys=on", true},
		{sqlite.New(), "PRAGMA main.defer_foreign_keys = 1", true},
		{sqlite.New(), "PRAGMA user_version = 5", false},
		{sqlite.New(), "PRAGMA journal_mode = WAL", false},
		{sqlite.New(), "SET x = 1", false},
		{postgres.New(), "SET lock_timeout = '5s'", true},
		{postgres.New(), "SET LOCAL search_path TO app", true},
		{postgres.New(), "RESET ALL", true},
		{postgres.New(), "CREATE TABLE t (id INT)", false},
		{mysql.New(), "SET SESSION sql_mode = ''", true},
		{mysql.New(), "SET GLOBAL max_connections = 10", false},
		{mysql.New(), "SET PERSIST max_connections = 10", false},
		{mysql.New(), "SET @@GLOBAL.x = 1", false},
		{mysql.New(), "SET", false},
	}
	for _, c := range cases {
		if got := c.d.SessionOnly(c.stmt); got != c.want {
			t.Errorf("%T.SessionOnly(%q) = %v, want %v", c.d, c.stmt, got, c.want)
		}
	}
}
