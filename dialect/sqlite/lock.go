package sqlite

import (
	"context"
	"errors"
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// fileLock is an advisory flock(2) on a file beside the database. flock
// belongs to the open file description, so a killed holder releases it, and
// it works between processes, not only goroutines.
type fileLock struct {
	path string
	f    *os.File
}

func (l *fileLock) String() string { return "lock file " + l.path }

func (l *fileLock) TryLock(ctx context.Context) (bool, error) {
	if l.f == nil {
		f, err := os.OpenFile(l.path, os.O_CREATE|os.O_RDWR, 0o644)
		if err != nil {
			return false, fmt.Errorf("retort/sqlite: open %s: %w", l.path, err)
		}
		l.f = f
	}
	err := unix.Flock(int(l.f.Fd()), unix.LOCK_EX|unix.LOCK_NB)
	if err == nil {
		return true, nil
	}
	// Not taken: close the file, so a caller that gives up (a lock
	// timeout, a cancelled context) does not keep a descriptor open.
	_ = l.f.Close()
	l.f = nil
	if errors.Is(err, unix.EWOULDBLOCK) || errors.Is(err, unix.EINTR) {
		return false, nil
	}
	return false, fmt.Errorf("retort/sqlite: flock %s: %w", l.path, err)
}

func (l *fileLock) Unlock(context.Context) error {
	if l.f == nil {
		return nil
	}
	// The file stays: removing it would let a waiter lock an unlinked inode
	// while a newcomer locks a fresh file of the same name.
	err := unix.Flock(int(l.f.Fd()), unix.LOCK_UN)
	err = errors.Join(err, l.f.Close())
	l.f = nil
	return err
}
