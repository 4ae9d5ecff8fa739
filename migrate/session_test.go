package migrate

import "testing"

func TestSessionOnly(t *testing.T) {
	cases := map[string]bool{
		"PRAGMA foreign_keys = OFF":          true,
		"pragma foreign_keys=on":             true,
		"PRAGMA main.defer_foreign_keys = 1": true,
		"PRAGMA user_version = 5":            false,
		"PRAGMA journal_mode = WAL":          false,
		"SET lock_timeout = '5s'":            true,
		"SET SESSION sql_mode = ''":          true,
		"SET LOCAL search_path TO app":       true,
		"SET GLOBAL max_connections = 10":    false,
		"SET PERSIST max_connections = 10":   false,
		"SET @@GLOBAL.x = 1":                 false,
		"RESET ALL":                          true,
		"CREATE TABLE t (id INT)":            false,
		"SET":                                false,
	}
	for stmt, want := range cases {
		if got := sessionOnly(stmt); got != want {
			t.Errorf("sessionOnly(%q) = %v, want %v", stmt, got, want)
		}
	}
}
