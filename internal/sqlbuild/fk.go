package sqlbuild

import "github.com/retortdb/retort/schema"

// ForeignKeyActions is the tail of a FOREIGN KEY clause: ON DELETE, ON
// UPDATE and, where the dialect has them (deferrable is set only where it
// does), DEFERRABLE [INITIALLY DEFERRED]. Every dialect spells these alike.
func ForeignKeyActions(fk schema.ForeignKey) string {
	s := ""
	if fk.OnDelete != "" {
		s += " ON DELETE " + fk.OnDelete
	}
	if fk.OnUpdate != "" {
		s += " ON UPDATE " + fk.OnUpdate
	}
	if fk.Deferrable {
		s += " DEFERRABLE"
		if fk.InitiallyDeferred {
			s += " INITIALLY DEFERRED"
		}
	}
	return s
}
