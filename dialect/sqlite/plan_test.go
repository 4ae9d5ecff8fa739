package sqlite_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/retortdb/retort/dialect/sqlite"
	"github.com/retortdb/retort/op"
	"github.com/retortdb/retort/schema"
)

func planAll(t *testing.T, ops ...op.Op) string {
	t.Helper()
	var out []string
	for _, o := range ops {
		stmts, err := sqlite.New().Plan(o)
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
		{Name: "email", Type: schema.Type{Name: "varchar", Length: 100}, Default: "'x'", Comment: ""},
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
		{&op.CreateTable{Table: users}, `CREATE TABLE user (
    id integer PRIMARY KEY AUTOINCREMENT,
    email varchar(100) NOT NULL DEFAULT 'x',
    score numeric(10,2),
    CONSTRAINT user_email_key UNIQUE (email),
    CONSTRAINT score_pos CHECK (score > 0),
    CONSTRAINT user_team FOREIGN KEY (id) REFERENCES team (id) ON DELETE CASCADE
);
CREATE INDEX user_score ON user (score DESC)`},
		{&op.DropTable{Table: users}, `DROP TABLE user`},
		{&op.RenameTable{Table: ref, To: "order"}, `ALTER TABLE user RENAME TO "order"`},
		{&op.AddColumn{Table: ref, Column: email}, `ALTER TABLE user ADD COLUMN email varchar(100) NOT NULL DEFAULT 'x'`},
		{&op.DropColumn{Table: ref, Column: email}, `ALTER TABLE user DROP COLUMN email`},
		{&op.RenameColumn{Table: ref, From: "a", To: "select"}, `ALTER TABLE user RENAME COLUMN a TO "select"`},
		{&op.CreateIndex{Table: ref, Index: schema.Index{Name: "ix", Unique: true, Parts: []schema.IndexPart{{Expr: "lower(email)"}}}}, `CREATE UNIQUE INDEX ix ON user ((lower(email)))`},
		{&op.DropIndex{Table: ref, Index: schema.Index{Name: "ix"}}, `DROP INDEX ix`},
	} {
		if got := planAll(t, tc.o); got != tc.want {
			t.Errorf("%s:\ngot  %s\nwant %s", tc.o, got, tc.want)
		}
	}
	for _, o := range []op.Op{
		&op.AlterColumn{Table: ref, Existing: email, Column: wider},
		&op.AddForeignKey{Table: ref, ForeignKey: users.ForeignKeys[0]},
		&op.AddCheck{Table: ref, Check: users.Checks[0]},
	} {
		if _, err := sqlite.New().Plan(o); !errors.Is(err, sqlite.ErrNeedsRebuild) {
			t.Errorf("%s: err = %v, want ErrNeedsRebuild", o, err)
		}
	}
}

func TestPlanRebuild(t *testing.T) {
	from := &schema.Table{Name: "t", Columns: []schema.Column{
		{Name: "id", Type: schema.Type{Name: "integer"}},
		{Name: "a", Type: schema.Type{Name: "text"}, Nullable: true},
		{Name: "gone", Type: schema.Type{Name: "int"}, Nullable: true},
	}, PrimaryKey: &schema.PrimaryKey{Columns: []string{"id"}}}
	to := from.Clone()
	to.Columns = []schema.Column{from.Columns[0], {Name: "a", Type: schema.Type{Name: "text"}}, {Name: "new", Type: schema.Type{Name: "int"}, Nullable: true}}
	to.Indexes = []schema.Index{{Name: "t_a", Parts: []schema.IndexPart{{Column: "a"}}}}
	to.Triggers = []schema.Trigger{{Name: "tr", SQL: "CREATE TRIGGER tr AFTER INSERT ON t BEGIN SELECT 1; END"}}
	want := `CREATE TABLE _retort_new_t (
    id integer PRIMARY KEY,
    a text NOT NULL,
    new int
);
INSERT INTO _retort_new_t (id, a) SELECT id, a FROM t;
DROP TABLE t;
ALTER TABLE _retort_new_t RENAME TO t;
CREATE INDEX t_a ON t (a);
CREATE TRIGGER tr AFTER INSERT ON t BEGIN SELECT 1; END`
	o := &op.RebuildTable{From: from, To: to}
	if got := planAll(t, o); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	if !o.Destructive() {
		t.Error("dropping a column: not Destructive")
	}
}
