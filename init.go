package retort

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/retortdb/retort/internal/atomicfile"
	"github.com/retortdb/retort/script"
)

// Template is a project layout `retort init` can write.
type Template struct {
	Name        string
	Description string
}

// Templates lists the layouts `init -t` accepts.
func Templates() []Template {
	return []Template{
		{Name: "generic", Description: "Generic single-database configuration with SQL migrations."},
	}
}

// InitOptions are `retort init`'s arguments.
type InitOptions struct {
	// Dir is the script location to create.
	Dir string
	// Template is one of Templates(); default "generic".
	Template string
	// ConfigPath is where retort.toml goes; default ./retort.toml.
	ConfigPath string
}

// InitResult lists what Init did, for the CLI to report.
type InitResult struct {
	Created []string // files and directories written
	Skipped []string // files left alone because they existed
}

// Init creates a project: the script location with versions/ and
// script.sql.tmpl, and retort.toml unless one exists. It refuses a script
// location that exists and is not empty.
func Init(o InitOptions) (*InitResult, error) {
	if o.Template == "" {
		o.Template = "generic"
	}
	known := false
	for _, t := range Templates() {
		known = known || t.Name == o.Template
	}
	if !known {
		return nil, &CommandError{Msg: fmt.Sprintf("No such template %q; `retort list-templates` shows the available ones", o.Template)}
	}
	if o.Dir == "" {
		return nil, &UsageError{"init needs the directory to create, e.g. `retort init migrations`"}
	}
	if o.ConfigPath == "" {
		o.ConfigPath = "retort.toml"
	}
	dir, err := filepath.Abs(o.Dir)
	if err != nil {
		return nil, err
	}
	cfgPath, err := filepath.Abs(o.ConfigPath)
	if err != nil {
		return nil, err
	}
	entries, err := os.ReadDir(dir)
	switch {
	case err == nil && len(entries) > 0:
		return nil, &CommandError{Msg: fmt.Sprintf("Directory %s already exists and is not empty", o.Dir)}
	case err != nil && !errors.Is(err, fs.ErrNotExist):
		return nil, err
	}
	res := &InitResult{}
	versions := filepath.Join(dir, "versions")
	if err := os.MkdirAll(versions, 0o755); err != nil {
		return nil, err
	}
	res.Created = append(res.Created, dir, versions)
	tmpl := filepath.Join(dir, templateName)
	if err := atomicfile.WriteNew(tmpl, []byte(script.DefaultTemplate), 0o644); err != nil {
		return nil, err
	}
	res.Created = append(res.Created, tmpl)
	if _, err := os.Stat(cfgPath); err == nil {
		res.Skipped = append(res.Skipped, cfgPath)
		return res, nil
	}
	rel, err := filepath.Rel(filepath.Dir(cfgPath), dir)
	if err != nil {
		rel = dir
	}
	if err := atomicfile.WriteNew(cfgPath, []byte(configTemplate(filepath.ToSlash(rel))), 0o644); err != nil {
		return nil, err
	}
	res.Created = append(res.Created, cfgPath)
	return res, nil
}

func configTemplate(scriptLocation string) string {
	return strings.ReplaceAll(`# retort.toml: the project's migration settings (retort's alembic.ini).
# Relative paths are relative to this file's directory.

# Folder holding versions/ and script.sql.tmpl.
script_location = "@DIR@"

# ${VAR} and ${VAR:-default} read the environment; --url and DATABASE_URL
# override this. SQLAlchemy-style URLs:
#   sqlite:///relative.db   sqlite:////absolute/path.db   sqlite:///:memory:
#   postgresql://user:pass@host:5432/db?sslmode=disable
#   mysql://user:pass@host:3306/db
database_url = "${DATABASE_URL:-sqlite:///app.db}"

# Alembic's own table: a database Alembic manages is adopted as it is.
version_table = "alembic_version"
# version_table_schema = "public"
# history_table = "retort_history"

# version_locations = ["@DIR@/versions", "billing/versions"]
# file_template = "{rev}_{slug}"       # also {year} {month} {day} {hour} {minute} {second}
# truncate_slug_length = 40
# transaction_per_migration = true     # false: one transaction for the whole run
# lock_timeout = "60s"                 # how long to wait for another run's lock
# statement_lock_timeout = "5s"        # PostgreSQL/MySQL: fail DDL that waits this long for a lock

# [autogenerate]
# target = "schema.sql"

# [test]
# expected_heads = 1
`, "@DIR@", scriptLocation)
}
