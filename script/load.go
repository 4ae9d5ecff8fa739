package script

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
)

// LoadDir parses the revision files (*.sql, not starting with '.') directly
// in dir of fsys, sorted by file name. Each Script's Path is
// filepath.Join(pathPrefix, name). Errors of all files are joined
// ([errors.Join]) so that every broken file is reported at once; then no
// scripts are returned. Most callers want [Load]; LoadDir serves
// [embed.FS] and [testing/fstest.MapFS].
func LoadDir(fsys fs.FS, dir string, pathPrefix string) ([]*Script, error) {
	l, err := loadDirFS(fsys, dir, pathPrefix)
	return l.Scripts, err
}

// loadDirFS is LoadDir, also listing the directory's Go files.
func loadDirFS(fsys fs.FS, dir string, pathPrefix string) (Listing, error) {
	entries, err := fs.ReadDir(fsys, dir) // sorted by file name
	if err != nil {
		return Listing{}, err
	}
	var names, goFiles []string
	for _, e := range entries {
		name := e.Name()
		if isGoFile(name) {
			goFiles = append(goFiles, filepath.Join(pathPrefix, name))
		}
		if strings.HasPrefix(name, ".") || !strings.HasSuffix(name, ".sql") {
			continue
		}
		if e.Type()&^fs.ModeSymlink != 0 { // directories, pipes, devices…
			continue
		}
		names = append(names, name)
	}
	scripts := make([]*Script, len(names))
	errs := make([]error, len(names))
	load := func(i int) {
		name := names[i]
		path := filepath.Join(pathPrefix, name)
		data, err := fs.ReadFile(fsys, joinFS(dir, name))
		if err != nil {
			var pe *fs.PathError
			if errors.As(err, &pe) {
				err = pe.Err
			}
			errs[i] = fmt.Errorf("%s: %w", path, err)
			return
		}
		scripts[i], errs[i] = Parse(path, data)
	}
	parallel(len(names), load)
	if err := errors.Join(errs...); err != nil {
		return Listing{}, err
	}
	return Listing{Scripts: scripts, GoFiles: goFiles}, nil
}

// isGoFile reports whether name is a Go source file of a version location
// (a Go revision, or a helper of one), not a test.
func isGoFile(name string) bool {
	return !strings.HasPrefix(name, ".") && strings.HasSuffix(name, ".go") && !strings.HasSuffix(name, "_test.go")
}

// joinFS joins an fs.FS directory and a name ("." is the root).
func joinFS(dir, name string) string {
	if dir == "." || dir == "" {
		return name
	}
	return dir + "/" + name
}

// Listing is what the loaders find in the version locations: the parsed
// revision files, and the paths of the Go files beside them (sorted per
// location), which only a program with those Go revisions compiled in can
// run.
type Listing struct {
	Scripts []*Script
	GoFiles []string
}

// Load parses the revision files of the version locations, directories of
// the OS file system, in config order (each sorted by file name). A missing
// location is an error that suggests `retort init`. A directory reached twice
// (the same location listed twice, or through a symbolic link) is loaded
// once. Parse errors of all files are joined.
func Load(locations []string) ([]*Script, error) {
	l, err := loadListing(locations)
	return l.Scripts, err
}

func loadListing(locations []string) (Listing, error) {
	return loadLocations(locations, func(loc string) (Listing, error) {
		return loadDirFS(osDir(loc), ".", loc)
	})
}

// loadLocations checks each version location, skips one already loaded,
// and collects what loadDir returns for the others, joining all errors.
func loadLocations(locations []string, loadDir func(loc string) (Listing, error)) (Listing, error) {
	var (
		all  Listing
		errs []error
		seen []os.FileInfo
	)
	for _, loc := range locations {
		fi, err := os.Stat(loc)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			errs = append(errs, fmt.Errorf("version location %s does not exist: create it, fix version_locations, or run `retort init DIR` to start a project", loc))
			continue
		case err != nil:
			errs = append(errs, fmt.Errorf("version location: %w", err))
			continue
		case !fi.IsDir():
			errs = append(errs, fmt.Errorf("version location %s is not a directory", loc))
			continue
		}
		dup := false
		for _, s := range seen {
			dup = dup || os.SameFile(s, fi)
		}
		if dup {
			continue
		}
		seen = append(seen, fi)
		l, err := loadDir(loc)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		all.Scripts = append(all.Scripts, l.Scripts...)
		all.GoFiles = append(all.GoFiles, l.GoFiles...)
	}
	if err := errors.Join(errs...); err != nil {
		return Listing{}, err
	}
	return all, nil
}

// osDir is os.DirFS for LoadDir, with a leaner ReadFile.
type osDir string

func (d osDir) Open(name string) (fs.File, error) { return os.DirFS(string(d)).Open(name) }

func (d osDir) ReadDir(name string) ([]fs.DirEntry, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: fs.ErrInvalid}
	}
	return os.ReadDir(filepath.Join(string(d), name))
}

func (d osDir) ReadFile(name string) ([]byte, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "readfile", Path: name, Err: fs.ErrInvalid}
	}
	return readFile(filepath.Join(string(d), name))
}

// parallel runs f(0..n-1) on a few workers: stat and read are mostly
// waiting on system calls.
func parallel(n int, f func(int)) {
	workers := min(runtime.GOMAXPROCS(0)*2, n/64+1)
	if workers <= 1 {
		for i := range n {
			f(i)
		}
		return
	}
	var wg sync.WaitGroup
	chunk := (n + workers - 1) / workers
	for w := range workers {
		lo, hi := w*chunk, min((w+1)*chunk, n)
		wg.Go(func() {
			for i := lo; i < hi; i++ {
				f(i)
			}
		})
	}
	wg.Wait()
}
