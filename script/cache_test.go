//go:build linux

package script

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

func writeRev(t *testing.T, dir, name, id, down, body string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	text := "-- msg " + id + "\n--\n-- Revision ID: " + id + "\n-- Revises: " + down + "\n\n-- retort:upgrade\n" + body + "\n"
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func cacheIDs(scripts []*Script) []string {
	var out []string
	for _, s := range scripts {
		out = append(out, s.ID+"<"+fmtList(s.Down))
	}
	return out
}

func fmtList(l []string) string {
	out := ""
	for i, s := range l {
		if i > 0 {
			out += ","
		}
		out += s
	}
	return out
}

func TestHeaderCache(t *testing.T) {
	dir, cache := t.TempDir(), t.TempDir()
	writeRev(t, dir, "a.sql", "aaaa", "", "CREATE TABLE a (id INT);")
	bPath := writeRev(t, dir, "b.sql", "bbbb", "aaaa", "CREATE TABLE b (id INT);")

	first, err := LoadCached([]string{dir}, cache)
	if err != nil {
		t.Fatal(err)
	}
	if first[0].HeaderOnly() || first[0].Upgrade.SQL == "" {
		t.Fatal("a first load must parse the files")
	}
	second, err := LoadCached([]string{dir}, cache)
	if err != nil {
		t.Fatal(err)
	}
	if !second[1].HeaderOnly() || second[1].Upgrade.SQL != "" {
		t.Fatal("a second load must come from the cache")
	}
	if got, want := cacheIDs(second), []string{"aaaa<", "bbbb<aaaa"}; !slices.Equal(got, want) {
		t.Fatalf("cached graph %v, want %v", got, want)
	}
	if second[1].Checksum != first[1].Checksum || second[1].Path != bPath || second[1].Message != "msg bbbb" {
		t.Fatalf("cached header %+v", second[1])
	}
	if err := second[1].Complete(); err != nil || second[1].Upgrade.SQL != "CREATE TABLE b (id INT);" || second[1].HeaderOnly() {
		t.Fatalf("Complete: %v %+v", err, second[1])
	}

	// Rewrite b in place with the same size and put its mtime back: the
	// change time still gives it away.
	info, _ := os.Stat(bPath)
	writeRev(t, dir, "b.sql", "bbbb", "zzzz", "CREATE TABLE b (id INT);")
	if err := os.Chtimes(bPath, info.ModTime(), info.ModTime()); err != nil {
		t.Fatal(err)
	}
	third, err := LoadCached([]string{dir}, cache)
	if err != nil {
		t.Fatal(err)
	}
	if got := cacheIDs(third); !slices.Equal(got, []string{"aaaa<", "bbbb<zzzz"}) {
		t.Fatalf("after an in-place edit: %v", got)
	}

	// A removed file disappears, a new one appears.
	os.Remove(bPath)
	writeRev(t, dir, "c.sql", "cccc", "aaaa", "")
	fourth, err := LoadCached([]string{dir}, cache)
	if err != nil {
		t.Fatal(err)
	}
	if got := cacheIDs(fourth); !slices.Equal(got, []string{"aaaa<", "cccc<aaaa"}) {
		t.Fatalf("after remove+add: %v", got)
	}

	// A damaged cache file is an empty cache.
	matches, _ := filepath.Glob(filepath.Join(cache, "headers-*"))
	if len(matches) != 1 {
		t.Fatalf("cache files %v", matches)
	}
	if err := os.WriteFile(matches[0], []byte(cacheMagic+"\xff\xff\xff"), 0o644); err != nil {
		t.Fatal(err)
	}
	fifth, err := LoadCached([]string{dir}, cache)
	if err != nil || fifth[0].HeaderOnly() {
		t.Fatalf("damaged cache: %v", err)
	}

	// A broken file is reported even when others are cached.
	time.Sleep(10 * time.Millisecond)
	if err := os.WriteFile(filepath.Join(dir, "d.sql"), []byte("-- x\n--\n-- Revises: cccc\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadCached([]string{dir}, cache); err == nil {
		t.Fatal("a broken file must be an error")
	}
}

func BenchmarkLoadCached10k(b *testing.B) {
	dir, cache := linear10k(b), b.TempDir()
	if _, err := LoadCached([]string{dir}, cache); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		s, err := LoadCached([]string{dir}, cache)
		if err != nil || len(s) != 10000 || !s[0].HeaderOnly() {
			b.Fatal(err)
		}
	}
}

// BenchmarkLoadCachedCold10k is a first run: no cache file yet, so every
// file is stat'ed, read and parsed and the cache written.
func BenchmarkLoadCachedCold10k(b *testing.B) {
	dir, cache := linear10k(b), b.TempDir()
	for b.Loop() {
		b.StopTimer()
		if err := os.RemoveAll(cache); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		s, err := LoadCached([]string{dir}, cache)
		if err != nil || len(s) != 10000 || s[0].HeaderOnly() {
			b.Fatal(err)
		}
	}
}

// linear10k writes 10,000 linear revision files into a new directory.
func linear10k(b *testing.B) string {
	dir := b.TempDir()
	prev := ""
	for i := range 10000 {
		id := "r" + itoa(i)
		writeRevB(b, dir, id+".sql", id, prev)
		prev = id
	}
	return dir
}

func itoa(i int) string {
	return string(rune('a'+i%26)) + string(rune('a'+i/26%26)) + string(rune('a'+i/676%26)) + string(rune('a'+i/17576%26))
}

func writeRevB(b *testing.B, dir, name, id, down string) {
	text := "-- msg " + id + "\n--\n-- Revision ID: " + id + "\n-- Revises: " + down + "\n\n-- retort:upgrade\nSELECT 1;\n"
	if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
		b.Fatal(err)
	}
}

// A damaged cache file is ignored, whichever byte is damaged: a flipped
// bit inside a revision id must not change the id a command prints.
func TestHeaderCacheDamaged(t *testing.T) {
	dir, cache := t.TempDir(), t.TempDir()
	writeRev(t, dir, "a.sql", "aaaa", "", "CREATE TABLE a (id INT);")
	writeRev(t, dir, "b.sql", "bbbb", "aaaa", "CREATE TABLE b (id INT);")
	if _, err := LoadCached([]string{dir}, cache); err != nil {
		t.Fatal(err)
	}
	path := cachePath(cache, dir)
	good, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"aaaa<", "bbbb<aaaa"}
	for i := range good {
		bad := slices.Clone(good)
		bad[i] ^= 0x04
		if err := os.WriteFile(path, bad, 0o644); err != nil {
			t.Fatal(err)
		}
		got, err := LoadCached([]string{dir}, cache)
		if err != nil {
			t.Fatalf("byte %d damaged: %v", i, err)
		}
		if ids := cacheIDs(got); !slices.Equal(ids, want) || got[0].HeaderOnly() {
			t.Fatalf("byte %d damaged: loaded %v (from the cache: %v), want %v parsed from the files", i, ids, got[0].HeaderOnly(), want)
		}
	}
	// Cut short, the cache is ignored too.
	for _, n := range []int{0, 3, len(good) - 1} {
		if err := os.WriteFile(path, good[:n], 0o644); err != nil {
			t.Fatal(err)
		}
		got, err := LoadCached([]string{dir}, cache)
		if err != nil || !slices.Equal(cacheIDs(got), want) {
			t.Fatalf("cache cut to %d bytes: %v %v", n, cacheIDs(got), err)
		}
	}
}
