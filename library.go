package retort

import (
	"context"
	"database/sql"
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

// DB opens the project's database with the driver, DSN and pool settings
// retort itself uses, for a program that runs its migrations and then
// works with the same database. The caller closes it.
func (p *Project) DB(ctx context.Context) (*sql.DB, error) {
	t, err := p.target()
	if err != nil {
		return nil, err
	}
	db, err := t.open()
	if err != nil {
		return nil, err
	}
	if err := db.PingContext(ctx); err != nil {
		_ = db.Close()
		return nil, connectError(t.d, t.url, err)
	}
	return db, nil
}
