package migrate

import "testing"

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
