package pipeline

import (
	"context"
	"os"
	"strings"
	"testing"
)

// TestSameNameKeepsBothLogs: two runs of one name into one log dir each
// keep their own logs; the second never replaces the first's.
func TestSameNameKeepsBothLogs(t *testing.T) {
	dir := t.TempDir()
	tests := []struct{ name, out string }{
		{"first", "from the first run"},
		{"second", "from the second run"},
		{"third", "from the third run"},
	}
	var runs []struct{ log, want string }
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			run := Run(context.Background(), Spec{Argv: []string{"sh", "-c", "echo " + tt.out + "; echo err " + tt.out + " >&2"}, LogDir: dir, Name: "same"})
			if run.Class != "ok" {
				t.Fatalf("class %s: %s", run.Class, run.Error)
			}
			runs = append(runs, struct{ log, want string }{run.StdoutLog, tt.out}, struct{ log, want string }{run.StderrLog, "err " + tt.out})
		})
	}
	seen := map[string]bool{}
	for _, r := range runs {
		if seen[r.log] {
			t.Errorf("log %s given to two runs", r.log)
		}
		seen[r.log] = true
		data, err := os.ReadFile(r.log)
		if err != nil || strings.TrimSpace(string(data)) != r.want {
			t.Errorf("log %s holds %q (%v), want %q", r.log, data, err, r.want)
		}
	}
}
