package gosrc

import (
	"github.com/retortdb/retort/op"
	"github.com/retortdb/retort/schema"
)

// The values below set every field of every op and schema type, with
// strings that need escaping, multi-line SQL (printed as raw strings and,
// where that is unsafe, quoted), and empty non-nil slices and maps next to
// nil ones. With raw, schema.Type.Raw is set too; Body leaves it out, so
// the rendered ops equal the values built without raw.

func tref() op.TableRef { return op.TableRef{Schema: "app", Name: "users"} }

func column(name string, raw bool) schema.Column {
	c := schema.Column{
		Name: name,
		Type: schema.Type{
			Name: "numeric", Schema: "app", UserDefined: true, Length: 10, Precision: 12, Scale: 2,
			Unsigned: true, Array: true, EnumValues: []string{"a", "b\"c", "é"},
		},
		Nullable:      true,
		Default:       "'it''s' || `x`",
		AutoIncrement: true,
		Identity:      &schema.Identity{Always: true, Start: -5, Increment: 9223372036854775807},
		Generated:     &schema.Generated{Expr: "CASE\n\tWHEN a > 0 THEN 'pos'\n\tELSE 'neg'\nEND", Stored: true},
		Collation:     "und-x-icu",
		Comment:       "tab\there, nul \x00, emoji 😀, newline\n",
		Extra:         schema.Attrs{"postgresql.storage": "external", "mysql.on_update": "CURRENT_TIMESTAMP", "a": ""},
	}
	if raw {
		c.Type.Raw = "app.numeric(12,2)[]"
	}
	return c
}

func index() schema.Index {
	return schema.Index{
		Name:   "users_lower_email_idx",
		Unique: true,
		Parts: []schema.IndexPart{
			{Column: "email", Desc: true, Collation: "C", Prefix: 20, Extra: schema.Attrs{"postgresql.opclass": "text_pattern_ops"}},
			{Expr: "lower(name)", Extra: schema.Attrs{}},
			{},
		},
		Where:   "deleted_at IS NULL",
		Method:  "btree",
		Include: []string{"id", "created_at"},
		Comment: "by email",
		Extra:   schema.Attrs{"mysql.visible": "false"},
	}
}

func pk() schema.PrimaryKey {
	return schema.PrimaryKey{Name: "users_pkey", Columns: []string{"id", "tenant"}}
}

func fk() schema.ForeignKey {
	return schema.ForeignKey{
		Name: "users_org_fk", Columns: []string{"org_id"}, RefSchema: "org", RefTable: "orgs",
		RefColumns: []string{"id"}, OnDelete: "CASCADE", OnUpdate: "SET NULL",
		Deferrable: true, InitiallyDeferred: true, Extra: schema.Attrs{"sqlite.match": "FULL"},
	}
}

func unique() schema.Unique {
	return schema.Unique{Name: "users_email_key", Columns: []string{"email"}, Extra: schema.Attrs{"postgresql.nulls_not_distinct": "true"}}
}

func check() schema.Check {
	return schema.Check{Name: "users_age_check", Expr: "age >= 0\nAND age < 200", Extra: schema.Attrs{"mysql.enforced": "true"}}
}

func table(name string, raw bool) *schema.Table {
	p := pk()
	return &schema.Table{
		Schema:      "app",
		Name:        name,
		Columns:     []schema.Column{column("id", raw), {Name: "email", Type: schema.Type{Name: "text"}}, {Name: "empty", Extra: schema.Attrs{}}},
		PrimaryKey:  &p,
		Uniques:     []schema.Unique{unique()},
		Indexes:     []schema.Index{index()},
		ForeignKeys: []schema.ForeignKey{fk()},
		Checks:      []schema.Check{check(), {Name: "crlf", Expr: "a\r\nb"}},
		Triggers: []schema.Trigger{
			{Name: "users_touch", SQL: "CREATE TRIGGER users_touch AFTER UPDATE ON users\nBEGIN\n\tUPDATE users SET n = n + 1;\nEND"},
			{Name: "trailing_blank", SQL: "CREATE TRIGGER t \nBEGIN SELECT `x`; END"},
		},
		Comment: "people\\n, \"quoted\"",
		Extra:   schema.Attrs{"mysql.engine": "InnoDB", "mysql.charset": "utf8mb4"},
	}
}

func enum() *schema.Enum {
	return &schema.Enum{Schema: "app", Name: "mood", Values: []string{"sad", "ok", "happy"}}
}

// opCases returns one value of every op type, every field set.
func opCases(raw bool) []op.Op {
	other := column("id", raw)
	other.Type = schema.Type{Name: "bigint", Precision: 19}
	other.Identity = nil
	if raw {
		other.Type.Raw = "bigint"
	}
	return []op.Op{
		&op.CreateTable{Table: table("users", raw)},
		&op.DropTable{Table: table("users", raw)},
		&op.RenameTable{Table: tref(), To: "people"},
		&op.AddColumn{Table: tref(), Column: column("full_name", raw)},
		&op.DropColumn{Table: tref(), Column: column("full_name", raw)},
		&op.AlterColumn{Table: tref(), Existing: column("id", raw), Column: other},
		&op.RenameColumn{Table: tref(), From: "mail", To: "email"},
		&op.CreateIndex{Table: tref(), Index: index()},
		&op.DropIndex{Table: tref(), Index: index()},
		&op.AddPrimaryKey{Table: tref(), PrimaryKey: pk()},
		&op.DropPrimaryKey{Table: tref(), PrimaryKey: pk()},
		&op.AddForeignKey{Table: tref(), ForeignKey: fk()},
		&op.DropForeignKey{Table: tref(), ForeignKey: fk()},
		&op.AddUnique{Table: tref(), Unique: unique()},
		&op.DropUnique{Table: tref(), Unique: schema.Unique{Name: "u", Columns: []string{}, Extra: schema.Attrs{}}},
		&op.AddCheck{Table: tref(), Check: check()},
		&op.DropCheck{Table: tref(), Check: check()},
		&op.SetTableComment{Table: tref(), Existing: "old", Comment: "new"},
		&op.CreateEnum{Enum: enum()},
		&op.DropEnum{Enum: enum()},
		&op.CreateSchema{Name: "app"},
		&op.DropSchema{Name: "app"},
		&op.AddEnumValue{Enum: op.TableRef{Schema: "app", Name: "mood"}, Value: "meh", Before: "ok", After: "sad"},
		&op.RebuildTable{From: table("users", raw), To: table("users", raw)},
		&op.ChangeEnum{
			Enum: op.TableRef{Schema: "app", Name: "mood"},
			From: []string{"sad", "ok"}, To: []string{"ok", "happy"},
			Columns: []op.EnumColumn{{Table: tref(), Column: column("mood", raw)}},
		},
		&op.InsertRows{Table: tref(), Columns: []string{"id", "email"}, Rows: 3},
		&op.RenameConstraint{Table: tref(), Kind: op.RenamesIndex, From: "ix_a", To: "ix_b"},
	}
}
