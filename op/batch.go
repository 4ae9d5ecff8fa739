package op

import (
	"errors"
	"fmt"
	"slices"

	"github.com/retortdb/retort/schema"
)

// RebuildBackend may be implemented by a Backend, for BatchAlterTable on a
// dialect that changes tables by rebuilding them (SQLite, whose dialect is
// a dialect.Rebuilder). Package op cannot import package dialect, so the
// runner passes on what it knows.
type RebuildBackend interface {
	// RebuildWrap returns the statements that must run before and after a
	// table rebuild: dialect.Rebuilder's RebuildSection split into
	// statements, without comments; nil, nil when the dialect needs none.
	RebuildWrap() (before, after []string)
	// InTransaction reports whether the migration's statements run inside
	// retort's transaction (false for a NoTransaction migration).
	InTransaction() bool
	// RebuildGuard returns statements that fail when other tables
	// reference the table (dialect.Rebuilder's RebuildGuard): a rebuild
	// inside a transaction, where foreign keys stay on, runs behind it.
	RebuildGuard(schemaName, table string) []string
}

// Batch collects the changes BatchAlterTable makes to one table, in
// order (Alembic's batch_op). Its methods record; nothing runs until the
// function given to BatchAlterTable returns.
type Batch struct {
	changes []batchChange
}

// batchChange turns one recorded change into ops against the working
// model t (nil when the table's definition is unknown, offline without
// CopyFrom), which it updates.
type batchChange struct {
	what string
	do   func(o *Operations, r TableRef, t *schema.Table) ([]Op, error)
}

func (b *Batch) add(what string, do func(o *Operations, r TableRef, t *schema.Table) ([]Op, error)) {
	b.changes = append(b.changes, batchChange{what: what, do: do})
}

// needModel is the error of a change that cannot be made without the
// table's definition.
func needModel(r TableRef) error {
	return fmt.Errorf("offline (--sql) retort cannot read table %s: pass its current definition with op.CopyFrom(…) to BatchAlterTable (Alembic's copy_from)", r)
}

// AddColumn adds a column at the end of the table.
func (b *Batch) AddColumn(col *ColumnDef) {
	b.add("add column", func(o *Operations, r TableRef, t *schema.Table) ([]Op, error) {
		if col == nil {
			return nil, errors.New("nil column")
		}
		c, err := col.Schema()
		if err != nil {
			return nil, err
		}
		ops := []Op{&AddColumn{Table: r, Column: c}}
		if col.primaryKey {
			ops = append(ops, &AddPrimaryKey{Table: r, PrimaryKey: schema.PrimaryKey{Columns: []string{c.Name}}})
		}
		if col.unique {
			ops = append(ops, &AddUnique{Table: r, Unique: schema.Unique{Columns: []string{c.Name}}})
		}
		if t != nil {
			if t.Column(c.Name) != nil {
				return nil, fmt.Errorf("table %s already has a column %s", r, c.Name)
			}
			t.Columns = append(t.Columns, c)
			if col.primaryKey {
				if t.PrimaryKey != nil {
					return nil, fmt.Errorf("table %s already has a primary key", r)
				}
				t.PrimaryKey = &schema.PrimaryKey{Columns: []string{c.Name}}
			}
			if col.unique {
				t.Uniques = append(t.Uniques, schema.Unique{Columns: []string{c.Name}})
			}
		}
		return ops, nil
	})
}

// DropColumn drops a column, and with it the indexes, unique constraints
// and foreign keys of the table that use it.
func (b *Batch) DropColumn(name string) {
	b.add("drop column "+name, func(o *Operations, r TableRef, t *schema.Table) ([]Op, error) {
		if t == nil {
			return []Op{&DropColumn{Table: r, Column: schema.Column{Name: name}}}, nil
		}
		c := t.Column(name)
		if c == nil {
			return nil, fmt.Errorf("table %s has no column %s", r, name)
		}
		var ops []Op
		uses := func(cols []string) bool { return slices.Contains(cols, name) }
		t.Indexes = slices.DeleteFunc(t.Indexes, func(x schema.Index) bool {
			cols, _ := x.Columns()
			if uses(cols) && len(x.Parts) > 1 {
				ops = append(ops, &DropIndex{Table: r, Index: x.Clone()})
			}
			return uses(cols)
		})
		t.Uniques = slices.DeleteFunc(t.Uniques, func(u schema.Unique) bool {
			if uses(u.Columns) && len(u.Columns) > 1 {
				ops = append(ops, &DropUnique{Table: r, Unique: cloneUnique(u)})
			}
			return uses(u.Columns)
		})
		t.ForeignKeys = slices.DeleteFunc(t.ForeignKeys, func(fk schema.ForeignKey) bool {
			if uses(fk.Columns) {
				ops = append(ops, &DropForeignKey{Table: r, ForeignKey: cloneFK(fk)})
			}
			return uses(fk.Columns)
		})
		if t.PrimaryKey != nil && uses(t.PrimaryKey.Columns) {
			return nil, fmt.Errorf("column %s is in the primary key of table %s: drop or replace the primary key first (DropConstraint, CreatePrimaryKey)", name, r)
		}
		ops = append(ops, &DropColumn{Table: r, Column: c.Clone()})
		t.Columns = slices.DeleteFunc(t.Columns, func(x schema.Column) bool { return x.Name == name })
		return ops, nil
	})
}

// AlterColumn changes a column as Operations.AlterColumn does; the hints
// come from the table's definition, so none are needed.
func (b *Batch) AlterColumn(name string, a Alter) {
	b.add("alter column "+name, func(o *Operations, r TableRef, t *schema.Table) ([]Op, error) {
		var existing *schema.Column
		if t != nil {
			if existing = t.Column(name); existing == nil {
				return nil, fmt.Errorf("table %s has no column %s", r, name)
			}
		}
		ops, err := o.alterOps(r, name, a, existing, func() (*schema.Column, error) { return nil, needModel(r) })
		if pe := (*alterPlanError)(nil); errors.As(err, &pe) {
			return nil, fmt.Errorf("%w; the table must be rebuilt: %w", pe.raw, needModel(r))
		}
		if err != nil || t == nil {
			return ops, err
		}
		for _, x := range ops {
			switch x := x.(type) {
			case *AlterColumn:
				*existing = x.Column.Clone()
			case *RenameColumn:
				batchRenameColumn(t, x.From, x.To)
			}
		}
		return ops, nil
	})
}

// batchRenameColumn renames a column of the model and the key, index and
// foreign key lists that name it.
func batchRenameColumn(t *schema.Table, from, to string) {
	if c := t.Column(from); c != nil {
		c.Name = to
	}
	if t.PrimaryKey != nil {
		t.PrimaryKey.Columns = renameIn(t.PrimaryKey.Columns, from, to)
	}
	for i := range t.Uniques {
		t.Uniques[i].Columns = renameIn(t.Uniques[i].Columns, from, to)
	}
	for i := range t.ForeignKeys {
		t.ForeignKeys[i].Columns = renameIn(t.ForeignKeys[i].Columns, from, to)
	}
	for i := range t.Indexes {
		for j := range t.Indexes[i].Parts {
			if t.Indexes[i].Parts[j].Column == from {
				t.Indexes[i].Parts[j].Column = to
			}
		}
	}
}

// CreateIndex creates an index, as Operations.CreateIndex.
func (b *Batch) CreateIndex(name string, columns []string, opts ...IndexOption) {
	b.add("create index "+name, func(o *Operations, r TableRef, t *schema.Table) ([]Op, error) {
		x, err := indexModel(name, columns, opts)
		if err != nil {
			return nil, err
		}
		if t != nil {
			if t.Index(name) != nil {
				return nil, fmt.Errorf("table %s already has an index %s", r, name)
			}
			t.Indexes = append(t.Indexes, x)
		}
		return []Op{&CreateIndex{Table: r, Index: x}}, nil
	})
}

// DropIndex drops the named index.
func (b *Batch) DropIndex(name string) {
	b.add("drop index "+name, func(o *Operations, r TableRef, t *schema.Table) ([]Op, error) {
		x := schema.Index{Name: name}
		if t != nil {
			i := slices.IndexFunc(t.Indexes, func(x schema.Index) bool { return x.Name == name })
			if i < 0 {
				return nil, fmt.Errorf("table %s has no index %s", r, name)
			}
			x = t.Indexes[i]
			t.Indexes = slices.Delete(t.Indexes, i, i+1)
		}
		return []Op{&DropIndex{Table: r, Index: x}}, nil
	})
}

// CreateUniqueConstraint adds a named unique constraint.
func (b *Batch) CreateUniqueConstraint(name string, columns ...string) {
	b.add("create unique constraint "+name, func(o *Operations, r TableRef, t *schema.Table) ([]Op, error) {
		u, err := uniqueModel(name, columns)
		if err != nil {
			return nil, err
		}
		if t != nil {
			t.Uniques = append(t.Uniques, u)
		}
		return []Op{&AddUnique{Table: r, Unique: u}}, nil
	})
}

// CreateForeignKey adds a named foreign key, as
// Operations.CreateForeignKey.
func (b *Batch) CreateForeignKey(name, refTable string, columns, refColumns []string, opts ...ForeignKeyOption) {
	b.add("create foreign key "+name, func(o *Operations, r TableRef, t *schema.Table) ([]Op, error) {
		fk, err := foreignKeyModel(r.Schema, name, columns, refTable, refColumns, opts)
		if err != nil {
			return nil, err
		}
		if t != nil {
			t.ForeignKeys = append(t.ForeignKeys, fk)
		}
		return []Op{&AddForeignKey{Table: r, ForeignKey: fk}}, nil
	})
}

// CreateCheckConstraint adds a named check constraint.
func (b *Batch) CreateCheckConstraint(name, condition string) {
	b.add("create check constraint "+name, func(o *Operations, r TableRef, t *schema.Table) ([]Op, error) {
		c, err := checkModel(name, condition)
		if err != nil {
			return nil, err
		}
		if t != nil {
			t.Checks = append(t.Checks, c)
		}
		return []Op{&AddCheck{Table: r, Check: c}}, nil
	})
}

// CreatePrimaryKey adds a primary key to a table that has none.
func (b *Batch) CreatePrimaryKey(name string, columns ...string) {
	b.add("create primary key", func(o *Operations, r TableRef, t *schema.Table) ([]Op, error) {
		if len(columns) == 0 {
			return nil, errors.New("no columns")
		}
		pk := schema.PrimaryKey{Name: name, Columns: slices.Clone(columns)}
		if t != nil {
			if t.PrimaryKey != nil {
				return nil, fmt.Errorf("table %s already has a primary key", r)
			}
			t.PrimaryKey = &pk
			for _, c := range columns {
				if col := t.Column(c); col != nil {
					col.Nullable = false
				}
			}
		}
		return []Op{&AddPrimaryKey{Table: r, PrimaryKey: clonePK(pk)}}, nil
	})
}

// DropConstraint drops the named constraint; with KindAny its kind is
// taken from the table's definition.
func (b *Batch) DropConstraint(name string, kind ConstraintKind) {
	b.add("drop constraint "+name, func(o *Operations, r TableRef, t *schema.Table) ([]Op, error) {
		if t == nil {
			if kind == KindAny {
				return nil, needModel(r)
			}
			x, err := dropConstraintOp(r, name, kind)
			return []Op{x}, err
		}
		if kind == KindAny {
			if kind = constraintKind(t, name); kind == KindAny {
				return nil, fmt.Errorf("table %s has no constraint named %s", r, name)
			}
		}
		x, err := dropConstraintOp(r, name, kind)
		if err != nil {
			return nil, err
		}
		found := false
		switch kind {
		case KindForeignKey:
			t.ForeignKeys = slices.DeleteFunc(t.ForeignKeys, func(fk schema.ForeignKey) bool { found = found || fk.Name == name; return fk.Name == name })
		case KindUnique:
			t.Uniques = slices.DeleteFunc(t.Uniques, func(u schema.Unique) bool { found = found || u.Name == name; return u.Name == name })
		case KindCheck:
			t.Checks = slices.DeleteFunc(t.Checks, func(c schema.Check) bool { found = found || c.Name == name; return c.Name == name })
		case KindPrimaryKey:
			found, t.PrimaryKey = t.PrimaryKey != nil, nil
		}
		if !found {
			return nil, fmt.Errorf("table %s has no %s constraint named %s", r, kind, name)
		}
		return []Op{x}, nil
	})
}

// BatchOption configures BatchAlterTable.
type BatchOption interface {
	applyBatch(c *batchConfig)
}

type batchConfig struct {
	copyFrom []TableItem
}

type batchFunc func(*batchConfig)

func (f batchFunc) applyBatch(c *batchConfig) { f(c) }

// CopyFrom gives BatchAlterTable the table's current definition, as
// CreateTable items, instead of reading it from the database: required
// offline (--sql) when the table is rebuilt, as Alembic's copy_from.
func CopyFrom(items ...TableItem) BatchOption {
	return batchFunc(func(c *batchConfig) { c.copyFrom = items })
}

// BatchAlterTable makes several changes to one table (Alembic's
// batch_alter_table): fn records them on a Batch, then they run. Where the
// dialect's ALTER TABLE can make every change, they run as ALTER
// statements. Otherwise (SQLite: column changes, constraints) the table
// is rebuilt with all of them: created anew under a temporary name, its
// rows copied, the old table dropped and the new one renamed, indexes and
// triggers restored.
//
// The rebuild reads the table's definition from the database, or from
// CopyFrom (offline). SQLite rebuilds with foreign keys off, which it
// allows only outside a transaction, so the migration must set
// NoTransaction: true; the rebuild then runs in its own transaction and
// fails if a row breaks a foreign key.
func (o *Operations) BatchAlterTable(table string, fn func(b *Batch) error, opts ...BatchOption) error {
	r := o.ref(table)
	what := "batch alter table " + r.String()
	var cfg batchConfig
	for _, x := range opts {
		x.applyBatch(&cfg)
	}
	b := &Batch{}
	if err := fn(b); err != nil {
		return err
	}
	if len(b.changes) == 0 {
		return nil
	}
	var orig *schema.Table
	switch {
	case cfg.copyFrom != nil:
		t, err := o.tableModel(table, cfg.copyFrom)
		if err != nil {
			return fmt.Errorf("%s: op.CopyFrom: %w", what, err)
		}
		orig = t
	case !o.Offline():
		t, err := o.liveTable(table)
		if err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		orig = t
	}
	var work *schema.Table
	if orig != nil {
		work = orig.Clone()
	}
	var ops []Op
	for _, c := range b.changes {
		x, err := c.do(o, r, work)
		if err != nil {
			return fmt.Errorf("%s: %s: %w", what, c.what, err)
		}
		ops = append(ops, x...)
	}
	var alterErr error
	for _, x := range ops {
		if _, err := o.b.Plan(x); err != nil {
			alterErr = fmt.Errorf("%s: %s: %w", what, x, err)
			break
		}
	}
	if alterErr == nil {
		return o.run(what, ops...)
	}
	if work == nil {
		return fmt.Errorf("%v; the table must be rebuilt: %w", alterErr, needModel(r))
	}
	if err := checkColumns(work); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	// Renames run first, natively (a rebuild copies columns by name); the
	// rebuild starts from the renamed table.
	from := orig.Clone()
	var pre []Op
	for _, x := range ops {
		if rn, ok := x.(*RenameColumn); ok && from.Column(rn.From) != nil {
			pre = append(pre, rn)
			batchRenameColumn(from, rn.From, rn.To)
		}
	}
	rebuild := &RebuildTable{From: from, To: work}
	stmts, err := o.b.Plan(rebuild)
	if err != nil {
		return alterErr // the dialect neither alters nor rebuilds: its own words
	}
	for _, x := range pre {
		s, err := o.b.Plan(x)
		if err != nil {
			return fmt.Errorf("%s: %s: %w", what, x, err)
		}
		stmts = append(s, stmts...)
	}
	return o.runRebuild(what, o.schema, table, stmts)
}

// runRebuild runs the statements of a table rebuild: wrapped in the
// dialect's rebuild section (foreign keys off, a transaction of its own)
// outside a transaction; inside one, where foreign keys stay on, behind the
// guard that no other table references the table.
func (o *Operations) runRebuild(what, schemaName, table string, stmts []string) error {
	rb, ok := o.b.(RebuildBackend)
	if !ok {
		return fmt.Errorf("%s: the table must be rebuilt, and this runner cannot (its op.Backend does not implement op.RebuildBackend)", what)
	}
	before, after := rb.RebuildWrap()
	if len(before)+len(after) > 0 && rb.InTransaction() {
		// Foreign keys stay on inside the transaction: safe as long as no
		// other table references this one, which the guard checks first.
		for _, s := range rb.RebuildGuard(schemaName, table) {
			if err := o.b.Exec(o.ctx, s); err != nil {
				return fmt.Errorf("%s: the table must be rebuilt and other tables reference it; inside a transaction, where the %s dialect keeps foreign keys on, dropping the old table would fire their ON DELETE actions: set NoTransaction: true on the migration, so the rebuild runs with foreign keys off: %w", what, o.Dialect(), err)
			}
		}
		before, after = nil, nil
	}
	all := append(append(slices.Clone(before), stmts...), after...)
	for _, s := range all {
		if err := o.b.Exec(o.ctx, s); err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
	}
	return nil
}
