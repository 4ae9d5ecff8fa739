package sqlsplit

import (
	"strings"
	"testing"
)

// benchBlock returns a few KB of realistic migration SQL in dialect d: DDL,
// comments, multi-row inserts with quoted text, and the dialect's bodies.
func benchBlock(d Dialect) string {
	var b strings.Builder
	b.WriteString("-- create the accounts table\n/* owned by the billing team; see ADR 12 */\n")
	b.WriteString("CREATE TABLE accounts (\n  id INTEGER PRIMARY KEY,\n  name VARCHAR(200) NOT NULL, -- display name\n  note TEXT DEFAULT 'n/a; none'\n);\n")
	b.WriteString("CREATE INDEX ix_accounts_name ON accounts (name);\n")
	b.WriteString("INSERT INTO accounts (id, name, note) VALUES\n")
	for i := 0; i < 40; i++ {
		if i > 0 {
			b.WriteString(",\n")
		}
		b.WriteString("  (1, 'O''Brien; Ltd', 'line -- not a comment /* nor this */'), (2, 'Zoë', 'über')")
	}
	b.WriteString(";\n")
	switch d {
	case SQLite:
		b.WriteString("CREATE TRIGGER accounts_audit AFTER UPDATE ON accounts FOR EACH ROW BEGIN\n" +
			"  INSERT INTO audit (kind) VALUES (CASE WHEN new.name <> old.name THEN 'rename' ELSE 'edit' END);\n" +
			"  UPDATE [stats] SET \"count\" = `count` + 1;\nEND;\n")
	case Postgres:
		b.WriteString("CREATE FUNCTION touch() RETURNS trigger AS $fn$\nBEGIN\n  NEW.updated_at := now(); -- ;\n  RETURN NEW;\nEND;\n$fn$ LANGUAGE plpgsql;\n" +
			"CREATE FUNCTION add(a int, b int) RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT CASE WHEN a IS NULL THEN 0 ELSE a END + b; END;\n" +
			"SELECT E'tab\\t; quote\\'', $1, /* outer /* nested */ */ 2;\nDO $$ BEGIN PERFORM 1; END $$;\n")
	case MySQL:
		b.WriteString("INSERT INTO t VALUES ('it\\'s; \\\\ fine', \"dq \\\" ;\"); # hash comment ;\n" +
			"CREATE PROCEDURE p(IN n INT)\nBEGIN\n  DECLARE i INT DEFAULT 0;\n  WHILE i < n DO\n    IF i % 2 = 0 THEN SET i = i + 1; ELSE SET i = i + 2; END IF;\n  END WHILE;\nEND;\n" +
			"DELIMITER //\nCREATE TRIGGER trg BEFORE INSERT ON t FOR EACH ROW BEGIN SET NEW.a = IF(NEW.a < 0, 0, NEW.a); END//\nDELIMITER ;\n")
	}
	return b.String()
}

func benchInput(d Dialect) string {
	block := benchBlock(d)
	return strings.Repeat(block, (1<<20)/len(block)+1)
}

// BenchmarkSplit splits about 1 MB of mixed SQL per dialect.
func BenchmarkSplit(b *testing.B) {
	for d := SQLite; d <= MySQL; d++ {
		src := benchInput(d)
		b.Run(d.String(), func(b *testing.B) {
			b.SetBytes(int64(len(src)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Split(src, d); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func TestBenchInputSplits(t *testing.T) {
	// Guards the benchmark against measuring an early error.
	want := map[Dialect]int{SQLite: 4, Postgres: 7, MySQL: 6}
	for d, n := range want {
		got, err := Split(benchBlock(d), d)
		if err != nil {
			t.Fatalf("%v: %v", d, err)
		}
		if len(got) != n {
			t.Errorf("%v: %d statements, want %d:\n%s", d, len(got), n, dump(got))
		}
	}
}
