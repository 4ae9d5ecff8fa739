package schema

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// String renders s one object per line in a DDL-like, deterministic form
// that shows every field Equal compares, so that two schemas are Equal
// exactly when their Strings are (once sorted). It is meant for test
// failures and debugging; use [Diff] to show what differs.
//
//	namespace billing
//	enum mood ('happy', 'sad')
//	table users COMMENT 'people'
//	  column id integer NOT NULL IDENTITY ALWAYS START 1 INCREMENT 1
//	  column email varchar(200) NULL DEFAULT 'x' COLLATE "C"
//	  primary key users_pkey (id)
//	  unique users_email_key (email)
//	  index ix_users_lower UNIQUE (lower(email) DESC) WHERE (email IS NOT NULL)
//	  foreign key fk (org_id) REFERENCES orgs (id) ON DELETE CASCADE
//	  check ck_email (email <> '')
func (s *Schema) String() string {
	if s == nil {
		return "<nil schema>\n"
	}
	var b strings.Builder
	for _, n := range s.Namespaces {
		b.WriteString("namespace " + ident(n) + "\n")
	}
	for _, e := range s.Enums {
		b.WriteString(e.String() + "\n")
	}
	for _, t := range s.Tables {
		b.WriteString(t.String())
	}
	return b.String()
}

// String renders e as "enum name ('a', 'b')".
func (e *Enum) String() string {
	if e == nil {
		return "<nil enum>"
	}
	vals := make([]string, len(e.Values))
	for i, v := range e.Values {
		vals[i] = quoteString(v)
	}
	return "enum " + qident(e.Schema, e.Name) + " (" + strings.Join(vals, ", ") + ")"
}

// String renders t on several lines: a "table" line, then one indented line
// per column, key, index, foreign key, check and trigger.
func (t *Table) String() string {
	if t == nil {
		return "<nil table>\n"
	}
	var b strings.Builder
	b.WriteString("table " + qident(t.Schema, t.Name))
	if t.Comment != "" {
		b.WriteString(" COMMENT " + quoteString(t.Comment))
	}
	b.WriteString(t.Extra.suffix())
	b.WriteByte('\n')
	for _, c := range t.Columns {
		b.WriteString("  column " + c.String() + "\n")
	}
	if pk := t.PrimaryKey; pk != nil {
		b.WriteString("  primary key " + named(pk.Name) + "(" + idents(pk.Columns) + ")\n")
	}
	for _, u := range t.Uniques {
		b.WriteString("  unique " + named(u.Name) + "(" + idents(u.Columns) + ")" + u.Extra.suffix() + "\n")
	}
	for _, x := range t.Indexes {
		b.WriteString("  index " + x.String() + "\n")
	}
	for _, f := range t.ForeignKeys {
		b.WriteString("  foreign key " + f.String() + "\n")
	}
	for _, c := range t.Checks {
		b.WriteString("  check " + named(c.Name) + "(" + c.Expr + ")" + c.Extra.suffix() + "\n")
	}
	for _, tr := range t.Triggers {
		b.WriteString("  trigger " + ident(tr.Name) + " " + strconv.Quote(tr.SQL) + "\n")
	}
	return b.String()
}

// String renders c as "name type NULL|NOT NULL" followed by its other
// properties.
func (c Column) String() string {
	var b strings.Builder
	b.WriteString(ident(c.Name) + " " + c.Type.String())
	if c.Nullable {
		b.WriteString(" NULL")
	} else {
		b.WriteString(" NOT NULL")
	}
	if c.Default != "" {
		b.WriteString(" DEFAULT " + c.Default)
	}
	if c.AutoIncrement {
		b.WriteString(" AUTO_INCREMENT")
	}
	if id := c.Identity; id != nil {
		kind := "BY DEFAULT"
		if id.Always {
			kind = "ALWAYS"
		}
		fmt.Fprintf(&b, " IDENTITY %s START %d INCREMENT %d", kind, id.Start, id.Increment)
	}
	if g := c.Generated; g != nil {
		kind := "VIRTUAL"
		if g.Stored {
			kind = "STORED"
		}
		b.WriteString(" GENERATED (" + g.Expr + ") " + kind)
	}
	if c.Collation != "" {
		b.WriteString(" COLLATE " + strconv.Quote(c.Collation))
	}
	if c.Comment != "" {
		b.WriteString(" COMMENT " + quoteString(c.Comment))
	}
	b.WriteString(c.Extra.suffix())
	return b.String()
}

// String renders t in a generic SQL spelling: name(length),
// name(precision,scale), enum('a','b'), with UNSIGNED and [] as needed. A
// time type's precision is always shown. It is not any dialect's DDL.
func (t Type) String() string {
	var b strings.Builder
	if t.UserDefined {
		b.WriteString(qident(t.Schema, t.Name))
	} else if t.Name == "" {
		b.WriteString("<none>")
	} else {
		b.WriteString(t.Name)
	}
	// In a well-formed type at most one group of parameters is set; should
	// several be, all are shown, so that String still tells types apart.
	if t.EnumValues != nil {
		vals := make([]string, len(t.EnumValues))
		for i, v := range t.EnumValues {
			vals[i] = quoteString(v)
		}
		b.WriteString("(" + strings.Join(vals, ",") + ")")
	}
	if t.Length != 0 {
		b.WriteString("(" + strconv.Itoa(t.Length) + ")")
	}
	if t.Scale != 0 {
		fmt.Fprintf(&b, "(%d,%d)", t.Precision, t.Scale)
	} else if t.Precision != 0 {
		fmt.Fprintf(&b, "(%d)", t.Precision)
	}
	if t.Unsigned {
		b.WriteString(" unsigned")
	}
	if t.Array {
		b.WriteString("[]")
	}
	return b.String()
}

// String renders x as "name [UNIQUE] (parts) …".
func (x Index) String() string {
	var b strings.Builder
	b.WriteString(ident(x.Name))
	if x.Unique {
		b.WriteString(" UNIQUE")
	}
	parts := make([]string, len(x.Parts))
	for i, p := range x.Parts {
		parts[i] = p.String()
	}
	b.WriteString(" (" + strings.Join(parts, ", ") + ")")
	if len(x.Include) > 0 {
		b.WriteString(" INCLUDE (" + idents(x.Include) + ")")
	}
	if x.Where != "" {
		b.WriteString(" WHERE (" + x.Where + ")")
	}
	if x.Method != "" {
		b.WriteString(" USING " + x.Method)
	}
	if x.Comment != "" {
		b.WriteString(" COMMENT " + quoteString(x.Comment))
	}
	b.WriteString(x.Extra.suffix())
	return b.String()
}

// String renders a key part: a column name, or an expression in
// parentheses, with its modifiers.
func (p IndexPart) String() string {
	var s string
	switch {
	case p.Expr == "":
		s = ident(p.Column)
	case p.Column == "":
		s = "(" + p.Expr + ")"
	default: // not well-formed, but shown whole
		s = ident(p.Column) + " (" + p.Expr + ")"
	}
	if p.Prefix != 0 {
		s += "(" + strconv.Itoa(p.Prefix) + ")"
	}
	if p.Collation != "" {
		s += " COLLATE " + strconv.Quote(p.Collation)
	}
	if p.Desc {
		s += " DESC"
	}
	return s + p.Extra.suffix()
}

// String renders f as "name (cols) REFERENCES table (cols) …".
func (f ForeignKey) String() string {
	var b strings.Builder
	b.WriteString(named(f.Name) + "(" + idents(f.Columns) + ") REFERENCES " +
		qident(f.RefSchema, f.RefTable) + " (" + idents(f.RefColumns) + ")")
	if f.OnDelete != "" {
		b.WriteString(" ON DELETE " + f.OnDelete)
	}
	if f.OnUpdate != "" {
		b.WriteString(" ON UPDATE " + f.OnUpdate)
	}
	if f.Deferrable {
		b.WriteString(" DEFERRABLE")
	}
	if f.InitiallyDeferred {
		b.WriteString(" INITIALLY DEFERRED")
	}
	b.WriteString(f.Extra.suffix())
	return b.String()
}

// String renders a as "{k=v, …}" with sorted keys; "" when empty.
func (a Attrs) String() string {
	if len(a) == 0 {
		return ""
	}
	keys := make([]string, 0, len(a))
	for k := range a {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for i, k := range keys {
		keys[i] = k + "=" + strconv.Quote(a[k])
	}
	return "{" + strings.Join(keys, ", ") + "}"
}

func (a Attrs) suffix() string {
	if len(a) == 0 {
		return ""
	}
	return " " + a.String()
}

// named is "name " or "" for an unnamed constraint.
func named(name string) string {
	if name == "" {
		return ""
	}
	return ident(name) + " "
}

// ident writes a name bare when it is a plain lower-case identifier and in
// double quotes otherwise, so unusual names stand out.
func ident(name string) string {
	if name == "" {
		return `""`
	}
	for i, r := range name {
		if r >= 'a' && r <= 'z' || r == '_' || i > 0 && (r >= '0' && r <= '9' || r == '$') {
			continue
		}
		return `"` + strings.ReplaceAll(name, `"`, `""`) + `"`
	}
	return name
}

func qident(schema, name string) string {
	if schema == "" {
		return ident(name)
	}
	return ident(schema) + "." + ident(name)
}

func idents(names []string) string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = ident(n)
	}
	return strings.Join(out, ", ")
}

func quoteString(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// Diff returns a line diff of want's and got's String forms, "" when they
// are Equal: lines only in want start with "- ", lines only in got with
// "+ ", and a few unchanged lines around each change with "  ".
func Diff(want, got *Schema) string {
	if want.Equal(got) {
		return ""
	}
	return diffLines(strings.SplitAfter(want.String(), "\n"), strings.SplitAfter(got.String(), "\n"))
}

// diffLines diffs a and b by their longest common subsequence, after
// trimming the common prefix and suffix.
func diffLines(a, b []string) string {
	pre := 0
	for pre < len(a) && pre < len(b) && a[pre] == b[pre] {
		pre++
	}
	suf := 0
	for suf < len(a)-pre && suf < len(b)-pre && a[len(a)-1-suf] == b[len(b)-1-suf] {
		suf++
	}
	ma, mb := a[pre:len(a)-suf], b[pre:len(b)-suf]
	type line struct {
		op   byte
		text string
	}
	var ops []line
	if len(ma)*len(mb) > 4<<20 {
		// Too big for the quadratic table: show both sides whole.
		for _, l := range ma {
			ops = append(ops, line{'-', l})
		}
		for _, l := range mb {
			ops = append(ops, line{'+', l})
		}
	} else {
		// lcs[i][j] is the LCS length of ma[i:] and mb[j:].
		lcs := make([][]int, len(ma)+1)
		for i := range lcs {
			lcs[i] = make([]int, len(mb)+1)
		}
		for i := len(ma) - 1; i >= 0; i-- {
			for j := len(mb) - 1; j >= 0; j-- {
				if ma[i] == mb[j] {
					lcs[i][j] = lcs[i+1][j+1] + 1
				} else {
					lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
				}
			}
		}
		i, j := 0, 0
		for i < len(ma) || j < len(mb) {
			switch {
			case i < len(ma) && j < len(mb) && ma[i] == mb[j]:
				ops = append(ops, line{' ', ma[i]})
				i, j = i+1, j+1
			case j < len(mb) && (i == len(ma) || lcs[i][j+1] >= lcs[i+1][j]):
				ops = append(ops, line{'+', mb[j]})
				j++
			default:
				ops = append(ops, line{'-', ma[i]})
				i++
			}
		}
	}
	const context = 2
	var out strings.Builder
	for k := max(0, pre-context); k < pre; k++ {
		out.WriteString("  " + a[k])
	}
	for _, l := range ops {
		out.WriteString(string(l.op) + " " + l.text)
	}
	for k := len(a) - suf; k < len(a) && k < len(a)-suf+context; k++ {
		out.WriteString("  " + a[k])
	}
	s := out.String()
	if !strings.HasSuffix(s, "\n") {
		s += "\n"
	}
	return s
}
