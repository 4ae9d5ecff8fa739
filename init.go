package retort

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
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
	out := make([]Template, len(templates))
	for i, t := range templates {
		out[i] = t.Template
	}
	return out
}

// initFile is one file or directory a template writes under the
// directory given to init.
type initFile struct {
	// path is relative to the directory, slash-separated; a directory's
	// ends in "/".
	path    string
	content string
}

// templateSpec is what a template writes: its files under the directory
// given to init, and retort.toml.
type templateSpec struct {
	Template
	files []initFile
	// config renders retort.toml; dir is the directory given to init,
	// relative to the config file's directory, slash-separated.
	config func(dir string) string
	// generated, if set, computes further files from the absolute
	// directory (the go template's main.go imports it by module path).
	generated func(absDir string) ([]initFile, error)
}

// scriptLocation is the files of one script location: versions/ and
// script.sql.tmpl, under prefix ("" or "name/").
func scriptLocation(prefix string) []initFile {
	files := []initFile{{path: prefix + "versions/"}, {path: prefix + templateName, content: script.DefaultTemplate}}
	if prefix != "" {
		files = append([]initFile{{path: prefix}}, files...)
	}
	return files
}

// templates are the layouts init writes, in list-templates order.
var templates = []templateSpec{
	{
		Template: Template{Name: "generic", Description: "Generic single-database configuration with SQL migrations."},
		files:    scriptLocation(""),
		config:   configTemplate,
	},
	{
		Template: Template{Name: "multidb", Description: "Several databases, one revision graph and version table each ([databases.NAME] in retort.toml)."},
		files:    append(scriptLocation("main/"), scriptLocation("analytics/")...),
		config:   multidbConfigTemplate,
	},
	{
		Template:  Template{Name: "go", Description: "SQL and Go migrations, run by your own binary (main.go) that imports the versions package."},
		files:     append(scriptLocation(""), initFile{path: script.GoTemplateName, content: script.DefaultGoTemplate}),
		config:    configTemplate,
		generated: goTemplateFiles,
	},
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
	var spec *templateSpec
	for i := range templates {
		if templates[i].Name == o.Template {
			spec = &templates[i]
		}
	}
	if spec == nil {
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
	files := spec.files
	if spec.generated != nil {
		more, err := spec.generated(dir)
		if err != nil {
			return nil, err
		}
		files = append(slices.Clip(files), more...)
	}
	res := &InitResult{}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	res.Created = append(res.Created, dir)
	for _, f := range files {
		path := filepath.Join(dir, filepath.FromSlash(f.path))
		if strings.HasSuffix(f.path, "/") {
			if err := os.MkdirAll(path, 0o755); err != nil {
				return nil, err
			}
		} else if err := atomicfile.WriteNew(path, []byte(f.content), 0o644); err != nil {
			return nil, err
		}
		res.Created = append(res.Created, path)
	}
	if _, err := os.Stat(cfgPath); err == nil {
		res.Skipped = append(res.Skipped, cfgPath)
		return res, nil
	}
	rel, err := filepath.Rel(filepath.Dir(cfgPath), dir)
	if err != nil {
		rel = dir
	}
	if err := atomicfile.WriteNew(cfgPath, []byte(spec.config(filepath.ToSlash(rel))), 0o644); err != nil {
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

func multidbConfigTemplate(dir string) string {
	prefix := dir + "/"
	if dir == "." {
		prefix = ""
	}
	return strings.ReplaceAll(`# retort.toml: the project's migration settings (retort's alembic.ini).
# Relative paths are relative to this file's directory.
#
# multidb: one [databases.NAME] table per database, each with its own URL,
# script location (versions/ and script.sql.tmpl) and version table: one
# revision graph per database. Every command runs on each database in the
# order below, or on those named with --db NAME (repeatable, or NAME,NAME):
#   retort upgrade head                 # main, then analytics
#   retort --db analytics current
#   retort --db main revision -m "add users table"
#
# Settings at the top level are the defaults of every database; a database's
# table may set any of them (and its own [databases.NAME.autogenerate]).
# DATABASE_URL does not apply to a multidb config; --url needs --db NAME.

version_table = "alembic_version"
# version_table_schema = "public"
# history_table = "retort_history"
# file_template = "{rev}_{slug}"
# transaction_per_migration = true
# lock_timeout = "60s"

[databases.main]
# SQLAlchemy-style URLs: sqlite:///relative.db, sqlite:////absolute/path.db,
# postgresql://user:pass@host:5432/db?sslmode=disable, mysql://user:pass@host:3306/db
database_url = "${MAIN_DATABASE_URL:-sqlite:///@DIR@main.db}"
script_location = "@DIR@main"

# [databases.main.autogenerate]
# target = "main_schema.sql"

[databases.analytics]
database_url = "${ANALYTICS_DATABASE_URL:-sqlite:///@DIR@analytics.db}"
script_location = "@DIR@analytics"
# version_table = "analytics_version"
# transaction_per_migration = false
`, "@DIR@", prefix)
}

// goTemplateFiles are the go template's Go files: main.go, the project's
// own retort binary, importing the versions package by its import path,
// which comes from the go.mod above dir.
func goTemplateFiles(dir string) ([]initFile, error) {
	modDir, modPath, err := findModule(dir)
	if err != nil {
		return nil, err
	}
	rel, err := filepath.Rel(modDir, filepath.Join(dir, "versions"))
	if err != nil {
		return nil, err
	}
	versionsPkg := modPath + "/" + filepath.ToSlash(rel)
	mainGo := strings.ReplaceAll(`// Command @NAME@ is this project's retort: the retort command line with
// the project's Go migrations compiled in (the counterpart of Alembic's
// env.py). Run it from the folder holding retort.toml:
//
//	go run ./@REL@ upgrade head
//	go run ./@REL@ revision --format go -m "backfill full names"
//
// SQL revisions in versions/ are read from disk as with the retort binary.
package main

import (
	"github.com/retortdb/retort/cli"

	// Registers the Go migrations (init functions calling retort.Register).
	_ "@PKG@"
)

func main() { cli.Main() }
`, "@PKG@", versionsPkg)
	relDir, _ := filepath.Rel(modDir, dir)
	mainGo = strings.ReplaceAll(mainGo, "@REL@", filepath.ToSlash(relDir))
	mainGo = strings.ReplaceAll(mainGo, "@NAME@", filepath.Base(dir))
	doc := `// Package versions holds this project's revisions: SQL files, and Go files
// whose init functions register Go migrations with retort.Register. New
// ones come from ` + "`" + `retort revision -m MSG` + "`" + ` (add --format go for Go).
package versions
`
	return []initFile{{path: "main.go", content: mainGo}, {path: "versions/doc.go", content: doc}}, nil
}

// findModule finds the go.mod at or above dir: its folder and module path.
func findModule(dir string) (modDir, modPath string, err error) {
	for d := dir; ; d = filepath.Dir(d) {
		data, err := os.ReadFile(filepath.Join(d, "go.mod"))
		if err == nil {
			for _, line := range strings.Split(string(data), "\n") {
				if f := strings.Fields(line); len(f) >= 2 && f[0] == "module" {
					return d, strings.Trim(f[1], `"`), nil
				}
			}
			return "", "", fmt.Errorf("%s has no module line", filepath.Join(d, "go.mod"))
		}
		if filepath.Dir(d) == d {
			return "", "", &CommandError{Msg: fmt.Sprintf("no go.mod in %s or above it: the go template's main.go imports the versions package by its module path; run `go mod init MODULE` (and `go get github.com/retortdb/retort`) first", dir)}
		}
	}
}
