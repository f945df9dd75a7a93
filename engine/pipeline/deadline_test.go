package pipeline

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/benchctl/benchctl/result"
)

// TestBacktrackingPatternKeepsDeadlines: a stage pattern that backtracks
// for hours on a 200 KB progress bar without a newline must neither hold the
// output pump (the stage line after the bar is still found) nor the timeout
// nor an interrupt. A control pattern that is cheap on the bar finds its
// stage the same way.
func TestBacktrackingPatternKeepsDeadlines(t *testing.T) {
	tests := []struct {
		name    string
		pattern string
		end     func(*Spec) (context.Context, context.CancelFunc)
		class   result.ExitClass
		gaveUp  bool
	}{
		// The literal ESM is on the bar: the pattern is tried there and gives up.
		{"backtracking, timeout", ".*ESM.*d?one", timeoutAfter(4 * time.Second), result.ExitTimeout, true},
		{"backtracking, interrupt", ".*ESM.*d?one", interruptAfter(4 * time.Second), result.ExitInterrupted, true},
		// The literal "done" is not on the bar: the pattern is never tried there.
		{"backtracking, skipped by its literal", ".*ESM.*done", timeoutAfter(4 * time.Second), result.ExitTimeout, false},
		{"plain, timeout", "ESM done", timeoutAfter(4 * time.Second), result.ExitTimeout, false},
	}
	// The child (this test binary, under the supervisor and maybe -race) must
	// get its stage line out before the deadline on a loaded 2-core machine.
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := spec(t, "bar")
			markers, err := NewMarkers(map[string]string{"esm": tt.pattern})
			if err != nil {
				t.Fatal(err)
			}
			s.Markers = markers
			ctx, cancel := tt.end(&s)
			defer cancel()
			start := time.Now()
			run := Run(ctx, s)
			if d := time.Since(start); d > 30*time.Second {
				t.Errorf("the run took %s to end", d)
			}
			if run.Class != tt.class {
				t.Errorf("class %s (%s), want %s", run.Class, run.Error, tt.class)
			}
			if len(run.Stages) != 1 || run.Stages[0].Name != "esm" {
				t.Errorf("stages %+v, want esm found on the line after the bar", run.Stages)
			}
			if said := strings.Contains(run.Error, "too complex"); said != tt.gaveUp {
				t.Errorf("error %q: saying the pattern gave up is %v, want %v", run.Error, said, tt.gaveUp)
			}
		})
	}
}

func timeoutAfter(d time.Duration) func(*Spec) (context.Context, context.CancelFunc) {
	return func(s *Spec) (context.Context, context.CancelFunc) {
		s.Timeout = d
		return context.WithCancel(context.Background())
	}
}

func interruptAfter(d time.Duration) func(*Spec) (context.Context, context.CancelFunc) {
	return func(*Spec) (context.Context, context.CancelFunc) {
		return context.WithTimeout(context.Background(), d)
	}
}

// TestWithoutSupervisor: where the supervisor cannot be started, the pipeline
// runs as this process's child, and the run says it had no supervisor; where
// it can, the run names it.
func TestWithoutSupervisor(t *testing.T) {
	exe := supervisorExe()
	defer UseSupervisor(exe)
	tests := []struct {
		name      string
		exe       string
		supervise bool
	}{
		{"supervised", exe, true},
		{"supervisor missing", "/nonexistent/benchctl", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			UseSupervisor(tt.exe)
			run := Run(context.Background(), spec(t, "exit", "BENCHCTL_TEST_CODE=3"))
			if run.Class != result.ExitFailed || run.ExitCode != 3 {
				t.Errorf("class %s code %d (%s), want failed 3", run.Class, run.ExitCode, run.Error)
			}
			if got := run.SupervisorPID != 0; got != tt.supervise {
				t.Errorf("supervisor pid %d, want one: %v", run.SupervisorPID, tt.supervise)
			}
		})
	}
}
