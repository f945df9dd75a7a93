package pipeline

import (
	"context"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/benchctl/benchctl/proctree"
	"github.com/benchctl/benchctl/result"
)

// A daemon started by a shell inherits the pipeline's stdout and stderr and
// keeps them open after the pipeline has exited. The run must still end
// (the daemon is a leftover, ended after the grace period), with or without
// an interrupt, and the output read before stays.
func TestDaemonHoldingOutputDoesNotHoldTheRun(t *testing.T) {
	tests := []struct {
		name      string
		script    string
		interrupt bool
		want      result.ExitClass
	}{
		{"exits, daemon in its own session", `setsid sleep 3600 & echo "child $!"; echo done`, false, result.ExitOK},
		{"exits, daemon in the group", `sleep 3600 & echo "child $!"; echo done`, false, result.ExitOK},
		{"interrupted while the daemon holds the output", `setsid sleep 3600 & echo "child $!"; exec sleep 3600`, true, result.ExitInterrupted},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			s := Spec{Argv: []string{"sh", "-c", tt.script}, Grace: 200 * time.Millisecond, LogDir: t.TempDir(), Name: "daemon"}
			var child int
			s.Hooks.Line = func(_, line string) {
				if n, ok := strings.CutPrefix(line, "child "); ok {
					child, _ = strconv.Atoi(n)
					if tt.interrupt {
						cancel()
					}
				}
			}
			done := make(chan result.Run, 1)
			go func() { done <- Run(ctx, s) }()
			var run result.Run
			select {
			case run = <-done:
			case <-time.After(30 * time.Second):
				if child > 0 {
					syscall.Kill(child, syscall.SIGKILL)
				}
				t.Fatal("the run waited for the daemon holding its output")
			}
			if run.Class != tt.want {
				t.Errorf("class %s (%s), want %s", run.Class, run.Error, tt.want)
			}
			if child == 0 {
				t.Fatal("the daemon's pid was not printed")
			}
			if proctree.Alive(child) {
				syscall.Kill(child, syscall.SIGKILL)
				t.Errorf("daemon %d survived", child)
			}
			if !tt.interrupt && !strings.Contains(run.Error, "outlived") {
				t.Errorf("run error %q does not report the daemon", run.Error)
			}
			if got := strings.Join(run.StdoutTail, "|"); !strings.HasPrefix(got, "child ") {
				t.Errorf("stdout tail %q", got)
			}
		})
	}
}
