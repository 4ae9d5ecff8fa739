//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package script

import "os"

func readFile(name string) ([]byte, error) { return os.ReadFile(name) }
