//go:build cgo && linux

package supervisor

import (
	"fmt"
	"os"
	"testing"
	"time"
)

// TestPrestarted: with cgo the constructor starts the pipeline before the Go
// runtime, and prestarted tells supervise so: the pipeline's pid, or why it
// could not be executed. The control is a supervisor asked nothing to run
// (too few arguments): the constructor leaves it to Main.
func TestPrestarted(t *testing.T) {
	exe, _ := os.Executable()
	tests := []struct {
		name string
		path string
		argv []string
		want func(p *Process) string
	}{
		{"started", "/bin/sh", []string{"sh", "-c", "exit 0"}, func(p *Process) string {
			return fmt.Sprintf("%d 0 true", p.Pipeline.PID)
		}},
		{"not executable", "/nonexistent/pipeline", []string{"pipeline"}, func(*Process) string { return "0 2 true" }},
		{"no argv", "/bin/sh", nil, func(*Process) string { return "0 0 false" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			file := t.TempDir() + "/prestart"
			p, err := Start(Options{Exe: exe, Path: tt.path, Argv: tt.argv, Grace: time.Second,
				Env: append(os.Environ(), "BENCHCTL_TEST_PRESTART="+file)})
			if err == nil {
				if _, err := p.Wait(); err != nil {
					t.Errorf("wait: %v", err)
				}
				p.Release(5 * time.Second)
			}
			var got []byte
			waitFor(t, "the supervisor's report", func() bool {
				got, err = os.ReadFile(file)
				return err == nil && len(got) > 0
			})
			if want := tt.want(p); string(got) != want {
				t.Errorf("prestarted: %q, want %q", got, want)
			}
		})
	}
}
