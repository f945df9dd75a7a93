package main

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/benchctl/benchctl/engine"
)

func TestProgressText(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 10, 0, 0, 0, time.UTC)
	base := engine.Progress{Suite: "memory_stability", Test: "memory returns to baseline", Started: t0}
	with := func(f func(*engine.Progress)) engine.Progress { p := base; f(&p); return p }
	tests := []struct {
		name  string
		pr    engine.Progress
		now   time.Time
		width int
		want  string
	}{
		{"between tests", engine.Progress{}, t0, 80, ""},
		{"a test", base, t0.Add(72 * time.Second), 120, "memory_stability › memory returns to baseline  1m12s"},
		{"one run in a stage", with(func(p *engine.Progress) { p.Run, p.Runs, p.RunIndex, p.Stage = "predict", 1, 1, "esm" }),
			t0.Add(5 * time.Second), 120, "memory_stability › memory returns to baseline › predict › esm  5s"},
		{"run i of N with an estimate", with(func(p *engine.Progress) {
			p.Run, p.RunIndex, p.Runs, p.RunStarted, p.RunLeftEstimated = "baseline", 2, 3, t0.Add(20*time.Second), 20*time.Second
		}), t0.Add(25 * time.Second), 120, "memory_stability › memory returns to baseline › run 2/3  25s  ~15s left"},
		{"control characters from names", with(func(p *engine.Progress) { p.Stage = "esm\x1b[31m\r\nred" }),
			t0.Add(time.Second), 120, "memory_stability › memory returns to baseline › esm red  1s"},
		{"narrow terminal", base, t0.Add(time.Second), 30, "memory_stability › mem...  1s"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := progressText(tt.pr, tt.now, tt.width)
			if got != tt.want {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
			if n := utf8.RuneCountInString(got); n >= tt.width {
				t.Errorf("%d columns on a terminal of %d", n, tt.width)
			}
			if strings.ContainsAny(got, "\x1b\r\n") {
				t.Errorf("control characters in %q", got)
			}
		})
	}
}
