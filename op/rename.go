package op

import (
	"fmt"

	"github.com/retortdb/retort/schema"
)

// What RenameConstraint renames (its Kind).
const (
	RenamesPrimaryKey = "primary key"
	RenamesUnique     = "unique"
	RenamesCheck      = "check"
	RenamesForeignKey = "foreign key"
	RenamesIndex      = "index"
)

// RenameConstraint renames a primary key, unique, check or foreign key
// constraint, or an index (Kind, one of the Renames constants), of Table, keeping it as it is otherwise
// (PostgreSQL's ALTER TABLE … RENAME CONSTRAINT, ALTER INDEX … RENAME).
// The diff writes it, where the dialect can, for an object that differs
// only by its name, such as the primary key users_pkey of a table renamed
// to people, which the target calls people_pkey.
type RenameConstraint struct {
	Table    TableRef
	Kind     string
	From, To string
}

func (o *RenameConstraint) Reverse() (Op, error) {
	return &RenameConstraint{Table: o.Table, Kind: o.Kind, From: o.To, To: o.From}, nil
}

func (o *RenameConstraint) Destructive() bool { return false }

func (o *RenameConstraint) String() string {
	return "rename " + o.Kind + " " + o.From + " on " + o.Table.String() + " to " + o.To
}

func applyRenameConstraint(t *schema.Table, o *RenameConstraint) error {
	var exists, found bool
	rename := func(name *string) {
		switch *name {
		case o.To:
			exists = true
		case o.From:
			if !found {
				found = true
				*name = o.To
			}
		}
	}
	switch o.Kind {
	case RenamesPrimaryKey:
		if t.PrimaryKey != nil {
			pk := clonePK(*t.PrimaryKey)
			rename(&pk.Name)
			t.PrimaryKey = &pk
		}
	case RenamesUnique:
		for i := range t.Uniques {
			rename(&t.Uniques[i].Name)
		}
	case RenamesCheck:
		for i := range t.Checks {
			rename(&t.Checks[i].Name)
		}
	case RenamesForeignKey:
		for i := range t.ForeignKeys {
			rename(&t.ForeignKeys[i].Name)
		}
	case RenamesIndex:
		for i := range t.Indexes {
			rename(&t.Indexes[i].Name)
		}
	default:
		return fmt.Errorf("unknown kind %q", o.Kind)
	}
	switch {
	case exists:
		return fmt.Errorf("%s %s exists", o.Kind, o.To)
	case !found:
		return fmt.Errorf("no %s %s", o.Kind, o.From)
	}
	return nil
}
