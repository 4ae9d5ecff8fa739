//go:build linux

package script

import "slices"

func sortStrings(s []string) { slices.Sort(s) }
