//go:build linux

package script

import (
	"sort"

	"golang.org/x/sys/unix"
)

func statID(st *unix.Stat_t) fileID {
	return fileID{dev: st.Dev, ino: st.Ino, size: st.Size,
		mtimeNs: st.Mtim.Sec*1e9 + st.Mtim.Nsec, ctimeNs: st.Ctim.Sec*1e9 + st.Ctim.Nsec}
}

func sortStrings(s []string) { sort.Strings(s) }
