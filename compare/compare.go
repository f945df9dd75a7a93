// Package compare is benchctl's regression gate: it matches the tests and
// metrics of two reports (a base and a new one) and gives each a verdict.
//
// Matching: tests by (suite name, case name); metrics by name within their
// case. Each pipeline run that ended ok also gives a metric "run.NAME.wall"
// in seconds, lower is better: the mean of its repeated executions with their
// standard deviation as spread and their times as samples, or its wall time
// when it was not repeated. A name seen twice in one case is matched in order
// ("name#2").
//
// Verdicts of a metric: "new" or "missing" when one side lacks it. When both
// sides carry enough positive samples for a finite 95% interval (four a side)
// and the metric has a direction,
// the samples decide, through the same statistics as the scenarios
// (package stats: the Hodges-Lehmann ratio of new to base samples with its
// 95% Mann-Whitney interval, the threshold as the band of no difference): the
// change counts when the interval lies wholly on one side of 1 and the ratio
// is beyond the threshold; "inconclusive" when the interval holds 1 and
// reaches past the threshold (it does not gate, and is never "unchanged").
// Otherwise the change is new - base and its relative size |new - base| / |base|
// (infinite when base is 0). The change counts only when it is both
//
//   - beyond the threshold: relative size > Threshold, and
//   - beyond the noise: |new - base| > 2 * sqrt(sb^2 + sn^2), where sb and sn
//     are the spreads of the two sides: Metric.Spread, or the sample standard
//     deviation of Metric.Samples when there is no Spread and more than one
//     sample, else 0.
//
// A change that counts is "improved" or "regressed" by the metric's direction
// (Metric.Better, from the new side, else the base), or "changed" when it has
// none; any other is "unchanged". Metrics without a direction never gate.
//
// Verdicts of a test: a case that passed in the base and failed, errored or
// was left running in the new report "regressed"; the reverse "improved"; any
// other change of status (to or from skipped) is "changed"; a case on one
// side only is "new" or "missing", and does not gate: a new case that fails
// is the job of `benchctl run`'s exit code. A suite that could not be loaded
// is compared as a case named LoadCase, in error where it failed to load and
// passed where it loaded, so a suite that stops loading regresses.
//
// Only "regressed" gates: Result.Regressed.
package compare

import (
	"math"
	"strconv"
	"time"

	"github.com/benchctl/benchctl/result"
	"github.com/benchctl/benchctl/stats"
)

// Verdict is what a comparison says of one test or metric.
type Verdict string

// The verdicts.
const (
	Improved  Verdict = "improved"
	Regressed Verdict = "regressed"
	Unchanged Verdict = "unchanged"
	Changed   Verdict = "changed" // a metric without a direction, or a test that was skipped
	New       Verdict = "new"
	Missing   Verdict = "missing"
	// Inconclusive: the samples neither show a change nor rule one out.
	Inconclusive Verdict = "inconclusive"
)

// LoadCase is the case name under which a suite's load error is compared.
const LoadCase = "(suite load)"

// DefaultThreshold is the relative change below which nothing counts: 10%.
const DefaultThreshold = 0.10

// Options tunes a comparison.
type Options struct {
	// Threshold is the relative change a metric must exceed to count: 0.1 is 10%.
	Threshold float64
	// BaseLabel and NewLabel name the two reports in the output (their files).
	BaseLabel, NewLabel string
}

// Result is a comparison: every test whose status changed or that is on one
// side only, every metric of either side, and the counts of each verdict.
type Result struct {
	Base      Side           `json:"base"`
	New       Side           `json:"new"`
	Threshold float64        `json:"threshold"`
	Tests     []TestChange   `json:"tests"`
	Metrics   []MetricChange `json:"metrics"`
	Counts    Counts         `json:"counts"`
}

// Side describes one of the two reports.
type Side struct {
	Label     string    `json:"label"`
	Version   string    `json:"version,omitempty"`
	StartedAt time.Time `json:"started_at"`
	Host      string    `json:"host,omitempty"`
}

// TestChange is a test whose status differs between the reports.
type TestChange struct {
	Suite   string        `json:"suite"`
	Case    string        `json:"case"`
	Base    result.Status `json:"base,omitempty"` // "" when the base lacks the case
	New     result.Status `json:"new,omitempty"`
	Verdict Verdict       `json:"verdict"`
}

// MetricChange is one metric on either side and its verdict.
type MetricChange struct {
	Suite      string           `json:"suite"`
	Case       string           `json:"case"`
	Metric     string           `json:"metric"`
	Unit       string           `json:"unit,omitempty"`
	Better     result.Direction `json:"better,omitempty"`
	Base       *float64         `json:"base"` // nil when the base lacks the metric
	New        *float64         `json:"new"`
	BaseSpread float64          `json:"base_spread,omitempty"`
	NewSpread  float64          `json:"new_spread,omitempty"`
	// Change is (new - base) / |base|; nil when a side is missing or base is 0.
	Change *float64 `json:"change"`
	// Noise is 2 * sqrt(sb^2 + sn^2): a smaller change is noise.
	Noise   float64 `json:"noise,omitempty"`
	Verdict Verdict `json:"verdict"`
	Reason  string  `json:"reason,omitempty"`
	// Stats is the comparison of the samples, when they decided the verdict.
	Stats *stats.Result `json:"stats,omitempty"`
}

// Counts is how many tests and metrics got each verdict. Tests whose status
// did not change count as unchanged.
type Counts struct {
	Regressed    int `json:"regressed"`
	Improved     int `json:"improved"`
	Unchanged    int `json:"unchanged"`
	Changed      int `json:"changed"`
	New          int `json:"new"`
	Missing      int `json:"missing"`
	Inconclusive int `json:"inconclusive,omitempty"`
}

func (c *Counts) add(v Verdict) {
	switch v {
	case Regressed:
		c.Regressed++
	case Improved:
		c.Improved++
	case Unchanged:
		c.Unchanged++
	case Changed:
		c.Changed++
	case New:
		c.New++
	case Missing:
		c.Missing++
	case Inconclusive:
		c.Inconclusive++
	}
}

// Regressed reports whether anything regressed: the gate.
func (r *Result) Regressed() bool { return r.Counts.Regressed > 0 }

// Compare compares two reports. It does not modify them.
func Compare(base, next *result.Report, opts Options) *Result {
	res := &Result{
		Base:      side(base, opts.BaseLabel),
		New:       side(next, opts.NewLabel),
		Threshold: opts.Threshold,
		Tests:     []TestChange{},
		Metrics:   []MetricChange{},
	}
	bc, nc := cases(base), cases(next)
	seen := map[key]bool{}
	for _, k := range bc.order {
		seen[k] = true
		b := bc.byKey[k]
		n, ok := nc.byKey[k]
		if !ok && k.name == LoadCase && nc.suites[k.suite] { // the suite loads now
			res.addTest(k, b.status, result.Passed, statusVerdict(b.status, result.Passed))
			continue
		}
		if !ok {
			res.addTest(k, b.status, "", Missing)
			for _, m := range b.metrics.order {
				res.addMetric(k, m, b.metrics.byName[m], nil, opts.Threshold)
			}
			continue
		}
		res.addTest(k, b.status, n.status, statusVerdict(b.status, n.status))
		res.compareMetrics(k, b.metrics, n.metrics, opts.Threshold)
	}
	for _, k := range nc.order {
		if seen[k] {
			continue
		}
		n := nc.byKey[k]
		if k.name == LoadCase && bc.suites[k.suite] { // the suite loaded before
			res.addTest(k, result.Passed, n.status, statusVerdict(result.Passed, n.status))
			continue
		}
		res.addTest(k, "", n.status, New)
		for _, m := range n.metrics.order {
			res.addMetric(k, m, nil, n.metrics.byName[m], opts.Threshold)
		}
	}
	return res
}

func side(r *result.Report, label string) Side {
	s := Side{Label: label, Version: r.Tool.Version, StartedAt: r.StartedAt, Host: r.Environment.Hostname}
	if v := r.Environment.Version; v != "" {
		s.Version = v
	}
	return s
}

func (res *Result) compareMetrics(k key, b, n metricSet, threshold float64) {
	for _, name := range b.order {
		res.addMetric(k, name, b.byName[name], n.byName[name], threshold)
	}
	for _, name := range n.order {
		if _, ok := b.byName[name]; !ok {
			res.addMetric(k, name, nil, n.byName[name], threshold)
		}
	}
}

// addTest records a test's status change; a test whose status is the same on
// both sides is only counted.
func (res *Result) addTest(k key, b, n result.Status, v Verdict) {
	res.Counts.add(v)
	if v == Unchanged {
		return
	}
	res.Tests = append(res.Tests, TestChange{Suite: k.suite, Case: k.name, Base: b, New: n, Verdict: v})
}

func (res *Result) addMetric(k key, name string, b, n *result.Metric, threshold float64) {
	mc := MetricChange{Suite: k.suite, Case: k.name, Metric: name}
	for _, m := range []*result.Metric{b, n} {
		if m != nil {
			mc.Unit = m.Unit
			if m.Better != result.NoDirection {
				mc.Better = m.Better
			}
		}
	}
	if b != nil {
		mc.Base, mc.BaseSpread = value(b.Value), spread(*b)
	}
	if n != nil {
		mc.New, mc.NewSpread = value(n.Value), spread(*n)
	}
	switch {
	case mc.Base == nil && mc.New == nil:
		mc.Verdict, mc.Reason = Unchanged, "no value on either side"
	case mc.Base == nil:
		mc.Verdict = New
	case mc.New == nil:
		mc.Verdict = Missing
	default:
		if st, ok := judgeSamples(*b, *n, mc.Better, threshold); ok && *mc.Base != *mc.New {
			mc.Verdict, mc.Reason, mc.Stats = st.Verdict, st.Reason, st.Stats
		} else {
			j := Judge(*mc.Base, *mc.New, mc.BaseSpread, mc.NewSpread, mc.Better, threshold)
			mc.Verdict, mc.Reason, mc.Noise = j.Verdict, j.Reason, j.Noise
		}
		if *mc.Base != 0 {
			c := (*mc.New - *mc.Base) / math.Abs(*mc.Base)
			mc.Change = &c
		}
	}
	res.Counts.add(mc.Verdict)
	res.Metrics = append(res.Metrics, mc)
}

// Judgement is the verdict on one metric that both sides have, and why.
type Judgement struct {
	Verdict Verdict
	Reason  string
	Noise   float64       // 2 * sqrt(sb^2 + sn^2)
	Stats   *stats.Result // the samples' comparison, from JudgeSamples
}

// Judge applies the rule of the package doc to a base and a new value with
// their spreads, the metric's direction and the relative threshold.
func Judge(base, next, sb, sn float64, better result.Direction, threshold float64) Judgement {
	j := Judgement{Noise: 2 * math.Hypot(sb, sn)}
	delta := next - base
	switch {
	case delta == 0:
		j.Verdict, j.Reason = Unchanged, "same value"
		return j
	case base != 0 && math.Abs(delta)/math.Abs(base) <= threshold:
		j.Verdict, j.Reason = Unchanged, "within the threshold"
		return j
	case math.Abs(delta) <= j.Noise:
		j.Verdict, j.Reason = Unchanged, "within the noise"
		return j
	}
	worse := delta > 0
	switch better {
	case result.LowerIsBetter:
	case result.HigherIsBetter:
		worse = !worse
	default:
		j.Verdict, j.Reason = Changed, "no direction: does not gate"
		return j
	}
	j.Verdict = Improved
	if worse {
		j.Verdict = Regressed
	}
	return j
}

// statusVerdict compares a case's statuses: passed to not passed (failed,
// error, running) regressed; the reverse improved; other changes changed.
func statusVerdict(b, n result.Status) Verdict {
	bad := func(s result.Status) bool { return s == result.Failed || s == result.Errored || s == result.Running }
	switch {
	case b == n:
		return Unchanged
	case b == result.Passed && bad(n):
		return Regressed
	case bad(b) && n == result.Passed:
		return Improved
	}
	return Changed
}

// spread is a metric's noise: its Spread, else the sample standard deviation
// of its Samples when it has more than one.
func spread(m result.Metric) float64 {
	if m.Spread > 0 && finite(m.Spread) {
		return m.Spread
	}
	n := 0
	var mean float64
	for _, s := range m.Samples {
		if finite(s) {
			n++
			mean += s
		}
	}
	if n < 2 {
		return 0
	}
	mean /= float64(n)
	var ss float64
	for _, s := range m.Samples {
		if finite(s) {
			ss += (s - mean) * (s - mean)
		}
	}
	return math.Sqrt(ss / float64(n-1))
}

// value is v, or nil when v is NaN or infinite: no value, not a number to
// compare.
func value(v float64) *float64 {
	if !finite(v) {
		return nil
	}
	return &v
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// key names a case: its suite and its name.
type key struct{ suite, name string }

type caseInfo struct {
	status  result.Status
	metrics metricSet
}

type caseSet struct {
	order  []key
	byKey  map[key]caseInfo
	suites map[string]bool // the suites that loaded
}

type metricSet struct {
	order  []string
	byName map[string]*result.Metric
}

func (s *metricSet) add(m result.Metric) {
	name := unique(m.Name, func(n string) bool { _, dup := s.byName[n]; return dup })
	s.order = append(s.order, name)
	s.byName[name] = &m
}

// cases lists a report's cases with their metrics, including the derived
// run.NAME.wall metrics and, for a suite that failed to load, LoadCase.
func cases(r *result.Report) caseSet {
	cs := caseSet{byKey: map[key]caseInfo{}, suites: map[string]bool{}}
	add := func(suite, name string, ci caseInfo) {
		k := key{suite, unique(name, func(n string) bool { _, dup := cs.byKey[key{suite, n}]; return dup })}
		cs.order = append(cs.order, k)
		cs.byKey[k] = ci
	}
	for _, s := range r.Suites {
		if s.Error == "" {
			cs.suites[s.Name] = true
		} else {
			add(s.Name, LoadCase, caseInfo{status: result.Errored, metrics: metricSet{byName: map[string]*result.Metric{}}})
		}
		for _, c := range s.Cases {
			ms := metricSet{byName: map[string]*result.Metric{}}
			for _, m := range c.Metrics {
				ms.add(m)
			}
			for _, m := range RunMetrics(c.Runs) {
				ms.add(m)
			}
			add(s.Name, c.Name, caseInfo{status: c.Status, metrics: ms})
		}
	}
	return cs
}

// RunMetrics derives "run.NAME.wall" from each run that ended ok.
func RunMetrics(runs []result.Run) []result.Metric {
	var out []result.Metric
	for i, run := range runs {
		if run.Class != result.ExitOK {
			continue
		}
		name := run.Name
		if name == "" {
			name = "run" + strconv.Itoa(i+1)
		}
		m := result.Metric{Name: "run." + name + ".wall", Value: run.Seconds, Unit: "s", Better: result.LowerIsBetter}
		if rs := run.Repeat; rs != nil && rs.Runs > 0 {
			m.Value, m.Spread, m.Samples = rs.Mean, rs.Stddev, rs.Times
		}
		out = append(out, m)
	}
	return out
}

// unique returns name, or name#2, name#3... the first that taken says is free.
func unique(name string, taken func(string) bool) string {
	n := name
	for i := 2; taken(n); i++ {
		n = name + "#" + strconv.Itoa(i)
	}
	return n
}
