//go:build !linux

package script

// LoadCached is Load: the header cache is implemented for Linux only.
func LoadCached(locations []string, cacheDir string) ([]*Script, error) {
	return Load(locations)
}
