package cli

import "io"

// SetTerminal makes revision --autogenerate see stdin as a terminal (or
// not) until the returned function restores the check.
func SetTerminal(yes bool) (restore func()) {
	old := isTerminal
	isTerminal = func(io.Reader) bool { return yes }
	return func() { isTerminal = old }
}
