package op_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/retortdb/retort/op"
	"github.com/retortdb/retort/schema"
)

// createPeople makes the table most tests start from.
func createPeople(t *testing.T, e *env) {
	t.Helper()
	must(t, e.o.CreateTable("people",
		op.Column("id", "INTEGER", op.PrimaryKey()),
		op.Column("name", "VARCHAR(100)", op.NotNull(), op.Default("'anon'")),
		op.Column("age", "integer"),
	))
}

func TestCreateTable(t *testing.T) {
	eachDialect(t, func(t *testing.T, e *env) {
		createPeople(t, e)
		must(t, e.o.CreateTable("orders",
			op.Column("id", "serial", op.PrimaryKey()),
			op.Column("person_id", "INTEGER", op.NotNull()),
			op.Column("code", "varchar(20)", op.NotNull(), op.Unique()),
			op.Column("total", "NUMERIC(10,2)", op.NotNull(), op.Default("0"), op.Comment("in cents")),
			op.Column("note", "varchar(50)"),
			op.ForeignKeyDef("fk_orders_person", []string{"person_id"}, "people", []string{"id"}, op.OnDelete("cascade")),
			op.UniqueDef("uq_orders_person_note", "person_id", "note"),
			op.CheckDef("ck_orders_total", "total >= 0"),
			op.IndexDef("ix_orders_note", []string{"note DESC"}),
			op.Comment("what people buy"),
		))
		tb := e.table(t, "orders")
		if got := col(t, tb, "id"); !got.AutoIncrement || got.Nullable {
			t.Errorf("id = %s, want NOT NULL auto-increment", got)
		}
		if got := col(t, tb, "total"); got.Type.Name == "" || got.Type.Precision != 10 || got.Type.Scale != 2 || got.Nullable || got.Default != "0" && got.Default != "0.00" {
			t.Errorf("total = %s", got)
		}
		if got := col(t, tb, "note"); !got.Nullable || got.Type.Length != 50 {
			t.Errorf("note = %s", got)
		}
		if tb.PrimaryKey == nil || !slices.Equal(tb.PrimaryKey.Columns, []string{"id"}) {
			t.Errorf("primary key = %v", tb.PrimaryKey)
		}
		fk := tb.ForeignKey("fk_orders_person")
		if fk == nil || fk.RefTable != "people" || fk.OnDelete != "CASCADE" || !slices.Equal(fk.RefColumns, []string{"id"}) {
			t.Errorf("foreign key = %+v\n%s", fk, tb)
		}
		if tb.Unique("uq_orders_person_note") == nil {
			t.Errorf("no unique uq_orders_person_note:\n%s", tb)
		}
		if !slices.ContainsFunc(tb.Uniques, func(u schema.Unique) bool { return slices.Equal(u.Columns, []string{"code"}) }) {
			t.Errorf("no unique on code:\n%s", tb)
		}
		x := tb.Index("ix_orders_note")
		if x == nil || len(x.Parts) != 1 || x.Parts[0].Column != "note" {
			t.Errorf("index = %+v\n%s", x, tb)
		}
		if e.name != "sqlite" {
			if tb.Comment != "what people buy" || col(t, tb, "total").Comment != "in cents" {
				t.Errorf("comments not set:\n%s", tb)
			}
		}
		if tb.Check("ck_orders_total") == nil {
			t.Errorf("no check ck_orders_total:\n%s", tb)
		}
	})
}

func TestCreateTableErrors(t *testing.T) {
	eachDialect(t, func(t *testing.T, e *env) {
		wantErr(t, e.o.CreateTable("t", op.Column("id", "VARCHAR(")), "create table t", "column id", `bad column type "VARCHAR("`)
		wantErr(t, e.o.CreateTable("t"), "create table t", "at least one column")
		wantErr(t, e.o.CreateTable("t", op.Column("a", "int"), op.Column("a", "int")), "column a is declared twice")
		wantErr(t, e.o.CreateTable("t", op.Column("a", "int"), op.UniqueDef("u", "b")), "unique constraint u names column b")
		wantErr(t, e.o.CreateTable("t", op.Column("a", "int"), op.ForeignKeyDef("f", []string{"a"}, "x", nil)), "foreign key f: 1 column(s) reference 0")
		wantErr(t, e.o.CreateTable("t", op.Column("a", "int"), op.ForeignKeyDef("f", []string{"a"}, "x", []string{"id"}, op.OnDelete("explode"))), `unknown referential action "EXPLODE"`)
		wantErr(t, e.o.CreateTable("t", op.Column("a", "int"), op.IndexDef("ix", []string{"a sideways"})), `index ix: "sideways" after the key`)
		wantErr(t, e.o.CreateTable("t", op.Column("a", "int"), op.IndexDef("ix", []string{"(lower(a)"})), "unbalanced parentheses")
		createPeople(t, e)
		err := e.o.CreateTable("people", op.Column("id", "int"))
		wantErr(t, err, "create table people")
	})
}

func TestDropAndRenameTable(t *testing.T) {
	eachDialect(t, func(t *testing.T, e *env) {
		createPeople(t, e)
		must(t, e.o.RenameTable("people", "persons"))
		if e.exists(t, "people") || !e.exists(t, "persons") {
			t.Fatal("rename did not happen")
		}
		must(t, e.o.DropTable("persons"))
		if e.exists(t, "persons") {
			t.Fatal("drop did not happen")
		}
		wantErr(t, e.o.DropTable("persons"), "drop table persons")
	})
}

func TestAddAndDropColumn(t *testing.T) {
	eachDialect(t, func(t *testing.T, e *env) {
		createPeople(t, e)
		e.exec(t, "INSERT INTO people (id, name) VALUES (1, 'a')")
		must(t, e.o.AddColumn("people", op.Column("score", "numeric(5,1)", op.NotNull(), op.Default("1.5"))))
		must(t, e.o.AddColumn("people", op.Column("email", "varchar(200)", op.Comment("where to write"))))
		tb := e.table(t, "people")
		if c := col(t, tb, "score"); c.Nullable || c.Type.Precision != 5 || c.Type.Scale != 1 {
			t.Errorf("score = %s", c)
		}
		if c := col(t, tb, "email"); !c.Nullable || c.Type.Length != 200 || e.name != "sqlite" && c.Comment != "where to write" {
			t.Errorf("email = %s", c)
		}
		if n := e.count(t, "SELECT count(*) FROM people WHERE score = 1.5"); n != 1 {
			t.Errorf("existing row has no default score")
		}
		must(t, e.o.DropColumn("people", "email"))
		if e.table(t, "people").Column("email") != nil {
			t.Error("email not dropped")
		}
		wantErr(t, e.o.AddColumn("people", op.Column("x", "numeric(1,2)")), "add column people.x", "scale 2 is larger than precision 1")
		wantErr(t, e.o.DropColumn("people", "nope"), "drop column people.nope")
		wantErr(t, e.o.AddColumn("people", nil), "nil column")
	})
}

func TestAlterColumnOnline(t *testing.T) {
	eachDialect(t, func(t *testing.T, e *env) {
		createPeople(t, e)
		e.exec(t, "INSERT INTO people (id, name, age) VALUES (1, 'a', 30)")
		err := e.o.AlterColumn("people", "name", op.Alter{Type: "varchar(200)"})
		if e.name == "sqlite" {
			wantErr(t, err, "alter column people.name", "BatchAlterTable")
			// A rename alone is SQLite's own ALTER TABLE RENAME COLUMN.
			must(t, e.o.AlterColumn("people", "age", op.Alter{NewName: "years"}))
			if c := col(t, e.table(t, "people"), "years"); c.Type.Name != "integer" || e.count(t, "SELECT count(*) FROM people WHERE years = 30") != 1 {
				t.Errorf("years = %s", c)
			}
			return
		}
		must(t, err)
		c := col(t, e.table(t, "people"), "name")
		// The type grew; NOT NULL and the default survived (MySQL's MODIFY
		// restates them from the live column).
		if c.Type.Length != 200 || c.Nullable || c.Default != "'anon'" {
			t.Errorf("name = %s", c)
		}
		must(t, e.o.AlterColumn("people", "age", op.Alter{Nullable: op.Bool(false), Default: op.String("18"), Comment: op.String("years")}))
		c = col(t, e.table(t, "people"), "age")
		if c.Nullable || c.Default != "18" || c.Comment != "years" || c.Type.Name != e.intType() {
			t.Errorf("age = %s", c)
		}
		must(t, e.o.AlterColumn("people", "age", op.Alter{Default: op.String(""), NewName: "years"}))
		c = col(t, e.table(t, "people"), "years")
		if c.Default != "" || c.Nullable || c.Comment != "years" {
			t.Errorf("years = %s", c)
		}
		if n := e.count(t, "SELECT count(*) FROM people WHERE years = 30"); n != 1 {
			t.Error("data lost")
		}
		// Errors name the table and column and say what to do.
		wantErr(t, e.o.AlterColumn("nope", "x", op.Alter{Type: "int", Nullable: op.Bool(true)}), "alter column nope.x")
		wantErr(t, e.o.AlterColumn("people", "nope", op.Alter{Nullable: op.Bool(true)}), "alter column people.nope")
		wantErr(t, e.o.AlterColumn("people", "years", op.Alter{}), "alter column people.years", "nothing to change")
		wantErr(t, e.o.AlterColumn("people", "years", op.Alter{Type: "int(x)"}), "alter column people.years", "Type", `bad column type "int(x)"`)
	})
}

func TestAlterColumnHintsFromLiveTable(t *testing.T) {
	// A plan that needs the existing column (MySQL restates all of it,
	// PostgreSQL restores the default around a type change) reads the live
	// one when hints are missing; a missing table or column is an error
	// naming it.
	eachDialect(t, func(t *testing.T, e *env) {
		if e.name == "sqlite" {
			t.Skip("SQLite alters columns only in BatchAlterTable")
		}
		a := op.Alter{Nullable: op.Bool(false)}
		if e.name == "postgresql" {
			a = op.Alter{Type: "text"}
		}
		wantErr(t, e.o.AlterColumn("ghost", "x", a), "alter column ghost.x", "table ghost does not exist")
		createPeople(t, e)
		wantErr(t, e.o.AlterColumn("people", "ghost", a), "alter column people.ghost", "table people has no column ghost")
		// Given hints are used as they are: no inspection needed.
		a.ExistingType, a.ExistingNullable, a.ExistingDefault, a.ExistingComment = "varchar(100)", op.Bool(false), op.String("'anon'"), op.String("")
		must(t, e.o.AlterColumn("people", "name", a))
		if c := col(t, e.table(t, "people"), "name"); c.Default != "'anon'" || c.Nullable {
			t.Errorf("name = %s", c)
		}
	})
}

func TestBatchRebuildChecksForeignKeys(t *testing.T) {
	e := newEnv(t, "sqlite")
	createPeople(t, e)
	must(t, e.o.CreateTable("pets", op.Column("id", "integer", op.PrimaryKey()), op.Column("owner", "integer")))
	e.exec(t, "INSERT INTO pets (id, owner) VALUES (1, 42)") // no person 42
	err := e.o.BatchAlterTable("pets", func(b *op.Batch) error {
		b.CreateForeignKey("fk_pets_owner", "people", []string{"owner"}, []string{"id"})
		return nil
	})
	wantErr(t, err, "batch alter table pets", "CHECK constraint failed")
	// The runner rolls back the rebuild's own transaction; so does this.
	e.exec(t, "ROLLBACK")
	e.exec(t, "PRAGMA foreign_keys=ON")
	if tb := e.table(t, "pets"); len(tb.ForeignKeys) != 0 || e.count(t, "SELECT count(*) FROM pets") != 1 {
		t.Errorf("pets changed:\n%s", tb)
	}
}

func TestAlterColumnOffline(t *testing.T) {
	eachDialect(t, func(t *testing.T, e *env) {
		o, b := e.offline()
		err := o.AlterColumn("people", "name", op.Alter{Nullable: op.Bool(true)})
		switch e.name {
		case "sqlite":
			wantErr(t, err, "BatchAlterTable")
		case "postgresql":
			// Dropping NOT NULL needs nothing else on PostgreSQL.
			must(t, err)
			if len(b.ran) != 1 || !strings.Contains(b.ran[0], "DROP NOT NULL") {
				t.Errorf("ran %q", b.ran)
			}
			err = o.AlterColumn("people", "name", op.Alter{Type: "text"})
			wantErr(t, err, "alter column people.name", "offline (--sql)", "ExistingDefault")
			must(t, o.AlterColumn("people", "name", op.Alter{Type: "text", ExistingDefault: op.String("'anon'")}))
			if last := b.ran[len(b.ran)-1]; !strings.Contains(last, "SET DEFAULT 'anon'") {
				t.Errorf("ran %q", b.ran)
			}
		case "mysql":
			wantErr(t, err, "alter column people.name", "offline (--sql)", "existing type", "ExistingType", "ExistingDefault", "ExistingComment")
			wantErr(t, err, "ExistingType, ExistingDefault and ExistingComment")
			must(t, o.AlterColumn("people", "name", op.Alter{Nullable: op.Bool(true), ExistingType: "varchar(100)", ExistingDefault: op.String("'anon'"), ExistingComment: op.String("")}))
			if want := "ALTER TABLE people MODIFY COLUMN name varchar(100) NULL DEFAULT 'anon'"; len(b.ran) != 1 || !strings.HasPrefix(b.ran[0], want) {
				t.Errorf("ran %q, want %q", b.ran, want)
			}
		}
	})
}

func TestIndexes(t *testing.T) {
	eachDialect(t, func(t *testing.T, e *env) {
		createPeople(t, e)
		must(t, e.o.CreateIndex("ix_people_name_age", "people", []string{"name", "age DESC"}, op.Unique()))
		x := e.table(t, "people").Index("ix_people_name_age")
		if e.name == "mysql" && x == nil {
			// A unique ascending key is a Unique on MySQL; this one has a
			// DESC part, so it stays an index.
			t.Fatalf("no index:\n%s", e.table(t, "people"))
		}
		if x == nil || !x.Unique || len(x.Parts) != 2 || !x.Parts[1].Desc {
			t.Fatalf("index = %+v", x)
		}
		err := e.o.CreateIndex("ix_people_adults", "people", []string{"name"}, op.Where("age >= 18"))
		if e.name == "mysql" {
			wantErr(t, err, "create index ix_people_adults on people", "no partial indexes")
		} else {
			must(t, err)
			if x := e.table(t, "people").Index("ix_people_adults"); x == nil || x.Where == "" {
				t.Errorf("partial index = %+v", x)
			}
		}
		if e.name != "mysql" { // MariaDB has no expression indexes
			must(t, e.o.CreateIndex("ix_people_lower", "people", []string{"(lower(name))"}))
			if x := e.table(t, "people").Index("ix_people_lower"); x == nil || x.Parts[0].Expr == "" {
				t.Errorf("expression index = %+v", x)
			}
		}
		must(t, e.o.DropIndex("ix_people_name_age", "people"))
		if e.table(t, "people").Index("ix_people_name_age") != nil {
			t.Error("index not dropped")
		}
		wantErr(t, e.o.DropIndex("ix_people_name_age", "people"), "drop index ix_people_name_age on people")
		wantErr(t, e.o.CreateIndex("ix", "people", nil), "create index ix on people", "no columns")
	})
}

func TestConstraints(t *testing.T) {
	eachDialect(t, func(t *testing.T, e *env) {
		createPeople(t, e)
		must(t, e.o.CreateTable("pets",
			op.Column("id", "integer", op.NotNull()),
			op.Column("owner", "integer"),
			op.Column("tag", "varchar(10)"),
		))
		if e.name == "sqlite" {
			// SQLite's ALTER TABLE cannot add constraints: the error says
			// to rebuild the table.
			wantErr(t, e.o.CreatePrimaryKey("pk_pets", "pets", "id"), "create primary key on pets", "needs a table rebuild", "BatchAlterTable")
			// Planned before anything runs: no half-made column.
			wantErr(t, e.o.AddColumn("pets", op.Column("code", "int", op.Unique())), "add column pets.code", "BatchAlterTable")
			if e.table(t, "pets").Column("code") != nil {
				t.Error("column added although its constraint could not be")
			}
			return
		}
		must(t, e.o.CreatePrimaryKey("pk_pets", "pets", "id"))
		must(t, e.o.CreateForeignKey("fk_pets_owner", "pets", "people", []string{"owner"}, []string{"id"}, op.OnDelete("SET NULL"), op.OnUpdate("cascade")))
		must(t, e.o.CreateUniqueConstraint("uq_pets_tag", "pets", "tag"))
		must(t, e.o.CreateCheckConstraint("ck_pets_tag", "pets", "tag <> ''"))
		tb := e.table(t, "pets")
		if tb.PrimaryKey == nil || !slices.Equal(tb.PrimaryKey.Columns, []string{"id"}) {
			t.Errorf("primary key %+v", tb.PrimaryKey)
		}
		if fk := tb.ForeignKey("fk_pets_owner"); fk == nil || fk.OnDelete != "SET NULL" || fk.OnUpdate != "CASCADE" {
			t.Errorf("foreign key %+v", fk)
		}
		if tb.Unique("uq_pets_tag") == nil || tb.Check("ck_pets_tag") == nil {
			t.Errorf("constraints missing:\n%s", tb)
		}
		e.exec(t, "INSERT INTO people (id, name) VALUES (1, 'a')")
		e.exec(t, "INSERT INTO pets (id, owner, tag) VALUES (1, 1, 'x')")
		e.exec(t, "DELETE FROM people")
		if n := e.count(t, "SELECT count(*) FROM pets WHERE owner IS NULL"); n != 1 {
			t.Error("ON DELETE SET NULL did not act")
		}
		must(t, e.o.DropConstraint("fk_pets_owner", "pets", op.KindForeignKey))
		must(t, e.o.DropConstraint("uq_pets_tag", "pets", op.KindAny)) // looked up
		must(t, e.o.DropConstraint("ck_pets_tag", "pets", op.KindCheck))
		pk := "pk_pets"
		if e.name == "mysql" {
			pk = "PRIMARY"
		}
		must(t, e.o.DropConstraint(pk, "pets", op.KindPrimaryKey))
		tb = e.table(t, "pets")
		if tb.PrimaryKey != nil || len(tb.ForeignKeys) != 0 || len(tb.Uniques) != 0 || len(tb.Checks) != 0 {
			t.Errorf("constraints left:\n%s", tb)
		}
		wantErr(t, e.o.DropConstraint("nope", "pets", op.KindAny), "drop constraint nope on pets", "table pets has no constraint named nope")
		wantErr(t, e.o.DropConstraint("nope", "ghost", op.KindAny), "drop constraint nope on ghost", "table ghost does not exist")
		wantErr(t, e.o.DropConstraint("x", "pets", "bogus"), `unknown constraint kind "bogus"`)
		off, _ := e.offline()
		wantErr(t, off.DropConstraint("x", "pets", op.KindAny), "offline (--sql)", "op.KindForeignKey")
	})
}

func TestExecuteAndBulkInsert(t *testing.T) {
	eachDialect(t, func(t *testing.T, e *env) {
		createPeople(t, e)
		must(t, e.o.Execute("INSERT INTO people (id, name) VALUES ("+e.o.Placeholder(1)+", "+e.o.Placeholder(2)+")", 1, "it's"))
		rows := make([][]any, 700) // 2100 arguments: several INSERTs
		for i := range rows {
			rows[i] = []any{i + 2, fmt.Sprintf("p%d", i), i % 90}
		}
		before := len(e.b.ran)
		must(t, e.o.BulkInsert("people", []string{"id", "name", "age"}, rows))
		if n := len(e.b.ran) - before; n != 3 {
			t.Errorf("%d INSERTs, want 3", n)
		}
		if n := e.count(t, "SELECT count(*) FROM people"); n != 701 {
			t.Errorf("%d rows", n)
		}
		if n := e.count(t, "SELECT count(*) FROM people WHERE name = 'it''s' OR (name = 'p699' AND age = 69)"); n != 2 {
			t.Errorf("values not inserted as given")
		}
		wantErr(t, e.o.BulkInsert("people", []string{"id", "name"}, [][]any{{1}}), "bulk insert into people", "row 0 has 1 value(s) for 2 column(s)")
		wantErr(t, e.o.BulkInsert("people", nil, nil), "no columns")
		wantErr(t, e.o.BulkInsert("people", []string{"id", "name"}, [][]any{{1, "dup"}}), "bulk insert into people")
		must(t, e.o.BulkInsert("people", []string{"id"}, nil))
	})
}

func TestBatchAlterTable(t *testing.T) {
	eachDialect(t, func(t *testing.T, e *env) {
		createPeople(t, e)
		must(t, e.o.CreateTable("pets",
			op.Column("id", "integer", op.PrimaryKey()),
			op.Column("owner", "integer"),
			op.Column("tag", "varchar(10)"),
			op.Column("legacy", "varchar(10)"),
			op.IndexDef("ix_pets_tag", []string{"tag"}),
		))
		e.exec(t, "INSERT INTO people (id, name) VALUES (1, 'a')")
		e.exec(t, "INSERT INTO pets (id, owner, tag, legacy) VALUES (1, 1, 'rex', 'old')")
		e.b.inTx = e.name == "sqlite" // as in a transactional migration
		// What SQLite's ALTER TABLE can do needs no rebuild, so it runs in
		// a transaction.
		must(t, e.o.BatchAlterTable("pets", func(b *op.Batch) error {
			b.AddColumn(op.Column("nick", "varchar(10)"))
			b.CreateIndex("ix_pets_nick", []string{"nick"})
			return nil
		}))
		if tb := e.table(t, "pets"); tb.Column("nick") == nil || tb.Index("ix_pets_nick") == nil {
			t.Errorf("nick not added:\n%s", tb)
		}
		change := func(b *op.Batch) error {
			b.AddColumn(op.Column("weight", "numeric(6,2)", op.NotNull(), op.Default("0")))
			b.AlterColumn("tag", op.Alter{Type: "varchar(40)", Nullable: op.Bool(false), NewName: "label"})
			b.DropColumn("legacy")
			b.CreateForeignKey("fk_pets_owner", "people", []string{"owner"}, []string{"id"}, op.OnDelete("CASCADE"))
			b.CreateUniqueConstraint("uq_pets_label", "label")
			b.CreateCheckConstraint("ck_pets_weight", "weight >= 0")
			b.CreateIndex("ix_pets_owner", []string{"owner"})
			return nil
		}
		if e.name == "sqlite" {
			// Inside a transaction SQLite keeps foreign keys on: a rebuild
			// is refused while another table references pets…
			e.exec(t, "CREATE TABLE visits (id integer PRIMARY KEY, pet integer REFERENCES pets (id) ON DELETE CASCADE)")
			e.exec(t, "INSERT INTO visits (id, pet) VALUES (1, 1)")
			err := e.o.BatchAlterTable("pets", change)
			wantErr(t, err, "batch alter table pets", "other tables reference it", "NoTransaction: true", "tables_referencing_pets")
			if e.table(t, "pets").Column("legacy") == nil {
				t.Fatal("the refused rebuild changed pets")
			}
			// …and runs behind the guard once nothing does.
			e.exec(t, "DROP TABLE visits")
		}
		must(t, e.o.BatchAlterTable("pets", change))
		tb := e.table(t, "pets")
		if c := col(t, tb, "label"); c.Nullable || c.Type.Length != 40 {
			t.Errorf("label = %s", c)
		}
		if tb.Column("legacy") != nil || tb.Column("tag") != nil {
			t.Errorf("legacy or tag left:\n%s", tb)
		}
		if fk := tb.ForeignKey("fk_pets_owner"); fk == nil || fk.OnDelete != "CASCADE" {
			t.Errorf("foreign key:\n%s", tb)
		}
		if tb.Unique("uq_pets_label") == nil || tb.Index("ix_pets_owner") == nil || tb.Index("ix_pets_tag") == nil {
			t.Errorf("constraints or indexes missing:\n%s", tb)
		}
		if tb.Check("ck_pets_weight") == nil {
			t.Errorf("check missing:\n%s", tb)
		}
		if n := e.count(t, "SELECT count(*) FROM pets WHERE label = 'rex' AND owner = 1 AND weight = 0"); n != 1 {
			t.Error("rows not kept")
		}
		// The table works as changed: the new foreign key cascades.
		e.exec(t, "DELETE FROM people")
		if n := e.count(t, "SELECT count(*) FROM pets"); n != 0 {
			t.Error("ON DELETE CASCADE did not act")
		}
		wantErr(t, e.o.BatchAlterTable("ghost", change), "batch alter table ghost", "table ghost does not exist")
		err := e.o.BatchAlterTable("pets", func(b *op.Batch) error { b.DropColumn("nope"); return nil })
		wantErr(t, err, "batch alter table pets", "drop column nope", "table pets has no column nope")
		boom := errors.New("boom")
		if err := e.o.BatchAlterTable("pets", func(b *op.Batch) error { return boom }); !errors.Is(err, boom) {
			t.Errorf("err = %v, want the function's", err)
		}
	})
}

func TestBatchAlterTableOffline(t *testing.T) {
	eachDialect(t, func(t *testing.T, e *env) {
		o, b := e.offline()
		change := func(b *op.Batch) error {
			b.AlterColumn("name", op.Alter{Nullable: op.Bool(true)})
			return nil
		}
		err := o.BatchAlterTable("people", change)
		switch e.name {
		case "sqlite":
			wantErr(t, err, "batch alter table people", "rebuilt", "op.CopyFrom")
		case "postgresql":
			must(t, err)
		case "mysql":
			wantErr(t, err, "batch alter table people", "ExistingType")
		}
		b.ran = nil
		must(t, o.BatchAlterTable("people", change, op.CopyFrom(
			op.Column("id", "INTEGER", op.PrimaryKey()),
			op.Column("name", "VARCHAR(100)", op.NotNull(), op.Default("'anon'")),
		)))
		script := strings.Join(b.ran, "\n")
		if e.name == "sqlite" {
			for _, want := range []string{"PRAGMA foreign_keys=OFF", "CREATE TABLE _retort_new_people", "INSERT INTO _retort_new_people (id, name) SELECT id, name FROM people", "foreign_key_check", "COMMIT"} {
				if !strings.Contains(script, want) {
					t.Errorf("script lacks %q:\n%s", want, script)
				}
			}
		} else if strings.Contains(script, "CREATE TABLE") || !strings.Contains(script, "ALTER TABLE") {
			t.Errorf("script:\n%s", script)
		}
		wantErr(t, o.BatchAlterTable("people", change, op.CopyFrom(op.Column("id", "nope("))), "op.CopyFrom", `bad column type "nope("`)
	})
}

func TestInSchema(t *testing.T) {
	e := newEnv(t, "postgresql")
	e.exec(t, "CREATE SCHEMA billing")
	b := e.o.InSchema("billing")
	must(t, b.CreateTable("accounts", op.Column("id", "bigserial", op.PrimaryKey())))
	must(t, b.CreateTable("invoices",
		op.Column("id", "integer", op.PrimaryKey()),
		op.Column("account_id", "bigint"),
		op.ForeignKeyDef("fk_inv_acct", []string{"account_id"}, "accounts", []string{"id"}),
	))
	must(t, b.AddColumn("invoices", op.Column("amount", "numeric(10,2)", op.NotNull(), op.Default("0"))))
	must(t, b.AlterColumn("invoices", "amount", op.Alter{Type: "numeric(12,2)"}))
	must(t, b.CreateIndex("ix_inv_amount", "invoices", []string{"amount"}))
	must(t, b.BulkInsert("accounts", []string{"id"}, [][]any{{int64(1)}}))
	tb, err := e.b.InspectTable(context.Background(), "billing", "invoices")
	if err != nil || tb == nil {
		t.Fatalf("inspect billing.invoices: %v %v", tb, err)
	}
	if c := col(t, tb, "amount"); c.Type.Precision != 12 || c.Default != "0" || tb.Index("ix_inv_amount") == nil {
		t.Errorf("billing.invoices:\n%s", tb)
	}
	if fk := tb.ForeignKey("fk_inv_acct"); fk == nil || fk.RefSchema != "billing" {
		t.Errorf("foreign key %+v", fk)
	}
	if e.exists(t, "invoices") {
		t.Error("a table in the default schema")
	}
	must(t, b.DropTable("invoices"))
}

// TestParsedTypesRender creates a column of each parsed type on each
// dialect, so that every planner renders what ParseType returns.
func TestParsedTypesRender(t *testing.T) {
	common := []string{"INTEGER", "int", "bigint", "smallint", "VARCHAR(100)", "char(3)", "numeric(10,2)", "decimal(8)", "text", "timestamp(3)", "real", "serial"}
	perDialect := map[string][]string{
		"postgresql": {"text[]", "int[]", "timestamptz", "timestamp(3) with time zone", "character varying(9)", "double precision", "jsonb", "uuid", "bytea", "time(2)", "boolean"},
		"mysql":      {"int unsigned", "bigint unsigned", "tinyint(1)", "datetime(6)", "double", "enum('a','b')", "set('x','y')", "json", "varbinary(16)", "mediumtext", "boolean"},
		"sqlite":     {"blob", "double precision", "datetime", "boolean"},
	}
	eachDialect(t, func(t *testing.T, e *env) {
		for i, typ := range append(common, perDialect[e.name]...) {
			name := fmt.Sprintf("t%d", i)
			opts := []op.ColumnOption{}
			if typ == "serial" {
				opts = append(opts, op.PrimaryKey())
			}
			if err := e.o.CreateTable(name, op.Column("c", typ, opts...)); err != nil {
				t.Errorf("%s: %v", typ, err)
				continue
			}
			want, _ := schema.ParseType(typ)
			got := col(t, e.table(t, name), "c").Type
			// The parameters, UNSIGNED and [] survive; names are each
			// dialect's canonical ones (int is integer on PostgreSQL).
			params := func(x schema.Type) string { return strings.TrimPrefix(x.String(), x.Name) }
			defaultPrecision := params(want) == "" && params(got) == "(6)" // PostgreSQL's time types
			if typ != "serial" && typ != "boolean" && params(got) != params(want) && !defaultPrecision {
				t.Errorf("%s: inspected as %s", typ, got)
			}
		}
	})
}

func TestTypesADialectLacks(t *testing.T) {
	eachDialect(t, func(t *testing.T, e *env) {
		switch e.name {
		case "mysql":
			wantErr(t, e.o.CreateTable("t", op.Column("tags", "text[]")), "create table t", "column tags", "no array types")
			wantErr(t, e.o.CreateTable("t", op.Column("a", "int"), op.IndexDef("ix_a", []string{"a"}, op.Where("a > 0"))), "create table t", "index ix_a", "no partial indexes")
		case "postgresql":
			wantErr(t, e.o.CreateTable("t", op.Column("n", "int unsigned")), "create table t", "column n", "no unsigned types")
		default:
			t.Skip("SQLite takes any declared type")
		}
		if e.exists(t, "t") {
			t.Error("table created")
		}
	})
}

func TestSetTableComment(t *testing.T) {
	eachDialect(t, func(t *testing.T, e *env) {
		createPeople(t, e)
		err := e.o.SetTableComment("people", "who is who")
		if e.name == "sqlite" {
			wantErr(t, err, "set comment on table people", "no table comments")
			return
		}
		must(t, err)
		if c := e.table(t, "people").Comment; c != "who is who" {
			t.Errorf("comment = %q", c)
		}
		must(t, e.o.SetTableComment("people", ""))
		if c := e.table(t, "people").Comment; c != "" {
			t.Errorf("comment = %q", c)
		}
	})
}

func TestBatchKeysAndConstraints(t *testing.T) {
	eachDialect(t, func(t *testing.T, e *env) {
		must(t, e.o.CreateTable("tags",
			op.Column("id", "integer", op.NotNull()),
			op.Column("label", "varchar(20)"),
			op.Column("slug", "varchar(20)"),
			op.UniqueDef("uq_tags_slug", "slug"),
			op.CheckDef("ck_tags_label", "label <> ''"),
			op.IndexDef("ix_tags_label", []string{"label"}),
		))
		e.exec(t, "INSERT INTO tags (id, label, slug) VALUES (1, 'Go', 'go')")
		must(t, e.o.BatchAlterTable("tags", func(b *op.Batch) error {
			b.CreatePrimaryKey("pk_tags", "id")
			b.DropIndex("ix_tags_label")
			b.DropConstraint("uq_tags_slug", op.KindAny)
			b.DropConstraint("ck_tags_label", op.KindCheck)
			return nil
		}))
		tb := e.table(t, "tags")
		if tb.PrimaryKey == nil || !slices.Equal(tb.PrimaryKey.Columns, []string{"id"}) {
			t.Errorf("primary key:\n%s", tb)
		}
		if tb.Index("ix_tags_label") != nil || tb.Unique("uq_tags_slug") != nil || tb.Check("ck_tags_label") != nil {
			t.Errorf("left over:\n%s", tb)
		}
		if n := e.count(t, "SELECT count(*) FROM tags WHERE slug = 'go'"); n != 1 {
			t.Error("rows not kept")
		}
		err := e.o.BatchAlterTable("tags", func(b *op.Batch) error {
			b.DropConstraint("nope", op.KindAny)
			return nil
		})
		wantErr(t, err, "batch alter table tags", "drop constraint nope", "table tags has no constraint named nope")
		err = e.o.BatchAlterTable("tags", func(b *op.Batch) error {
			b.DropColumn("id")
			return nil
		})
		wantErr(t, err, "column id is in the primary key of table tags")
	})
}

// TestRunRebuildTableIsGuarded: Run(&RebuildTable{…}), which autogenerated
// Go revisions call, takes the same care as BatchAlterTable: inside a
// transaction it refuses to rebuild a table others reference (dropping it
// with foreign keys on would cascade), and outside one it switches foreign
// keys off and keeps the children's rows.
func TestRunRebuildTableIsGuarded(t *testing.T) {
	e := newEnv(t, "sqlite")
	createPeople(t, e)
	e.exec(t, "PRAGMA foreign_keys=ON")
	e.exec(t, "CREATE TABLE pets (id integer PRIMARY KEY, owner integer REFERENCES people (id) ON DELETE CASCADE)")
	e.exec(t, "INSERT INTO people (id, name) VALUES (1, 'a')")
	e.exec(t, "INSERT INTO pets (id, owner) VALUES (1, 1)")
	from := e.table(t, "people")
	to := from.Clone()
	to.Columns = append(to.Columns, schema.Column{Name: "nick", Type: schema.Type{Name: "text"}, Nullable: false, Default: "'x'"})
	rebuild := &op.RebuildTable{From: from, To: to}

	e.b.inTx = true
	wantErr(t, e.o.Run(rebuild), "rebuild table people", "other tables reference it", "NoTransaction: true")
	if e.count(t, "SELECT count(*) FROM pets") != 1 {
		t.Fatal("the refused rebuild deleted pets")
	}
	e.b.inTx = false
	must(t, e.o.Run(rebuild))
	if e.count(t, "SELECT count(*) FROM pets") != 1 || e.table(t, "people").Column("nick") == nil {
		t.Fatalf("after the rebuild: pets %d rows, people:\n%s", e.count(t, "SELECT count(*) FROM pets"), e.table(t, "people"))
	}
}
