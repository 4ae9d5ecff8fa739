package autogen_test

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"testing"

	"github.com/retortdb/retort/autogen"
	"github.com/retortdb/retort/config"
	"github.com/retortdb/retort/dialect"
	"github.com/retortdb/retort/internal/sqlsplit"
	"github.com/retortdb/retort/internal/testdb"
	"github.com/retortdb/retort/op"
	"github.com/retortdb/retort/schema"
)

// pair is a round-trip case: DDL for schema A and schema B.
// count, when set, is a query whose result (a row count) the upgrade and
// the downgrade must keep. probe, when set, is a statement that must
// succeed after the upgrade and after the downgrade (such as an insert
// that needs a sequence moved past the rows). noDown marks a pair without
// a downgrade.
type pair struct {
	name, a, b string
	count      string
	probe      string
	noDown     bool
	// schemas are the schemas to inspect (dialect.InspectOptions.Schemas);
	// none: the default one.
	schemas []string
}

// roundTrips are the schema pairs per dialect.
var roundTrips = map[string][]pair{
	config.SQLite: {
		{name: "rebuild keeps rows, indexes, triggers", a: `
CREATE TABLE p (id integer PRIMARY KEY);
CREATE TABLE t (id integer PRIMARY KEY, a varchar(10), b int NOT NULL DEFAULT 1, c text, p_id int);
CREATE INDEX t_a ON t (a);
CREATE TRIGGER t_ins AFTER INSERT ON t BEGIN SELECT 1; END;
INSERT INTO p VALUES (1);
INSERT INTO t VALUES (1, 'x', 2, 'y', 1), (2, 'z', 3, NULL, NULL);`, b: `
CREATE TABLE p (id integer PRIMARY KEY);
CREATE TABLE t (id integer PRIMARY KEY, a varchar(20) NOT NULL, b bigint DEFAULT 5, d numeric(10,2), p_id int REFERENCES p(id) ON DELETE CASCADE,
  CONSTRAINT t_b CHECK (b > 0), UNIQUE (a));
CREATE INDEX t_a ON t (a);
CREATE TRIGGER t_ins AFTER INSERT ON t BEGIN SELECT 1; END;`, count: `SELECT count(*) FROM t`},
		{name: "reserved names keep rows", a: `
CREATE TABLE "order" ("select" int PRIMARY KEY, "Mixed Case" text);
CREATE TRIGGER tr AFTER INSERT ON "order" BEGIN SELECT 1; END;
INSERT INTO "order" VALUES (1, 'a'), (2, 'b');`, b: `
CREATE TABLE "order" ("select" int PRIMARY KEY, "Mixed Case" text, "from" int DEFAULT 0);
CREATE TRIGGER tr AFTER INSERT ON "order" BEGIN SELECT 1; END;
CREATE INDEX "group" ON "order" ("from", "Mixed Case");`, count: `SELECT count(*) FROM "order"`},
		{name: "create tables with fk cycle", a: ``, b: `
CREATE TABLE "user" (id integer PRIMARY KEY AUTOINCREMENT, email varchar(100) NOT NULL UNIQUE, team_id int REFERENCES team(id) DEFERRABLE INITIALLY DEFERRED);
CREATE TABLE team (id int PRIMARY KEY, owner_id int, FOREIGN KEY (owner_id) REFERENCES "user"(id) ON DELETE SET NULL, CONSTRAINT team_pos CHECK (id > 0)) STRICT;
CREATE INDEX user_lower_email ON "user" (lower(email)) WHERE team_id IS NOT NULL;
CREATE TRIGGER team_ins AFTER INSERT ON team BEGIN SELECT 1; END;`},
		{name: "columns and indexes", a: `
CREATE TABLE t (id integer PRIMARY KEY, a varchar(10), c text, x int);
CREATE INDEX t_x ON t (x);
INSERT INTO t VALUES (1, 'x', 'y', 3);`, b: `
CREATE TABLE t (id integer PRIMARY KEY, a varchar(10), c text, x int, d numeric(10,2) DEFAULT 0, e text NOT NULL DEFAULT 'e');
CREATE UNIQUE INDEX t_a ON t (a DESC, x);`},
		{name: "drop tables", a: `
CREATE TABLE p (id int PRIMARY KEY);
CREATE TABLE c (id int, p_id int REFERENCES p(id));
CREATE TABLE keep (id int);`, b: `
CREATE TABLE keep (id int);`},
	},
	config.MySQL: {
		{name: "reserved names keep rows", a: "CREATE TABLE `order` (`select` int PRIMARY KEY, `Mixed Case` text);\n" +
			"INSERT INTO `order` VALUES (1, 'a'), (2, 'b');",
			b:     "CREATE TABLE `order` (`select` bigint PRIMARY KEY, `Mixed Case` varchar(50) NOT NULL DEFAULT '', `from` int, CONSTRAINT from_pos CHECK (`from` > 0)) COMMENT='it''s';",
			count: "SELECT count(*) FROM `order`"},
		{name: "create tables with fk cycle", b: `
CREATE TABLE ` + "`user`" + ` (id int AUTO_INCREMENT PRIMARY KEY, email varchar(100) NOT NULL UNIQUE, m enum('sad','happy') DEFAULT 'sad', team_id int) COMMENT='people';
CREATE TABLE team (id int PRIMARY KEY, owner_id int, CONSTRAINT team_owner FOREIGN KEY (owner_id) REFERENCES ` + "`user`" + `(id) ON DELETE SET NULL, CONSTRAINT team_pos CHECK (id > 0));
ALTER TABLE ` + "`user`" + ` ADD CONSTRAINT user_team_fk FOREIGN KEY (team_id) REFERENCES team(id);
CREATE INDEX user_email_prefix ON ` + "`user`" + ` (email(10) DESC);`},
		{name: "columns", a: `
CREATE TABLE t (id int PRIMARY KEY, a varchar(10), b int NOT NULL DEFAULT 1, c text);
INSERT INTO t VALUES (1, 'x', 2, 'y');`, b: `
CREATE TABLE t (id int PRIMARY KEY, a varchar(20) NOT NULL COMMENT 'A', b bigint unsigned DEFAULT 5, d decimal(10,2) DEFAULT 0);`},
		{name: "constraints and indexes", a: `
CREATE TABLE p (id int PRIMARY KEY, k int);
CREATE TABLE c (id int NOT NULL, p_id int, x int, CONSTRAINT c_p_fk FOREIGN KEY (p_id) REFERENCES p(id), CONSTRAINT c_x CHECK (x > 0), CONSTRAINT c_u UNIQUE (x));
CREATE INDEX c_p ON c (p_id);`, b: `
CREATE TABLE p (id int PRIMARY KEY, k int UNIQUE);
CREATE TABLE c (id int NOT NULL PRIMARY KEY, p_id int, x int, CONSTRAINT c_p_fk FOREIGN KEY (p_id) REFERENCES p(id) ON DELETE CASCADE, CONSTRAINT c_x CHECK (x > 1));
CREATE INDEX c_p ON c (p_id, x);`},
		{name: "drop referenced table", a: `
CREATE TABLE p (id int PRIMARY KEY);
CREATE TABLE c (id int, p_id int, CONSTRAINT c_fk FOREIGN KEY (p_id) REFERENCES p(id)) COMMENT='c';`, b: `
CREATE TABLE c (id int, p_id int);`},
		{name: "column positions keep rows", a: `
CREATE TABLE t (id int PRIMARY KEY, a int, b varchar(10), c int, d int);
INSERT INTO t VALUES (1, 1, 'b', 3, 4), (2, 2, 'bb', 6, 8);`, b: `
CREATE TABLE t (z int, id int PRIMARY KEY, a int, e int DEFAULT 5, c int, f int, d int, g int);`,
			count: `SELECT count(*) FROM t WHERE id IN (1, 2) AND a = id AND c = 3 * id AND d = 4 * id`},
		{name: "generated columns keep rows", a: `
CREATE TABLE g (id int PRIMARY KEY, n int, x int AS (n * 2) STORED, v int AS (n + 1) VIRTUAL, p int, q int AS (n) STORED, w int, u int AS (n) VIRTUAL);
CREATE INDEX g_v ON g (v);
INSERT INTO g (id, n, p, w) VALUES (1, 1, 5, 6), (2, 2, 5, 6);`, b: `
CREATE TABLE g (id int PRIMARY KEY, n int, x int AS (n * 3) STORED, v int, p int AS (n * 4) STORED, q int, w int AS (n - 1) VIRTUAL, u int AS (n) STORED);
CREATE INDEX g_v ON g (v);`,
			count: `SELECT count(*) FROM g WHERE n = id`},
		{name: "generated column chain keeps rows", a: `
CREATE TABLE gc (id int PRIMARY KEY, n int, a int AS (n + 1) STORED, m int, b int AS (a * 2) VIRTUAL, c int AS (b + 1) STORED, d int AS (n) VIRTUAL);
INSERT INTO gc (id, n, m) VALUES (1, 1, 7), (2, 2, 7);`, b: `
CREATE TABLE gc (id int PRIMARY KEY, n int, a int AS (n + 1) VIRTUAL, m int, b int AS (a * 2) VIRTUAL, c int AS (b + 1) STORED, d int AS (n) VIRTUAL);`,
			// a stops being stored: MariaDB drops and adds it again, and b
			// and c, computed from it, with it.
			count: `SELECT count(*) FROM gc WHERE c = (n + 1) * 2 + 1 AND m = 7`},
		{name: "generated columns over a recreated one go plain or away", a: `
CREATE TABLE gd (id int PRIMARY KEY, n int, a int AS (n + 1) STORED, b int AS (a * 2) STORED, c int AS (a + 5) STORED, d int AS (b + 1) STORED);
INSERT INTO gd (id, n) VALUES (1, 1), (2, 2);`, b: `
CREATE TABLE gd (id int PRIMARY KEY, n int, a int AS (n + 1) VIRTUAL, b int, d int);`,
			// a stops being stored: b and d, computed from it, become plain
			// columns keeping their values, c goes away, all before a is
			// dropped and added again.
			count: `SELECT count(*) FROM gd WHERE b = (n + 1) * 2 AND d = b + 1`},
	},
	config.PostgreSQL: {
		{name: "enum value added", a: `CREATE TYPE mood AS ENUM ('sad', 'happy'); CREATE TABLE t (m mood); INSERT INTO t VALUES ('sad');`,
			b: `CREATE TYPE mood AS ENUM ('meh', 'sad', 'ok', 'happy'); CREATE TABLE t (m mood);`, count: `SELECT count(*) FROM t`},
		{name: "enum values removed and reordered keep rows", a: `
CREATE TYPE mood AS ENUM ('sad', 'meh', 'happy');
CREATE TABLE t (id int PRIMARY KEY, m mood NOT NULL DEFAULT 'sad', ms mood[]);
CREATE INDEX t_m ON t (m);
INSERT INTO t VALUES (1, 'happy', '{sad,happy}'), (2, 'sad', NULL);`, b: `
CREATE TYPE mood AS ENUM ('happy', 'sad', 'glad');
CREATE TABLE t (id int PRIMARY KEY, m mood NOT NULL DEFAULT 'glad', ms mood[]);
CREATE INDEX t_m ON t (m);`, count: `SELECT count(*) FROM t WHERE m IN ('happy', 'sad') AND (ms IS NULL OR ms = '{sad,happy}')`},
		{name: "reserved names keep rows", a: `
CREATE TABLE "order" ("select" int PRIMARY KEY, "Mixed Case" text);
INSERT INTO "order" VALUES (1, 'a'), (2, 'b');`, b: `
CREATE TABLE "order" ("select" bigint PRIMARY KEY, "Mixed Case" varchar(50) NOT NULL DEFAULT '', "from" int CHECK ("from" > 0));
COMMENT ON TABLE "order" IS 'it''s';`, count: `SELECT count(*) FROM "order"`},
		{name: "create tables with fk cycle and enum", a: ``, b: `
CREATE TYPE mood AS ENUM ('sad', 'happy');
CREATE TABLE "user" (id serial PRIMARY KEY, email varchar(100) NOT NULL UNIQUE, m mood DEFAULT 'sad', team_id int);
CREATE TABLE team (id int PRIMARY KEY, owner_id int REFERENCES "user"(id) ON DELETE SET NULL, CHECK (id > 0));
ALTER TABLE "user" ADD CONSTRAINT user_team_fk FOREIGN KEY (team_id) REFERENCES team(id) DEFERRABLE INITIALLY DEFERRED;
CREATE INDEX user_lower_email ON "user" (lower(email)) WHERE team_id IS NOT NULL;
COMMENT ON TABLE team IS 'teams';
COMMENT ON COLUMN team.owner_id IS 'the owner';`},
		{name: "columns", a: `
CREATE TABLE t (id int PRIMARY KEY, a varchar(10), b int NOT NULL DEFAULT 1, c text);
INSERT INTO t VALUES (1, 'x', 2, 'y');`, b: `
CREATE TABLE t (id int PRIMARY KEY, a varchar(20) NOT NULL, b bigint DEFAULT 5, d numeric(10,2) DEFAULT 0);
COMMENT ON COLUMN t.a IS 'A';`},
		{name: "constraints and indexes", a: `
CREATE TABLE p (id int PRIMARY KEY, k int);
CREATE TABLE c (id int, p_id int REFERENCES p(id), x int, CONSTRAINT c_x CHECK (x > 0), CONSTRAINT c_u UNIQUE (x));
CREATE INDEX c_p ON c (p_id);`, b: `
CREATE TABLE p (id int PRIMARY KEY, k int UNIQUE);
CREATE TABLE c (id int PRIMARY KEY, p_id int REFERENCES p(id) ON DELETE CASCADE, x int, CONSTRAINT c_x CHECK (x > 1));
CREATE UNIQUE INDEX c_p ON c (p_id DESC, x);`},
		{name: "drop referenced table", a: `
CREATE TABLE p (id int PRIMARY KEY);
CREATE TABLE c (id int, p_id int REFERENCES p(id));
COMMENT ON TABLE c IS 'c';`, b: `
CREATE TABLE c (id int, p_id int);`},
		{name: "identity and serial keep rows", a: `
CREATE TABLE t (id int PRIMARY KEY, a int DEFAULT 0 UNIQUE, b int GENERATED BY DEFAULT AS IDENTITY, c bigint GENERATED ALWAYS AS IDENTITY,
  s serial UNIQUE, i int GENERATED ALWAYS AS IDENTITY (START WITH 3 INCREMENT BY 2) UNIQUE, "Odd Name" int UNIQUE);
INSERT INTO t (id, a, "Odd Name") VALUES (1, 1, 1), (2, 2, 2);`, b: `
CREATE TABLE t (id int PRIMARY KEY, a int GENERATED ALWAYS AS IDENTITY UNIQUE, b int, c bigint GENERATED BY DEFAULT AS IDENTITY (START WITH 100 INCREMENT BY 5),
  s int GENERATED BY DEFAULT AS IDENTITY UNIQUE, i serial UNIQUE, "Odd Name" bigserial UNIQUE);`,
			count: `SELECT count(*) FROM t WHERE a IN (1, 2)`,
			// The sequences added start past the rows' values.
			probe: `INSERT INTO t (id, b) SELECT max(id) + 1, max(id) + 1 FROM t`},
		{name: "generated expression changes", a: `
CREATE TABLE g (id int PRIMARY KEY, n int, x int GENERATED ALWAYS AS (n * 2) STORED);
CREATE INDEX g_x ON g (x);
CREATE TABLE h (id int PRIMARY KEY, n int, z int GENERATED ALWAYS AS (n + 1) STORED CHECK (z > 0));
CREATE TABLE k (id int PRIMARY KEY, n int, y int);
INSERT INTO g (id, n) VALUES (1, 1), (2, 2);
INSERT INTO h (id, n) VALUES (1, 1);
INSERT INTO k VALUES (1, 1, 7);`, b: `
CREATE TABLE g (id int PRIMARY KEY, n int, x int GENERATED ALWAYS AS (n * 3) STORED);
CREATE INDEX g_x ON g (x);
CREATE TABLE h (id int PRIMARY KEY, n int, z int CHECK (z > 0));
CREATE TABLE k (id int PRIMARY KEY, n int, y int GENERATED ALWAYS AS (n - 1) STORED CHECK (y >= 0));
COMMENT ON COLUMN k.y IS 'computed';`,
			// A generated column is added again at the end of its table
			// (PostgreSQL cannot place a column): one such column per table.
			count: `SELECT (SELECT count(*) FROM g) + (SELECT count(*) FROM h WHERE z = n + 1) + (SELECT count(*) FROM k)`},
		{name: "recreated column referenced by another table", a: `
CREATE TABLE p (id int PRIMARY KEY, n int, g int GENERATED ALWAYS AS (n * 2) STORED UNIQUE);
CREATE TABLE c (id int PRIMARY KEY, g_ref int REFERENCES p (g) ON DELETE CASCADE);
INSERT INTO p (id, n) VALUES (1, 1), (2, 2);
INSERT INTO c VALUES (1, 2), (2, 4);`, b: `
CREATE TABLE p (id int PRIMARY KEY, n int, g int GENERATED ALWAYS AS (n + n) STORED UNIQUE);
CREATE TABLE c (id int PRIMARY KEY, g_ref int REFERENCES p (g) ON DELETE CASCADE);`,
			// The foreign key of c is dropped before p.g and added again
			// after it, its rows still matching.
			count: `SELECT count(*) FROM c JOIN p ON p.g = c.g_ref`},
		{name: "schemas with cross-schema foreign keys keep rows", a: `
CREATE SCHEMA billing;
CREATE SCHEMA old;
CREATE TABLE old.t (id int);
CREATE TYPE billing.state AS ENUM ('open', 'paid');
CREATE TABLE customer (id int PRIMARY KEY, name text);
CREATE TABLE billing.invoice (id int PRIMARY KEY, customer_id int REFERENCES customer(id), st billing.state DEFAULT 'open', total numeric(10,2));
CREATE INDEX invoice_customer ON billing.invoice (customer_id);
INSERT INTO customer VALUES (1, 'a');
INSERT INTO billing.invoice VALUES (1, 1, 'paid', 2.50);`, b: `
CREATE SCHEMA billing;
CREATE SCHEMA "Audit";
CREATE TYPE billing.state AS ENUM ('open', 'sent', 'paid');
CREATE TABLE customer (id int PRIMARY KEY, name text, last_invoice int);
CREATE TABLE billing.invoice (id int GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, customer_id int REFERENCES customer(id) ON DELETE CASCADE,
  st billing.state DEFAULT 'sent', total numeric(12,2) CHECK (total >= 0), cents bigint GENERATED ALWAYS AS ((total * 100)::bigint) STORED);
CREATE INDEX invoice_customer ON billing.invoice (customer_id, st);
CREATE TABLE "Audit"."Log" (id bigserial PRIMARY KEY, invoice_id int REFERENCES billing.invoice(id), at timestamptz DEFAULT now());
ALTER TABLE customer ADD CONSTRAINT customer_last FOREIGN KEY (last_invoice) REFERENCES billing.invoice(id);
COMMENT ON TABLE billing.invoice IS 'bills';`,
			count:   `SELECT count(*) FROM billing.invoice JOIN customer ON customer.id = customer_id WHERE st = 'paid' AND total = 2.5`,
			probe:   `INSERT INTO billing.invoice (id, customer_id, st) SELECT max(id) + 1, 1, 'open' FROM billing.invoice`,
			schemas: []string{"*"}},
	},
}

func execDDL(t *testing.T, d dialect.Dialect, db *sql.DB, ddl string) {
	t.Helper()
	stmts, err := sqlsplit.Split(ddl, d.SplitDialect())
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range stmts {
		if _, err := db.Exec(s.SQL); err != nil {
			t.Fatalf("%s: %v", s.SQL, err)
		}
	}
}

func inspect(t *testing.T, d dialect.Dialect, db *sql.DB, schemas ...string) *schema.Schema {
	t.Helper()
	s, err := d.(dialect.Inspector).Inspect(context.Background(), db, dialect.InspectOptions{Schemas: schemas})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// loadInspect loads ddl into a fresh database and inspects it.
func loadInspect(t *testing.T, name, ddl string, schemas ...string) *schema.Schema {
	t.Helper()
	d := dialectFor(t, name)
	db := testdb.Open(t, testdb.New(t, name))
	execDDL(t, d, db, ddl)
	return inspect(t, d, db, schemas...)
}

// run plans and runs ops on db. A list holding a table rebuild runs as
// the dialect's rebuild section would (dialect.Rebuilder: on SQLite with
// foreign keys off, checked at the end).
func run(t *testing.T, d dialect.Dialect, db *sql.DB, ops []op.Op) {
	t.Helper()
	ctx := context.Background()
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	exec := func(what fmt.Stringer, s string) {
		t.Helper()
		if _, err := conn.ExecContext(ctx, s); err != nil {
			t.Fatalf("%s: %s: %v", what, s, err)
		}
	}
	_, rebuilds := d.(dialect.Rebuilder)
	rebuilds = rebuilds && slices.ContainsFunc(ops, func(o op.Op) bool { _, ok := o.(*op.RebuildTable); return ok })
	if rebuilds {
		exec(stringer("rebuild section"), "PRAGMA foreign_keys=OFF")
	}
	for _, o := range ops {
		stmts, err := d.(dialect.Planner).Plan(o)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range stmts {
			exec(o, s)
		}
	}
	if rebuilds {
		var n int
		if err := conn.QueryRowContext(ctx, "SELECT count(*) FROM pragma_foreign_key_check").Scan(&n); err != nil || n != 0 {
			t.Fatalf("foreign_key_check: %d violations, %v", n, err)
		}
		exec(stringer("rebuild section"), "PRAGMA foreign_keys=ON")
	}
}

type stringer string

func (s stringer) String() string { return string(s) }

func count(t *testing.T, db *sql.DB, query string) int {
	t.Helper()
	if query == "" {
		return 0
	}
	var n int
	if err := db.QueryRow(query).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

func TestRoundTrip(t *testing.T) {
	for _, name := range testdb.Dialects(t) {
		d := dialectFor(t, name)
		if _, ok := d.(dialect.Planner); !ok {
			continue
		}
		for _, p := range roundTrips[name] {
			t.Run(name+"/"+p.name, func(t *testing.T) {
				want := loadInspect(t, name, p.b, p.schemas...)
				db := testdb.Open(t, testdb.New(t, name))
				execDDL(t, d, db, p.a)
				a := inspect(t, d, db, p.schemas...)
				opts := autogen.OptionsFor(d)
				up, err := autogen.Diff(a, want, opts)
				if err != nil {
					t.Fatal(err)
				}
				down, err := autogen.Downgrade(up)
				if err != nil && !p.noDown {
					t.Fatal(err)
				}
				rows := count(t, db, p.count)
				run(t, d, db, up)
				if got := count(t, db, p.count); got != rows {
					t.Fatalf("upgrade: %s = %d, was %d", p.count, got, rows)
				}
				if got := inspect(t, d, db, p.schemas...); !got.Equal(want) {
					t.Fatalf("after upgrade:\n%s", schema.Diff(want, got))
				}
				if p.probe != "" {
					if _, err := db.Exec(p.probe); err != nil {
						t.Fatalf("after upgrade: %s: %v", p.probe, err)
					}
				}
				if ops, err := autogen.Diff(want, inspect(t, d, db, p.schemas...), opts); err != nil || len(ops) != 0 {
					t.Fatalf("Diff(B, B) = %v, %v", ops, err)
				}
				if p.noDown {
					if err == nil {
						t.Fatal("Downgrade: no error")
					}
					return
				}
				run(t, d, db, down)
				if got := inspect(t, d, db, p.schemas...); !got.Equal(a) {
					t.Fatalf("after downgrade:\n%s", schema.Diff(a, got))
				}
				if got := count(t, db, p.count); got != rows {
					t.Fatalf("downgrade: %s = %d, was %d", p.count, got, rows)
				}
				if p.probe != "" {
					if _, err := db.Exec(p.probe); err != nil {
						t.Fatalf("after downgrade: %s: %v", p.probe, err)
					}
				}
			})
		}
	}
}
