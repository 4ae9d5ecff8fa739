package retort

import (
	"os"

	"github.com/retortdb/retort/config"
)

// New opens a project without a config file, for a service that carries
// its migrations inside its binary: the database is databaseURL (a URL as
// retort.toml takes it), the SQL revisions come from WithFS, the Go
// migrations from Register (or WithGoMigrations), and every setting has
// its retort.toml default. Relative SQLite paths are relative to the
// working directory.
func New(databaseURL string, opts ...Option) (*Project, error) {
	dir, err := os.Getwd()
	if err != nil {
		return nil, err
	}
	cfg := &config.Config{
		Dir:                     dir,
		DatabaseURL:             databaseURL,
		VersionTable:            config.DefaultVersionTable,
		HistoryTable:            config.DefaultHistoryTable,
		FileTemplate:            config.DefaultFileTemplate,
		TruncateSlugLength:      config.DefaultTruncateSlugLength,
		TransactionPerMigration: true,
		LockTimeout:             config.DefaultLockTimeout,
	}
	return Open(cfg, opts...)
}
