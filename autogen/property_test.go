package autogen_test

import (
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/retortdb/retort/autogen"
	"github.com/retortdb/retort/config"
	"github.com/retortdb/retort/dialect/mysql"
	"github.com/retortdb/retort/dialect/postgres"
	"github.com/retortdb/retort/internal/testdb"
	"github.com/retortdb/retort/op"
	"github.com/retortdb/retort/schema"
)

// colType is a column type the generator may use.
type colType struct {
	t schema.Type
	// family groups the types a column may change between.
	family string
	// defaults are DEFAULT expressions valid for the type.
	defaults []string
	// key: the type may be in a key or an index.
	key bool
}

// vocab is what the generator may build on one dialect ("" = the model
// only, in memory).
type vocab struct {
	dialect  string
	id       schema.Type // of id and foreign key columns
	types    []colType
	comments bool // table and column comments
	enums    bool // PostgreSQL enum types
	desc     bool // DESC index parts
	exprIdx  bool // expression indexes
	// generated: generated columns (of id), stored or virtual.
	generated bool
}

func typ(name string, length, prec, scale int) schema.Type {
	return schema.Type{Name: name, Length: length, Precision: prec, Scale: scale}
}

var vocabs = map[string]*vocab{
	"": {id: typ("int", 0, 0, 0), comments: true, enums: true, desc: true, exprIdx: true, generated: true, types: []colType{
		{typ("int", 0, 0, 0), "int", []string{"0", "1"}, true},
		{typ("bigint", 0, 0, 0), "int", []string{"0", "7"}, true},
		{typ("text", 0, 0, 0), "str", []string{"'a'", "''"}, true},
		{typ("varchar", 20, 0, 0), "str", []string{"'a'"}, true},
		{typ("varchar", 40, 0, 0), "str", []string{"'b'"}, true},
		{typ("numeric", 0, 10, 2), "num", []string{"0", "1.5"}, true},
		{typ("numeric", 0, 12, 3), "num", []string{"2"}, true},
		{typ("boolean", 0, 0, 0), "bool", []string{"true", "false"}, true},
	}},
	config.SQLite: {id: typ("integer", 0, 0, 0), desc: true, exprIdx: true, types: []colType{
		{typ("integer", 0, 0, 0), "int", []string{"0", "1"}, true},
		{typ("bigint", 0, 0, 0), "int", []string{"7"}, true},
		{typ("text", 0, 0, 0), "str", []string{"'a'", "''"}, true},
		{typ("varchar", 20, 0, 0), "str", []string{"'a'"}, true},
		{typ("numeric", 0, 10, 2), "num", []string{"0", "1.5"}, true},
		{typ("real", 0, 0, 0), "num", []string{"2.5"}, true},
	}},
	config.PostgreSQL: {id: typ("integer", 0, 0, 0), comments: true, enums: true, desc: true, exprIdx: true, types: []colType{
		{typ("integer", 0, 0, 0), "int", []string{"0", "1"}, true},
		{typ("bigint", 0, 0, 0), "int", []string{"7"}, true},
		{typ("text", 0, 0, 0), "str", []string{"'a'", "''"}, true},
		{typ("varchar", 20, 0, 0), "str", []string{"'a'"}, true},
		{typ("varchar", 40, 0, 0), "str", []string{"'b'"}, true},
		{typ("numeric", 0, 10, 2), "num", []string{"0", "1.5"}, true},
		{typ("numeric", 0, 12, 3), "num", []string{"2"}, true},
		{typ("boolean", 0, 0, 0), "bool", []string{"true"}, true},
	}},
	config.MySQL: {id: typ("int", 0, 0, 0), comments: true, desc: true, types: []colType{
		{typ("int", 0, 0, 0), "int", []string{"0", "1"}, true},
		{typ("bigint", 0, 0, 0), "int", []string{"7"}, true},
		{typ("text", 0, 0, 0), "text", nil, false},
		{typ("varchar", 20, 0, 0), "str", []string{"'a'"}, true},
		{typ("varchar", 40, 0, 0), "str", []string{"'b'"}, true},
		{typ("decimal", 0, 10, 2), "num", []string{"0", "1.50"}, true},
		{typ("decimal", 0, 12, 3), "num", []string{"2.000"}, true},
	}},
}

// gen builds random schemas from a vocabulary. Every name it makes is
// unique in the schema (PostgreSQL's index and constraint names share a
// namespace).
type gen struct {
	r *rand.Rand
	v *vocab
	n int
	// enumTypes are the column types of the generated enums.
	enumTypes []colType
	// order is set once a table is called "order".
	order bool
}

// name returns a new name; now and then one that needs quoting (mixed
// case, a space) or is a reserved word.
func (g *gen) name(prefix string) string {
	g.n++
	switch {
	case (prefix == "t" || prefix == "c") && g.chance(0.08):
		return fmt.Sprintf("%s Mixed %d", strings.ToUpper(prefix), g.n)
	case prefix == "c" && g.chance(0.04):
		return fmt.Sprintf("select%d", g.n) // not reserved, but next to it
	case prefix == "t" && g.chance(0.04) && !g.order:
		g.order = true
		return "order"
	}
	return fmt.Sprintf("%s%d", prefix, g.n)
}

func (g *gen) chance(p float64) bool { return g.r.Float64() < p }

func pick[T any](g *gen, xs []T) T { return xs[g.r.IntN(len(xs))] }

func (g *gen) allTypes() []colType {
	return append(slices.Clip(g.v.types), g.enumTypes...)
}

func (g *gen) column() schema.Column {
	ct := pick(g, g.allTypes())
	c := schema.Column{Name: g.name("c"), Type: ct.t.Clone(), Nullable: g.chance(0.5)}
	if len(ct.defaults) > 0 && g.chance(0.3) {
		c.Default = pick(g, ct.defaults)
	}
	if g.v.comments && g.chance(0.2) {
		c.Comment = pick(g, []string{"a note", "it's"})
	}
	return c
}

// typeOf returns the vocabulary entry of c's type.
func (g *gen) typeOf(c schema.Column) colType {
	for _, ct := range g.allTypes() {
		if ct.t.Equal(c.Type) {
			return ct
		}
	}
	return colType{t: c.Type, family: "id", key: true}
}

// keyColumns returns the names of t's columns that may be in a key.
func (g *gen) keyColumns(t *schema.Table) []string {
	var out []string
	for _, c := range t.Columns {
		if g.typeOf(c).key {
			out = append(out, c.Name)
		}
	}
	return out
}

func (g *gen) someColumns(cols []string) []string {
	n := 1 + g.r.IntN(min(2, len(cols)))
	out := slices.Clone(cols)
	g.r.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	return out[:n]
}

func (g *gen) table() *schema.Table {
	t := &schema.Table{Name: g.name("t"), Columns: []schema.Column{{Name: "id", Type: g.v.id}}}
	if g.chance(0.8) {
		t.PrimaryKey = &schema.PrimaryKey{Name: g.name("pk"), Columns: []string{"id"}}
		if g.v.dialect == config.MySQL {
			t.PrimaryKey.Name = ""
		}
	}
	for range 1 + g.r.IntN(4) {
		t.Columns = append(t.Columns, g.column())
	}
	for range g.r.IntN(2) {
		g.addUnique(t)
	}
	for range g.r.IntN(3) {
		g.addIndex(t)
	}
	if g.chance(0.4) {
		g.addCheck(t)
	}
	if g.v.comments && g.chance(0.3) {
		t.Comment = "table " + t.Name
	}
	return t
}

func (g *gen) addUnique(t *schema.Table) {
	if cols := g.keyColumns(t); len(cols) > 0 {
		t.Uniques = append(t.Uniques, schema.Unique{Name: g.name("u"), Columns: g.someColumns(cols)})
	}
}

func (g *gen) addIndex(t *schema.Table) {
	cols := g.keyColumns(t)
	if len(cols) == 0 {
		return
	}
	x := schema.Index{Name: g.name("ix"), Unique: g.chance(0.3)}
	for _, c := range g.someColumns(cols) {
		x.Parts = append(x.Parts, schema.IndexPart{Column: c, Desc: g.v.desc && g.chance(0.3)})
	}
	if g.v.exprIdx && g.chance(0.2) {
		x.Parts = []schema.IndexPart{{Expr: "id + 1"}}
	}
	t.Indexes = append(t.Indexes, x)
}

func (g *gen) addCheck(t *schema.Table) {
	var ints []string
	for _, c := range t.Columns {
		// Not a foreign key's column: MariaDB refuses a check on a column
		// with a referential action.
		if g.typeOf(c).family == "int" && !strings.HasPrefix(c.Name, "ref") && !strings.Contains(c.Name, " ") &&
			!slices.ContainsFunc(t.ForeignKeys, func(f schema.ForeignKey) bool { return slices.Contains(f.Columns, c.Name) }) {
			ints = append(ints, c.Name)
		}
	}
	col := "id"
	if len(ints) > 0 {
		col = pick(g, ints)
	}
	t.Checks = append(t.Checks, schema.Check{Name: g.name("ck"), Expr: col + " > 0"})
}

// addForeignKey gives t a new column referencing the id of a table of s
// with a primary key on id (t itself included).
func (g *gen) addForeignKey(s *schema.Schema, t *schema.Table) {
	var targets []*schema.Table
	for _, u := range s.Tables {
		if u.PrimaryKey != nil && slices.Equal(u.PrimaryKey.Columns, []string{"id"}) {
			targets = append(targets, u)
		}
	}
	if len(targets) == 0 {
		return
	}
	u := pick(g, targets)
	c := schema.Column{Name: g.name("ref"), Type: g.v.id, Nullable: true}
	t.Columns = append(t.Columns, c)
	t.ForeignKeys = append(t.ForeignKeys, schema.ForeignKey{Name: g.name("fk"), Columns: []string{c.Name},
		RefTable: u.Name, RefColumns: []string{"id"}, OnDelete: pick(g, []string{"", "CASCADE", "SET NULL"})})
}

func (g *gen) schema() *schema.Schema {
	s := &schema.Schema{}
	if g.v.enums && g.chance(0.5) {
		g.addEnum(s)
	}
	for range 1 + g.r.IntN(4) {
		s.Tables = append(s.Tables, g.table())
	}
	for _, t := range s.Tables {
		if g.chance(0.4) {
			g.addForeignKey(s, t)
		}
	}
	s.Sort()
	return s
}

func (g *gen) addEnum(s *schema.Schema) {
	e := &schema.Enum{Name: g.name("e"), Values: []string{"a", "b", "c"}[:1+g.r.IntN(3)]}
	s.Enums = append(s.Enums, e)
	g.enumTypes = append(g.enumTypes, colType{t: schema.Type{Name: e.Name, UserDefined: true}, family: e.Name, defaults: []string{"'a'"}, key: true})
}

// usesColumn reports whether expr names column c (as the generator writes
// expressions).
func usesColumn(expr, c string) bool {
	return slices.Contains(strings.FieldsFunc(expr, func(r rune) bool { return r == ' ' || r == '(' || r == ')' }), c)
}

// dropColumn removes column c of t and whatever names it in t.
func dropColumn(t *schema.Table, c string) {
	t.Columns = slices.DeleteFunc(t.Columns, func(x schema.Column) bool { return x.Name == c })
	t.Uniques = slices.DeleteFunc(t.Uniques, func(u schema.Unique) bool { return slices.Contains(u.Columns, c) })
	t.Indexes = slices.DeleteFunc(t.Indexes, func(x schema.Index) bool {
		return slices.ContainsFunc(x.Parts, func(p schema.IndexPart) bool { return p.Column == c || usesColumn(p.Expr, c) })
	})
	t.Checks = slices.DeleteFunc(t.Checks, func(k schema.Check) bool { return usesColumn(k.Expr, c) })
	t.ForeignKeys = slices.DeleteFunc(t.ForeignKeys, func(f schema.ForeignKey) bool { return slices.Contains(f.Columns, c) })
}

// dropReferences removes the foreign keys of s that reference table u.
func dropReferences(s *schema.Schema, u *schema.Table) {
	for _, t := range s.Tables {
		t.ForeignKeys = slices.DeleteFunc(t.ForeignKeys, func(f schema.ForeignKey) bool { return f.RefTable == u.Name })
	}
}

// mutate returns a changed copy of a and the renames it made.
func (g *gen) mutate(a *schema.Schema) (*schema.Schema, []autogen.Rename) {
	b := a.Clone()
	var renames []autogen.Rename
	if len(b.Tables) > 0 && g.chance(0.25) {
		t := pick(g, b.Tables)
		r := autogen.Rename{From: t.Name, To: g.name("t")}
		if err := op.Apply(b, &op.RenameTable{Table: op.Ref(t), To: r.To}); err != nil {
			panic(err)
		}
		renames = append(renames, r)
	}
	if len(b.Tables) > 0 && g.chance(0.3) {
		t := pick(g, b.Tables)
		if len(t.Columns) > 1 {
			c := t.Columns[1+g.r.IntN(len(t.Columns)-1)]
			r := autogen.Rename{Table: t.Name, From: c.Name, To: g.name("c")}
			if err := op.Apply(b, &op.RenameColumn{Table: op.Ref(t), From: r.From, To: r.To}); err != nil {
				panic(err)
			}
			renames = append(renames, r)
		}
	}
	for range 1 + g.r.IntN(5) {
		g.mutation(b)
	}
	b.Sort()
	// Keep the renames that still name a dropped and an added object.
	var valid []autogen.Rename
	for _, r := range renames {
		if _, err := autogen.Diff(a, b, autogen.DiffOptions{Renames: append(slices.Clone(valid), r)}); err == nil {
			valid = append(valid, r)
		}
	}
	return b, valid
}

// mutation makes one random change to s, keeping it valid.
func (g *gen) mutation(s *schema.Schema) {
	if len(s.Tables) == 0 {
		s.Tables = append(s.Tables, g.table())
		return
	}
	t := pick(g, s.Tables)
	// Columns that are neither id nor a foreign key's.
	var plain []int
	for i, c := range t.Columns {
		if c.Name != "id" && !slices.ContainsFunc(t.ForeignKeys, func(f schema.ForeignKey) bool { return slices.Contains(f.Columns, c.Name) }) {
			plain = append(plain, i)
		}
	}
	switch g.r.IntN(18) {
	case 17:
		// A column becomes generated, changes its expression or its kind,
		// or becomes plain.
		if !g.v.generated || len(plain) == 0 {
			return
		}
		c := &t.Columns[pick(g, plain)]
		switch {
		case c.Generated == nil:
			c.Default = ""
			c.Generated = &schema.Generated{Expr: fmt.Sprintf("id + %d", g.r.IntN(3)), Stored: g.chance(0.5)}
		case g.chance(0.3):
			c.Generated = nil
		case g.chance(0.5):
			c.Generated = &schema.Generated{Expr: c.Generated.Expr + " + 1", Stored: c.Generated.Stored}
		default:
			c.Generated = &schema.Generated{Expr: c.Generated.Expr, Stored: !c.Generated.Stored}
		}
	case 16:
		// A new name, nothing else changed.
		switch {
		case len(t.Indexes) > 0 && g.chance(0.5):
			t.Indexes[0].Name = g.name("ix")
		case len(t.Uniques) > 0 && g.chance(0.5):
			t.Uniques[0].Name = g.name("u")
		case len(t.Checks) > 0:
			t.Checks[0].Name = g.name("ck")
		}
	case 0:
		nt := g.table()
		s.Tables = append(s.Tables, nt)
		if g.chance(0.5) {
			g.addForeignKey(s, nt)
		}
	case 1:
		dropReferences(s, t)
		s.Tables = slices.DeleteFunc(s.Tables, func(x *schema.Table) bool { return x == t })
	case 2:
		t.Columns = append(t.Columns, g.column())
	case 3:
		if len(plain) > 0 {
			dropColumn(t, t.Columns[pick(g, plain)].Name)
		}
	case 4, 5, 6:
		if len(plain) == 0 {
			return
		}
		c := &t.Columns[pick(g, plain)]
		ct := g.typeOf(*c)
		switch g.r.IntN(4) {
		case 0:
			var same []colType
			for _, o := range g.allTypes() {
				if o.family == ct.family && !o.t.Equal(c.Type) {
					same = append(same, o)
				}
			}
			if len(same) > 0 {
				n := pick(g, same)
				if !n.key {
					dropColumn(t, c.Name)
					return
				}
				c.Type = n.t.Clone()
				if c.Default != "" {
					c.Default = ""
					if len(n.defaults) > 0 {
						c.Default = pick(g, n.defaults)
					}
				}
			}
		case 1:
			c.Nullable = !c.Nullable
		case 2:
			if c.Default != "" {
				c.Default = ""
			} else if len(ct.defaults) > 0 {
				c.Default = pick(g, ct.defaults)
			}
		case 3:
			if g.v.comments {
				c.Comment = pick(g, []string{"", "changed", "a note"})
			}
		}
	case 7:
		g.addIndex(t)
	case 8:
		if len(t.Indexes) > 0 {
			t.Indexes = slices.Delete(t.Indexes, 0, 1)
		}
	case 9:
		g.addUnique(t)
	case 10:
		if len(t.Uniques) > 0 {
			t.Uniques = slices.Delete(t.Uniques, 0, 1)
		}
	case 11:
		if len(t.Checks) > 0 {
			t.Checks = nil
		} else {
			g.addCheck(t)
		}
	case 12:
		if len(t.ForeignKeys) > 0 && g.chance(0.5) {
			f := &t.ForeignKeys[0]
			f.OnDelete = pick(g, []string{"", "CASCADE", "SET NULL"})
		} else if len(t.ForeignKeys) > 0 {
			t.ForeignKeys = t.ForeignKeys[1:]
		} else {
			g.addForeignKey(s, t)
		}
	case 13:
		if t.PrimaryKey != nil && g.chance(0.5) {
			// A new name for the key (PostgreSQL's table_pkey after a
			// table rename), the references kept.
			if t.PrimaryKey.Name != "" {
				t.PrimaryKey = &schema.PrimaryKey{Name: g.name("pk"), Columns: t.PrimaryKey.Columns}
			}
		} else if t.PrimaryKey != nil {
			dropReferences(s, t)
			t.PrimaryKey = nil
		} else {
			t.PrimaryKey = &schema.PrimaryKey{Name: g.name("pk"), Columns: []string{"id"}}
			if g.v.dialect == config.MySQL {
				t.PrimaryKey.Name = ""
			}
		}
	case 14:
		if g.v.comments {
			t.Comment = pick(g, []string{"", "changed", "table"})
		}
	case 15:
		if !g.v.enums {
			return
		}
		if len(s.Enums) == 0 || g.chance(0.3) {
			g.addEnum(s)
			return
		}
		e := pick(g, s.Enums)
		e.Values = slices.Clone(e.Values)
		switch g.r.IntN(3) {
		case 0:
			i := g.r.IntN(len(e.Values) + 1)
			e.Values = slices.Insert(e.Values, i, g.name("v"))
		case 1:
			if len(e.Values) < 2 {
				return
			}
			i := g.r.IntN(len(e.Values))
			gone := e.Values[i]
			if gone == "a" {
				return // columns' default
			}
			e.Values = slices.Delete(e.Values, i, i+1)
			for _, t := range s.Tables {
				for i, c := range t.Columns {
					if c.Type.Name == e.Name && c.Default == "'"+gone+"'" {
						t.Columns[i].Default = ""
					}
				}
			}
		case 2:
			i, j := g.r.IntN(len(e.Values)), g.r.IntN(len(e.Values))
			e.Values[i], e.Values[j] = e.Values[j], e.Values[i]
		}
	}
}

// hasCycle reports whether foreign keys of s between different tables
// form a cycle.
func hasCycle(s *schema.Schema) bool {
	state := map[string]int{} // 1 visiting, 2 done
	var visit func(t *schema.Table) bool
	visit = func(t *schema.Table) bool {
		switch state[t.Name] {
		case 1:
			return true
		case 2:
			return false
		}
		state[t.Name] = 1
		for _, fk := range t.ForeignKeys {
			if u := s.Table(fk.RefSchema, fk.RefTable); u != nil && u != t && visit(u) {
				return true
			}
		}
		state[t.Name] = 2
		return false
	}
	return slices.ContainsFunc(s.Tables, visit)
}

// columnsByName returns a copy of s with each table's columns sorted by
// name: a downgrade that adds back a dropped column adds it at the end.
func columnsByName(s *schema.Schema) *schema.Schema {
	s = s.Clone()
	for _, t := range s.Tables {
		slices.SortFunc(t.Columns, func(a, b schema.Column) int { return strings.Compare(a.Name, b.Name) })
	}
	return s
}

// sameSchema compares got with want, in the order of their columns when
// ordered is set (the diff places columns: DiffOptions.PositionColumns),
// otherwise by column name.
func sameSchema(got, want *schema.Schema, ordered bool) bool {
	if ordered {
		return got.Equal(want)
	}
	return columnsByName(got).Equal(columnsByName(want))
}

// genPair returns a random schema pair and the renames between them.
func genPair(seed uint64, v *vocab) (a, b *schema.Schema, renames []autogen.Rename) {
	g := &gen{r: rand.New(rand.NewPCG(seed, 0x5eed)), v: v}
	a = g.schema()
	b, renames = g.mutate(a)
	return a, b, renames
}

// TestDiffProperty: for random pairs (A, B) built from the model, the
// upgrade turns A into B and the downgrade B into A (op.Apply), with and
// without the SQLite options, and Diff(X, X) is empty.
func TestDiffProperty(t *testing.T) {
	for seed := range uint64(propertyModelSeeds) {
		a, b, renames := genPair(seed, vocabs[""])
		for _, opts := range []autogen.DiffOptions{{Renames: renames}, {Renames: renames, InlineForeignKeys: true, RebuildTables: true}, {Renames: renames, ForeignKeysNeedIndexes: true, PositionColumns: true, RecreateColumn: mysql.Dialect{}.RecreatesColumn}, {Renames: renames, RenameConstraints: true, RecreateColumn: postgres.Dialect{}.RecreatesColumn}} {
			name := fmt.Sprintf("{Renames:%v InlineForeignKeys:%v RebuildTables:%v ForeignKeysNeedIndexes:%v PositionColumns:%v RenameConstraints:%v RecreateColumn:%v}",
				opts.Renames, opts.InlineForeignKeys, opts.RebuildTables, opts.ForeignKeysNeedIndexes, opts.PositionColumns, opts.RenameConstraints, opts.RecreateColumn != nil)
			if opts.InlineForeignKeys && (hasCycle(a) || hasCycle(b)) {
				// Tables with foreign keys inside that reference each
				// other cannot be dropped one by one on a database that
				// checks references (SQLite does not).
				continue
			}
			up, err := autogen.Diff(a, b, opts)
			if err != nil {
				t.Fatalf("seed %d: %v", seed, err)
			}
			fail := func(what string, err error, ops []op.Op) {
				t.Fatalf("seed %d, %s: %s: %v\nA:\n%s\nB:\n%s\nops: %v", seed, name, what, err, a, b, ops)
			}
			got := a.Clone()
			if err := op.Apply(got, up...); err != nil {
				fail("upgrade", err, up)
			}
			// Columns added again (RecreateColumn) go at the end unless
			// placed.
			if !sameSchema(got, b, opts.PositionColumns || opts.RecreateColumn == nil) {
				fail("upgrade", fmt.Errorf("\n%s", schema.Diff(b, got)), up)
			}
			down, err := autogen.Downgrade(up)
			if err != nil {
				fail("downgrade", err, up)
			}
			got = b.Clone()
			if err := op.Apply(got, down...); err != nil {
				fail("downgrade", err, down)
			}
			if !sameSchema(got, a, opts.PositionColumns) {
				fail("downgrade", fmt.Errorf("\n%s", schema.Diff(a, got)), down)
			}
		}
		for _, s := range []*schema.Schema{a, b} {
			if ops, err := autogen.Diff(s, s.Clone(), autogen.DiffOptions{}); err != nil || len(ops) != 0 {
				t.Fatalf("seed %d: Diff(X, X) = %v, %v", seed, ops, err)
			}
		}
	}
}

// propertySeeds is how many random pairs TestDiffPropertyDatabase tries
// per dialect; RETORT_PROPERTY_SEEDS=N tries N on each.
var propertySeeds = map[string]int{config.SQLite: 30, config.PostgreSQL: 4, config.MySQL: 3}

// seed0 is the first seed TestDiffPropertyDatabase tries:
// RETORT_PROPERTY_SEED0, or 1000.
func seed0() uint64 {
	if n, err := strconv.ParseUint(os.Getenv("RETORT_PROPERTY_SEED0"), 10, 64); err == nil {
		return n
	}
	return 1000
}

func seedsFor(name string) int {
	if n, err := strconv.Atoi(os.Getenv("RETORT_PROPERTY_SEEDS")); err == nil {
		return n
	}
	return propertySeeds[name]
}

// TestDiffPropertyDatabase: random pairs on real databases. A and B are
// created from the model (a Diff from nothing, planned and run) and
// inspected, which puts them in the dialect's canonical form (B is then
// dropped by a Diff to nothing); then A's database is upgraded (inspected:
// B) and downgraded (inspected: A; on PostgreSQL compared by column name,
// as a column dropped and added back goes at the end; on MySQL, which
// places added columns, and SQLite, whose drops are rebuilds undone by
// rebuilds, in column order too).
func TestDiffPropertyDatabase(t *testing.T) {
	for _, name := range testdb.Dialects(t) {
		d := dialectFor(t, name)
		opts := autogen.OptionsFor(d)
		for seed := range uint64(seedsFor(name)) {
			t.Run(fmt.Sprintf("%s/%d", name, seed), func(t *testing.T) {
				a0, b0, renames := genPair(seed0()+seed, vocabs[name])
				// One database: B is loaded and inspected, dropped (a Diff
				// to nothing, which must leave nothing), then A loaded.
				db := testdb.Open(t, testdb.New(t, name))
				now := func() *schema.Schema { return inspect(t, d, db) }
				exec := func(ops []op.Op) { run(t, d, db, ops) }
				diff := func(from, to *schema.Schema) []op.Op {
					ops, err := autogen.Diff(from, to, opts)
					if err != nil {
						t.Fatal(err)
					}
					return ops
				}
				exec(diff(nil, b0))
				b := now()
				exec(diff(b, nil))
				if got := now(); !got.Equal(&schema.Schema{}) {
					t.Fatalf("after dropping B:\n%s", got)
				}
				exec(diff(nil, a0))
				a := now()
				o := opts
				o.Renames = renames
				up, err := autogen.Diff(a, b, o)
				if err != nil {
					t.Fatal(err)
				}
				down, err := autogen.Downgrade(up)
				if err != nil {
					t.Fatal(err)
				}
				t.Logf("A:\n%s\nB:\n%s\nup: %v\ndown: %v", a, b, up, down)
				exec(up)
				if got := now(); !got.Equal(b) {
					t.Fatalf("after upgrade:\n%s", schema.Diff(b, got))
				}
				exec(down)
				if got := now(); !sameSchema(got, a, opts.PositionColumns || opts.RebuildTables) {
					t.Fatalf("after downgrade:\n%s", schema.Diff(a, got))
				}
			})
		}
	}
}

// propertyModelSeeds is how many random pairs TestDiffProperty tries.
var propertyModelSeeds = 400
