// Package gate judges new runs against the recent history of the same
// metrics: `benchctl compare --baseline history`. Each metric with a
// direction gets a ratio of the new run to the history with a confidence
// interval and a verdict from package stats; a metric that got worse with
// confidence regresses, and so does a test that passed in the latest
// baseline run and fails now.
//
// Method: with one new run, stats.Predict (a smoothed bootstrap prediction
// interval of the new value against the baseline runs' values); with two or
// more new runs (several results given), stats.Compare (Hodges-Lehmann
// ratio with its Mann-Whitney interval). Each baseline run counts once: its
// value of the metric. Metrics with values that are not positive, without a
// direction, or with fewer than MinRuns baseline values are listed, never
// judged.
package gate

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/benchctl/benchctl/history"
	"github.com/benchctl/benchctl/result"
	"github.com/benchctl/benchctl/stats"
)

// Outcome is what the gate says of one metric or test.
type Outcome string

// The outcomes. Only Regressed fails the gate.
const (
	Regressed    Outcome = "regressed"
	Improved     Outcome = "improved"
	Unchanged    Outcome = "unchanged" // the interval lies inside the band
	Inconclusive Outcome = "inconclusive"
	NotJudged    Outcome = "not judged"
)

// DefaultMinRuns is the fewest baseline runs a metric needs to be judged.
const DefaultMinRuns = 5

// ErrIncomparable is returned when baseline runs ran in another environment
// and Options.AllowEnvDiff is not set.
var ErrIncomparable = errors.New("baseline runs ran in another environment")

// ErrNoBaseline is returned when the selection holds no finished run.
var ErrNoBaseline = errors.New("no finished run in the history matches the baseline selection")

// Options tune the gate.
type Options struct {
	Stats        stats.Options // confidence and band
	MinRuns      int           // DefaultMinRuns when 0
	AllowEnvDiff bool          // mix runs of other environments, naming the differences
}

// Result is the gate's answer.
type Result struct {
	Selection    string          `json:"selection"`
	BaselineRuns []int64         `json:"baseline_runs"`
	New          []string        `json:"new"` // the new results, by file
	EnvNotes     []string        `json:"environment_differences,omitempty"`
	Metrics      []MetricVerdict `json:"metrics"`
	Tests        []TestVerdict   `json:"tests,omitempty"`
	Counts       map[Outcome]int `json:"counts"`
}

// MetricVerdict is one metric of one test.
type MetricVerdict struct {
	Suite    string           `json:"suite"`
	Test     string           `json:"test"`
	Metric   string           `json:"metric"`
	Unit     string           `json:"unit,omitempty"`
	Better   result.Direction `json:"better,omitempty"`
	Baseline []float64        `json:"baseline"` // one value a baseline run, oldest first
	New      []float64        `json:"new"`
	Stats    *stats.Result    `json:"stats,omitempty"`
	Outcome  Outcome          `json:"outcome"`
	Reason   string           `json:"reason,omitempty"`
}

// TestVerdict is a test whose status went from passed to failing.
type TestVerdict struct {
	Suite   string        `json:"suite"`
	Test    string        `json:"test"`
	Before  result.Status `json:"before"`
	Now     result.Status `json:"now"`
	Outcome Outcome       `json:"outcome"`
}

// Regressed says whether the gate fails.
func (r *Result) Regressed() bool { return r.Counts[Regressed] > 0 }

// Baseline is what the gate reads from the history.
type Baseline struct {
	Runs   []history.Run    // the selected runs, newest first
	Series []history.Series // every metric of those runs
	Latest *history.Detail  // the newest run, for its test statuses
}

// Comparable checks that every baseline run ran where the new ones did.
// With allow, the differences are returned as notes instead of an error.
func Comparable(fp history.Fingerprint, runs []history.Run, allow bool) ([]string, error) {
	byDiff := map[string][]string{}
	var order []string
	for _, r := range runs {
		for _, d := range history.Diff(fp, r.Fingerprint) {
			if byDiff[d] == nil {
				order = append(order, d)
			}
			byDiff[d] = append(byDiff[d], fmt.Sprint(r.ID))
		}
	}
	if len(order) == 0 {
		return nil, nil
	}
	notes := make([]string, len(order))
	for i, d := range order {
		notes[i] = fmt.Sprintf("%s (baseline runs %s)", d, strings.Join(byDiff[d], ", "))
	}
	if allow {
		return notes, nil
	}
	return nil, fmt.Errorf("%w: new vs baseline: %s; select comparable runs with --label, or mix them with --allow-env-diff",
		ErrIncomparable, strings.Join(notes, "; "))
}

// Judge compares the new reports with the baseline.
func Judge(news []*result.Report, names []string, base Baseline, opts Options) *Result {
	if opts.MinRuns <= 0 {
		opts.MinRuns = DefaultMinRuns
	}
	res := &Result{New: names, Counts: map[Outcome]int{}}
	for _, r := range base.Runs {
		res.BaselineRuns = append(res.BaselineRuns, r.ID)
	}
	bySeries := map[[3]string]history.Series{}
	for _, s := range base.Series {
		bySeries[[3]string{s.Suite, s.Test, s.Name}] = s
	}
	for _, k := range newMetrics(news) {
		mv := judgeMetric(k, bySeries[[3]string{k.suite, k.test, k.name}], opts)
		res.Metrics = append(res.Metrics, mv)
		res.Counts[mv.Outcome]++
	}
	res.Tests = judgeTests(news, base.Latest)
	for _, tv := range res.Tests {
		res.Counts[tv.Outcome]++
	}
	return res
}

// metricKey is a metric of the new runs with its values, one a run.
type metricKey struct {
	suite, test, name string
	unit              string
	better            result.Direction
	values            []float64
}

// newMetrics collects each metric of the new reports, as the history
// records them (history.CaseMetrics), in the order first seen.
func newMetrics(news []*result.Report) []*metricKey {
	var order []*metricKey
	index := map[[3]string]*metricKey{}
	for _, rep := range news {
		for _, s := range rep.Suites {
			for _, c := range s.Cases {
				for _, m := range history.CaseMetrics(c) {
					k := [3]string{s.Name, c.Name, m.Name}
					mk := index[k]
					if mk == nil {
						mk = &metricKey{suite: s.Name, test: c.Name, name: m.Name}
						index[k] = mk
						order = append(order, mk)
					}
					mk.unit, mk.better = m.Unit, m.Better
					mk.values = append(mk.values, m.Value)
				}
			}
		}
	}
	return order
}

func judgeMetric(k *metricKey, s history.Series, opts Options) MetricVerdict {
	mv := MetricVerdict{Suite: k.suite, Test: k.test, Metric: k.name, Unit: k.unit, Better: k.better,
		Baseline: s.Values(), New: k.values, Outcome: NotJudged}
	switch {
	case k.better == result.NoDirection:
		mv.Reason = "no direction"
		return mv
	case len(mv.Baseline) < opts.MinRuns:
		mv.Reason = fmt.Sprintf("%d baseline %s, %d needed", len(mv.Baseline), plural(len(mv.Baseline)), opts.MinRuns)
		return mv
	}
	var r stats.Result
	var err error
	if len(k.values) == 1 {
		r, err = stats.Predict(mv.Baseline, k.values[0], stats.PredictOptions{Options: opts.Stats})
	} else {
		r, err = stats.Compare(mv.Baseline, k.values, opts.Stats)
	}
	if err != nil {
		mv.Reason = err.Error()
		return mv
	}
	mv.Stats = &r
	mv.Outcome = outcome(r.Verdict, k.better)
	return mv
}

// outcome reads a ratio verdict by the metric's direction: Slower means the
// new value is higher.
func outcome(v stats.Verdict, better result.Direction) Outcome {
	switch v {
	case stats.NoDifference:
		return Unchanged
	case stats.Inconclusive:
		return Inconclusive
	}
	if (v == stats.Slower) == (better == result.LowerIsBetter) {
		return Regressed
	}
	return Improved
}

// judgeTests flags each test that passed in the latest baseline run and
// failed, errored or was left running in any new run.
func judgeTests(news []*result.Report, latest *history.Detail) []TestVerdict {
	if latest == nil {
		return nil
	}
	before := map[[2]string]result.Status{}
	for _, c := range latest.Cases {
		before[[2]string{c.Suite, c.Test}] = c.Status
	}
	var out []TestVerdict
	seen := map[[2]string]bool{}
	for _, rep := range news {
		for _, s := range rep.Suites {
			for _, c := range s.Cases {
				k := [2]string{s.Name, c.Name}
				bad := c.Status == result.Failed || c.Status == result.Errored || c.Status == result.Running
				if before[k] == result.Passed && bad && !seen[k] {
					seen[k] = true
					out = append(out, TestVerdict{Suite: s.Name, Test: c.Name, Before: result.Passed, Now: c.Status, Outcome: Regressed})
				}
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Suite+out[i].Test < out[j].Suite+out[j].Test })
	return out
}

func plural(n int) string {
	if n == 1 {
		return "run"
	}
	return "runs"
}
