package postgres_test

import (
	"strings"
	"testing"

	"github.com/retortdb/retort/dialect/postgres"
	"github.com/retortdb/retort/op"
	"github.com/retortdb/retort/schema"
)

func planAll(t *testing.T, ops ...op.Op) string {
	t.Helper()
	var out []string
	for _, o := range ops {
		stmts, err := postgres.New().Plan(o)
		if err != nil {
			t.Fatalf("%s: %v", o, err)
		}
		out = append(out, stmts...)
	}
	return strings.Join(out, ";\n")
}

var users = &schema.Table{
	Name: "user",
	Columns: []schema.Column{
		{Name: "id", Type: schema.Type{Name: "integer"}, AutoIncrement: true},
		{Name: "email", Type: schema.Type{Name: "varchar", Length: 100}, Default: "'x'", Comment: "the email"},
		{Name: "score", Type: schema.Type{Name: "numeric", Precision: 10, Scale: 2}, Nullable: true},
	},
	PrimaryKey:  &schema.PrimaryKey{Name: "user_pkey", Columns: []string{"id"}},
	Uniques:     []schema.Unique{{Name: "user_email_key", Columns: []string{"email"}}},
	Checks:      []schema.Check{{Name: "score_pos", Expr: "score > 0"}},
	Indexes:     []schema.Index{{Name: "user_score", Parts: []schema.IndexPart{{Column: "score", Desc: true}}}},
	ForeignKeys: []schema.ForeignKey{{Name: "user_team", Columns: []string{"id"}, RefTable: "team", RefColumns: []string{"id"}, OnDelete: "CASCADE"}},
}

var ref = op.TableRef{Name: "user"}

func TestPlanGolden(t *testing.T) {
	email := users.Columns[1]
	wider := email
	wider.Type.Length = 200
	wider.Nullable = true
	wider.Default = ""
	for _, tc := range []struct {
		o    op.Op
		want string
	}{
		{&op.CreateTable{Table: users}, `CREATE TABLE "user" (
    id serial NOT NULL,
    email varchar(100) DEFAULT 'x' NOT NULL,
    score numeric(10,2),
    CONSTRAINT user_pkey PRIMARY KEY (id),
    CONSTRAINT user_email_key UNIQUE (email),
    CONSTRAINT score_pos CHECK (score > 0),
    CONSTRAINT user_team FOREIGN KEY (id) REFERENCES team (id) ON DELETE CASCADE
);
CREATE INDEX user_score ON "user" (score DESC);
COMMENT ON COLUMN "user".email IS 'the email'`},
		{&op.DropTable{Table: users}, `DROP TABLE "user"`},
		{&op.RenameTable{Table: ref, To: "order"}, `ALTER TABLE "user" RENAME TO "order"`},
		{&op.AddColumn{Table: ref, Column: email}, `ALTER TABLE "user" ADD COLUMN email varchar(100) DEFAULT 'x' NOT NULL;
COMMENT ON COLUMN "user".email IS 'the email'`},
		{&op.DropColumn{Table: ref, Column: email}, `ALTER TABLE "user" DROP COLUMN email`},
		{&op.RenameColumn{Table: ref, From: "a", To: "select"}, `ALTER TABLE "user" RENAME COLUMN a TO "select"`},
		{&op.CreateIndex{Table: ref, Index: schema.Index{Name: "ix", Unique: true, Parts: []schema.IndexPart{{Expr: "lower(email)"}}}}, `CREATE UNIQUE INDEX ix ON "user" ((lower(email)))`},
		{&op.DropIndex{Table: ref, Index: schema.Index{Name: "ix"}}, `DROP INDEX ix`},
	} {
		if got := planAll(t, tc.o); got != tc.want {
			t.Errorf("%s:\ngot  %s\nwant %s", tc.o, got, tc.want)
		}
	}
	want := `ALTER TABLE "user" ALTER COLUMN email DROP DEFAULT;
ALTER TABLE "user" ALTER COLUMN email TYPE varchar(200) USING email::varchar(200);
ALTER TABLE "user" ALTER COLUMN email DROP NOT NULL;
ALTER TYPE mood ADD VALUE 'ok' BEFORE 'happy';
CREATE TYPE s.mood AS ENUM ('a', 'b''c');
ALTER TABLE "user" ADD CONSTRAINT user_team FOREIGN KEY (id) REFERENCES team (id) ON DELETE CASCADE`
	if got := planAll(t, &op.AlterColumn{Table: ref, Existing: email, Column: wider},
		&op.AddEnumValue{Enum: op.TableRef{Name: "mood"}, Value: "ok", Before: "happy"},
		&op.CreateEnum{Enum: &schema.Enum{Schema: "s", Name: "mood", Values: []string{"a", "b'c"}}},
		&op.AddForeignKey{Table: ref, ForeignKey: users.ForeignKeys[0]}); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

func TestPlanIdentityGenerated(t *testing.T) {
	plain := schema.Column{Name: "n", Type: schema.Type{Name: "integer"}, Nullable: true, Default: "0"}
	ident := plain
	ident.Nullable, ident.Default = false, ""
	ident.Identity = &schema.Identity{Always: true, Start: 10, Increment: 1}
	byDefault := ident
	byDefault.Identity = &schema.Identity{Start: 5, Increment: 2}
	serial := ident
	serial.Identity, serial.AutoIncrement = nil, true
	gen := schema.Column{Name: "g", Type: schema.Type{Name: "integer"}, Nullable: true, Generated: &schema.Generated{Expr: "n * 2", Stored: true}}
	gen2 := gen
	gen2.Generated = &schema.Generated{Expr: "n * 3", Stored: true}
	plainG := gen
	plainG.Generated = nil
	alter := func(a, b schema.Column) op.Op { return &op.AlterColumn{Table: ref, Existing: a, Column: b} }
	for _, tc := range []struct {
		o    op.Op
		want string
	}{
		{alter(plain, ident), `ALTER TABLE "user" ALTER COLUMN n DROP DEFAULT;
ALTER TABLE "user" ALTER COLUMN n SET NOT NULL;
ALTER TABLE "user" ALTER COLUMN n ADD GENERATED ALWAYS AS IDENTITY (START WITH 10 INCREMENT BY 1);
SELECT pg_catalog.setval(pg_catalog.pg_get_serial_sequence('"user"', 'n'), max(n)) FROM "user" HAVING max(n) >= 10`},
		{alter(ident, plain), `ALTER TABLE "user" ALTER COLUMN n DROP IDENTITY;
ALTER TABLE "user" ALTER COLUMN n DROP NOT NULL;
ALTER TABLE "user" ALTER COLUMN n SET DEFAULT 0`},
		{alter(ident, byDefault), `ALTER TABLE "user" ALTER COLUMN n SET GENERATED BY DEFAULT SET START WITH 5 SET INCREMENT BY 2`},
		{alter(serial, ident), `ALTER TABLE "user" ALTER COLUMN n DROP DEFAULT;
DO $$BEGIN EXECUTE 'DROP SEQUENCE ' || pg_catalog.pg_get_serial_sequence('"user"', 'n'); END$$;
ALTER TABLE "user" ALTER COLUMN n ADD GENERATED ALWAYS AS IDENTITY (START WITH 10 INCREMENT BY 1);
SELECT pg_catalog.setval(pg_catalog.pg_get_serial_sequence('"user"', 'n'), max(n)) FROM "user" HAVING max(n) >= 10`},
		{alter(ident, serial), `ALTER TABLE "user" ALTER COLUMN n DROP IDENTITY;
CREATE SEQUENCE user_n_seq AS integer OWNED BY "user".n;
ALTER TABLE "user" ALTER COLUMN n SET DEFAULT nextval('user_n_seq'::regclass);
SELECT pg_catalog.setval(pg_catalog.pg_get_serial_sequence('"user"', 'n'), max(n)) FROM "user" HAVING max(n) >= 1`},
		{alter(gen, plainG), `ALTER TABLE "user" ALTER COLUMN g DROP EXPRESSION`},
		{alter(gen, gen2), `ALTER TABLE "user" DROP COLUMN g;
ALTER TABLE "user" ADD COLUMN g integer GENERATED ALWAYS AS (n * 3) STORED`},
		{alter(plainG, gen), `ALTER TABLE "user" DROP COLUMN g;
ALTER TABLE "user" ADD COLUMN g integer GENERATED ALWAYS AS (n * 2) STORED`},
	} {
		if got := planAll(t, tc.o); got != tc.want {
			t.Errorf("%s:\ngot  %s\nwant %s", tc.o, got, tc.want)
		}
	}
}
