package autogen

import (
	"fmt"
	"slices"
	"strings"

	"github.com/retortdb/retort/op"
	"github.com/retortdb/retort/schema"
)

// Rename is a rename of a table or of a column that Diff writes as
// op.RenameTable or op.RenameColumn, keeping the data, instead of a drop and
// an add (DiffOptions.Renames).
type Rename struct {
	// Schema is the table's schema; "" for the default one.
	Schema string
	// Table is, for a column rename, the table's name in the target (to);
	// "" for a table rename.
	Table string
	// From and To are the old and the new name of the table, or of the
	// column.
	From, To string
}

// IsColumn reports whether r renames a column.
func (r Rename) IsColumn() bool { return r.Table != "" }

// String describes r: "table users to people", "column users.name to
// users.full_name".
func (r Rename) String() string {
	if r.IsColumn() {
		t := qualify(r.Schema, r.Table)
		return "column " + t + "." + r.From + " to " + t + "." + r.To
	}
	return "table " + qualify(r.Schema, r.From) + " to " + qualify(r.Schema, r.To)
}

// Flag is r in the syntax of ParseRename (and of the --rename flag):
// "users=people", "users.name=users.full_name".
func (r Rename) Flag() string {
	if r.IsColumn() {
		t := qualify(r.Schema, r.Table)
		return t + "." + r.From + "=" + t + "." + r.To
	}
	return qualify(r.Schema, r.From) + "=" + qualify(r.Schema, r.To)
}

func qualify(s, n string) string {
	if s == "" {
		return n
	}
	return s + "." + n
}

// ParseRenames reads renames given as "old=new" (a table),
// "table.old=table.new" (a column of table, named as in the target on the
// right and as in the database on the left, which differ when the table is
// renamed too), "schema.old=schema.new" (a table in a schema) or
// "schema.table.old=schema.table.new", and checks each against the
// schemas: the old name must be dropped (in from, not in to) and the new one
// added (in to, not in from). An error says what the schemas hold instead.
//
// "a.b=a.c" is a column rename when from or to has a table a in the default
// schema, a table rename in schema a otherwise.
func ParseRenames(from, to *schema.Schema, specs []string) ([]Rename, error) {
	var out []Rename
	for _, spec := range specs {
		r, err := parseRename(from, to, out, spec)
		if err == nil {
			err = checkRename(from, to, out, r)
		}
		if err != nil {
			return nil, fmt.Errorf("--rename %s: %w", spec, err)
		}
		out = append(out, r)
	}
	return out, nil
}

func parseRename(from, to *schema.Schema, known []Rename, spec string) (Rename, error) {
	l, r, ok := strings.Cut(spec, "=")
	if !ok || l == "" || r == "" {
		return Rename{}, fmt.Errorf("want old=new (a table) or table.old=table.new (a column)")
	}
	lp, rp := strings.Split(l, "."), strings.Split(r, ".")
	if len(lp) != len(rp) || len(lp) > 3 || slices.Contains(lp, "") || slices.Contains(rp, "") {
		return Rename{}, fmt.Errorf("want old=new (a table) or table.old=table.new (a column), the same number of dotted parts on both sides")
	}
	switch len(lp) {
	case 1:
		return Rename{From: lp[0], To: rp[0]}, nil
	case 2:
		isTable := func(s *schema.Schema, n string) bool { return s.Table("", n) != nil }
		if lp[0] == rp[0] && !isTable(from, lp[0]) && !isTable(to, lp[0]) {
			return Rename{Schema: lp[0], From: lp[1], To: rp[1]}, nil
		}
		return columnRename(known, "", lp[0], rp[0], lp[1], rp[1])
	default:
		if lp[0] != rp[0] {
			return Rename{}, fmt.Errorf("the schema differs on the two sides (%s, %s): a rename stays in its schema", lp[0], rp[0])
		}
		return columnRename(known, lp[0], lp[1], rp[1], lp[2], rp[2])
	}
}

// columnRename is the rename of column from of table oldT (as in the
// database) to column to of table newT (as in the target).
func columnRename(known []Rename, sch, oldT, newT, from, to string) (Rename, error) {
	if oldT != newT && !slices.Contains(known, Rename{Schema: sch, From: oldT, To: newT}) {
		return Rename{}, fmt.Errorf("the table differs on the two sides (%s, %s): give the table rename --rename %s=%s first, or name the table the same on both sides",
			oldT, newT, qualify(sch, oldT), qualify(sch, newT))
	}
	return Rename{Schema: sch, Table: newT, From: from, To: to}, nil
}

// oldTable returns the name in from of the table named name in to, given
// the table renames among known.
func oldTable(known []Rename, sch, name string) string {
	for _, k := range known {
		if !k.IsColumn() && k.Schema == sch && k.To == name {
			return k.From
		}
	}
	return name
}

// checkRename checks that r turns a dropped object into an added one,
// given the renames before it (known).
func checkRename(from, to *schema.Schema, known []Rename, r Rename) error {
	if r.From == r.To {
		return fmt.Errorf("the old and the new name are the same")
	}
	for _, k := range known {
		if k.IsColumn() == r.IsColumn() && k.Schema == r.Schema && k.Table == r.Table && (k.From == r.From || k.To == r.To) {
			return fmt.Errorf("conflicts with the rename of %s", k)
		}
	}
	if !r.IsColumn() {
		dropped, added := tableChanges(from, to, r.Schema)
		found := func() string {
			return fmt.Sprintf("tables the target drops: %s; tables it adds: %s", list(dropped), list(added))
		}
		switch {
		case from.Table(r.Schema, r.From) == nil:
			return fmt.Errorf("the database has no table %s (%s)", qualify(r.Schema, r.From), found())
		case to.Table(r.Schema, r.From) != nil:
			return fmt.Errorf("table %s is in the target too, so it is not dropped (%s)", qualify(r.Schema, r.From), found())
		case to.Table(r.Schema, r.To) == nil:
			return fmt.Errorf("the target has no table %s (%s)", qualify(r.Schema, r.To), found())
		case from.Table(r.Schema, r.To) != nil:
			return fmt.Errorf("table %s is in the database already, so it is not added (%s)", qualify(r.Schema, r.To), found())
		}
		return nil
	}
	nt := to.Table(r.Schema, r.Table)
	if nt == nil {
		return fmt.Errorf("the target has no table %s", qualify(r.Schema, r.Table))
	}
	oldName := oldTable(known, r.Schema, r.Table)
	ot := from.Table(r.Schema, oldName)
	if ot == nil {
		return fmt.Errorf("the database has no table %s: it is new in the target, so none of its columns is renamed", qualify(r.Schema, oldName))
	}
	dropped, added := columnChanges(ot, nt)
	found := func() string {
		return fmt.Sprintf("columns the target drops from %s: %s; columns it adds: %s", qualify(r.Schema, r.Table), list(dropped), list(added))
	}
	switch {
	case ot.Column(r.From) == nil:
		return fmt.Errorf("the database has no column %s.%s (%s)", qualify(r.Schema, oldName), r.From, found())
	case nt.Column(r.From) != nil:
		return fmt.Errorf("column %s.%s is in the target too, so it is not dropped (%s)", qualify(r.Schema, r.Table), r.From, found())
	case nt.Column(r.To) == nil:
		return fmt.Errorf("the target has no column %s.%s (%s)", qualify(r.Schema, r.Table), r.To, found())
	case ot.Column(r.To) != nil:
		return fmt.Errorf("column %s.%s is in the database already, so it is not added (%s)", qualify(r.Schema, oldName), r.To, found())
	}
	return nil
}

func list(names []string) string {
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ", ")
}

// tableChanges lists the tables of schema sch that from has and to lacks
// (dropped) and the other way round (added).
func tableChanges(from, to *schema.Schema, sch string) (dropped, added []string) {
	for _, t := range from.Tables {
		if t.Schema == sch && to.Table(sch, t.Name) == nil {
			dropped = append(dropped, t.Name)
		}
	}
	for _, t := range to.Tables {
		if t.Schema == sch && from.Table(sch, t.Name) == nil {
			added = append(added, t.Name)
		}
	}
	return dropped, added
}

func columnChanges(old, new *schema.Table) (dropped, added []string) {
	for _, c := range old.Columns {
		if new.Column(c.Name) == nil {
			dropped = append(dropped, c.Name)
		}
	}
	for _, c := range new.Columns {
		if old.Column(c.Name) == nil {
			added = append(added, c.Name)
		}
	}
	return dropped, added
}

// renameOps checks renames and returns their ops: table renames, then
// column renames (which name the table by its new name).
func renameOps(from, to *schema.Schema, renames []Rename) ([]op.Op, error) {
	var tables, columns []op.Op
	for i, r := range renames {
		if err := checkRename(from, to, renames[:i], r); err != nil {
			return nil, fmt.Errorf("rename %s: %w", r, err)
		}
		if r.IsColumn() {
			columns = append(columns, &op.RenameColumn{Table: op.TableRef{Schema: r.Schema, Name: r.Table}, From: r.From, To: r.To})
		} else {
			tables = append(tables, &op.RenameTable{Table: op.TableRef{Schema: r.Schema, Name: r.From}, To: r.To})
		}
	}
	return append(tables, columns...), nil
}

// DetectRenames returns the likely renames between from and to besides
// known (renames already decided on, which it takes as given): a dropped and
// an added table in the same schema whose columns mostly match (at least
// half of all their columns by name, type and nullability, or the same
// types and nullability in order, see tableScore), and, in each table the
// two schemas share by name or by a table rename in known, a dropped and an
// added column of the same type and nullability. A pair is returned only
// when each is the other's single best match; ties are left alone, as
// drops and adds. Table renames come first, then column renames, in the
// schemas' order.
//
// Columns are only looked for in tables matched without the table renames
// returned here: after a table rename is accepted, call DetectRenames again
// with it in known for its columns.
func DetectRenames(from, to *schema.Schema, known []Rename) []Rename {
	if from == nil || to == nil {
		return nil
	}
	var out []Rename
	// Tables.
	type tkey struct{ sch, name string }
	taken := map[tkey]bool{}
	for _, k := range known {
		if !k.IsColumn() {
			taken[tkey{k.Schema, k.From}], taken[tkey{k.Schema, k.To}] = true, true
		}
	}
	var dropped, added []*schema.Table
	for _, t := range from.Tables {
		if to.Table(t.Schema, t.Name) == nil && !taken[tkey{t.Schema, t.Name}] {
			dropped = append(dropped, t)
		}
	}
	for _, t := range to.Tables {
		if from.Table(t.Schema, t.Name) == nil && !taken[tkey{t.Schema, t.Name}] {
			added = append(added, t)
		}
	}
	for _, p := range bestPairs(len(dropped), len(added), func(i, j int) float64 {
		if dropped[i].Schema != added[j].Schema {
			return 0
		}
		if s := tableScore(dropped[i], added[j]); s >= 0.5 {
			return s
		}
		return 0
	}) {
		out = append(out, Rename{Schema: dropped[p[0]].Schema, From: dropped[p[0]].Name, To: added[p[1]].Name})
	}
	// Columns.
	for _, nt := range to.Tables {
		ot := from.Table(nt.Schema, oldTable(known, nt.Schema, nt.Name))
		if ot == nil {
			continue
		}
		var dc, ac []schema.Column
		for _, c := range ot.Columns {
			if nt.Column(c.Name) == nil && !slices.ContainsFunc(known, func(k Rename) bool {
				return k.Schema == nt.Schema && k.Table == nt.Name && k.From == c.Name
			}) {
				dc = append(dc, c)
			}
		}
		for _, c := range nt.Columns {
			if ot.Column(c.Name) == nil && !slices.ContainsFunc(known, func(k Rename) bool {
				return k.Schema == nt.Schema && k.Table == nt.Name && k.To == c.Name
			}) {
				ac = append(ac, c)
			}
		}
		for _, p := range bestPairs(len(dc), len(ac), func(i, j int) float64 { return columnScore(dc[i], ac[j]) }) {
			out = append(out, Rename{Schema: nt.Schema, Table: nt.Name, From: dc[p[0]].Name, To: ac[p[1]].Name})
		}
	}
	return out
}

// bestPairs returns the pairs (i, j), i < n, j < m, with score(i, j) > 0
// where j is i's single best match and i is j's.
func bestPairs(n, m int, score func(i, j int) float64) [][2]int {
	if n == 0 || m == 0 {
		return nil
	}
	s := make([][]float64, n)
	for i := range s {
		s[i] = make([]float64, m)
		for j := range s[i] {
			s[i][j] = score(i, j)
		}
	}
	// best returns the index of the single maximum of f over k < l, or -1
	// on a tie or when the maximum is 0.
	best := func(l int, f func(k int) float64) int {
		b, bs, tie := -1, 0.0, false
		for k := 0; k < l; k++ {
			switch v := f(k); {
			case v > bs:
				b, bs, tie = k, v, false
			case v == bs && v > 0:
				tie = true
			}
		}
		if tie {
			return -1
		}
		return b
	}
	var out [][2]int
	for i := 0; i < n; i++ {
		j := best(m, func(k int) float64 { return s[i][k] })
		if j >= 0 && best(n, func(k int) float64 { return s[k][j] }) == i {
			out = append(out, [2]int{i, j})
		}
	}
	return out
}

// tableScore says how alike two tables' columns are, from 0 to 1: the
// share of their columns (by name, type and nullability) both have, or,
// when more, 0.9 for the same column types and nullability in the same
// order whatever the names (columns renamed too), 0.8 × the share of
// shapes (type and nullability) both have in any order.
func tableScore(a, b *schema.Table) float64 {
	both := 0
	for _, c := range a.Columns {
		if o := b.Column(c.Name); o != nil && o.Type.Equal(c.Type) && o.Nullable == c.Nullable {
			both++
		}
	}
	union := len(a.Columns) + len(b.Columns) - both
	if union == 0 {
		return 0
	}
	byName := float64(both) / float64(union)
	sameShape := func(x, y schema.Column) bool { return x.Type.Equal(y.Type) && x.Nullable == y.Nullable }
	if slices.EqualFunc(a.Columns, b.Columns, sameShape) {
		return max(byName, 0.9)
	}
	rest := slices.Clone(b.Columns)
	shared := 0
	for _, c := range a.Columns {
		if i := slices.IndexFunc(rest, func(o schema.Column) bool { return sameShape(c, o) }); i >= 0 {
			rest = slices.Delete(rest, i, i+1)
			shared++
		}
	}
	return max(byName, 0.8*float64(shared)/float64(len(a.Columns)+len(b.Columns)-shared))
}

// columnScore is 0 for columns of different types or nullability, and
// otherwise grows with what else they share.
func columnScore(a, b schema.Column) float64 {
	if !a.Type.Equal(b.Type) || a.Nullable != b.Nullable {
		return 0
	}
	s := 1.0
	for _, same := range []bool{a.Default == b.Default, a.Comment == b.Comment, a.Collation == b.Collation,
		a.AutoIncrement == b.AutoIncrement, (a.Identity == nil) == (b.Identity == nil), (a.Generated == nil) == (b.Generated == nil)} {
		if same {
			s += 0.1
		}
	}
	return s
}
