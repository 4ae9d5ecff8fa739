package versions

import (
	"context"

	"github.com/retortdb/retort"
	"github.com/retortdb/retort/op"
)

// Schema changes through the op API: each call renders the DDL of the
// database it runs on, so one revision serves SQLite, PostgreSQL and MySQL,
// online or printed with --sql.
func init() {
	retort.Register(retort.GoMigration{
		Revision:   "0003",
		Revises:    []string{"0002"},
		Message:    "orders of people",
		CreateDate: "2026-11-26 19:02:00.000000+00:00",
		Upgrade: func(ctx context.Context, o *op.Operations) error {
			err := o.CreateTable("orders",
				op.Column("id", "INTEGER", op.PrimaryKey()),
				op.Column("person_id", "INTEGER", op.NotNull()),
				op.Column("total", "NUMERIC(10,2)", op.NotNull(), op.Default("0")),
				op.Column("placed_at", "TIMESTAMP", op.NotNull(), op.Default("CURRENT_TIMESTAMP")),
				op.ForeignKeyDef("fk_orders_person", []string{"person_id"}, "people", []string{"id"}, op.OnDelete("CASCADE")),
			)
			if err != nil {
				return err
			}
			return o.CreateIndex("ix_orders_person_placed", "orders", []string{"person_id", "placed_at"})
		},
		Downgrade: func(ctx context.Context, o *op.Operations) error {
			return o.DropTable("orders")
		},
	})
}
