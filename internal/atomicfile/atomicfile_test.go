package atomicfile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"testing"
)

func read(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// onlyFiles fails if dir holds anything but names (no leftover temp files).
func onlyFiles(t *testing.T, dir string, names ...string) {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range ents {
		got = append(got, e.Name())
	}
	if fmt.Sprint(got) != fmt.Sprint(names) {
		t.Errorf("dir holds %v, want %v", got, names)
	}
}

func TestWrite(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "a.sql")
	if err := Write(p, []byte("one"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got := read(t, p); got != "one" {
		t.Errorf("content %q", got)
	}
	if err := Write(p, []byte("two"), 0o600); err != nil {
		t.Fatal(err)
	}
	if got := read(t, p); got != "two" {
		t.Errorf("content %q after replace", got)
	}
	onlyFiles(t, dir, "a.sql")
}

func TestWriteRelative(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	if err := Write("rel.txt", []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := WriteNew("new.txt", []byte("y"), 0o644); err != nil {
		t.Fatal(err)
	}
	onlyFiles(t, dir, "new.txt", "rel.txt")
}

func TestWriteNew(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "a.sql")
	if err := WriteNew(p, []byte("one"), 0o644); err != nil {
		t.Fatal(err)
	}
	err := WriteNew(p, []byte("two"), 0o644)
	if !errors.Is(err, fs.ErrExist) {
		t.Fatalf("err = %v, want fs.ErrExist", err)
	}
	if want := "create " + p + ": file already exists"; err.Error() != want {
		t.Errorf("err = %q, want %q", err, want)
	}
	if got := read(t, p); got != "one" {
		t.Errorf("existing file clobbered: %q", got)
	}
	onlyFiles(t, dir, "a.sql")
}

func TestWriteNewRace(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "a.sql")
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		wins []int
	)
	for i := range 16 {
		wg.Go(func() {
			err := WriteNew(p, []byte(fmt.Sprint(i)), 0o644)
			if err == nil {
				mu.Lock()
				wins = append(wins, i)
				mu.Unlock()
			} else if !errors.Is(err, fs.ErrExist) {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if len(wins) != 1 {
		t.Fatalf("%d writers succeeded", len(wins))
	}
	if got := read(t, p); got != fmt.Sprint(wins[0]) {
		t.Errorf("content %q, winner %d", got, wins[0])
	}
	onlyFiles(t, dir, "a.sql")
}

func TestPlaceNewWithoutLink(t *testing.T) {
	// The O_EXCL fallback, used where hard links fail: exercise it directly.
	dir := t.TempDir()
	tmp := filepath.Join(dir, ".a.tmp")
	p := filepath.Join(dir, "a.sql")
	if err := os.WriteFile(tmp, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	// A failing link (the temp file is missing) with an existing target
	// reports the target as existing.
	if err := placeNew(filepath.Join(dir, "missing"), p, 0o644); !errors.Is(err, fs.ErrExist) {
		t.Errorf("err = %v, want fs.ErrExist", err)
	}
	if err := os.Remove(p); err != nil {
		t.Fatal(err)
	}
	if err := placeNew(tmp, p, 0o644); err != nil {
		t.Fatal(err)
	}
	if got := read(t, p); got != "x" {
		t.Errorf("content %q", got)
	}
}

func TestWriteErrors(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "no", "a.sql")
	if err := Write(missing, nil, 0o644); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Write into a missing dir: %v", err)
	}
	if err := WriteNew(missing, nil, 0o644); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("WriteNew into a missing dir: %v", err)
	}
	// Replacing a directory fails and leaves no temp file.
	sub := filepath.Join(dir, "sub")
	if err := os.MkdirAll(filepath.Join(sub, "x"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := Write(sub, []byte("x"), 0o644); err == nil {
		t.Errorf("Write over a non-empty directory succeeded")
	}
	onlyFiles(t, dir, "sub")
}
