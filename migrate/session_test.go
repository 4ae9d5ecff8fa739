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

func TestStatementsRoundTrip(t *testing.T) {
	in := []string{"CREATE TRIGGER t AFTER INSERT ON x BEGIN\n  UPDATE y SET n = n + 1;\nEND", "INSERT INTO z VALUES ('a;\nb')"}
	got := decodeStatements(encodeStatements(in))
	if len(got) != 2 || got[0] != in[0] || got[1] != in[1] {
		t.Fatalf("round trip: %q", got)
	}
	if old := decodeStatements("A;\nB"); len(old) != 2 || old[1] != "B" {
		t.Fatalf("legacy form: %q", old)
	}
	if encodeStatements(nil) != "" {
		t.Fatal("no statements must be stored as empty")
	}
}
