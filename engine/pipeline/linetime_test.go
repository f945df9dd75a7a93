package pipeline

import (
	"context"
	"math"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/benchctl/benchctl/result"
)

var tAtEnd = regexp.MustCompile(`\(t=(?P<t>[\d.]+)\)`)

// lineTime reads a line's own time from "(t=UNIX SECONDS)", as a profile's
// line_time pattern would.
func lineTime(line string) (float64, bool) {
	m := tAtEnd.FindStringSubmatch(line)
	if m == nil {
		return 0, false
	}
	v, err := strconv.ParseFloat(m[1], 64)
	return v, err == nil
}

// TestLineTime: a stage line that carries its own time starts its stage
// then, not when it arrived; a line without one, or whose time is later than
// its arrival or earlier than the stage before it, is timed on arrival or at
// that stage's start.
func TestLineTime(t *testing.T) {
	// Each stage line is printed half a second after the time it carries
	// ("b" with none, "c" with one before "b" started).
	script := `t0=$(date +%s.%N); echo "stage a (t=$t0)"; sleep 0.5
echo "stage b"; sleep 0.2
echo "stage c (t=$t0)"; t1=$(date +%s.%N); sleep 0.5
echo "stage d (t=$t1)"`
	markers, err := NewMarkers(map[string]string{"a": "stage a", "b": "stage b", "c": "stage c", "d": "stage d"})
	if err != nil {
		t.Fatal(err)
	}
	s := Spec{Argv: []string{"/bin/sh", "-c", script}, Markers: markers, LineTime: lineTime, LogDir: t.TempDir(), Name: "t",
		Grace: 300 * time.Millisecond}
	run := Run(context.Background(), s)
	if run.Class != result.ExitOK || len(run.Stages) != 4 {
		t.Fatalf("class %s, stages %+v: %s", run.Class, run.Stages, run.Error)
	}
	st := run.Stages
	if st[1].Start < 0.4 {
		t.Errorf("stage b (no time of its own) starts at %.3f s, want on arrival (after 0.5 s)", st[1].Start)
	}
	if math.Abs(st[2].Start-st[1].Start) > 1e-6 {
		t.Errorf("stage c (its time before b's start) starts at %.3f s, want b's start %.3f s", st[2].Start, st[1].Start)
	}
	if arrival := run.Seconds; st[3].Start > arrival-0.3 { // d is the last line
		t.Errorf("stage d starts at %.3f s, want its own time, about half a second before it arrived", st[3].Start)
	}
}

// TestStagesEnd: a line matching Spec.StagesEnd ends the running stage at
// its own time (on arrival where it carries none, and not before the
// stage's start); the next stage line starts a stage again; without one the
// last stage runs to the exit. Each bound holds however late a busy machine
// runs the script: its sleeps only get longer, and a bound between two
// arrivals allows half the sleep between them for the first to be read late.
func TestStagesEnd(t *testing.T) {
	end, err := NewMarker("stages_end", "re:^done")
	if err != nil {
		t.Fatal(err)
	}
	const now = `$(date +%s.%N)`
	tests := []struct {
		name   string
		script string
		end    *Marker
		check  func(st []result.Stage, secs float64) string
	}{
		{"ends at its own time", `t0=` + now + `; echo "stage a (t=$t0)"; sleep 0.2; t1=` + now + `; sleep 0.3; echo "done (t=$t1)"; sleep 0.5`, &end,
			func(st []result.Stage, secs float64) string {
				if len(st) != 1 || st[0].End < st[0].Start+0.2 || st[0].End > secs-0.75 {
					return "want one stage ending 0.2 s after its start by its own time, about 0.8 s before the exit"
				}
				return ""
			}},
		{"ends on arrival without a time", `echo "stage a"; sleep 0.3; echo "done"; sleep 0.5`, &end,
			func(st []result.Stage, secs float64) string {
				if len(st) != 1 || st[0].End < st[0].Start+0.15 || st[0].End > secs-0.25 {
					return "want one stage ending on the end line's arrival, about 0.3 s after its start and 0.5 s before the exit"
				}
				return ""
			}},
		{"not before its stage's start", `t0=` + now + `; sleep 0.3; echo "stage a"; echo "done (t=$t0)"; sleep 0.3`, &end,
			func(st []result.Stage, secs float64) string {
				if len(st) != 1 || st[0].End != st[0].Start {
					return "want one stage ending at its start"
				}
				return ""
			}},
		{"the next stage starts anew", `echo "stage a"; echo "done"; sleep 0.3; echo "stage b"; sleep 0.3`, &end,
			func(st []result.Stage, secs float64) string {
				if len(st) != 2 || st[0].End > st[1].Start-0.15 || st[1].End < st[1].Start+0.15 {
					return "want stage a ended about 0.3 s before stage b, and b running to the exit"
				}
				return ""
			}},
		{"an end before any stage is no end", `echo "done"; echo "stage a"; sleep 0.3`, &end,
			func(st []result.Stage, secs float64) string {
				if len(st) != 1 || st[0].End < st[0].Start+0.15 {
					return "want one stage running to the exit, about 0.3 s"
				}
				return ""
			}},
		{"without StagesEnd the last stage runs to the exit", `echo "stage a"; sleep 0.2; echo "done"; sleep 0.5`, nil,
			func(st []result.Stage, secs float64) string {
				if len(st) != 1 || st[0].End < st[0].Start+0.5 {
					return "want one stage running past the end line to the exit, about 0.7 s"
				}
				return ""
			}},
	}
	markers, err := NewMarkers(map[string]string{"a": "^stage a", "b": "^stage b"})
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := Spec{Argv: []string{"/bin/sh", "-c", tt.script}, Markers: markers, LineTime: lineTime, StagesEnd: tt.end,
				LogDir: t.TempDir(), Name: "t", Grace: 300 * time.Millisecond}
			run := Run(context.Background(), s)
			if run.Class != result.ExitOK {
				t.Fatalf("class %s: %s", run.Class, run.Error)
			}
			if msg := tt.check(run.Stages, run.Seconds); msg != "" {
				t.Errorf("stages %+v, run %.3f s: %s", run.Stages, run.Seconds, msg)
			}
		})
	}
}
