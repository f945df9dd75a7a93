package compare

import (
	"encoding/json"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/benchctl/benchctl/internal/golden"
	"github.com/benchctl/benchctl/result"
)

func TestJudge(t *testing.T) {
	tests := []struct {
		name           string
		base, next     float64
		sb, sn         float64
		better         result.Direction
		threshold      float64
		want           Verdict
		wantReasonPart string
	}{
		{"same value", 100, 100, 0, 0, result.LowerIsBetter, 0.1, Unchanged, "same"},
		{"lower is better, 20% up", 100, 120, 0, 0, result.LowerIsBetter, 0.1, Regressed, ""},
		{"lower is better, 20% down", 100, 80, 0, 0, result.LowerIsBetter, 0.1, Improved, ""},
		{"higher is better, 20% up", 100, 120, 0, 0, result.HigherIsBetter, 0.1, Improved, ""},
		{"higher is better, 20% down", 100, 80, 0, 0, result.HigherIsBetter, 0.1, Regressed, ""},
		{"within the threshold", 100, 109, 0, 0, result.LowerIsBetter, 0.1, Unchanged, "threshold"},
		{"exactly the threshold does not count", 100, 110, 0, 0, result.LowerIsBetter, 0.1, Unchanged, "threshold"},
		{"zero threshold: any change beyond noise", 100, 100.5, 0, 0, result.LowerIsBetter, 0, Regressed, ""},
		{"beyond threshold, within noise", 100, 120, 8, 8, result.LowerIsBetter, 0.1, Unchanged, "noise"}, // 2*sqrt(128) = 22.6
		{"beyond threshold and noise", 100, 130, 8, 8, result.LowerIsBetter, 0.1, Regressed, ""},
		{"noise on one side only", 100, 130, 0, 16, result.LowerIsBetter, 0.1, Unchanged, "noise"}, // 32 > 30
		{"beyond noise, within threshold", 100, 105, 0.1, 0.1, result.LowerIsBetter, 0.1, Unchanged, "threshold"},
		{"no direction changed", 100, 150, 0, 0, result.NoDirection, 0.1, Changed, "does not gate"},
		{"no direction unchanged", 100, 105, 0, 0, result.NoDirection, 0.1, Unchanged, "threshold"},
		{"from zero counts beyond noise", 0, 5, 0, 0, result.LowerIsBetter, 0.1, Regressed, ""},
		{"from zero within noise", 0, 5, 2, 2, result.LowerIsBetter, 0.1, Unchanged, "noise"},
		{"negative base", -100, -80, 0, 0, result.HigherIsBetter, 0.1, Improved, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			j := Judge(tt.base, tt.next, tt.sb, tt.sn, tt.better, tt.threshold)
			if j.Verdict != tt.want {
				t.Errorf("verdict %s (%s), want %s", j.Verdict, j.Reason, tt.want)
			}
			if !strings.Contains(j.Reason, tt.wantReasonPart) {
				t.Errorf("reason %q lacks %q", j.Reason, tt.wantReasonPart)
			}
			if want := 2 * math.Sqrt(tt.sb*tt.sb+tt.sn*tt.sn); math.Abs(j.Noise-want) > 1e-9 {
				t.Errorf("noise %v, want %v", j.Noise, want)
			}
		})
	}
}

func TestSpread(t *testing.T) {
	tests := []struct {
		name string
		m    result.Metric
		want float64
	}{
		{"spread given", result.Metric{Spread: 3, Samples: []float64{1, 100}}, 3},
		{"from samples", result.Metric{Samples: []float64{2, 4, 4, 4, 5, 5, 7, 9}}, 2.138089935299395},
		{"one sample", result.Metric{Samples: []float64{5}}, 0},
		{"none", result.Metric{}, 0},
		{"NaN samples skipped", result.Metric{Samples: []float64{1, math.NaN(), 3}}, math.Sqrt2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := spread(tt.m); math.Abs(got-tt.want) > 1e-12 {
				t.Errorf("spread = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestStatusVerdict(t *testing.T) {
	tests := []struct {
		base, next result.Status
		want       Verdict
	}{
		{result.Passed, result.Passed, Unchanged},
		{result.Passed, result.Failed, Regressed},
		{result.Passed, result.Errored, Regressed},
		{result.Passed, result.Running, Regressed},
		{result.Failed, result.Passed, Improved},
		{result.Errored, result.Passed, Improved},
		{result.Failed, result.Errored, Changed},
		{result.Passed, result.Skipped, Changed},
		{result.Skipped, result.Failed, Changed},
	}
	for _, tt := range tests {
		if got := statusVerdict(tt.base, tt.next); got != tt.want {
			t.Errorf("%s -> %s: %s, want %s", tt.base, tt.next, got, tt.want)
		}
	}
}

func TestParseThreshold(t *testing.T) {
	tests := []struct {
		in      string
		want    float64
		wantErr bool
	}{
		{"10%", 0.1, false}, {"0.1", 0.1, false}, {" 5 % ", 0.05, false}, {"0", 0, false}, {"1", 1, false},
		{"150%", 1.5, false}, {"10", 0, true}, {"-5%", 0, true}, {"ten", 0, true}, {"", 0, true}, {"NaN", 0, true},
	}
	for _, tt := range tests {
		got, err := ParseThreshold(tt.in)
		if (err != nil) != tt.wantErr || math.Abs(got-tt.want) > 1e-12 {
			t.Errorf("ParseThreshold(%q) = %v, %v; want %v, error %v", tt.in, got, err, tt.want, tt.wantErr)
		}
	}
}

var start = time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)

func report(host string, suites ...result.Suite) *result.Report {
	return &result.Report{
		SchemaVersion: result.SchemaVersion,
		Tool:          result.Tool{Name: "benchctl", Version: "0.3.0"},
		StartedAt:     start,
		Environment:   result.Environment{Hostname: host},
		Suites:        suites,
	}
}

// steps is ten samples around scale with a 1% spread.
func steps(scale float64) []float64 { return spreadOut(scale, 0.01) }

// spreadOut is ten samples around scale, from 1-width to 1+width of it.
func spreadOut(scale, width float64) []float64 {
	out := make([]float64, 10)
	for i := range out {
		out[i] = scale * (1 + width*float64(i%5-2)/2)
	}
	return out
}

func wallRun(name string, mean, sd float64, times ...float64) result.Run {
	return result.Run{Name: name, Seconds: times[len(times)-1], Class: result.ExitOK,
		Repeat: &result.RepeatStats{Runs: len(times), Times: times, Mean: mean, Stddev: sd}}
}

// pair is a base and a new report with one of every kind of change.
func pair() (*result.Report, *result.Report) {
	base := report("gpu-node-7",
		result.Suite{Name: "throughput", Cases: []result.Case{
			{Name: "esm batch sweep", Status: result.Passed,
				Metrics: []result.Metric{
					{Name: "throughput", Value: 4500, Unit: "seq/h", Better: result.HigherIsBetter},
					{Name: "latency", Value: 0.120, Unit: "s", Better: result.LowerIsBetter, Samples: []float64{0.1, 0.12, 0.14}},
					{Name: "peak_memory", Value: 60 << 30, Unit: "B", Better: result.LowerIsBetter},
					{Name: "best_batch", Value: 3072, Unit: "tokens"},
					{Name: "dropped", Value: 1},
					{Name: "dup", Value: 1, Better: result.LowerIsBetter},
					{Name: "dup", Value: 10, Better: result.LowerIsBetter},
					{Name: "step", Value: 1, Unit: "s", Better: result.LowerIsBetter, Samples: steps(1)},
					{Name: "encode", Value: 1, Unit: "s", Better: result.LowerIsBetter, Samples: steps(1)},
					{Name: "decode", Value: 1, Unit: "s", Better: result.LowerIsBetter, Samples: steps(1)},
				},
				Runs: []result.Run{wallRun("sweep", 2.5, 0.05, 2.45, 2.5, 2.55), {Name: "once", Seconds: 30, Class: result.ExitOK}}},
			{Name: "oom recovery", Status: result.Passed},
			{Name: "flaky", Status: result.Failed},
			{Name: "removed", Status: result.Passed, Metrics: []result.Metric{{Name: "x", Value: 1}}},
		}},
		result.Suite{Name: "memory_stability", Cases: []result.Case{{Name: "memory returns to baseline", Status: result.Passed}}},
	)
	next := report("gpu-node-8",
		result.Suite{Name: "throughput", Cases: []result.Case{
			{Name: "esm batch sweep", Status: result.Passed,
				Metrics: []result.Metric{
					{Name: "throughput", Value: 3600, Unit: "seq/h", Better: result.HigherIsBetter}, // -20%: regressed
					{Name: "latency", Value: 0.150, Unit: "s", Better: result.LowerIsBetter, Samples: []float64{0.1, 0.15, 0.2}},
					{Name: "peak_memory", Value: 48 << 30, Unit: "B", Better: result.LowerIsBetter}, // improved
					{Name: "best_batch", Value: 4096, Unit: "tokens"},                               // changed
					{Name: "dup", Value: 1, Better: result.LowerIsBetter},
					{Name: "dup", Value: 20, Better: result.LowerIsBetter}, // dup#2 regressed
					{Name: "added", Value: 7, Unit: "%"},
					{Name: "step", Value: 1.3, Unit: "s", Better: result.LowerIsBetter, Samples: steps(1.3)},            // regressed, by the samples
					{Name: "encode", Value: 1.02, Unit: "s", Better: result.LowerIsBetter, Samples: steps(1.02)},        // no difference, by the samples
					{Name: "decode", Value: 1.1, Unit: "s", Better: result.LowerIsBetter, Samples: spreadOut(1.1, 0.6)}, // inconclusive: too spread
				},
				Runs: []result.Run{wallRun("sweep", 2.6, 0.05, 2.55, 2.6, 2.65), {Name: "once", Seconds: 45, Class: result.ExitOK}}},
			{Name: "oom recovery", Status: result.Failed},
			{Name: "flaky", Status: result.Passed},
			{Name: "brand new", Status: result.Failed},
		}},
		result.Suite{Name: "memory_stability", Error: "scenarios/memory_stability.lua:3: syntax error"},
	)
	return base, next
}

func TestCompare(t *testing.T) {
	base, next := pair()
	res := Compare(base, next, Options{Threshold: 0.1, BaseLabel: "base.json", NewLabel: "new.json"})
	verdicts := map[string]Verdict{}
	for _, m := range res.Metrics {
		verdicts[m.Case+"/"+m.Metric] = m.Verdict
	}
	for _, tc := range res.Tests {
		verdicts["test:"+tc.Suite+"/"+tc.Case] = tc.Verdict
	}
	want := map[string]Verdict{
		"esm batch sweep/throughput":                       Regressed,
		"esm batch sweep/latency":                          Unchanged, // +25% but three samples a side, whose spread is 0.02 and 0.05
		"esm batch sweep/step":                             Regressed,
		"esm batch sweep/encode":                           Unchanged,
		"esm batch sweep/decode":                           Inconclusive,
		"esm batch sweep/peak_memory":                      Improved,
		"esm batch sweep/best_batch":                       Changed,
		"esm batch sweep/dropped":                          Missing,
		"esm batch sweep/dup":                              Unchanged,
		"esm batch sweep/dup#2":                            Regressed,
		"esm batch sweep/added":                            New,
		"esm batch sweep/run.sweep.wall":                   Unchanged, // +4%
		"esm batch sweep/run.once.wall":                    Regressed, // +50%, no spread
		"removed/x":                                        Missing,
		"test:throughput/oom recovery":                     Regressed,
		"test:throughput/flaky":                            Improved,
		"test:throughput/removed":                          Missing,
		"test:throughput/brand new":                        New,
		"test:memory_stability/memory returns to baseline": Missing,
		"test:memory_stability/" + LoadCase:                Regressed,
	}
	if !reflect.DeepEqual(verdicts, want) {
		t.Errorf("verdicts:\n got %v\nwant %v", verdicts, want)
	}
	if !res.Regressed() || res.Counts.Regressed != 6 || res.Counts.Inconclusive != 1 {
		t.Errorf("counts %+v, want 6 regressed, 1 inconclusive", res.Counts)
	}
	if !reflect.DeepEqual(base, mustPair(0)) || !reflect.DeepEqual(next, mustPair(1)) {
		t.Error("Compare changed its input")
	}
}

func mustPair(i int) *result.Report {
	b, n := pair()
	return []*result.Report{b, n}[i]
}

func TestCompareIdentical(t *testing.T) {
	base, _ := pair()
	again, _ := pair()
	res := Compare(base, again, Options{Threshold: 0.1})
	if res.Regressed() || len(res.Tests) != 0 || res.Counts.Unchanged != len(res.Metrics)+5 {
		t.Errorf("identical reports: %+v, tests %v", res.Counts, res.Tests)
	}
}

func TestSuiteLoadsAgain(t *testing.T) {
	_, broken := pair()
	fixed, _ := pair()
	res := Compare(broken, fixed, Options{Threshold: 0.1})
	for _, tc := range res.Tests {
		if tc.Case == LoadCase && (tc.Verdict != Improved || tc.Base != result.Errored || tc.New != result.Passed) {
			t.Errorf("a suite that loads again: %+v", tc)
		}
	}
}

func TestGolden(t *testing.T) {
	base, next := pair()
	res := Compare(base, next, Options{Threshold: 0.1, BaseLabel: "base.json", NewLabel: "new.json"})
	golden.Assert(t, "compare.txt", RenderText(res))
	golden.Assert(t, "compare.md", RenderMarkdown(res))
	js, err := RenderJSON(res)
	if err != nil {
		t.Fatal(err)
	}
	golden.Assert(t, "compare.json", js)
	var back struct {
		Kind    string
		Version int
		Result
	}
	if err := json.Unmarshal(js, &back); err != nil || back.Kind != JSONKind || back.Counts != res.Counts {
		t.Errorf("JSON does not read back: %v %+v", err, back.Counts)
	}
}

func TestRenderHostileText(t *testing.T) {
	base := report("h", result.Suite{Name: "s|\x1b[31mred", Cases: []result.Case{{Name: "a\nb <i>", Status: result.Passed,
		Metrics: []result.Metric{{Name: "m*_", Value: math.NaN()}}}}})
	next := report("h", result.Suite{Name: "s|\x1b[31mred", Cases: []result.Case{{Name: "a\nb <i>", Status: result.Failed,
		Metrics: []result.Metric{{Name: "m*_", Value: 1}}}}})
	res := Compare(base, next, Options{})
	txt, md := string(RenderText(res)), string(RenderMarkdown(res))
	if strings.Contains(txt, "\x1b") || strings.Contains(txt, "a\nb") {
		t.Errorf("control characters reach the terminal:\n%s", txt)
	}
	// The shared rules (internal/table.Escape): escape sequences removed, line
	// breaks as <br>, Markdown and HTML punctuation escaped.
	if !strings.Contains(md, `| s\|red |`) || !strings.Contains(md, "| a<br>b &lt;i&gt; |") || !strings.Contains(md, `| m\*\_ `) {
		t.Errorf("markdown not escaped:\n%s", md)
	}
	if _, err := RenderJSON(res); err != nil {
		t.Errorf("NaN breaks the JSON: %v", err)
	}
}
