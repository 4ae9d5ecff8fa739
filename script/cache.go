//go:build linux

package script

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/crc32"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"unsafe"

	"github.com/retortdb/retort/internal/atomicfile"
)

// The header cache lets commands that only need the graph (current, heads,
// history) stat each revision file instead of reading and parsing it: on a
// 10,000-file project that is one system call per file instead of three
// plus the parse. An entry is used only while the file's identity (device,
// inode, size, modification and change times) is unchanged; any write to
// the file changes its ctime, which no tool can set back. Scripts that come
// from the cache carry no sections: call Complete before running them.

// cacheMagic starts every cache file; bump it when the format changes.
const cacheMagic = "retort-header-cache-v3\n" // v2: file identity from statx; v3: CRC-32C trailer

// cacheCRC is the table of the checksum that ends a cache file: a damaged
// cache (a flipped bit, a torn copy) must be ignored, not change a
// revision id. Castagnoli has hardware support on amd64 and arm64, so a
// 2 MB cache costs well under a millisecond.
var cacheCRC = crc32.MakeTable(crc32.Castagnoli)

// fileID identifies one version of a file.
type fileID struct {
	dev, ino         uint64
	size             int64
	mtimeNs, ctimeNs int64
}

type cacheEntry struct {
	name string
	id   fileID
	s    *Script
}

// LoadCached is Load with a header cache kept in cacheDir (one file per
// version location). An empty cacheDir, or a cache that cannot be read or
// written, silently falls back to reading every file.
func LoadCached(locations []string, cacheDir string) ([]*Script, error) {
	l, err := LoadCachedListing(locations, cacheDir)
	return l.Scripts, err
}

// LoadCachedListing is LoadCached, also listing the Go files.
func LoadCachedListing(locations []string, cacheDir string) (Listing, error) {
	if cacheDir == "" {
		return loadListing(locations)
	}
	return loadLocations(locations, func(loc string) (Listing, error) {
		return loadDirCached(loc, cacheDir)
	})
}

func cachePath(cacheDir, loc string) string {
	sum := sha256.Sum256([]byte(loc))
	return filepath.Join(cacheDir, "headers-"+hex.EncodeToString(sum[:8]))
}

func loadDirCached(loc, cacheDir string) (Listing, error) {
	// Read and decode the cache file while the directory is listed and
	// every file stat'ed: the three overlap, and on a 10,000-file
	// project each takes a good part of the time.
	var cached []cacheEntry
	var wg sync.WaitGroup
	wg.Go(func() { cached = readCache(cachePath(cacheDir, loc)) })
	defer wg.Wait() // on the error paths below
	f, err := os.Open(loc)
	if err != nil {
		return Listing{}, fmt.Errorf("version location: %w", err)
	}
	defer f.Close()
	dirfd := int(f.Fd())
	names, err := readDirNames(dirfd)
	if err != nil {
		return Listing{}, fmt.Errorf("version location %s: %w", loc, err)
	}
	var goFiles []string
	for _, n := range names {
		if isGoFile(n) {
			goFiles = append(goFiles, filepath.Join(loc, n))
		}
	}
	slices.Sort(goFiles)
	names = slicesFilterSort(names)
	ids := make([]fileID, len(names))
	regular := make([]bool, len(names))
	errs := make([]error, len(names))
	parallel(len(names), func(i int) {
		// Relative to the open directory, the kernel resolves one path
		// component per file instead of the whole absolute path.
		id, reg, err := statAt(dirfd, names[i])
		if err != nil {
			errs[i] = fmt.Errorf("%s: %w", filepath.Join(loc, names[i]), err)
			return
		}
		ids[i], regular[i] = id, reg // skip directories, pipes, devices…
	})
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return Listing{}, err
	}
	// The script of each name (nil for what is not a regular file); cache
	// entries are built only when the cache must be rewritten.
	found := make([]*Script, len(names))
	changed := len(cached) != len(names)
	var stale []int
	// Every path in one string: a 10,000-file project would otherwise
	// make 10,000 small allocations.
	var pb strings.Builder
	pb.Grow(len(names) * (len(loc) + 1 + 40))
	ends := make([]int, len(names))
	for i, name := range names {
		pb.WriteString(loc)
		pb.WriteByte(filepath.Separator)
		pb.WriteString(name)
		ends[i] = pb.Len()
	}
	paths := pb.String()
	pathOf := func(i int) string { return paths[ends[i]-len(loc)-1-len(names[i]) : ends[i]] }
	// Both lists are sorted by name: match them by merging.
	k := 0
	for i, name := range names {
		if !regular[i] {
			continue
		}
		for k < len(cached) && cached[k].name < name {
			k++
		}
		if k < len(cached) && cached[k].name == name && cached[k].id == ids[i] {
			cached[k].s.Path = pathOf(i)
			found[i] = cached[k].s
			continue
		}
		stale = append(stale, i)
	}
	if len(stale) > 0 {
		changed = true
	}
	parallel(len(stale), func(k int) {
		i := stale[k]
		path := pathOf(i)
		data, err := readFileAt(dirfd, names[i], path)
		if err != nil {
			errs[i] = err
			return
		}
		s, err := Parse(path, data)
		if err != nil {
			errs[i] = err
			return
		}
		found[i] = s
	})
	if err := errors.Join(errs...); err != nil {
		return Listing{}, err
	}
	out := make([]*Script, 0, len(found))
	for _, sc := range found {
		if sc != nil {
			out = append(out, sc)
		}
	}
	if changed {
		kept := make([]cacheEntry, 0, len(out))
		for i, sc := range found {
			if sc != nil {
				kept = append(kept, cacheEntry{name: names[i], id: ids[i], s: sc})
			}
		}
		writeCache(cachePath(cacheDir, loc), kept)
	}
	return Listing{Scripts: out, GoFiles: goFiles}, nil
}

// slicesFilterSort keeps revision file names (*.sql, not hidden), sorted.
func slicesFilterSort(names []string) []string {
	out := names[:0]
	for _, n := range names {
		if !strings.HasPrefix(n, ".") && strings.HasSuffix(n, ".sql") {
			out = append(out, n)
		}
	}
	slices.Sort(out)
	return out
}

// The cache file: magic, then per entry the file name, its identity and
// the header fields, each string length-prefixed (uvarint).

func writeCache(path string, entries []cacheEntry) {
	var b bytes.Buffer
	b.WriteString(cacheMagic)
	putU := func(v uint64) { b.Write(binary.AppendUvarint(nil, v)) }
	putS := func(s string) { putU(uint64(len(s))); b.WriteString(s) }
	putL := func(l []string) {
		putU(uint64(len(l)))
		for _, s := range l {
			putS(s)
		}
	}
	putU(uint64(len(entries)))
	for _, e := range entries {
		putS(e.name)
		putU(e.id.dev)
		putU(e.id.ino)
		putU(uint64(e.id.size))
		putU(uint64(e.id.mtimeNs))
		putU(uint64(e.id.ctimeNs))
		s := e.s
		putS(s.ID)
		putL(s.Down)
		putL(s.BranchLabels)
		putL(s.DependsOn)
		putS(s.Message)
		putS(s.LongDoc)
		putS(s.CreateDate)
		putS(s.Checksum)
	}
	b.Write(binary.LittleEndian.AppendUint32(nil, crc32.Checksum(b.Bytes(), cacheCRC)))
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return
	}
	_ = atomicfile.Write(path, b.Bytes(), 0o644) // a cache that cannot be written is only slower
}

// readCache returns the entries of a cache file by name; a missing or
// damaged file is an empty cache.
func readCache(path string) []cacheEntry {
	data, err := os.ReadFile(path)
	if err != nil || len(data) < len(cacheMagic)+4 || !bytes.HasPrefix(data, []byte(cacheMagic)) {
		return nil
	}
	body, sum := data[:len(data)-4], data[len(data)-4:]
	if crc32.Checksum(body, cacheCRC) != binary.LittleEndian.Uint32(sum) {
		return nil
	}
	r := cacheReader{data: body[len(cacheMagic):]}
	n := r.u()
	if n > uint64(len(data)) {
		return nil
	}
	// One allocation for all scripts and one for all list elements: a
	// short-lived command should not pay for 10,000 small objects.
	out := make([]cacheEntry, n)
	scripts := make([]Script, n)
	r.slab = make([]string, 0, n)
	for i := range out {
		e := &out[i]
		e.name = r.s()
		e.id = fileID{dev: r.u(), ino: r.u(), size: int64(r.u()), mtimeNs: int64(r.u()), ctimeNs: int64(r.u())}
		s := &scripts[i]
		s.ID = r.s()
		s.Down, s.BranchLabels, s.DependsOn = r.l(), r.l(), r.l()
		s.Message, s.LongDoc = r.s(), r.s()
		s.CreateDate = r.s()
		s.Checksum = r.s()
		s.FileName = e.name
		s.headerOnlyMark()
		e.s = s
		if r.err != nil {
			return nil
		}
	}
	return out
}

type cacheReader struct {
	data []byte
	err  error
	slab []string // backing store of decoded lists
}

func (r *cacheReader) u() uint64 {
	v, n := binary.Uvarint(r.data)
	if n <= 0 {
		r.err = errors.New("bad varint")
		return 0
	}
	r.data = r.data[n:]
	return v
}

func (r *cacheReader) s() string {
	n := r.u()
	if r.err != nil || n > uint64(len(r.data)) {
		r.err = errors.New("bad string")
		return ""
	}
	// The strings share the cache file's buffer instead of copying it:
	// 10,000 headers are ~60,000 strings, and a short-lived command pays
	// for every allocation.
	s := unsafe.String(unsafe.SliceData(r.data), int(n))
	r.data = r.data[n:]
	return s
}

func (r *cacheReader) l() []string {
	n := r.u()
	if r.err != nil || n > uint64(len(r.data)) {
		r.err = errors.New("bad list")
		return nil
	}
	if n == 0 {
		return nil
	}
	start := len(r.slab)
	for range n {
		r.slab = append(r.slab, r.s())
	}
	return r.slab[start:len(r.slab):len(r.slab)]
}
