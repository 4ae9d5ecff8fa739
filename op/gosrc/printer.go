package gosrc

import (
	"errors"
	"fmt"
	"math"
	"path"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/retortdb/retort/schema"
)

// width is the longest one-line literal, counted from the start of its
// line's text (indentation aside), before it is split one element per line.
const width = 110

// skipped reports whether a field is informational and left out of the
// output: schema.Type.Raw (see the package documentation).
func skipped(t reflect.Type, f reflect.StructField) bool {
	return t == reflect.TypeFor[schema.Type]() && f.Name == "Raw"
}

// place is where a value is printed, which decides how much of its type
// the literal must spell out.
type place int

const (
	// ctxField is a struct field or other place of a known concrete type:
	// untyped constants do, composite literals need their type.
	ctxField place = iota
	// ctxElem is an element or key of a slice, array or map literal: as
	// ctxField, but a composite literal (or &T{...}) may elide its type.
	ctxElem
	// ctxInterface is a place of interface type (an op in o.Run's list, an
	// any field) or new's operand: the expression must have the value's
	// exact type.
	ctxInterface
)

// node is a printed value: a leaf (text only) or a composite literal whose
// layout, one line or one element per line, emit decides.
type node struct {
	leaf  bool
	text  string // a leaf's text
	open  string // a composite's text before '{': "&schema.Table", "" when elided, "new([]int"
	close string // a composite's text after '}': "", ")"
	elems []elem
	force bool // print one element per line
	multi bool // holds a multi-line leaf, so it cannot be printed on one line
}

type elem struct {
	key string // field name or map key; "" for a slice or array element
	val *node
}

func leaf(text string) *node {
	return &node{leaf: true, text: text, multi: strings.Contains(text, "\n")}
}

// flat is n on one line.
func (n *node) flat() string {
	if n.leaf {
		return n.text
	}
	var b strings.Builder
	b.WriteString(n.open)
	b.WriteByte('{')
	for i, e := range n.elems {
		if i > 0 {
			b.WriteString(", ")
		}
		if e.key != "" {
			b.WriteString(e.key)
			b.WriteString(": ")
		}
		b.WriteString(e.val.flat())
	}
	b.WriteByte('}')
	b.WriteString(n.close)
	return b.String()
}

// emit writes n at the current position of b, whose line holds used
// characters of text (indentation aside) besides n, counting what follows
// n on the line. Lines n adds are indented with depth+1 tabs, its closing
// brace with depth.
func emit(b *strings.Builder, n *node, depth, used int) {
	if n.leaf {
		b.WriteString(n.text)
		return
	}
	if len(n.elems) == 0 || (!n.force && !n.multi) {
		if f := n.flat(); len(n.elems) == 0 || used+len(f) <= width {
			b.WriteString(f)
			return
		}
	}
	b.WriteString(n.open)
	b.WriteString("{\n")
	for _, e := range n.elems {
		b.WriteString(strings.Repeat("\t", depth+1))
		pre := ""
		if e.key != "" {
			pre = e.key + ": "
		}
		b.WriteString(pre)
		emit(b, e.val, depth+1, len(pre)+1)
		b.WriteString(",\n")
	}
	b.WriteString(strings.Repeat("\t", depth))
	b.WriteByte('}')
	b.WriteString(n.close)
}

// printer turns values into nodes. It names only types of the packages in
// pkgs and records those it names in used.
type printer struct {
	pkgs     map[string]string // import path -> package name
	used     map[string]bool   // import paths named in the output
	structs  map[reflect.Type]*structInfo
	visiting map[uintptr]bool // pointers being printed, to catch cycles
}

type structInfo struct {
	fields []int // indexes of the fields to print, when checked
	err    error
}

// newPrinter returns a printer that may name the types of the packages
// with the given import paths, each by the last element of its path.
func newPrinter(paths ...string) *printer {
	p := &printer{
		pkgs:     map[string]string{},
		used:     map[string]bool{},
		structs:  map[reflect.Type]*structInfo{},
		visiting: map[uintptr]bool{},
	}
	for _, s := range paths {
		p.pkgs[s] = path.Base(s)
	}
	return p
}

// checkType reports whether the printer can print values of type t: every
// type it holds is unnamed or of an allowed package, and every struct field
// exported.
func (p *printer) checkType(t reflect.Type) error {
	if t.PkgPath() != "" {
		if _, ok := p.pkgs[t.PkgPath()]; !ok {
			return fmt.Errorf("type %s from package %s is not supported", t, t.PkgPath())
		}
		if strings.Contains(t.Name(), "[") {
			return fmt.Errorf("generic type %s is not supported", t)
		}
	}
	switch t.Kind() {
	case reflect.Bool, reflect.String,
		reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64:
		return nil
	case reflect.Interface:
		if t.Name() == "" && t.NumMethod() > 0 {
			return fmt.Errorf("unnamed interface type %s is not supported", t)
		}
		return nil
	case reflect.Pointer, reflect.Slice, reflect.Array:
		return p.checkType(t.Elem())
	case reflect.Map:
		if err := p.checkType(t.Key()); err != nil {
			return err
		}
		return p.checkType(t.Elem())
	case reflect.Struct:
		if t.Name() == "" {
			return fmt.Errorf("unnamed struct type %s is not supported", t)
		}
		_, err := p.structFields(t)
		return err
	}
	return fmt.Errorf("type %s (%s) is not supported", t, t.Kind())
}

// structFields returns the indexes of the fields of the named struct type t
// to print: all but the skipped ones. It fails when a field is unexported or
// of a type checkType rejects, whatever the value.
func (p *printer) structFields(t reflect.Type) ([]int, error) {
	if si, ok := p.structs[t]; ok {
		// Being checked (a recursive type) or done.
		return si.fields, si.err
	}
	si := &structInfo{}
	p.structs[t] = si
	var fields []int
	for i := range t.NumField() {
		f := t.Field(i)
		if skipped(t, f) {
			continue
		}
		if !f.IsExported() {
			si.err = fmt.Errorf("field %s.%s is unexported", t, f.Name)
			return nil, si.err
		}
		if err := p.checkType(f.Type); err != nil {
			si.err = fmt.Errorf("field %s.%s: %w", t, f.Name, err)
			return nil, si.err
		}
		fields = append(fields, i)
	}
	si.fields = fields
	return fields, nil
}

// typeName is t as written in the generated code, recording the import it
// needs.
func (p *printer) typeName(t reflect.Type) (string, error) {
	if t.Name() != "" {
		if t.PkgPath() == "" {
			return t.Name(), nil // string, int, error, …
		}
		name, ok := p.pkgs[t.PkgPath()]
		if !ok || strings.Contains(t.Name(), "[") {
			return "", p.checkType(t)
		}
		p.used[t.PkgPath()] = true
		return name + "." + t.Name(), nil
	}
	switch t.Kind() {
	case reflect.Pointer, reflect.Slice, reflect.Array:
		e, err := p.typeName(t.Elem())
		if err != nil {
			return "", err
		}
		switch t.Kind() {
		case reflect.Pointer:
			return "*" + e, nil
		case reflect.Slice:
			return "[]" + e, nil
		}
		return fmt.Sprintf("[%d]%s", t.Len(), e), nil
	case reflect.Map:
		k, err := p.typeName(t.Key())
		if err != nil {
			return "", err
		}
		e, err := p.typeName(t.Elem())
		if err != nil {
			return "", err
		}
		return "map[" + k + "]" + e, nil
	case reflect.Interface:
		if t.NumMethod() == 0 {
			return "any", nil
		}
	}
	return "", fmt.Errorf("type %s is not supported", t)
}

// value prints v, found at path (for errors), in context ctx.
func (p *printer) value(v reflect.Value, ctx place, at string) (*node, error) {
	n, err := p.value1(v, ctx, at)
	if err != nil {
		var pe *pathError
		if !errors.As(err, &pe) {
			err = &pathError{at: at, err: err}
		}
		return nil, err
	}
	return n, nil
}

// pathError is an error printing the value at a path.
type pathError struct {
	at  string
	err error
}

func (e *pathError) Error() string { return "gosrc: " + e.at + ": " + e.err.Error() }
func (e *pathError) Unwrap() error { return e.err }

func (p *printer) value1(v reflect.Value, ctx place, at string) (*node, error) {
	t := v.Type()
	if err := p.checkType(t); err != nil {
		return nil, err
	}
	switch t.Kind() {
	case reflect.Interface:
		if v.IsNil() {
			return leaf("nil"), nil
		}
		return p.value(v.Elem(), ctxInterface, at)

	case reflect.Pointer:
		if v.IsNil() {
			return p.typedNil(t, ctx)
		}
		ptr := v.Pointer()
		if p.visiting[ptr] {
			return nil, errors.New("cyclic value")
		}
		p.visiting[ptr] = true
		defer delete(p.visiting, ptr)
		e := v.Elem()
		switch {
		case e.Kind() == reflect.Struct,
			e.Kind() == reflect.Array,
			(e.Kind() == reflect.Slice || e.Kind() == reflect.Map) && !e.IsNil():
			// &T{...}, or {...} with the &T elided.
			n, err := p.value(e, ctxField, at)
			if err != nil {
				return nil, err
			}
			if ctx == ctxElem {
				n.open = ""
			} else {
				n.open = "&" + n.open
			}
			return n, nil
		}
		// new(expr) (Go 1.26) for a pointer to anything else.
		n, err := p.value(e, ctxInterface, at)
		if err != nil {
			return nil, err
		}
		if e.Kind() == reflect.Interface {
			// The operand must have the interface type, not the dynamic one.
			name, err := p.typeName(e.Type())
			if err != nil {
				return nil, err
			}
			n = wrap(n, name+"(", ")")
		}
		return wrap(n, "new(", ")"), nil

	case reflect.Struct:
		n, err := p.composite(t, ctx)
		if err != nil {
			return nil, err
		}
		fields, err := p.structFields(t)
		if err != nil {
			return nil, err
		}
		for _, i := range fields {
			fv := v.Field(i)
			if isZero(fv) {
				continue
			}
			name := t.Field(i).Name
			fn, err := p.value(fv, ctxField, at+"."+name)
			if err != nil {
				return nil, err
			}
			n.elems = append(n.elems, elem{key: name, val: fn})
			n.multi = n.multi || fn.multi
		}
		return n, nil

	case reflect.Slice, reflect.Array:
		if t.Kind() == reflect.Slice && v.IsNil() {
			return p.typedNil(t, ctx)
		}
		n, err := p.composite(t, ctx)
		if err != nil {
			return nil, err
		}
		for i := range v.Len() {
			en, err := p.value(v.Index(i), ctxElem, fmt.Sprintf("%s[%d]", at, i))
			if err != nil {
				return nil, err
			}
			n.elems = append(n.elems, elem{val: en})
			n.multi = n.multi || en.multi
		}
		return n, nil

	case reflect.Map:
		if v.IsNil() {
			return p.typedNil(t, ctx)
		}
		n, err := p.composite(t, ctx)
		if err != nil {
			return nil, err
		}
		type entry struct {
			key  string
			k, v reflect.Value
		}
		var entries []entry
		for it := v.MapRange(); it.Next(); {
			kn, err := p.value(it.Key(), ctxElem, at+"[key]")
			if err != nil {
				return nil, err
			}
			entries = append(entries, entry{kn.flat(), it.Key(), it.Value()})
		}
		sort.Slice(entries, func(i, j int) bool { return lessKey(entries[i].k, entries[j].k, entries[i].key, entries[j].key) })
		for _, e := range entries {
			vn, err := p.value(e.v, ctxElem, at+"["+e.key+"]")
			if err != nil {
				return nil, err
			}
			n.elems = append(n.elems, elem{key: e.key, val: vn})
			n.multi = n.multi || vn.multi || strings.Contains(e.key, "\n")
		}
		return n, nil

	case reflect.String:
		return p.basic(t, ctx, quote(v.String()), t.Name() == "string" && t.PkgPath() == "")
	case reflect.Bool:
		return p.basic(t, ctx, strconv.FormatBool(v.Bool()), t.Name() == "bool" && t.PkgPath() == "")
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return p.basic(t, ctx, strconv.FormatInt(v.Int(), 10), t.Name() == "int" && t.PkgPath() == "")
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return p.basic(t, ctx, strconv.FormatUint(v.Uint(), 10), false)
	case reflect.Float32, reflect.Float64:
		f := v.Float()
		if math.IsInf(f, 0) || math.IsNaN(f) {
			return nil, fmt.Errorf("non-finite %s %v is not supported", t, f)
		}
		if f == 0 && math.Signbit(f) {
			return nil, fmt.Errorf("negative zero %s is not supported", t)
		}
		s := strconv.FormatFloat(f, 'g', -1, t.Bits())
		isDefault := t.Name() == "float64" && t.PkgPath() == "" && strings.ContainsAny(s, ".e")
		return p.basic(t, ctx, s, isDefault)
	}
	return nil, fmt.Errorf("type %s is not supported", t)
}

// wrap surrounds the expression n with pre and post.
func wrap(n *node, pre, post string) *node {
	if n.leaf {
		return leaf(pre + n.text + post)
	}
	n.open = pre + n.open
	n.close += post
	return n
}

// isZero reports whether v is its type's zero value, so that a field
// holding it can be omitted. Unlike reflect.Value.IsZero it tells a
// negative zero float from 0, and it ignores skipped fields.
func isZero(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Float32, reflect.Float64:
		return math.Float64bits(v.Float()) == 0
	case reflect.Struct:
		t := v.Type()
		for i := range v.NumField() {
			if !skipped(t, t.Field(i)) && !isZero(v.Field(i)) {
				return false
			}
		}
		return true
	case reflect.Array:
		for i := range v.Len() {
			if !isZero(v.Index(i)) {
				return false
			}
		}
		return true
	}
	return v.IsZero()
}

// composite starts the composite literal of a value of type t.
func (p *printer) composite(t reflect.Type, ctx place) (*node, error) {
	if ctx == ctxElem {
		return &node{}, nil
	}
	name, err := p.typeName(t)
	if err != nil {
		return nil, err
	}
	return &node{open: name}, nil
}

// typedNil prints the nil value of the pointer, slice or map type t.
func (p *printer) typedNil(t reflect.Type, ctx place) (*node, error) {
	if ctx != ctxInterface {
		return leaf("nil"), nil
	}
	name, err := p.typeName(t)
	if err != nil {
		return nil, err
	}
	if strings.HasPrefix(name, "*") {
		name = "(" + name + ")"
	}
	return leaf(name + "(nil)"), nil
}

// basic prints the literal lit of type t: as is, or converted to t in an
// interface context unless t is the literal's default type.
func (p *printer) basic(t reflect.Type, ctx place, lit string, isDefault bool) (*node, error) {
	if ctx != ctxInterface || isDefault {
		return leaf(lit), nil
	}
	name, err := p.typeName(t)
	if err != nil {
		return nil, err
	}
	return leaf(name + "(" + lit + ")"), nil
}

// lessKey orders map keys: by value for strings, numbers and booleans, by
// their printed form otherwise.
func lessKey(a, b reflect.Value, as, bs string) bool {
	switch a.Kind() {
	case reflect.String:
		return a.String() < b.String()
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return a.Int() < b.Int()
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return a.Uint() < b.Uint()
	case reflect.Float32, reflect.Float64:
		return a.Float() < b.Float()
	case reflect.Bool:
		return !a.Bool() && b.Bool()
	}
	return as < bs
}

// quote is s as a Go string literal: a raw string for multi-line text when
// that is safe and exact, strconv.Quote otherwise.
func quote(s string) string {
	if rawOK(s) {
		return "`" + s + "`"
	}
	return strconv.Quote(s)
}

// rawOK reports whether s, holding a newline, reads back exactly from a raw
// string and survives editors: valid printable UTF-8 besides tabs and
// newlines, no backquote, no carriage return (dropped from raw strings), no
// blank at the end of a line.
func rawOK(s string) bool {
	if !strings.Contains(s, "\n") || strings.ContainsAny(s, "`\r") || !utf8.ValidString(s) {
		return false
	}
	for line := range strings.SplitSeq(s, "\n") {
		if strings.TrimRight(line, " \t") != line {
			return false
		}
		for _, r := range line {
			if r != '\t' && !unicode.IsPrint(r) {
				return false
			}
		}
	}
	return true
}
