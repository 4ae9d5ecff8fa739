package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/retortdb/retort/revision"
)

// revFormat chooses what a one-line revision shows, as Alembic's
// Script._head_only does.
type revFormat struct {
	branches, doc, parents bool
	treeIndicators         bool
	headIndicators         bool
	current                map[string]bool
}

func downText(r *revision.Revision) string {
	if len(r.Down) == 0 {
		return "<base>"
	}
	return strings.Join(r.Down, ", ")
}

// headOnly renders one line: "down -> rev (labels) (head) (current) (branchpoint), doc".
func headOnly(g *revision.Graph, r *revision.Revision, f revFormat) string {
	var b strings.Builder
	if f.parents {
		b.WriteString(downText(r))
		if len(r.DependsOn) > 0 {
			fmt.Fprintf(&b, " (%s)", strings.Join(r.DependsOn, ", "))
		}
		b.WriteString(" -> ")
	}
	b.WriteString(r.ID)
	if labels := g.BranchLabelsOf(r.ID); f.branches && len(labels) > 0 {
		fmt.Fprintf(&b, " (%s)", strings.Join(labels, ", "))
	}
	if f.headIndicators || f.treeIndicators {
		if g.IsHead(r.ID) && !g.IsEffectiveHead(r.ID) {
			b.WriteString(" (head)")
		}
		if g.IsEffectiveHead(r.ID) {
			b.WriteString(" (effective head)")
		}
		if f.current[r.ID] {
			b.WriteString(" (current)")
		}
	}
	if f.treeIndicators {
		if g.IsBranchPoint(r.ID) {
			b.WriteString(" (branchpoint)")
		}
		if g.IsMergePoint(r.ID) {
			b.WriteString(" (mergepoint)")
		}
	}
	if f.doc {
		b.WriteString(", ")
		b.WriteString(r.Message)
	}
	return b.String()
}

// logEntry is the verbose block of Alembic's Script.log_entry as Alembic
// prints it: print_stdout adds a newline to the entry's own, so a blank
// line ends every block and keeps consecutive blocks apart.
func logEntry(g *revision.Graph, r *revision.Revision, current map[string]bool) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Rev: %s", r.ID)
	if g.IsHead(r.ID) {
		b.WriteString(" (head)")
	}
	if g.IsBranchPoint(r.ID) {
		b.WriteString(" (branchpoint)")
	}
	if g.IsMergePoint(r.ID) {
		b.WriteString(" (mergepoint)")
	}
	if current[r.ID] {
		b.WriteString(" (current)")
	}
	b.WriteString("\n")
	if g.IsMergePoint(r.ID) {
		fmt.Fprintf(&b, "Merges: %s\n", downText(r))
	} else {
		fmt.Fprintf(&b, "Parent: %s\n", downText(r))
	}
	if len(r.DependsOn) > 0 {
		fmt.Fprintf(&b, "Also depends on: %s\n", strings.Join(r.DependsOn, ", "))
	}
	if g.IsBranchPoint(r.ID) {
		fmt.Fprintf(&b, "Branches into: %s\n", strings.Join(g.Children(r.ID), ", "))
	}
	if labels := g.BranchLabelsOf(r.ID); len(labels) > 0 {
		fmt.Fprintf(&b, "Branch names: %s\n", strings.Join(labels, ", "))
	}
	fmt.Fprintf(&b, "Path: %s\n\n", r.Path)
	doc := r.LongDoc
	if doc == "" {
		doc = r.Message
	}
	// Python's splitlines: no doc gives no lines (not one of four spaces).
	if doc != "" {
		for _, line := range strings.Split(doc, "\n") {
			fmt.Fprintf(&b, "    %s\n", line)
		}
	} else {
		b.WriteString("\n")
	}
	b.WriteString("\n")
	return b.String()
}

// revJSON is a revision in --json output.
type revJSON struct {
	Revision      string   `json:"revision"`
	DownRevisions []string `json:"down_revisions"`
	BranchLabels  []string `json:"branch_labels"`
	DependsOn     []string `json:"depends_on"`
	Message       string   `json:"message"`
	Doc           string   `json:"doc,omitempty"`
	Path          string   `json:"path,omitempty"`
	IsHead        bool     `json:"is_head"`
	IsEffectiveHd bool     `json:"is_effective_head,omitempty"`
	IsBranchPoint bool     `json:"is_branch_point"`
	IsMergePoint  bool     `json:"is_merge_point"`
	IsCurrent     *bool    `json:"is_current,omitempty"`
	Children      []string `json:"children,omitempty"`
}

func toJSON(g *revision.Graph, r *revision.Revision, current map[string]bool) revJSON {
	j := revJSON{
		Revision: r.ID, DownRevisions: nonNil(r.Down), BranchLabels: nonNil(g.BranchLabelsOf(r.ID)),
		DependsOn: nonNil(r.DependsOn), Message: r.Message, Doc: r.LongDoc, Path: r.Path,
		IsHead: g.IsHead(r.ID) && !g.IsEffectiveHead(r.ID), IsEffectiveHd: g.IsEffectiveHead(r.ID),
		IsBranchPoint: g.IsBranchPoint(r.ID), IsMergePoint: g.IsMergePoint(r.ID),
	}
	if current != nil {
		c := current[r.ID]
		j.IsCurrent = &c
	}
	if j.IsBranchPoint {
		j.Children = g.Children(r.ID)
	}
	return j
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
