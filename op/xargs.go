package op

import (
	"context"
	"maps"
)

// xArgsKey is the context key of the -x values; unexported so that only
// WithXArgs sets them.
type xArgsKey struct{}

// WithXArgs returns a context carrying the -x key=value pairs of a run
// (Alembic's context.get_x_argument(as_dictionary=True)). The runner sets
// them from the project's; a test calling a migration function directly
// can set them too.
func WithXArgs(ctx context.Context, x map[string]string) context.Context {
	return context.WithValue(ctx, xArgsKey{}, maps.Clone(x))
}

// XArgs returns the -x key=value pairs ctx carries (on the command line,
// a key given without "=" maps to "", a key given twice to its last
// value). The map is the caller's own copy, so one migration cannot change
// what the next sees; never nil.
func XArgs(ctx context.Context) map[string]string {
	x, _ := ctx.Value(xArgsKey{}).(map[string]string)
	if x == nil {
		return map[string]string{}
	}
	return maps.Clone(x)
}

// XArgs returns the run's -x key=value pairs (`retort -x tenant=acme
// upgrade head`), the same online and offline; see the function XArgs.
func (o *Operations) XArgs() map[string]string { return XArgs(o.ctx) }
