package script

import "fmt"

// headerOnly marks scripts restored from the cache: no sections.
func (s *Script) headerOnlyMark() { s.headerOnly = true }

// HeaderOnly reports whether the script came from the header cache and has
// no sections yet; Complete reads them.
func (s *Script) HeaderOnly() bool { return s.headerOnly }

// Complete reads and parses the file of a header-only script, filling its
// sections. The file must still carry the same revision id.
func (s *Script) Complete() error {
	if !s.headerOnly {
		return nil
	}
	data, err := readFile(s.Path)
	if err != nil {
		return err
	}
	full, err := Parse(s.Path, data)
	if err != nil {
		return err
	}
	if full.ID != s.ID {
		return fmt.Errorf("%s changed while retort was running (revision %s is now %s); run the command again", s.Path, s.ID, full.ID)
	}
	*s = *full
	return nil
}
