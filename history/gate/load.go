package gate

import (
	"context"
	"fmt"

	"github.com/benchctl/benchctl/history"
	"github.com/benchctl/benchctl/result"
)

// Load reads the baseline: the finished runs the filter selects, less the
// new runs themselves (a run is recorded as it runs, so its own record is
// in the history), with every metric of those runs and the newest run's tests.
func Load(ctx context.Context, s *history.Store, f history.Filter, news []*result.Report) (Baseline, error) {
	f.Finished = true
	for _, r := range news {
		f.ExcludeKeys = append(f.ExcludeKeys, history.RunKey(r))
	}
	runs, err := s.List(ctx, f)
	if err != nil {
		return Baseline{}, err
	}
	if len(runs) == 0 {
		return Baseline{}, ErrNoBaseline
	}
	series, err := s.Series(ctx, "", f)
	if err != nil {
		return Baseline{}, err
	}
	latest, err := s.Get(ctx, runs[0].ID)
	if err != nil {
		return Baseline{}, fmt.Errorf("read baseline run %d: %w", runs[0].ID, err)
	}
	return Baseline{Runs: runs, Series: series, Latest: latest}, nil
}
