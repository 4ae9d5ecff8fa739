package versions

import (
	"context"

	"github.com/retortdb/retort"
	"github.com/retortdb/retort/op"
)

// The classic data migration: add a column, fill it from the others, then
// make it NOT NULL. It reads nothing, so `upgrade --sql` can print it too;
// the UPDATE is the one statement whose SQL differs between dialects.
func init() {
	retort.Register(retort.GoMigration{
		Revision:   "0002",
		Revises:    []string{"0001"},
		Message:    "people.full_name from first and last name",
		CreateDate: "2026-11-26 19:01:00.000000+00:00",
		Upgrade: func(ctx context.Context, o *op.Operations) error {
			if err := o.AddColumn("people", op.Column("full_name", "VARCHAR(101)")); err != nil {
				return err
			}
			concat := "first_name || ' ' || last_name"
			if o.Dialect() == "mysql" {
				concat = "CONCAT(first_name, ' ', last_name)"
			}
			if err := o.Execute("UPDATE people SET full_name = " + concat); err != nil {
				return err
			}
			// NOT NULL: an ALTER where the database has one; SQLite rebuilds
			// the table, keeping its rows. Online the rebuild reads the
			// table's definition from the database; an offline script
			// needs it spelled out (Alembic's copy_from). The Existing…
			// hints are what MySQL's MODIFY COLUMN restates, offline.
			var opts []op.BatchOption
			if o.Offline() {
				opts = append(opts, op.CopyFrom(
					op.Column("id", "INTEGER", op.PrimaryKey()),
					op.Column("first_name", "VARCHAR(50)", op.NotNull()),
					op.Column("last_name", "VARCHAR(50)", op.NotNull()),
					op.Column("full_name", "VARCHAR(101)"),
				))
			}
			return o.BatchAlterTable("people", func(b *op.Batch) error {
				b.AlterColumn("full_name", op.Alter{
					Nullable:         op.Bool(false),
					ExistingType:     "VARCHAR(101)",
					ExistingNullable: op.Bool(true),
					ExistingDefault:  op.String(""),
					ExistingComment:  op.String(""),
				})
				return nil
			}, opts...)
		},
		Downgrade: func(ctx context.Context, o *op.Operations) error {
			return o.DropColumn("people", "full_name")
		},
	})
}
