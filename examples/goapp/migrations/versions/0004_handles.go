package versions

import (
	"context"
	"errors"
	"strings"

	"github.com/retortdb/retort"
	"github.com/retortdb/retort/op"
)

// A data migration whose logic is Go: it reads every person through the
// open transaction (o.DB(), Alembic's get_bind) and writes a handle
// computed in Go. Reading data needs a live database, so `upgrade --sql`
// stops at this revision and says so, before printing anything.
func init() {
	retort.Register(retort.GoMigration{
		Revision:   "0004",
		Revises:    []string{"0003"},
		Message:    "people.handle computed in Go",
		CreateDate: "2026-11-26 19:03:00.000000+00:00",
		Upgrade: func(ctx context.Context, o *op.Operations) error {
			if err := o.AddColumn("people", op.Column("handle", "VARCHAR(60)")); err != nil {
				return err
			}
			db, err := o.DB()
			if err != nil {
				return err
			}
			rows, err := db.QueryContext(ctx, "SELECT id, first_name, last_name FROM people")
			if err != nil {
				return err
			}
			handles := map[int64]string{}
			for rows.Next() {
				var id int64
				var first, last string
				if err := rows.Scan(&id, &first, &last); err != nil {
					return errors.Join(err, rows.Close())
				}
				handles[id] = strings.ToLower(first[:1] + last)
			}
			if err := errors.Join(rows.Err(), rows.Close()); err != nil {
				return err
			}
			for id, h := range handles {
				q := "UPDATE people SET handle = " + o.Placeholder(1) + " WHERE id = " + o.Placeholder(2)
				if err := o.Execute(q, h, id); err != nil {
					return err
				}
			}
			return nil
		},
		Downgrade: func(ctx context.Context, o *op.Operations) error {
			return o.DropColumn("people", "handle")
		},
	})
}
