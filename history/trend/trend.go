// Package trend turns metric series from the history into a trend: each
// series with the changes E-divisive means finds in it, rendered as text,
// Markdown or an HTML page with a chart per series. Rendering is pure: a
// Trend in, bytes out.
package trend

import (
	"math"
	"slices"
	"time"

	"github.com/benchctl/benchctl/history"
	"github.com/benchctl/benchctl/history/changepoint"
	"github.com/benchctl/benchctl/result"
)

// Trend is every series a `history trend` selected.
type Trend struct {
	Metric    string    `json:"metric"`    // the name or pattern asked for
	Selection string    `json:"selection"` // the filter, in words
	Method    string    `json:"method"`    // the change-point method and its parameters
	Generated time.Time `json:"generated"`
	Lines     []Line    `json:"series"`
}

// Line is one series with its changes and summary.
type Line struct {
	Suite   string               `json:"suite"`
	Test    string               `json:"test"`
	Name    string               `json:"metric"`
	Unit    string               `json:"unit,omitempty"`
	Better  result.Direction     `json:"better,omitempty"`
	Points  []Point              `json:"points"`
	Changes []changepoint.Change `json:"changes"`
	Median  float64              `json:"median"`
	Min     float64              `json:"min"`
	Max     float64              `json:"max"`
}

// Point is one run's value.
type Point struct {
	RunID     int64     `json:"run_id"`
	StartedAt time.Time `json:"started_at"`
	Value     float64   `json:"value"`
}

// Key names the line as suite/test/metric.
func (l Line) Key() string { return l.Suite + "/" + l.Test + "/" + l.Name }

// Build detects the changes of every series.
func Build(metric, selection string, series []history.Series, opts changepoint.Options, now time.Time) *Trend {
	t := &Trend{Metric: metric, Selection: selection, Method: opts.Method(), Generated: now}
	for _, s := range series {
		l := Line{Suite: s.Suite, Test: s.Test, Name: s.Name, Unit: s.Unit, Better: s.Better}
		values := s.Values()
		for _, p := range s.Points {
			l.Points = append(l.Points, Point{RunID: p.RunID, StartedAt: p.StartedAt, Value: p.Value})
		}
		l.Changes = changepoint.Detect(values, opts)
		l.Median, l.Min, l.Max = summary(values)
		t.Lines = append(t.Lines, l)
	}
	return t
}

func summary(xs []float64) (med, lo, hi float64) {
	if len(xs) == 0 {
		return math.NaN(), math.NaN(), math.NaN()
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	med = s[len(s)/2]
	if len(s)%2 == 0 {
		med = (s[len(s)/2-1] + s[len(s)/2]) / 2
	}
	return med, s[0], s[len(s)-1]
}

// Verdict says whether a change went the metric's good way: "regression",
// "improvement", or "change" for a metric without a direction.
func Verdict(c changepoint.Change, better result.Direction) string {
	up := c.After > c.Before
	switch {
	case better == result.LowerIsBetter && up, better == result.HigherIsBetter && !up:
		return "regression"
	case better == result.LowerIsBetter, better == result.HigherIsBetter:
		return "improvement"
	}
	return "change"
}
