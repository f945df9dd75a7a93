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

// TestProgressModelTime: lines that carry the pipeline's own time (a t group)
// are timed by it, however late they arrive, and replayed in that time's
// order, so each point sums every worker's count at its time; lines without
// one are timed on arrival, as are a pattern's without a t group.
func TestProgressModelTime(t *testing.T) {
	start := time.Unix(1000, 0)
	stamped := "re:^(?:\\[gpu (\\d+)\\] )?Progress: (\\d+)(?:/\\d+ sequences \\(t=(?P<t>[\\d.]+)\\))?"
	tests := []struct {
		name, pattern string
		lines         []string
		want          []progressEvent // t < 0: timed on arrival (after the start)
	}{
		{"out of order across workers", stamped, []string{
			"[gpu 1] Progress: 10/40 sequences (t=1002.5)",
			"[gpu 0] Progress: 10/40 sequences (t=1002.0)",
			"[gpu 0] Progress: 20/40 sequences (t=1003.0)",
			"[gpu 1] Progress: 20/40 sequences (t=1003.5)",
		}, []progressEvent{{t: 2, n: 10}, {t: 2.5, n: 20}, {t: 3, n: 30}, {t: 3.5, n: 40}}},
		{"no time in the line: on arrival", stamped, []string{"Progress: 5"}, []progressEvent{{t: -1, n: 5}}},
		{"a time that does not parse: on arrival", "re:Progress: (\\d+) at (?P<t>[\\d.]*)", []string{"Progress: 7 at ."},
			[]progressEvent{{t: -1, n: 7}}},
		{"no t group: on arrival", "re:Progress: (\\d+)", []string{"Progress: 3/9 sequences (t=1002.0)"},
			[]progressEvent{{t: -1, n: 3}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := newProgressPattern(tt.pattern)
			if err != nil {
				t.Fatal(err)
			}
			log := newProgressLog(p, start)
			for _, l := range tt.lines {
				log.line("stderr", l)
			}
			got := log.points()
			if len(got) != len(tt.want) {
				t.Fatalf("points = %v, want %v", got, tt.want)
			}
			for i, w := range tt.want {
				timeOK := got[i].t == w.t || (w.t < 0 && got[i].t > 1e6) // on arrival: now, long after 1970's start
				if !timeOK || got[i].n != w.n {
					t.Errorf("point %d = %+v, want %+v", i, got[i], w)
				}
			}
		})
	}
}
