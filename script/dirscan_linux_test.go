//go:build linux

package script

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

func TestReadDirNamesAndStatAt(t *testing.T) {
	dir := t.TempDir()
	// Enough long names that the listing outgrows its first buffer.
	var want []string
	for i := range 3500 {
		name := fmt.Sprintf("%06d_%s.sql", i, strings.Repeat("x", 70))
		want = append(want, name)
		if err := os.WriteFile(filepath.Join(dir, name), []byte("-- m\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Mkdir(filepath.Join(dir, "sub.sql"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(want[0], filepath.Join(dir, "link.sql")); err != nil {
		t.Fatal(err)
	}
	want = append(want, "sub.sql", "link.sql")
	slices.Sort(want)

	f, err := os.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	fd := int(f.Fd())
	got, err := readDirNames(fd)
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Fatalf("readDirNames: %d names, want %d (first: %q)", len(got), len(want), got[:min(3, len(got))])
	}

	for _, name := range got {
		id, regular, err := statAt(fd, name)
		if err != nil {
			t.Fatalf("statAt(%s): %v", name, err)
		}
		var st unix.Stat_t
		if err := unix.Stat(filepath.Join(dir, name), &st); err != nil {
			t.Fatal(err)
		}
		wantRegular := st.Mode&unix.S_IFMT == unix.S_IFREG
		if regular != wantRegular || id.ino != st.Ino || id.size != st.Size ||
			id.mtimeNs != st.Mtim.Sec*1e9+st.Mtim.Nsec || id.ctimeNs != st.Ctim.Sec*1e9+st.Ctim.Nsec {
			t.Fatalf("statAt(%s) = %+v regular=%v; stat says ino %d size %d regular=%v", name, id, regular, st.Ino, st.Size, wantRegular)
		}
	}
	// The symbolic link is followed: same file as its target. (statAt
	// needs the NUL-terminated names of readDirNames.)
	listed := func(name string) string { return got[slices.Index(got, name)] }
	a, _, _ := statAt(fd, listed("link.sql"))
	b, _, _ := statAt(fd, listed(want[0]))
	if a != b {
		t.Errorf("link.sql %+v, its target %+v", a, b)
	}
	if _, _, err := statAt(fd, "missing.sql\x00"[:len("missing.sql")]); err == nil {
		t.Error("statAt of a missing file: no error")
	}
}
