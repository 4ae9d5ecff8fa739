// Package atomicfile writes files so that a reader sees either no file (or
// the old one) or the complete new one, never a partial file, even after a
// crash: the data goes to a temporary file in the same directory, which is
// synced, closed and renamed (or linked) into place, and then the directory
// is synced.
//
// Temporary files are named ".<name>.tmp<random>": hidden, and without the
// .sql extension, so revision discovery never picks one up.
package atomicfile

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"syscall"
)

// Write atomically replaces (or creates) the file at path with data. A new
// file gets perm, less the umask, as with os.WriteFile; a replaced file
// gets perm too, since the rename puts a new file in its place.
func Write(path string, data []byte, perm fs.FileMode) error {
	return write(path, data, perm, false)
}

// WriteNew is Write for a file that must not exist yet: if path exists it
// fails with an error matching [fs.ErrExist] and leaves the existing file
// alone. The check and the creation are one step (a hard link, or O_EXCL
// where hard links are not supported), so two writers cannot both succeed.
func WriteNew(path string, data []byte, perm fs.FileMode) error {
	return write(path, data, perm, true)
}

func write(path string, data []byte, perm fs.FileMode, noClobber bool) (err error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, tmp, err := createTemp(dir, base, perm)
	if err != nil {
		return err
	}
	closed := false
	defer func() {
		if err != nil {
			if !closed {
				_ = f.Close()
			}
			_ = os.Remove(tmp)
		}
	}()
	if _, err = f.Write(data); err != nil {
		return err
	}
	if err = f.Sync(); err != nil {
		return err
	}
	closed = true
	if err = f.Close(); err != nil {
		return err
	}
	if noClobber {
		err = placeNew(tmp, path, perm)
	} else {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		return err
	}
	return syncDir(dir)
}

// createTemp creates a new hidden file in dir for base.
func createTemp(dir, base string, perm fs.FileMode) (*os.File, string, error) {
	for range 100 {
		var r [6]byte
		_, _ = rand.Read(r[:])
		name := filepath.Join(dir, "."+base+".tmp"+hex.EncodeToString(r[:]))
		f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, perm)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		return f, name, err
	}
	return nil, "", &fs.PathError{Op: "createtemp", Path: filepath.Join(dir, "."+base+".tmp*"), Err: fs.ErrExist}
}

// placeNew moves the complete temporary file tmp to path, which must not
// exist.
func placeNew(tmp, path string, perm fs.FileMode) error {
	err := os.Link(tmp, path)
	if err == nil {
		_ = os.Remove(tmp) // best effort: a leftover is hidden and not a .sql file
		return nil
	}
	if errors.Is(err, fs.ErrExist) {
		return &fs.PathError{Op: "create", Path: path, Err: fs.ErrExist}
	}
	// No hard links here (some network and FUSE file systems): claim the
	// name with O_EXCL, then rename the complete file over the empty one.
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
	if err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// syncDir makes a rename or link in dir durable.
func syncDir(dir string) error {
	if runtime.GOOS == "windows" {
		return nil // directories cannot be synced; NTFS journals the rename
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if errors.Is(err, syscall.EINVAL) || errors.Is(err, errors.ErrUnsupported) {
		err = nil // file systems that do not sync directories
	}
	return errors.Join(err, d.Close())
}
