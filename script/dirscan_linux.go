//go:build linux

package script

import (
	"encoding/binary"
	"errors"
	"slices"
	"unsafe"

	"golang.org/x/sys/unix"
)

// readDirNames lists the directory open as fd with getdents64 into one
// buffer. Each name is a string over that buffer, followed there by the
// NUL the kernel wrote, so that statAt can hand it to the kernel as it is:
// on a 10,000-file directory, os.File.Readdirnames and unix.Fstatat would
// make 20,000 small allocations and copies.
//
// The buffer is sized from the directory's own size, so that it is not
// regrown: a large fresh allocation costs nothing until it is written, but
// every regrowth copies what was read into new pages, and a page touched
// for the first time is a page fault (~12 µs each on a paravirtualised
// VM). A getdents64 record is a little larger than the file system's own
// entry, hence the margin.
func readDirNames(fd int) ([]string, error) {
	size := 64 << 10
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err == nil && st.Size > 0 && st.Size < 1<<30 {
		size = max(size, int(st.Size)*2)
	}
	buf := make([]byte, 0, size)
	for {
		if cap(buf)-len(buf) < 32<<10 {
			buf = slices.Grow(buf, cap(buf))
		}
		n, err := unix.Getdents(fd, buf[len(buf):cap(buf)])
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return nil, err
		}
		if n == 0 {
			break
		}
		buf = buf[:len(buf)+n]
	}
	// struct linux_dirent64: ino u64, off s64, reclen u16, type u8, name.
	const nameOff = 19
	var names []string
	for off := 0; off+nameOff <= len(buf); {
		reclen := int(binary.NativeEndian.Uint16(buf[off+16:]))
		if reclen < nameOff || off+reclen > len(buf) {
			return nil, errors.New("getdents64: malformed record")
		}
		rec := buf[off+nameOff : off+reclen]
		n := 0
		for n < len(rec) && rec[n] != 0 {
			n++
		}
		if n == len(rec) {
			return nil, errors.New("getdents64: name without NUL")
		}
		if name := unsafe.String(&rec[0], n); name != "." && name != ".." {
			names = append(names, name)
		}
		off += reclen
	}
	return names, nil
}

// statMask is what a fileID needs of statx.
const statMask = unix.STATX_TYPE | unix.STATX_MODE | unix.STATX_INO | unix.STATX_SIZE | unix.STATX_MTIME | unix.STATX_CTIME

// statAt stats name (a string from readDirNames, NUL-terminated in its
// buffer) relative to dirfd, following symbolic links. It reports whether
// the file is a regular one.
func statAt(dirfd int, name string) (fileID, bool, error) {
	var st unix.Statx_t
	for {
		_, _, errno := unix.Syscall6(unix.SYS_STATX, uintptr(dirfd), uintptr(unsafe.Pointer(unsafe.StringData(name))),
			uintptr(unix.AT_STATX_SYNC_AS_STAT), uintptr(statMask), uintptr(unsafe.Pointer(&st)), 0)
		if errno == unix.EINTR {
			continue
		}
		if errno != 0 {
			return fileID{}, false, errno
		}
		break
	}
	id := fileID{
		dev:     uint64(st.Dev_major)<<32 | uint64(st.Dev_minor),
		ino:     st.Ino,
		size:    int64(st.Size),
		mtimeNs: st.Mtime.Sec*1e9 + int64(st.Mtime.Nsec),
		ctimeNs: st.Ctime.Sec*1e9 + int64(st.Ctime.Nsec),
	}
	return id, st.Mode&unix.S_IFMT == unix.S_IFREG, nil
}
