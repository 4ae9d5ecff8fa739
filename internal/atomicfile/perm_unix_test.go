//go:build unix

package atomicfile

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

func TestWritePerm(t *testing.T) {
	old := syscall.Umask(0o022)
	defer syscall.Umask(old)
	dir := t.TempDir()
	p := filepath.Join(dir, "a.sql")
	mode := func() os.FileMode {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		return fi.Mode().Perm()
	}
	if err := Write(p, []byte("one"), 0o666); err != nil {
		t.Fatal(err)
	}
	if m := mode(); m != 0o644 {
		t.Errorf("mode %v, want 0644 (umask applied)", m)
	}
	if err := Write(p, []byte("two"), 0o600); err != nil {
		t.Fatal(err)
	}
	if m := mode(); m != 0o600 {
		t.Errorf("mode %v after replace, want 0600", m)
	}
	if err := os.Remove(p); err != nil {
		t.Fatal(err)
	}
	if err := WriteNew(p, []byte("three"), 0o640); err != nil {
		t.Fatal(err)
	}
	if m := mode(); m != 0o640 {
		t.Errorf("WriteNew mode %v, want 0640", m)
	}
}
