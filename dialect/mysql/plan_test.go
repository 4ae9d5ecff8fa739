package mysql_test

import (
	"strings"
	"testing"

	"github.com/retortdb/retort/dialect/mysql"
	"github.com/retortdb/retort/op"
	"github.com/retortdb/retort/schema"
)

func planAll(t *testing.T, ops ...op.Op) string {
	t.Helper()
	var out []string
	for _, o := range ops {
		stmts, err := mysql.New().Plan(o)
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
		{Name: "id", Type: schema.Type{Name: "int"}, AutoIncrement: true},
		{Name: "email", Type: schema.Type{Name: "varchar", Length: 100}, Default: "'x'", Comment: "the email"},
		{Name: "score", Type: schema.Type{Name: "numeric", Precision: 10, Scale: 2}, Nullable: true},
	},
	PrimaryKey:  &schema.PrimaryKey{Columns: []string{"id"}},
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
		{&op.CreateTable{Table: users}, "CREATE TABLE user (\n    id int NOT NULL AUTO_INCREMENT,\n    email varchar(100) NOT NULL DEFAULT 'x' COMMENT 'the email',\n    score numeric(10,2) NULL,\n    PRIMARY KEY (id),\n    CONSTRAINT user_email_key UNIQUE (email),\n    CONSTRAINT score_pos CHECK (score > 0),\n    INDEX user_score (score DESC),\n    CONSTRAINT user_team FOREIGN KEY (id) REFERENCES team (id) ON DELETE CASCADE\n)"},
		{&op.DropTable{Table: users}, "DROP TABLE user"},
		{&op.RenameTable{Table: ref, To: "order"}, "RENAME TABLE user TO `order`"},
		{&op.AddColumn{Table: ref, Column: email}, "ALTER TABLE user ADD COLUMN email varchar(100) NOT NULL DEFAULT 'x' COMMENT 'the email'"},
		{&op.AddColumn{Table: ref, Column: email, After: "select"}, "ALTER TABLE user ADD COLUMN email varchar(100) NOT NULL DEFAULT 'x' COMMENT 'the email' AFTER `select`"},
		{&op.AddColumn{Table: ref, Column: email, First: true}, "ALTER TABLE user ADD COLUMN email varchar(100) NOT NULL DEFAULT 'x' COMMENT 'the email' FIRST"},
		{&op.DropColumn{Table: ref, Column: email}, "ALTER TABLE user DROP COLUMN email"},
		{&op.RenameColumn{Table: ref, From: "a", To: "select"}, "ALTER TABLE user RENAME COLUMN a TO `select`"},
		{&op.CreateIndex{Table: ref, Index: schema.Index{Name: "ix", Unique: true, Parts: []schema.IndexPart{{Expr: "lower(email)"}}}}, "ALTER TABLE user ADD UNIQUE INDEX ix ((lower(email)))"},
		{&op.DropIndex{Table: ref, Index: schema.Index{Name: "ix"}}, "DROP INDEX ix ON user"},
	} {
		if got := planAll(t, tc.o); got != tc.want {
			t.Errorf("%s:\ngot  %s\nwant %s", tc.o, got, tc.want)
		}
	}
	want := "ALTER TABLE user MODIFY COLUMN email varchar(200) NULL COMMENT 'the email';\n" +
		"ALTER TABLE user DROP FOREIGN KEY user_team;\n" +
		"ALTER TABLE user DROP PRIMARY KEY"
	if got := planAll(t, &op.AlterColumn{Table: ref, Existing: email, Column: wider},
		&op.DropForeignKey{Table: ref, ForeignKey: users.ForeignKeys[0]},
		&op.DropPrimaryKey{Table: ref, PrimaryKey: *users.PrimaryKey}); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	if _, err := mysql.New().Plan(&op.CreateEnum{Enum: &schema.Enum{Name: "e"}}); err == nil {
		t.Error("CreateEnum: no error")
	}
}
