package retort

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"

	"github.com/retortdb/retort/internal/atomicfile"
	"github.com/retortdb/retort/op"
	"github.com/retortdb/retort/revision"
	"github.com/retortdb/retort/script"
)

// RevisionOptions are `retort revision`'s flags.
type RevisionOptions struct {
	Message      string
	Head         string // default "head"; "base" starts a new root
	Splice       bool
	BranchLabels []string
	DependsOn    []string
	RevID        string // default: a new 12-hex-digit id
	VersionPath  string // required with several version locations
	// Upgrades and Downgrades fill the template's sections: SQL, or Go
	// statements with Format "go".
	Upgrades, Downgrades string
	// Format is "sql" (the default) or "go": a Go revision registering
	// itself with Register, rendered from script.go.tmpl.
	Format string
	// GoImports are import paths a Go revision's bodies need.
	GoImports []string
	// GoNoTransaction makes a Go revision run outside a transaction.
	GoNoTransaction bool
}

// MergeOptions are `retort merge`'s flags.
type MergeOptions struct {
	Message      string
	BranchLabels []string
	RevID        string
	Splice       bool
}

// templateName is the file, in script_location, that new revisions come from.
const templateName = script.TemplateName

// NewRevision writes a new revision file on top of o.Head and returns its
// script. The new graph is checked before the file is written, so a
// duplicate id or label leaves nothing behind.
func (p *Project) NewRevision(o RevisionOptions) (*script.Script, error) {
	head := o.Head
	if head == "" {
		head = "head"
	}
	heads, err := p.Graph.Resolve(head)
	if err != nil {
		var mh *revision.MultipleHeadsError
		if errors.As(err, &mh) {
			return nil, &CommandError{Msg: "Multiple heads are present; please specify the head revision on which the new revision should be based, or perform a merge.", Err: err}
		}
		return nil, err
	}
	if !o.Splice {
		for _, h := range heads {
			if !p.Graph.IsHead(h) {
				return nil, &CommandError{Msg: fmt.Sprintf("Revision %s is not a head revision; please specify --splice to create a new branch from this revision", h)}
			}
		}
	}
	var deps []string
	for _, d := range o.DependsOn {
		ids, err := p.Graph.Resolve(d)
		if err != nil {
			return nil, err
		}
		if len(ids) != 1 {
			return nil, &CommandError{Msg: fmt.Sprintf("--depends-on %s names %d revisions; give one revision or branch label", d, len(ids))}
		}
		// Alembic keeps a branch label as written and resolves a partial id.
		r, _ := p.Graph.Get(ids[0])
		if slices.Contains(r.BranchLabels, d) {
			deps = append(deps, d)
		} else {
			deps = append(deps, ids[0])
		}
	}
	switch o.Format {
	case "", "sql":
		return p.writeRevision(o.RevID, o.Message, heads, o.BranchLabels, deps, o.VersionPath, o.Upgrades, o.Downgrades)
	case "go":
		return p.writeGoRevision(o, heads, deps)
	}
	return nil, &CommandError{Msg: fmt.Sprintf("unknown revision format %q: use sql or go", o.Format)}
}

// writeGoRevision writes a Go revision file: the template renders a file
// registering the revision, gofmt-formatted. The running program cannot
// register it (it is compiled in on the next build), so the graph is
// checked with its header before anything is written.
func (p *Project) writeGoRevision(o RevisionOptions, down, deps []string) (*script.Script, error) {
	// The slug comes from the message as given: no message names the file
	// "<rev>_.go", as Alembic's "<rev>_.py", not after "empty message".
	slug := script.Slug(o.Message, p.Config.TruncateSlugLength)
	id, message, err := p.newRevisionID(o.RevID, o.Message)
	if err != nil {
		return nil, err
	}
	dir, err := p.versionDir(o.VersionPath, down)
	if err != nil {
		return nil, err
	}
	tmpl, err := script.ReadGoTemplate(p.Config.ScriptLocation)
	if err != nil {
		return nil, fmt.Errorf("read template: %w", err)
	}
	pkg, err := script.GoPackageName(dir)
	if err != nil {
		return nil, err
	}
	created := p.now().UTC()
	data, err := script.RenderGo(tmpl, script.NewGoRevision{Package: pkg, ID: id, Message: message, Down: down,
		BranchLabels: o.BranchLabels, DependsOn: deps, CreateDate: created,
		Upgrades: o.Upgrades, Downgrades: o.Downgrades, Imports: o.GoImports, NoTransaction: o.GoNoTransaction,
		X: p.xArgs})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Join(p.Config.ScriptLocation, script.GoTemplateName), err)
	}
	name, err := script.GoFileName(p.Config.FileTemplate, id, slug, created)
	if err != nil {
		return nil, err
	}
	path := filepath.Join(dir, name)
	gm := GoMigration{Revision: id, Revises: down, BranchLabels: o.BranchLabels, DependsOn: deps, Message: message,
		CreateDate: script.FormatCreateDate(created), file: path,
		Upgrade: func(context.Context, *op.Operations) error { return nil }}
	s, err := gm.script()
	if err != nil {
		return nil, err
	}
	next := append(slices.Clip(p.Scripts), s)
	if err := p.setScriptsCheck(next); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	if err := writeRevisionFile(path, data); err != nil {
		return nil, err
	}
	return s, nil
}

// Merge writes a revision whose parents are revs (in argument order;
// "heads" stands for every head).
func (p *Project) Merge(revs []string, o MergeOptions) (*script.Script, error) {
	var parents []string
	for _, spec := range revs {
		ids, err := p.Graph.Resolve(spec)
		if err != nil {
			return nil, err
		}
		parents = append(parents, ids...)
	}
	if len(parents) < 2 {
		return nil, &CommandError{Msg: fmt.Sprintf("merge needs at least two revisions to merge; %v names %d", revs, len(parents))}
	}
	seen := map[string]bool{}
	for _, id := range parents {
		if seen[id] {
			return nil, &CommandError{Msg: "Duplicate head revisions specified"}
		}
		seen[id] = true
		if !o.Splice && !p.Graph.IsHead(id) {
			return nil, &CommandError{Msg: fmt.Sprintf("Revision %s is not a head revision; please specify --splice to create a new branch from this revision", id)}
		}
	}
	return p.writeRevision(o.RevID, o.Message, parents, o.BranchLabels, nil, "", "", "")
}

// CommandError is a command that cannot do what was asked; its message is
// Alembic's where Alembic has one.
type CommandError struct {
	Msg string
	Err error
}

func (e *CommandError) Error() string { return e.Msg }
func (e *CommandError) Unwrap() error { return e.Err }

func (p *Project) writeRevision(id, message string, down, labels, deps []string, versionPath, ups, downs string) (*script.Script, error) {
	// The slug comes from the message as given: no message names the file
	// "<rev>_.sql", as Alembic's "<rev>_.py", not after "empty message".
	slug := script.Slug(message, p.Config.TruncateSlugLength)
	id, message, err := p.newRevisionID(id, message)
	if err != nil {
		return nil, err
	}
	dir, err := p.versionDir(versionPath, down)
	if err != nil {
		return nil, err
	}
	tmplPath := filepath.Join(p.Config.ScriptLocation, templateName)
	tmpl, err := os.ReadFile(tmplPath)
	if errors.Is(err, os.ErrNotExist) {
		tmpl, err = []byte(script.DefaultTemplate), nil
	}
	if err != nil {
		return nil, fmt.Errorf("read template: %w", err)
	}
	nr := script.NewRevision{ID: id, Message: message, Down: down, BranchLabels: labels, DependsOn: deps,
		CreateDate: p.now().UTC(), Upgrades: ups, Downgrades: downs, X: p.xArgs}
	data, err := script.Render(string(tmpl), nr)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", tmplPath, err)
	}
	name, err := script.FileName(p.Config.FileTemplate, id, slug, nr.CreateDate)
	if err != nil {
		return nil, err
	}
	path := filepath.Join(dir, name)
	s, err := script.Parse(path, data)
	if err != nil {
		return nil, fmt.Errorf("the template %s renders a file retort cannot read back: %w", tmplPath, err)
	}
	if len(labels) > 0 && len(s.BranchLabels) == 0 {
		return nil, &CommandError{Msg: fmt.Sprintf("Version %s specified branch_labels %v, however the migration file %s does not have them; does your %s include the Branch Labels field?", id, labels, path, templateName)}
	}
	// Check the graph with the new revision before anything is written.
	next := append(slices.Clip(p.Scripts), s)
	if err := p.setScriptsCheck(next); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, err
	}
	if err := writeRevisionFile(path, data); err != nil {
		return nil, err
	}
	if err := p.setScripts(next); err != nil {
		return nil, err
	}
	return s, nil
}

// setScriptsCheck builds the graph scripts would form without keeping it.
func (p *Project) setScriptsCheck(scripts []*script.Script) error {
	_, err := graphOf(scripts)
	return err
}

// versionDir picks the directory of a new revision as Alembic does: the
// --version-path if given (it must be a configured location), else the only
// location, else the directory of the revision it is based on.
func (p *Project) versionDir(versionPath string, down []string) (string, error) {
	locs := p.Config.VersionLocations
	if versionPath != "" {
		abs, err := filepath.Abs(versionPath)
		if err != nil {
			return "", err
		}
		for _, l := range locs {
			if filepath.Clean(l) == abs {
				return l, nil
			}
		}
		return "", &CommandError{Msg: fmt.Sprintf("Path %s is not represented in current version locations", versionPath)}
	}
	if len(locs) == 1 {
		return locs[0], nil
	}
	for _, id := range down {
		if s := p.Script(id); s != nil {
			return filepath.Dir(s.Path), nil
		}
	}
	return "", &CommandError{Msg: "Multiple version locations present, please specify --version-path"}
}

// newRevisionID checks the id of a new revision (a generated one when id
// is "") and defaults its message, as Alembic does (the file name's slug
// is made from the message before this default).
func (p *Project) newRevisionID(id, message string) (string, string, error) {
	if id == "" {
		id = script.NewRevisionID()
	}
	if err := script.ValidateID(id); err != nil {
		return "", "", &CommandError{Msg: err.Error(), Err: err}
	}
	if _, exists := p.Graph.Get(id); exists {
		return "", "", &CommandError{Msg: fmt.Sprintf("Revision %s is already present (%s); choose another --rev-id", id, p.Script(id).Path)}
	}
	if message == "" {
		message = "empty message"
	}
	return id, message, nil
}

// writeRevisionFile writes a new revision file, never over an existing one.
// A file_template without {rev} can give two revisions the same name: say
// how to get another.
func writeRevisionFile(path string, data []byte) error {
	err := atomicfile.WriteNew(path, data, 0o644)
	if errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("%w: another revision file has this name; give another message, or put {rev} in file_template", err)
	}
	return err
}
