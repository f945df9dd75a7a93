package engine

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

// TestProgressPatternBounded: a progress pattern reads its captures from a
// plain line, and one that backtracks for hours on a long line gives up at
// once (it runs on the goroutine that reads the pipeline's output).
func TestProgressPatternBounded(t *testing.T) {
	tests := []struct {
		name, pattern, line string
		want                []string
	}{
		{"one capture", "done (%d+)", "batch 3: done 1200 sequences", []string{"1200"}},
		{"source and count", "worker (%d+): (%d+)", "worker 2: 640", []string{"2", "640"}},
		{"no match", "done (%d+)", "loading models", nil},
		{"backtracking on a long line", ".*ESM.*(%d+) done", strings.Repeat("ESM 42%|####| ", 64<<10/14), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := newProgressPattern(tt.pattern)
			if err != nil {
				t.Fatal(err)
			}
			start := time.Now()
			got := p.captures(tt.line)
			if d := time.Since(start); d > 5*time.Second {
				t.Errorf("took %s on one line", d)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("captures = %q, want %q", got, tt.want)
			}
		})
	}
}
