package trend

import (
	"encoding/xml"
	"strings"
	"testing"
	"time"

	"github.com/benchctl/benchctl/history"
	"github.com/benchctl/benchctl/history/changepoint"
	"github.com/benchctl/benchctl/internal/golden"
	"github.com/benchctl/benchctl/result"
)

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// series makes a metric over runs with a fixed, noise-like wobble.
func series(name string, better result.Direction, values ...float64) history.Series {
	s := history.Series{Suite: "speed", Test: "wall", Name: name, Unit: "s", Better: better}
	for i, v := range values {
		s.Points = append(s.Points, history.Point{RunID: int64(i + 1), StartedAt: t0.Add(time.Duration(i) * time.Hour),
			Metric: history.Metric{Name: name, Value: v, Unit: "s", Better: better}})
	}
	return s
}

var wobble = []float64{0, 0.2, -0.1, 0.3, -0.2, 0.1, -0.3, 0.2, 0, -0.1, 0.1, -0.2}

func around(at float64, n int) []float64 {
	out := make([]float64, n)
	for i := range out {
		out[i] = at + wobble[i%len(wobble)]
	}
	return out
}

func fixture() *Trend {
	regressed := append(around(10, 12), around(12, 10)...)
	flat := around(5, 22)
	improved := append(around(100, 10), around(80, 12)...)
	return Build("*", "branch=main, last 22 runs", []history.Series{
		series("regressed", result.LowerIsBetter, regressed...),
		series("flat", result.LowerIsBetter, flat...),
		series("throughput", result.HigherIsBetter, improved...),
	}, changepoint.Options{}, t0.Add(30*time.Hour))
}

func TestBuildFindsTheChanges(t *testing.T) {
	tr := fixture()
	cases := []struct {
		line    int
		index   int
		verdict string
	}{
		{0, 12, "regression"},
		{1, -1, ""},
		{2, 10, "regression"}, // throughput fell: higher is better
	}
	for _, c := range cases {
		l := tr.Lines[c.line]
		t.Run(l.Name, func(t *testing.T) {
			if c.index < 0 {
				if len(l.Changes) != 0 {
					t.Fatalf("changes %+v, want none", l.Changes)
				}
				return
			}
			if len(l.Changes) != 1 || l.Changes[0].Index != c.index {
				t.Fatalf("changes %+v, want one at %d", l.Changes, c.index)
			}
			if v := Verdict(l.Changes[0], l.Better); v != c.verdict {
				t.Errorf("verdict %s, want %s", v, c.verdict)
			}
		})
	}
}

func TestRender(t *testing.T) {
	tr := fixture()
	golden.Assert(t, "trend.txt", Text(tr))
	golden.Assert(t, "trend.md", Markdown(tr))
	page, err := HTML(tr)
	if err != nil {
		t.Fatal(err)
	}
	golden.Assert(t, "trend.html", page)
	// Every chart is well-formed SVG with one mark per change.
	for _, svg := range strings.Split(string(page), "<svg")[1:] {
		svg = "<svg" + svg[:strings.Index(svg, "</svg>")+len("</svg>")]
		if err := xml.Unmarshal([]byte(svg), new(struct{})); err != nil {
			t.Errorf("chart is not well-formed XML: %v", err)
		}
	}
	if n := strings.Count(string(page), `<g class="mark regression">`); n != 2 {
		t.Errorf("%d regression marks, want 2", n)
	}
}
