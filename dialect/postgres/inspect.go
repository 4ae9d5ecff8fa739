package postgres

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/retortdb/retort/config"
	"github.com/retortdb/retort/dialect"
	"github.com/retortdb/retort/internal/sqlbuild"
	"github.com/retortdb/retort/schema"
)

// Keys of the schema.Attrs PostgreSQL fills.
const (
	// AttrUnlogged marks an UNLOGGED table ("true").
	AttrUnlogged = "postgresql.unlogged"
	// AttrPartitionBy is a partitioned table's partition key, as
	// pg_get_partkeydef prints it ("RANGE (created_at)").
	AttrPartitionBy = "postgresql.partition_by"
	// AttrNullsNotDistinct marks a unique constraint or index declared
	// NULLS NOT DISTINCT ("true").
	AttrNullsNotDistinct = "postgresql.nulls_not_distinct"
	// AttrDeferrable is a unique constraint's timing: "deferrable" or
	// "deferred" (DEFERRABLE INITIALLY DEFERRED).
	AttrDeferrable = "postgresql.deferrable"
	// AttrMatch is a foreign key's MATCH type when not SIMPLE: "FULL".
	AttrMatch = "postgresql.match"
	// AttrNotValid marks a constraint added NOT VALID ("true").
	AttrNotValid = "postgresql.not_valid"
	// AttrNoInherit marks a CHECK ... NO INHERIT ("true").
	AttrNoInherit = "postgresql.no_inherit"
	// AttrOpClass is an index key part's operator class when it is not
	// the type's default.
	AttrOpClass = "postgresql.opclass"
	// AttrNulls is an index key part's NULLS order when it is not the
	// default for its direction: "first" or "last".
	AttrNulls = "postgresql.nulls"
)

var _ dialect.Inspector = Dialect{}

// Inspect implements dialect.Inspector with seven catalog queries
// (pg_namespace, pg_class, pg_attribute, pg_constraint, pg_index,
// pg_trigger, pg_enum), whatever the number of tables.
//
// Normalisation:
//   - Types come from format_type and are renamed to their short forms:
//     character varying(n) is varchar with Length n, character(n) char,
//     bit varying varbit, timestamp/time … with time zone timestamptz and
//     timetz. A time type's Precision is its fractional-seconds precision,
//     6 when none is given. Arrays set Type.Array. Enums, domains and
//     extension types are UserDefined, with Schema set outside the default
//     schema.
//   - Defaults come from pg_get_expr. A cast of a literal to the column's
//     own type is dropped ('x'::character varying is 'x', '-1'::integer is
//     -1). A nextval default on a sequence the column owns (serial) becomes
//     AutoIncrement with no Default. Identity columns set Identity.
//   - Expressions (checks, index expressions and predicates, generated
//     columns) are pg_get_expr's pretty form.
//   - Collation is set only when it differs from the type's default.
//   - Partitions, exclusion constraints and the tables and enum types an
//     extension owns (CREATE EXTENSION made them) are left out.
func (Dialect) Inspect(ctx context.Context, q dialect.Querier, opts dialect.InspectOptions) (*schema.Schema, error) {
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	in := &inspection{q: q, opts: opts, tables: map[uint32]*pgTable{}}
	steps := []func(context.Context) error{
		in.namespaces, in.readTables, in.columns, in.constraints, in.indexes, in.triggers, in.enums,
	}
	for _, step := range steps {
		if err := step(ctx); err != nil {
			return nil, fmt.Errorf("retort/postgresql: inspect: %w", err)
		}
		if len(in.schemas) == 0 {
			break // nothing selected
		}
	}
	for _, t := range in.tables {
		in.out.Tables = append(in.out.Tables, t.Table)
	}
	in.out.Sort()
	return &in.out, nil
}

// inspection is the state of one Inspect call.
type inspection struct {
	q    dialect.Querier
	opts dialect.InspectOptions

	defaultSchema string   // current_schema(); "" if none
	version       int      // server_version_num
	schemas       []string // the schemas read, real names
	tables        map[uint32]*pgTable
	out           schema.Schema
}

type pgTable struct {
	*schema.Table
	attnames map[int]string
	attcolls map[int]uint32
}

// schemaName maps a real schema name to the model's: "" for the default.
func (in *inspection) schemaName(real string) string {
	if real == in.defaultSchema {
		return ""
	}
	return real
}

// selected is the WHERE fragment that restricts pg_namespace n to the
// schemas read; its argument is in.schemas.
const selected = `n.nspname = ANY($1::text[])`

func (in *inspection) namespaces(ctx context.Context) error {
	rows, err := in.q.QueryContext(ctx, `SELECT n.nspname, COALESCE(current_schema(), ''), current_setting('server_version_num')::int
FROM pg_catalog.pg_namespace n
WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
AND n.nspname NOT LIKE 'pg\_temp\_%' AND n.nspname NOT LIKE 'pg\_toast\_temp\_%'
ORDER BY 1`)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var name, def string
		if err := rows.Scan(&name, &def, &in.version); err != nil {
			return err
		}
		in.defaultSchema = def
		if in.opts.KeepSchema(name, name == def) {
			in.schemas = append(in.schemas, name)
			if name != def {
				in.out.Namespaces = append(in.out.Namespaces, name)
			}
		}
	}
	return rows.Err()
}

func (in *inspection) readTables(ctx context.Context) error {
	rows, err := in.q.QueryContext(ctx, `SELECT c.oid, n.nspname, c.relname, COALESCE(d.description, ''),
	c.relpersistence = 'u', CASE WHEN c.relkind = 'p' THEN pg_catalog.pg_get_partkeydef(c.oid) ELSE '' END
FROM pg_catalog.pg_class c
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_catalog.pg_description d ON d.objoid = c.oid AND d.classoid = 'pg_catalog.pg_class'::regclass AND d.objsubid = 0
WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition AND `+selected+`
AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend e WHERE e.classid = 'pg_catalog.pg_class'::regclass AND e.objid = c.oid AND e.deptype = 'e')`, in.schemas)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var (
			oid                uint32
			nsp, name, comment string
			unlogged           bool
			partitionBy        string
		)
		if err := rows.Scan(&oid, &nsp, &name, &comment, &unlogged, &partitionBy); err != nil {
			return err
		}
		if !in.opts.KeepTable(nsp, nsp == in.defaultSchema, name) {
			continue
		}
		t := &schema.Table{Schema: in.schemaName(nsp), Name: name, Comment: comment}
		if unlogged {
			setAttr(&t.Extra, AttrUnlogged, "true")
		}
		if partitionBy != "" {
			setAttr(&t.Extra, AttrPartitionBy, partitionBy)
		}
		in.tables[oid] = &pgTable{Table: t, attnames: map[int]string{}, attcolls: map[int]uint32{}}
	}
	return rows.Err()
}

func (in *inspection) columns(ctx context.Context) error {
	rows, err := in.q.QueryContext(ctx, `SELECT a.attrelid, a.attnum, a.attname,
	pg_catalog.format_type(a.atttypid, a.atttypmod), a.attnotnull,
	COALESCE(pg_catalog.pg_get_expr(ad.adbin, ad.adrelid, true), ''),
	a.attidentity::text, a.attgenerated::text, a.attcollation,
	CASE WHEN a.attcollation <> 0 AND a.attcollation <> t.typcollation THEN co.collname ELSE '' END,
	COALESCE(ds.description, ''),
	t.typcategory = 'A' AND t.typelem <> 0, etn.nspname, et.typname,
	COALESCE(dep.deptype::text, ''), COALESCE(dep.objid::regclass::text, ''),
	COALESCE(ps.seqstart, 0), COALESCE(ps.seqincrement, 0)
FROM pg_catalog.pg_attribute a
JOIN pg_catalog.pg_class c ON c.oid = a.attrelid
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
JOIN pg_catalog.pg_type et ON et.oid = CASE WHEN t.typcategory = 'A' AND t.typelem <> 0 THEN t.typelem ELSE t.oid END
JOIN pg_catalog.pg_namespace etn ON etn.oid = et.typnamespace
LEFT JOIN pg_catalog.pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
LEFT JOIN pg_catalog.pg_collation co ON co.oid = a.attcollation
LEFT JOIN pg_catalog.pg_description ds ON ds.objoid = a.attrelid AND ds.classoid = 'pg_catalog.pg_class'::regclass AND ds.objsubid = a.attnum
LEFT JOIN pg_catalog.pg_depend dep ON dep.refclassid = 'pg_catalog.pg_class'::regclass AND dep.refobjid = a.attrelid
	AND dep.refobjsubid = a.attnum AND dep.classid = 'pg_catalog.pg_class'::regclass AND dep.deptype IN ('a', 'i')
LEFT JOIN pg_catalog.pg_sequence ps ON ps.seqrelid = dep.objid
WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition AND a.attnum > 0 AND NOT a.attisdropped AND `+selected+`
ORDER BY a.attrelid, a.attnum`, in.schemas)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var (
			rel, collOID                        uint32
			num                                 int
			name, typ, def, identity, generated string
			coll, comment, typNsp, typName      string
			notNull, array                      bool
			depType, seqName                    string
			seqStart, seqIncrement              int64
		)
		if err := rows.Scan(&rel, &num, &name, &typ, &notNull, &def, &identity, &generated, &collOID, &coll, &comment,
			&array, &typNsp, &typName, &depType, &seqName, &seqStart, &seqIncrement); err != nil {
			return err
		}
		t := in.tables[rel]
		if t == nil {
			continue
		}
		if _, dup := t.attnames[num]; dup {
			continue // a column owning two sequences
		}
		t.attnames[num] = name
		t.attcolls[num] = collOID
		col := schema.Column{
			Name:      name,
			Nullable:  !notNull,
			Collation: coll,
			Comment:   comment,
		}
		if typNsp != "pg_catalog" && typNsp != "information_schema" {
			col.Type = schema.Type{Name: typName, Schema: in.schemaName(typNsp), UserDefined: true, Array: array, Raw: typ}
		} else {
			col.Type = parseType(typ)
		}
		switch {
		case generated == "s":
			col.Generated = &schema.Generated{Expr: def, Stored: true}
		case identity == "a" || identity == "d":
			col.Identity = &schema.Identity{Always: identity == "a", Start: seqStart, Increment: seqIncrement}
		case depType == "a" && def == "nextval('"+strings.ReplaceAll(seqName, "'", "''")+"'::regclass)":
			col.AutoIncrement = true
		default:
			col.Default = normDefault(def, typ)
		}
		t.Columns = append(t.Columns, col)
	}
	return rows.Err()
}

func (in *inspection) constraints(ctx context.Context) error {
	rows, err := in.q.QueryContext(ctx, `SELECT con.conrelid, con.conname, con.contype::text,
	COALESCE(array_to_string(con.conkey, ','), ''),
	COALESCE(fn.nspname, ''), COALESCE(fc.relname, ''),
	COALESCE((SELECT json_agg(fa.attname ORDER BY k.o) FROM unnest(con.confkey) WITH ORDINALITY k(n, o)
		JOIN pg_catalog.pg_attribute fa ON fa.attrelid = con.confrelid AND fa.attnum = k.n)::text, '[]'),
	con.confupdtype::text, con.confdeltype::text, con.confmatchtype::text,
	con.condeferrable, con.condeferred, con.convalidated, con.connoinherit,
	COALESCE(pg_catalog.pg_get_expr(con.conbin, con.conrelid, true), ''),
	`+in.nullsNotDistinct("ci")+`
FROM pg_catalog.pg_constraint con
LEFT JOIN pg_catalog.pg_index ci ON ci.indexrelid = con.conindid AND con.contype = 'u'
JOIN pg_catalog.pg_class c ON c.oid = con.conrelid
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_catalog.pg_class fc ON fc.oid = con.confrelid
LEFT JOIN pg_catalog.pg_namespace fn ON fn.oid = fc.relnamespace
WHERE con.contype IN ('p', 'u', 'f', 'c') AND c.relkind IN ('r', 'p') AND NOT c.relispartition AND `+selected, in.schemas)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var (
			rel                                    uint32
			name, kind, keys, refNsp, refTable     string
			refCols, updType, delType, matchType   string
			deferrable, deferred, valid, noInherit bool
			expr                                   string
			nullsNotDistinct                       bool
		)
		if err := rows.Scan(&rel, &name, &kind, &keys, &refNsp, &refTable, &refCols, &updType, &delType, &matchType,
			&deferrable, &deferred, &valid, &noInherit, &expr, &nullsNotDistinct); err != nil {
			return err
		}
		t := in.tables[rel]
		if t == nil {
			continue
		}
		cols, err := t.names(keys)
		if err != nil {
			return fmt.Errorf("constraint %s of %s: %w", name, t.QualifiedName(), err)
		}
		switch kind {
		case "p":
			t.PrimaryKey = &schema.PrimaryKey{Name: name, Columns: cols}
		case "u":
			u := schema.Unique{Name: name, Columns: cols}
			if nullsNotDistinct {
				setAttr(&u.Extra, AttrNullsNotDistinct, "true")
			}
			if deferred {
				setAttr(&u.Extra, AttrDeferrable, "deferred")
			} else if deferrable {
				setAttr(&u.Extra, AttrDeferrable, "deferrable")
			}
			t.Uniques = append(t.Uniques, u)
		case "f":
			fk := schema.ForeignKey{
				Name:              name,
				Columns:           cols,
				RefSchema:         in.schemaName(refNsp),
				RefTable:          refTable,
				OnUpdate:          fkAction(updType),
				OnDelete:          fkAction(delType),
				Deferrable:        deferrable,
				InitiallyDeferred: deferred,
			}
			if err := json.Unmarshal([]byte(refCols), &fk.RefColumns); err != nil {
				return err
			}
			switch matchType {
			case "f":
				setAttr(&fk.Extra, AttrMatch, "FULL")
			case "p":
				setAttr(&fk.Extra, AttrMatch, "PARTIAL")
			}
			if !valid {
				setAttr(&fk.Extra, AttrNotValid, "true")
			}
			t.ForeignKeys = append(t.ForeignKeys, fk)
		case "c":
			ck := schema.Check{Name: name, Expr: expr}
			if !valid {
				setAttr(&ck.Extra, AttrNotValid, "true")
			}
			if noInherit {
				setAttr(&ck.Extra, AttrNoInherit, "true")
			}
			t.Checks = append(t.Checks, ck)
		}
	}
	return rows.Err()
}

// names resolves a comma-separated list of attribute numbers.
func (t *pgTable) names(list string) ([]string, error) {
	if list == "" {
		return nil, nil
	}
	parts := strings.Split(list, ",")
	out := make([]string, len(parts))
	for i, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil {
			return nil, fmt.Errorf("bad attribute number %q", p)
		}
		name, ok := t.attnames[n]
		if !ok {
			return nil, fmt.Errorf("no column number %d", n)
		}
		out[i] = name
	}
	return out, nil
}

func fkAction(c string) string {
	switch c {
	case "r":
		return "RESTRICT"
	case "c":
		return "CASCADE"
	case "n":
		return "SET NULL"
	case "d":
		return "SET DEFAULT"
	}
	return "" // 'a': NO ACTION
}

// nullsNotDistinct is the SQL for pg_index alias's indnullsnotdistinct
// (PostgreSQL 15+), false before.
func (in *inspection) nullsNotDistinct(alias string) string {
	if in.version >= 150000 {
		return "COALESCE(" + alias + ".indnullsnotdistinct, false)"
	}
	return "false"
}

// indexes reads one row per index column (key part or INCLUDE column).
func (in *inspection) indexes(ctx context.Context) error {
	rows, err := in.q.QueryContext(ctx, `SELECT i.indrelid, ic.relname, i.indisunique, am.amname, i.indnkeyatts, `+in.nullsNotDistinct("i")+`,
	k.n, k.attnum, COALESCE(i.indoption[k.n - 1], 0),
	CASE WHEN k.attnum = 0 THEN pg_catalog.pg_get_indexdef(i.indexrelid, k.n::int, true) ELSE '' END,
	CASE WHEN oc.opcdefault THEN '' ELSE COALESCE(oc.opcname, '') END,
	COALESCE(i.indcollation[k.n - 1], 0), COALESCE(co.collname, ''),
	CASE WHEN k.n = 1 THEN COALESCE(pg_catalog.pg_get_expr(i.indpred, i.indrelid, true), '') ELSE '' END,
	COALESCE(d.description, '')
FROM pg_catalog.pg_index i
JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid
JOIN pg_catalog.pg_class c ON c.oid = i.indrelid
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
JOIN pg_catalog.pg_am am ON am.oid = ic.relam
CROSS JOIN LATERAL unnest(i.indkey::int2[]) WITH ORDINALITY k(attnum, n)
LEFT JOIN pg_catalog.pg_opclass oc ON oc.oid = i.indclass[k.n - 1]
LEFT JOIN pg_catalog.pg_collation co ON co.oid = i.indcollation[k.n - 1]
LEFT JOIN pg_catalog.pg_constraint con ON con.conindid = i.indexrelid AND con.conrelid = i.indrelid AND con.contype IN ('p', 'u', 'x')
LEFT JOIN pg_catalog.pg_description d ON d.objoid = i.indexrelid AND d.classoid = 'pg_catalog.pg_class'::regclass AND d.objsubid = 0
WHERE con.oid IS NULL AND c.relkind IN ('r', 'p') AND NOT c.relispartition AND `+selected+`
ORDER BY i.indrelid, ic.relname, k.n`, in.schemas)
	if err != nil {
		return err
	}
	defer rows.Close()
	var x *schema.Index // the index being read
	var xt *pgTable     // its table
	flush := func() {
		if x != nil {
			xt.Indexes = append(xt.Indexes, *x)
			x = nil
		}
	}
	for rows.Next() {
		var (
			rel, collOID                           uint32
			name, method, expr, opclass, collation string
			pred, comment                          string
			unique, nnd                            bool
			nkey, n, attnum, option                int
		)
		if err := rows.Scan(&rel, &name, &unique, &method, &nkey, &nnd, &n, &attnum, &option, &expr, &opclass,
			&collOID, &collation, &pred, &comment); err != nil {
			return err
		}
		t := in.tables[rel]
		if t == nil {
			continue
		}
		if n == 1 {
			flush()
			x, xt = &schema.Index{Name: name, Unique: unique, Where: pred, Comment: comment}, t
			if method != "btree" {
				x.Method = method
			}
			if nnd {
				setAttr(&x.Extra, AttrNullsNotDistinct, "true")
			}
		}
		if x == nil {
			continue
		}
		if n > nkey {
			x.Include = append(x.Include, t.attnames[attnum])
			continue
		}
		part := schema.IndexPart{Column: t.attnames[attnum]}
		if attnum == 0 {
			part.Expr = stripParens(expr)
		}
		desc, nullsFirst := option&1 != 0, option&2 != 0
		part.Desc = desc
		if nullsFirst != desc {
			if nullsFirst {
				setAttr(&part.Extra, AttrNulls, "first")
			} else {
				setAttr(&part.Extra, AttrNulls, "last")
			}
		}
		if opclass != "" {
			setAttr(&part.Extra, AttrOpClass, opclass)
		}
		// The collation counts when it is not what the column (or, for an
		// expression, the database default) gives.
		own := uint32(defaultCollationOID)
		if attnum != 0 {
			own = t.attcolls[attnum]
		}
		if collOID != 0 && collOID != own {
			part.Collation = collation
		}
		x.Parts = append(x.Parts, part)
	}
	flush()
	return rows.Err()
}

// defaultCollationOID is pg_collation's "default" entry.
const defaultCollationOID = 100

func (in *inspection) triggers(ctx context.Context) error {
	rows, err := in.q.QueryContext(ctx, `SELECT tg.tgrelid, tg.tgname, pg_catalog.pg_get_triggerdef(tg.oid, true)
FROM pg_catalog.pg_trigger tg
JOIN pg_catalog.pg_class c ON c.oid = tg.tgrelid
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE NOT tg.tgisinternal AND c.relkind IN ('r', 'p') AND NOT c.relispartition AND `+selected, in.schemas)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var rel uint32
		var name, def string
		if err := rows.Scan(&rel, &name, &def); err != nil {
			return err
		}
		if t := in.tables[rel]; t != nil {
			t.Triggers = append(t.Triggers, schema.Trigger{Name: name, SQL: def})
		}
	}
	return rows.Err()
}

func (in *inspection) enums(ctx context.Context) error {
	rows, err := in.q.QueryContext(ctx, `SELECT n.nspname, t.typname, json_agg(e.enumlabel ORDER BY e.enumsortorder)::text
FROM pg_catalog.pg_type t
JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
JOIN pg_catalog.pg_enum e ON e.enumtypid = t.oid
WHERE `+selected+`
AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend x WHERE x.classid = 'pg_catalog.pg_type'::regclass AND x.objid = t.oid AND x.deptype = 'e')
GROUP BY n.nspname, t.typname`, in.schemas)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var nsp, name, labels string
		if err := rows.Scan(&nsp, &name, &labels); err != nil {
			return err
		}
		e := &schema.Enum{Schema: in.schemaName(nsp), Name: name}
		if err := json.Unmarshal([]byte(labels), &e.Values); err != nil {
			return fmt.Errorf("enum %s: %w", name, err)
		}
		in.out.Enums = append(in.out.Enums, e)
	}
	return rows.Err()
}

func setAttr(a *schema.Attrs, k, v string) {
	if *a == nil {
		*a = schema.Attrs{}
	}
	(*a)[k] = v
}

// parseType normalises a built-in type as format_type prints it.
func parseType(raw string) schema.Type {
	t := schema.Type{Raw: raw}
	s := raw
	for strings.HasSuffix(s, "[]") {
		t.Array = true
		s = strings.TrimSuffix(s, "[]")
	}
	// Take the parenthesised arguments out: "timestamp(3) with time zone"
	// is base "timestamp with time zone", args [3].
	var args []int
	if i := strings.IndexByte(s, '('); i >= 0 {
		if j := strings.IndexByte(s[i:], ')'); j > 0 {
			for _, a := range strings.Split(s[i+1:i+j], ",") {
				n, err := strconv.Atoi(strings.TrimSpace(a))
				if err != nil {
					return schema.Type{Name: s, Array: t.Array, Raw: raw}
				}
				args = append(args, n)
			}
			s = strings.TrimSpace(s[:i] + s[i+j+1:])
		}
	}
	arg := func(i, def int) int {
		if i < len(args) {
			return args[i]
		}
		return def
	}
	switch s {
	case "character varying":
		t.Name, t.Length = "varchar", arg(0, 0)
	case "character":
		t.Name, t.Length = "char", arg(0, 0)
	case "bit":
		t.Name, t.Length = "bit", arg(0, 0)
	case "bit varying":
		t.Name, t.Length = "varbit", arg(0, 0)
	case "numeric":
		t.Name, t.Precision, t.Scale = "numeric", arg(0, 0), arg(1, 0)
	case "timestamp without time zone":
		t.Name, t.Precision = "timestamp", arg(0, 6)
	case "timestamp with time zone":
		t.Name, t.Precision = "timestamptz", arg(0, 6)
	case "time without time zone":
		t.Name, t.Precision = "time", arg(0, 6)
	case "time with time zone":
		t.Name, t.Precision = "timetz", arg(0, 6)
	default:
		t.Name = s
		if s == "interval" || strings.HasPrefix(s, "interval ") {
			t.Precision = arg(0, 6)
		} else if len(args) == 1 {
			t.Length = args[0]
		} else if len(args) == 2 {
			t.Precision, t.Scale = args[0], args[1]
		}
	}
	return t
}

// numericTypes are the built-in types whose literals are numbers.
var numericTypes = map[string]bool{
	"smallint": true, "integer": true, "bigint": true, "numeric": true, "real": true, "double precision": true,
}

// normDefault drops a cast of a string literal to the column's own type:
// 'x'::character varying on a varchar(10) column is 'x', and '-1'::integer
// on an integer column is -1.
func normDefault(def, colType string) string {
	if def == "" || def[0] != '\'' {
		return def
	}
	end := literalEnd(def)
	if end < 0 || end == len(def) {
		return def
	}
	cast, ok := strings.CutPrefix(def[end:], "::")
	if !ok || (cast != colType && cast != stripTypmod(colType)) {
		return def
	}
	lit := def[:end]
	if numericTypes[stripTypmod(cast)] {
		inner := strings.ReplaceAll(lit[1:len(lit)-1], "''", "'")
		if _, err := strconv.ParseFloat(inner, 64); err == nil {
			return inner
		}
	}
	return lit
}

// literalEnd returns the index just after the string literal s starts
// with, or -1.
func literalEnd(s string) int {
	for i := 1; i < len(s); i++ {
		if s[i] == '\'' {
			if i+1 < len(s) && s[i+1] == '\'' {
				i++
				continue
			}
			return i + 1
		}
	}
	return -1
}

// stripTypmod removes "(…)" groups: "character varying(10)" →
// "character varying".
func stripTypmod(t string) string {
	for {
		i := strings.IndexByte(t, '(')
		if i < 0 {
			return t
		}
		j := strings.IndexByte(t[i:], ')')
		if j < 0 {
			return t
		}
		t = t[:i] + t[i+j+1:]
	}
}

// stripParens removes parentheses that enclose all of s: "(c + 1)" is
// "c + 1", "(a) + (b)" is kept.
func stripParens(s string) string {
	for len(s) >= 2 && s[0] == '(' && s[len(s)-1] == ')' && closing(s, 0) == len(s)-1 {
		s = strings.TrimSpace(s[1 : len(s)-1])
	}
	return s
}

// closing returns the index of the parenthesis that closes the one at
// open, skipping quoted text, or -1.
func closing(s string, open int) int { return sqlbuild.ClosingParen(s, open, `'"`) }

var _ dialect.Scratcher = Dialect{}

// ScratchInMemory implements dialect.Scratcher.
func (Dialect) ScratchInMemory() bool { return false }

// OpenScratch implements dialect.Scratcher.
//
// Without dev, it creates a database named retort_scratch_<random> from
// template0 on base's server (connecting to base's database, or to
// "postgres" if that cannot be reached), and Close drops it WITH (FORCE).
//
// With dev, the dev database must hold no tables, enum types or schemas
// besides the default one; the statements run in one transaction that
// Close rolls back, so the dev database is left as it was. (A statement
// that cannot run in a transaction, such as CREATE INDEX CONCURRENTLY, then
// fails.)
func (d Dialect) OpenScratch(ctx context.Context, base, dev *config.URL) (dialect.Scratch, error) {
	if dev != nil {
		return d.openDevScratch(ctx, dev)
	}
	if base == nil {
		return nil, fmt.Errorf("retort/postgresql: no database URL to create a scratch database beside")
	}
	admin, adminURL, err := d.openAdmin(ctx, base)
	if err != nil {
		return nil, err
	}
	name := "retort_scratch_" + randomHex(8)
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+d.QuoteIdent(name)+" TEMPLATE template0"); err != nil {
		admin.Close()
		return nil, fmt.Errorf("retort/postgresql: create scratch database on %s: %w", adminURL.Redacted(), err)
	}
	u := *adminURL
	u.Database = name
	s := &scratch{d: d, admin: admin, name: name, url: &u}
	if err := s.open(ctx, &u); err != nil {
		return nil, errors.Join(err, s.Close(context.WithoutCancel(ctx)))
	}
	return s, nil
}

// openAdmin connects to base's server for CREATE and DROP DATABASE.
func (d Dialect) openAdmin(ctx context.Context, base *config.URL) (*sql.DB, *config.URL, error) {
	var firstErr error
	for _, dbName := range []string{base.Database, "postgres"} {
		u := *base
		u.Database = dbName
		db, err := d.openURL(&u)
		if err == nil {
			if err = db.PingContext(ctx); err == nil {
				return db, &u, nil
			}
			db.Close()
		}
		if firstErr == nil {
			firstErr = err
		}
		if ctx.Err() != nil {
			break
		}
	}
	return nil, nil, fmt.Errorf("retort/postgresql: connect to %s to create a scratch database: %s", base.Redacted(), config.RedactString(firstErr.Error()))
}

func (d Dialect) openURL(u *config.URL) (*sql.DB, error) {
	dsn, err := d.DSN(u)
	if err != nil {
		return nil, err
	}
	db, err := sql.Open(d.DriverName(), dsn)
	if err != nil {
		return nil, fmt.Errorf("retort/postgresql: open %s: %s", u.Redacted(), config.RedactString(err.Error()))
	}
	d.ConfigureDB(db, u)
	return db, nil
}

func (d Dialect) openDevScratch(ctx context.Context, dev *config.URL) (dialect.Scratch, error) {
	s := &scratch{d: d, url: dev}
	if err := s.open(ctx, dev); err != nil {
		return nil, errors.Join(err, s.Close(context.WithoutCancel(ctx)))
	}
	existing, err := d.Inspect(ctx, s.conn, dialect.InspectOptions{Schemas: []string{"*"}})
	if err == nil && (len(existing.Tables) > 0 || len(existing.Enums) > 0 || len(existing.Namespaces) > 0) {
		err = fmt.Errorf("retort/postgresql: dev database %s is not empty (%s); dev_url must name an empty database",
			dev.Redacted(), describe(existing))
	}
	if err == nil {
		s.tx, err = s.conn.BeginTx(ctx, nil)
	}
	if err != nil {
		return nil, errors.Join(err, s.Close(context.WithoutCancel(ctx)))
	}
	return s, nil
}

// describe names a few of the objects in s.
func describe(s *schema.Schema) string {
	var names []string
	for _, n := range s.Namespaces {
		names = append(names, "schema "+n)
	}
	for _, e := range s.Enums {
		names = append(names, "type "+e.QualifiedName())
	}
	for _, t := range s.Tables {
		names = append(names, "table "+t.QualifiedName())
	}
	if len(names) > 5 {
		names = append(names[:5], fmt.Sprintf("and %d more", len(names)-5))
	}
	return strings.Join(names, ", ")
}

// scratch is a PostgreSQL scratch database: a created one (admin set) or a
// dev database used inside a transaction (tx set).
type scratch struct {
	d     Dialect
	admin *sql.DB // server connection that created the database; nil for dev
	name  string  // created database
	url   *config.URL
	db    *sql.DB
	conn  *sql.Conn
	tx    *sql.Tx
	done  bool
}

func (s *scratch) open(ctx context.Context, u *config.URL) error {
	db, err := s.d.openURL(u)
	if err != nil {
		return err
	}
	s.db = db
	conn, err := db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("retort/postgresql: connect to %s: %s", u.Redacted(), config.RedactString(err.Error()))
	}
	s.conn = conn
	return nil
}

func (s *scratch) querier() dialect.Querier {
	if s.tx != nil {
		return s.tx
	}
	return s.conn
}

// Exec implements dialect.Scratch.
func (s *scratch) Exec(ctx context.Context, stmt string) error {
	_, err := s.querier().ExecContext(ctx, stmt)
	return err
}

// Inspect implements dialect.Scratch. Session settings the statements
// made (a pg_dump file empties search_path) are reset first, so the
// default schema is the database's.
func (s *scratch) Inspect(ctx context.Context, opts dialect.InspectOptions) (*schema.Schema, error) {
	if _, err := s.querier().ExecContext(ctx, "RESET ALL"); err != nil {
		return nil, fmt.Errorf("retort/postgresql: reset the scratch session: %w", err)
	}
	return s.d.Inspect(ctx, s.querier(), opts)
}

// Close implements dialect.Scratch.
func (s *scratch) Close(ctx context.Context) error {
	if s.done {
		return nil
	}
	s.done = true
	var errs []error
	if s.tx != nil {
		if err := s.tx.Rollback(); err != nil && !errors.Is(err, sql.ErrTxDone) {
			errs = append(errs, err)
		}
	}
	if s.conn != nil {
		if err := s.conn.Close(); err != nil && !errors.Is(err, sql.ErrConnDone) {
			errs = append(errs, err)
		}
	}
	if s.db != nil {
		errs = append(errs, s.db.Close())
	}
	if s.admin != nil {
		if err := dropDatabase(ctx, s.admin, s.d.QuoteIdent(s.name), s.name); err != nil {
			errs = append(errs, fmt.Errorf("retort/postgresql: drop scratch database %s: %w", s.name, err))
		}
		errs = append(errs, s.admin.Close())
	}
	return errors.Join(errs...)
}

// dropDatabase drops a database other sessions may still be connected to.
func dropDatabase(ctx context.Context, admin *sql.DB, quoted, name string) error {
	// WITH (FORCE) (PostgreSQL 13+) ends the sessions still connected.
	_, err := admin.ExecContext(ctx, "DROP DATABASE IF EXISTS "+quoted+" WITH (FORCE)")
	if err == nil || !strings.Contains(err.Error(), "syntax error") {
		return err
	}
	if _, err := admin.ExecContext(ctx, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()", name); err != nil {
		return err
	}
	_, err = admin.ExecContext(ctx, "DROP DATABASE IF EXISTS "+quoted)
	return err
}

// String implements dialect.Scratch.
func (s *scratch) String() string { return s.url.Redacted() }

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // never fails
	return hex.EncodeToString(b)
}
