//go:build !linux

package script

// LoadCached is Load: the header cache is implemented for Linux only.
func LoadCached(locations []string, cacheDir string) ([]*Script, error) {
	return Load(locations)
}

// LoadCachedListing is LoadCached, also listing the Go files.
func LoadCachedListing(locations []string, cacheDir string) (Listing, error) {
	return loadListing(locations)
}
