package script

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"
)

func revFile(id, down string) string {
	return fmt.Sprintf("-- rev %s\n--\n-- Revision ID: %s\n-- Revises: %s\n-- Create Date: 2026-01-01 00:00:00.000000+00:00\n\n-- retort:upgrade\nCREATE TABLE t_%s (id INTEGER PRIMARY KEY);\n\n-- retort:downgrade\nDROP TABLE t_%s;\n",
		id, id, down, id, id)
}

func ids(scripts []*Script) []string {
	var out []string
	for _, s := range scripts {
		out = append(out, s.ID)
	}
	return out
}

func TestLoadDir(t *testing.T) {
	fsys := fstest.MapFS{
		"v/b_second.sql":     {Data: []byte(revFile("b", "a"))},
		"v/a_first.sql":      {Data: []byte(revFile("a", ""))},
		"v/.#a_first.sql":    {Data: []byte("garbage")},
		"v/.hidden.sql":      {Data: []byte("garbage")},
		"v/README.md":        {Data: []byte("garbage")},
		"v/c_third.sql.orig": {Data: []byte("garbage")},
		"v/dir.sql/x.sql":    {Data: []byte("garbage")},
		"v/sub/d.sql":        {Data: []byte("garbage")},
	}
	scripts, err := LoadDir(fsys, "v", "migrations/versions")
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "ids", ids(scripts), []string{"a", "b"})
	eq(t, "Path", scripts[0].Path, filepath.Join("migrations/versions", "a_first.sql"))
	eq(t, "FileName", scripts[1].FileName, "b_second.sql")
	eq(t, "Down", scripts[1].Down, []string{"a"})

	root := fstest.MapFS{"x.sql": {Data: []byte(revFile("x", ""))}}
	scripts, err = LoadDir(root, ".", "")
	if err != nil || len(scripts) != 1 || scripts[0].Path != "x.sql" {
		t.Errorf("LoadDir(root) = %v, %v", ids(scripts), err)
	}
}

func TestLoadDirJoinsErrors(t *testing.T) {
	fsys := fstest.MapFS{
		"a.sql": {Data: []byte(revFile("a", ""))},
		"b.sql": {Data: []byte("-- m\n-- Revision ID: b b\n-- retort:upgrade\n")},
		"c.sql": {Data: []byte(revFile("c", "a"))},
		"d.sql": {Data: []byte("-- m\n-- Revision ID: d\n-- Revises:\n")},
	}
	scripts, err := LoadDir(fsys, ".", "v")
	if scripts != nil {
		t.Errorf("scripts returned with an error")
	}
	want := `v/b.sql:2: Revision ID: Character(s) ' ' not allowed in revision identifier 'b b'` + "\n" +
		`v/d.sql: no "-- retort:upgrade" section`
	if err == nil || err.Error() != want {
		t.Errorf("err = %v\nwant %s", err, want)
	}
	var pe *ParseError
	if !errors.As(err, &pe) || pe.Path != "v/b.sql" {
		t.Errorf("errors.As(*ParseError) = %v", pe)
	}
	if _, err := LoadDir(fsys, "missing", "v"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing dir: err = %v", err)
	}
}

func writeFile(t testing.TB, path, text string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	v1, v2 := filepath.Join(dir, "v1"), filepath.Join(dir, "v2")
	writeFile(t, filepath.Join(v1, "b.sql"), revFile("b1", ""))
	writeFile(t, filepath.Join(v1, "a.sql"), revFile("a1", ""))
	writeFile(t, filepath.Join(v2, "a.sql"), revFile("a2", ""))
	if err := os.Symlink(v1, filepath.Join(dir, "link")); err != nil {
		t.Fatal(err)
	}

	scripts, err := Load([]string{v2, v1, v1 + "/", filepath.Join(dir, "link")})
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "ids", ids(scripts), []string{"a2", "a1", "b1"})
	eq(t, "Path", scripts[1].Path, filepath.Join(v1, "a.sql"))

	_, err = Load([]string{v1, filepath.Join(dir, "nope"), filepath.Join(v1, "a.sql")})
	want := "version location " + filepath.Join(dir, "nope") +
		" does not exist: create it, fix version_locations, or run `retort init DIR` to start a project\n" +
		"version location " + filepath.Join(v1, "a.sql") + " is not a directory"
	if err == nil || err.Error() != want {
		t.Errorf("err = %v\nwant %s", err, want)
	}

	writeFile(t, filepath.Join(v2, "z.sql"), "nonsense")
	_, err = Load([]string{v1, v2})
	want = filepath.Join(v2, "z.sql") + `: no "-- Revision ID:" line in the header (the block of "--" lines at the top of the file)`
	if err == nil || err.Error() != want {
		t.Errorf("err = %v\nwant %s", err, want)
	}
}

func TestLoadReadError(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root reads unreadable files")
	}
	dir := t.TempDir()
	p := filepath.Join(dir, "a.sql")
	writeFile(t, p, revFile("a", ""))
	if err := os.Chmod(p, 0); err != nil {
		t.Fatal(err)
	}
	_, err := Load([]string{dir})
	if err == nil || err.Error() != p+": permission denied" {
		t.Errorf("err = %v", err)
	}
}

// TestLoadManyParallel covers the worker path of LoadDir and its order.
func TestLoadManyParallel(t *testing.T) {
	fsys := fstest.MapFS{}
	var want []string
	for i := range 500 {
		id := fmt.Sprintf("r%04d", i)
		fsys[id+".sql"] = &fstest.MapFile{Data: []byte(revFile(id, ""))}
		want = append(want, id)
	}
	fsys["r0250.sql"] = &fstest.MapFile{Data: []byte("broken")}
	fsys["r0499.sql"] = &fstest.MapFile{Data: []byte("broken")}
	_, err := LoadDir(fsys, ".", "")
	if err == nil || strings.Count(err.Error(), "\n") != 1 || !strings.HasPrefix(err.Error(), "r0250.sql: ") {
		t.Fatalf("err = %v", err)
	}
	delete(fsys, "r0250.sql")
	delete(fsys, "r0499.sql")
	want = append(want[:250:250], want[251:499]...)
	scripts, err := LoadDir(fsys, ".", "")
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "ids", ids(scripts), want)
}

// BenchmarkLoad10k loads a directory of 10,000 small revision files.
func BenchmarkLoad10k(b *testing.B) {
	dir := b.TempDir()
	down := ""
	for i := range 10000 {
		id := fmt.Sprintf("%012x", i+1)
		writeFile(b, filepath.Join(dir, id+"_step.sql"), revFile(id, down))
		down = id
	}
	var n int
	for b.Loop() {
		scripts, err := Load([]string{dir})
		if err != nil {
			b.Fatal(err)
		}
		n = len(scripts)
	}
	if n != 10000 {
		b.Fatalf("loaded %d scripts", n)
	}
	b.ReportMetric(float64(b.Elapsed())/float64(b.N)/float64(time.Millisecond), "ms/load")
}
