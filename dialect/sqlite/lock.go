package sqlite

import (
	"context"
	"errors"
	"fmt"
	"os"
)

// fileLock is an exclusive lock on a file beside the database: flock(2) on
// Unix, LockFileEx on Windows (lockfile_*.go). Either belongs to the open
// file, so a killed holder releases it, and it works between processes,
// not only goroutines.
type fileLock struct {
	path string
	f    *os.File
}

func (l *fileLock) String() string { return "lock file " + l.path }

func (l *fileLock) TryLock(ctx context.Context) (bool, error) {
	if l.f == nil {
		f, err := os.OpenFile(l.path, os.O_CREATE|os.O_RDWR, 0o644)
		if err != nil {
			// err (an *fs.PathError) already reads "open PATH: …".
			return false, fmt.Errorf("retort/sqlite: %w", err)
		}
		l.f = f
	}
	taken, err := tryLockFile(l.f)
	if taken {
		return true, nil
	}
	// Not taken: close the file, so a caller that gives up (a lock
	// timeout, a cancelled context) does not keep a descriptor open.
	_ = l.f.Close()
	l.f = nil
	if err != nil {
		return false, fmt.Errorf("retort/sqlite: lock %s: %w", l.path, err)
	}
	return false, nil
}

func (l *fileLock) Unlock(context.Context) error {
	if l.f == nil {
		return nil
	}
	// The file stays: removing it would let a waiter lock an unlinked inode
	// while a newcomer locks a fresh file of the same name.
	err := unlockFile(l.f)
	err = errors.Join(err, l.f.Close())
	l.f = nil
	return err
}
