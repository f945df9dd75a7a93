package gate

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/benchctl/benchctl/history"
	"github.com/benchctl/benchctl/result"
	"github.com/benchctl/benchctl/stats"
)

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// base is a baseline of the wall (lower is better), throughput (higher is
// better) and count (no direction) of test speed/wall over ten runs.
func base(n int) Baseline {
	wobble := []float64{0, 0.2, -0.1, 0.3, -0.2, 0.1, -0.3, 0.2, 0, -0.1}
	mk := func(name string, better result.Direction, level float64) history.Series {
		s := history.Series{Suite: "speed", Test: "wall", Name: name, Better: better}
		for i := range n {
			s.Points = append(s.Points, history.Point{RunID: int64(i + 1), StartedAt: t0.Add(time.Duration(i) * time.Hour),
				Metric: history.Metric{Name: name, Value: level * (1 + wobble[i%len(wobble)]/10)}})
		}
		return s
	}
	b := Baseline{Series: []history.Series{
		mk("wall", result.LowerIsBetter, 10), mk("throughput", result.HigherIsBetter, 100), mk("count", result.NoDirection, 5)}}
	for i := range n {
		b.Runs = append(b.Runs, history.Run{ID: int64(n - i)})
	}
	b.Latest = &history.Detail{Cases: []history.CaseRecord{{Suite: "speed", Test: "wall", Status: result.Passed}}}
	return b
}

func newRun(wall, throughput float64, status result.Status) *result.Report {
	return &result.Report{Suites: []result.Suite{{Name: "speed", Cases: []result.Case{{Name: "wall", Status: status,
		Metrics: []result.Metric{
			{Name: "wall", Value: wall, Unit: "s", Better: result.LowerIsBetter},
			{Name: "throughput", Value: throughput, Better: result.HigherIsBetter},
			{Name: "count", Value: 5},
		}}}}}}
}

func TestJudge(t *testing.T) {
	cases := []struct {
		name      string
		news      []*result.Report
		runs      int
		want      map[string]Outcome
		regressed bool
		method    string
	}{
		{"the same", []*result.Report{newRun(10, 100, result.Passed)}, 10,
			map[string]Outcome{"wall": Unchanged, "throughput": Unchanged, "count": NotJudged}, false, stats.MethodPrediction},
		{"slower and less throughput", []*result.Report{newRun(13, 80, result.Passed)}, 10,
			map[string]Outcome{"wall": Regressed, "throughput": Regressed}, true, stats.MethodPrediction},
		{"faster and more throughput", []*result.Report{newRun(7, 130, result.Passed)}, 10,
			map[string]Outcome{"wall": Improved, "throughput": Improved}, false, stats.MethodPrediction},
		{"three new runs, 30% slower", []*result.Report{newRun(13, 100, result.Passed), newRun(13.2, 100, result.Passed), newRun(12.9, 100, result.Passed)}, 10,
			map[string]Outcome{"wall": Regressed}, true, stats.MethodHodgesLehmann},
		{"too little history", []*result.Report{newRun(30, 100, result.Passed)}, 3,
			map[string]Outcome{"wall": NotJudged, "throughput": NotJudged}, false, ""},
		{"a test that passed fails now", []*result.Report{newRun(10, 100, result.Failed)}, 10,
			map[string]Outcome{"wall": Unchanged}, true, stats.MethodPrediction},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			names := make([]string, len(c.news))
			res := Judge(c.news, names, base(c.runs), Options{})
			got := map[string]Outcome{}
			for _, m := range res.Metrics {
				got[m.Metric] = m.Outcome
				if m.Stats != nil && m.Stats.Method != c.method {
					t.Errorf("%s judged by %q, want %q", m.Metric, m.Stats.Method, c.method)
				}
			}
			for k, v := range c.want {
				if got[k] != v {
					t.Errorf("%s: %s, want %s", k, got[k], v)
				}
			}
			if res.Regressed() != c.regressed {
				t.Errorf("regressed %v, want %v: %s", res.Regressed(), c.regressed, Summary(res))
			}
		})
	}
}

func TestComparable(t *testing.T) {
	fp := history.Fingerprint{Backend: "nvml", GPUModel: "H100", GPUCount: 4, Driver: "580.65", CUDA: "13.0", PowerLimit: 700, Host: "a"}
	same, otherHost, otherDriver := fp, fp, fp
	otherHost.Host = "b"
	otherDriver.Driver = "550.54"
	runs := []history.Run{{ID: 1, Fingerprint: same}, {ID: 2, Fingerprint: otherHost}, {ID: 3, Fingerprint: otherDriver}}
	if _, err := Comparable(fp, runs[:2], false); err != nil {
		t.Errorf("another host of the same kind is comparable: %v", err)
	}
	_, err := Comparable(fp, runs, false)
	if !errors.Is(err, ErrIncomparable) || !strings.Contains(err.Error(), "driver 580.65 vs 550.54 (baseline runs 3)") {
		t.Errorf("err %v, want ErrIncomparable naming the driver and run 3", err)
	}
	notes, err := Comparable(fp, runs, true)
	if err != nil || len(notes) != 1 || !strings.Contains(notes[0], "driver") {
		t.Errorf("allowed: notes %v, err %v", notes, err)
	}
}
