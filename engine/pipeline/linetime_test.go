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

// TestLineTime: a stage line that carries its own time starts its stage
// then, not when it arrived; a line without one, or whose time is later than
// its arrival or earlier than the stage before it, is timed on arrival or at
// that stage's start.
func TestLineTime(t *testing.T) {
	re := regexp.MustCompile(`\(t=(?P<t>[\d.]+)\)`)
	lineTime := func(line string) (float64, bool) {
		m := re.FindStringSubmatch(line)
		if m == nil {
			return 0, false
		}
		v, err := strconv.ParseFloat(m[1], 64)
		return v, err == nil
	}
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
