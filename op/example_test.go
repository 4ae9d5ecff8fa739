package op_test

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"path/filepath"

	"github.com/retortdb/retort/config"
	"github.com/retortdb/retort/dialect/sqlite"
	"github.com/retortdb/retort/op"
)

// sqliteOps returns Operations on a fresh SQLite database, as the runner
// hands them to a NoTransaction Go migration, and a function printing the
// statements run so far.
func sqliteOps() (*op.Operations, func(), func()) {
	dir, err := os.MkdirTemp("", "retort-example")
	if err != nil {
		panic(err)
	}
	d := sqlite.New()
	dsn, err := d.DSN(&config.URL{Dialect: config.SQLite, Path: filepath.Join(dir, "x.db"), Query: url.Values{}})
	if err != nil {
		panic(err)
	}
	db, err := sql.Open(d.DriverName(), dsn)
	if err != nil {
		panic(err)
	}
	conn, err := db.Conn(context.Background())
	if err != nil {
		panic(err)
	}
	b := &testBackend{d: d, conn: conn}
	printed := 0
	show := func() {
		for _, s := range b.ran[printed:] {
			fmt.Println(s + ";")
		}
		printed = len(b.ran)
	}
	done := func() {
		conn.Close()
		db.Close()
		os.RemoveAll(dir)
	}
	return op.NewOperations(context.Background(), b), show, done
}

func ExampleOperations_CreateTable() {
	o, show, done := sqliteOps()
	defer done()

	err := o.CreateTable("people",
		op.Column("id", "INTEGER", op.PrimaryKey()),
		op.Column("name", "VARCHAR(100)", op.NotNull()),
	)
	if err == nil {
		err = o.CreateTable("orders",
			op.Column("id", "serial", op.PrimaryKey()),
			op.Column("person_id", "INTEGER", op.NotNull()),
			op.Column("total", "NUMERIC(10,2)", op.NotNull(), op.Default("0")),
			op.ForeignKeyDef("fk_orders_person", []string{"person_id"}, "people", []string{"id"}, op.OnDelete("CASCADE")),
			op.CheckDef("ck_orders_total", "total >= 0"),
			op.IndexDef("ix_orders_person", []string{"person_id", "total DESC"}),
		)
	}
	if err != nil {
		fmt.Println(err)
	}
	show()
	// Output:
	// CREATE TABLE people (
	//     id integer PRIMARY KEY,
	//     name varchar(100) NOT NULL
	// );
	// CREATE TABLE orders (
	//     id integer PRIMARY KEY AUTOINCREMENT,
	//     person_id integer NOT NULL,
	//     total numeric(10,2) NOT NULL DEFAULT 0,
	//     CONSTRAINT ck_orders_total CHECK (total >= 0),
	//     CONSTRAINT fk_orders_person FOREIGN KEY (person_id) REFERENCES people (id) ON DELETE CASCADE
	// );
	// CREATE INDEX ix_orders_person ON orders (person_id, total DESC);
}

func ExampleOperations_BulkInsert() {
	o, show, done := sqliteOps()
	defer done()

	err := o.CreateTable("plans", op.Column("code", "text", op.PrimaryKey()), op.Column("price", "integer"))
	if err == nil {
		err = o.BulkInsert("plans", []string{"code", "price"}, [][]any{
			{"free", 0},
			{"pro", 20},
		})
	}
	if err != nil {
		fmt.Println(err)
	}
	show()
	// Output:
	// CREATE TABLE plans (
	//     code text NOT NULL,
	//     price integer,
	//     PRIMARY KEY (code)
	// );
	// INSERT INTO plans (code, price) VALUES (?, ?), (?, ?);
}

// SQLite's ALTER TABLE cannot change a column or add a constraint, so
// BatchAlterTable rebuilds the table with foreign keys off, keeping its
// rows. That runs outside a transaction: the migration sets
// NoTransaction: true.
func ExampleOperations_BatchAlterTable() {
	o, show, done := sqliteOps()
	defer done()

	err := o.CreateTable("people",
		op.Column("id", "INTEGER", op.PrimaryKey()),
		op.Column("email", "VARCHAR(100)"),
	)
	if err == nil {
		show()
		err = o.BatchAlterTable("people", func(b *op.Batch) error {
			b.AlterColumn("email", op.Alter{Type: "VARCHAR(200)", Nullable: op.Bool(false)})
			b.CreateUniqueConstraint("uq_people_email", "email")
			return nil
		})
	}
	if err != nil {
		fmt.Println(err)
	}
	show()
	// Output:
	// CREATE TABLE people (
	//     id integer PRIMARY KEY,
	//     email varchar(100)
	// );
	// PRAGMA foreign_keys=OFF;
	// BEGIN;
	// CREATE TABLE _retort_new_people (
	//     id integer PRIMARY KEY,
	//     email varchar(200) NOT NULL,
	//     CONSTRAINT uq_people_email UNIQUE (email)
	// );
	// INSERT INTO _retort_new_people (id, email) SELECT id, email FROM people;
	// DROP TABLE people;
	// ALTER TABLE _retort_new_people RENAME TO people;
	// CREATE TEMP TABLE _retort_fk_check (foreign_key_violations INTEGER CHECK (foreign_key_violations = 0));
	// INSERT INTO _retort_fk_check SELECT count(*) FROM pragma_foreign_key_check;
	// DROP TABLE _retort_fk_check;
	// COMMIT;
	// PRAGMA foreign_keys=ON;
}

// AlterColumn needs to know the column as it is where the database
// restates it whole (MySQL) or where a type change must restore the
// default (PostgreSQL). Online retort reads what is missing; for an
// offline script (--sql) give the Existing hints, as Alembic's
// existing_type.
func ExampleOperations_AlterColumn() {
	upgrade := func(ctx context.Context, o *op.Operations) error {
		return o.AlterColumn("people", "email", op.Alter{
			Type:     "VARCHAR(200)",
			Nullable: op.Bool(false),

			ExistingType:     "VARCHAR(100)",
			ExistingNullable: op.Bool(true),
			ExistingDefault:  op.String(""),
			ExistingComment:  op.String(""),
		})
	}
	_ = upgrade
}

// InSchema names the schema once for a run of operations (PostgreSQL).
func ExampleOperations_InSchema() {
	upgrade := func(ctx context.Context, o *op.Operations) error {
		billing := o.InSchema("billing")
		if err := billing.CreateTable("invoices",
			op.Column("id", "bigserial", op.PrimaryKey()),
			op.Column("amount", "numeric(12,2)", op.NotNull(), op.Default("0")),
		); err != nil {
			return err
		}
		return billing.CreateIndex("ix_invoices_open", "invoices", []string{"id"}, op.Where("amount > 0"))
	}
	_ = upgrade
}
