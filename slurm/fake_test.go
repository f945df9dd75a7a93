package slurm

import (
	"context"
	"fmt"
	"strings"
)

// fakeSlurm is a Scheduler for tests: it numbers jobs from 100, records every
// submission, and answers squeue and sacct from tables the test fills.
type fakeSlurm struct {
	next      int
	submitted [][]string // script, then the sbatch args
	failAt    int        // the submission (1-based) that fails; 0: none
	queue     []State
	acct      []State // nil: no accounting
}

var _ Scheduler = (*fakeSlurm)(nil)

func (f *fakeSlurm) Submit(_ context.Context, script string, args []string) (string, error) {
	f.submitted = append(f.submitted, append([]string{script}, args...))
	if len(f.submitted) == f.failAt {
		return "", &CommandError{Name: "sbatch", Message: "error: Batch job submission failed: Invalid partition name specified"}
	}
	if f.next == 0 {
		f.next = 100
	}
	f.next++
	return fmt.Sprint(f.next - 1), nil
}

func (f *fakeSlurm) Queue(_ context.Context, jobs []string) ([]State, error) {
	return f.filter(f.queue, jobs), nil
}

func (f *fakeSlurm) Accounting(_ context.Context, jobs []string) ([]State, error) {
	if f.acct == nil {
		return nil, fmt.Errorf("%w: Slurm accounting storage is disabled", ErrNoAccounting)
	}
	return f.filter(f.acct, jobs), nil
}

func (f *fakeSlurm) filter(states []State, jobs []string) []State {
	var out []State
	for _, s := range states {
		job, _, _ := strings.Cut(s.ID, "_")
		for _, j := range jobs {
			if j == job {
				out = append(out, s)
			}
		}
	}
	return out
}
