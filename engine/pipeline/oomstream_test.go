package pipeline

import (
	"context"
	"testing"

	"github.com/benchctl/benchctl/result"
)

// Out-of-memory text is recognised on either stream, and the run says which.
func TestOOMTextOnEitherStream(t *testing.T) {
	tests := []struct {
		name       string
		script     string
		class      result.ExitClass
		line, from string
	}{
		{"banner logged on stdout, exit 4",
			`echo "2026-02-13 10:00:00 - virnucpro.pipeline.prediction - ERROR - OUT OF MEMORY ERROR"; exit 4`,
			result.ExitOOM, "2026-02-13 10:00:00 - virnucpro.pipeline.prediction - ERROR - OUT OF MEMORY ERROR", "stdout"},
		{"torch error on stderr, exit 1",
			`echo "torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB" >&2; exit 1`,
			result.ExitOOM, "torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB", "stderr"},
		{"stdout text and a failure: oom",
			`echo "Prediction failed: CUDA out of memory"; exit 1`, result.ExitOOM, "Prediction failed: CUDA out of memory", "stdout"},
		{"recovered: the line is kept, the run is ok",
			`echo "CUDA out of memory at batch of 4096 tokens; reducing batch size to 2048"; exit 0`,
			result.ExitOK, "CUDA out of memory at batch of 4096 tokens; reducing batch size to 2048", "stdout"},
		{"no such text: a plain failure", `echo "Pipeline failed" >&2; echo "out of time"; exit 1`, result.ExitFailed, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			run := Run(context.Background(), Spec{Argv: []string{"sh", "-c", tt.script}, LogDir: t.TempDir(), Name: "oom"})
			if run.Class != tt.class {
				t.Fatalf("class %s (exit %d), want %s", run.Class, run.ExitCode, tt.class)
			}
			if run.OOMLine != tt.line || run.OOMStream != tt.from {
				t.Fatalf("oom line %q from %q, want %q from %q", run.OOMLine, run.OOMStream, tt.line, tt.from)
			}
		})
	}
}
