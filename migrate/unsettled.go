package migrate

import (
	"context"

	"github.com/retortdb/retort/dialect"
)

// Unsettled returns the steps retort_history shows as interrupted, or
// failed part-way, on a database that could not roll them back, and that
// no later row has settled, oldest first. Every run but a stamp refuses to
// start while there is one (Apply returns the first as its error);
// read-only commands such as `current` report them, so that a database
// that looks up to date is not taken for one that is.
func (r *Runner) Unsettled(ctx context.Context, q dialect.Querier) ([]*PartialStepError, error) {
	exists, err := r.d.TableExists(ctx, q, r.opts.HistoryTable)
	if err != nil || !exists {
		return nil, err
	}
	pending, err := r.pendingSteps(ctx, q)
	if err != nil {
		return nil, err
	}
	out := make([]*PartialStepError, len(pending))
	for i, ps := range pending {
		out[i] = ps.err()
	}
	return out, nil
}
