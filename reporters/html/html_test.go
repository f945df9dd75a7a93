package html

import (
	"bytes"
	"math"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/benchctl/benchctl/internal/golden"
	"github.com/benchctl/benchctl/reporters"
	"github.com/benchctl/benchctl/reporters/internal/testfixture"
	"github.com/benchctl/benchctl/result"
)

func TestRegistered(t *testing.T) {
	r, err := reporters.Get("html")
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := r.(*Reporter); !ok {
		t.Fatalf("html is registered as %T", r)
	}
}

func render(t testing.TB, r *result.Report) string {
	t.Helper()
	out, err := New().Render(r)
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

// renderPage is render for testfixture.CheckFragments.
func renderPage(t *testing.T, r *result.Report) string { return render(t, r) }

func TestGolden(t *testing.T) {
	r := testfixture.Report()
	golden.Assert(t, "report.html", []byte(render(t, r)))
	if !reflect.DeepEqual(r, testfixture.Report()) {
		t.Error("Render changed the report it was given")
	}
}

func TestDeterministic(t *testing.T) {
	first := render(t, longReport())
	for range 3 {
		if render(t, longReport()) != first {
			t.Fatal("two renders of one report differ")
		}
	}
}

// TestSelfContained checks that the page loads nothing: no URL, no external
// script, style sheet, font or image.
func TestSelfContained(t *testing.T) {
	for _, r := range []*result.Report{testfixture.Report(), longReport()} {
		out := render(t, r)
		for _, bad := range []string{"http:", "https:", "//cdn", " src=", "<link", "@import", "url(", "@font-face"} {
			if strings.Contains(out, bad) {
				t.Errorf("page holds %q", bad)
			}
		}
		if n := strings.Count(out, "<script"); n != 1 {
			t.Errorf("%d scripts, want the one inline counter", n)
		}
	}
}

// TestRenderFixture looks for each part of the page in the fixture's HTML.
func TestRenderFixture(t *testing.T) {
	testfixture.CheckFragments(t, renderPage, []testfixture.Fragments{
		{
			Name: "header with totals and environment",
			Want: []string{
				`<span class="count passed">2 passed</span>`, `<span class="count failed">2 failed</span>`,
				`<span class="count error">2 errors</span>`, `<span class="count running">1 interrupted</span>`,
				"gpu-node-7", "AMD EPYC 9454 48-Core Processor, 16 CPUs", "NVIDIA H100 80GB HBM3", "79.6 GiB",
				"benchctl 0.3.0, go1.26.8, driver 580.65.06, CUDA 13.0", "accounting mode is off (needs root)",
				"Interrupted: the run was stopped",
			},
		},
		{
			Name: "statuses in colour and text",
			Want: []string{
				`<span class="badge passed">PASS</span>`, `<span class="badge failed">FAIL</span>`,
				`<span class="badge error">ERROR</span>`, `<span class="badge skipped">SKIP</span>`, `<span class="badge running">RUN</span>`,
			},
		},
		{
			Name: "failures, errors, skips and logs",
			Want: []string{
				"peak memory on GPU 0: 71.2 GiB, want &lt;= 64 GiB", "<h4>Checks</h4>", "peak memory on GPU 1", "70.9 GiB", "between 3 and 5", "✗", "✓",
				"attempt to index a nil value (local &#39;run&#39;)", "stack traceback:",
				"Skipped: <span class=\"pre\">requires 4 GPUs, 2 present</span>", "baseline settled: 1.2 GiB on GPU 0",
				"attempt to call a nil value (field &#39;suitee&#39;)",
			},
		},
		{
			Name: "metrics with units, tables and runs",
			Want: []string{
				"4500 seq/h ± 120 seq/h", "60 GiB", "87.5%", "batch size sweep", "60.0 GiB\n(limit)",
				"python -m virnucpro predict input.fa", "GPU0 peak · util", "60 GiB · 95.5%", ">22.4 GiB<",
				"exact (accounting)", "sampled (sampled)", "XID", "GPU has fallen off the bus", "512 MiB",
				"An XID error happened", "100%|##########| 45000/45000", "mean 2.77s ± 620ms over 5 runs",
				"3.9s (outlier)", "torch.OutOfMemoryError", "12840 samples every 10ms from sim, 2 sample errors (last: nvml: timeout)",
			},
		},
		{
			Name: "memory chart: band, line, stages, peak and total",
			Want: []string{
				`<svg class="chart" data-kind="memory" data-gpu="0" data-points="3"`,
				`<svg class="chart" data-kind="utilization" data-gpu="0" data-points="3"`,
				`<path class="band" d="M`, `<path class="line" d="M`, `class="stage shade0" data-stage="translation"`,
				`data-stage="esm"`, `class="peak"`, `>peak 60 GiB</text>`, "peak 60 GiB between 40s and 1m20s",
				`>total 79.6 GiB</text>`, `>2m</text>`, `>20 GiB</text>`, `>100%</text>`,
			},
			WantNot: []string{`data-gpu="1"`}, // GPU 1 has no timeline
		},
	})
}

// TestRenderEdited renders reports edited into hostile or unusual shapes.
func TestRenderEdited(t *testing.T) {
	testfixture.CheckFragments(t, renderPage, []testfixture.Fragments{
		{
			Name:    "hostile text is cleaned and escaped",
			Edit:    func(r *result.Report) { r.Suites[0].Cases[0].Name = `<script>alert(1)</script> & "x"` },
			Want:    []string{"&lt;script&gt;alert(1)&lt;/script&gt; &amp; &#34;x&#34;", "bad \uFFFD\uFFFD bytes, NUL \uFFFD, bell \uFFFD, red, ff \uFFFD"},
			WantNot: []string{"<script>alert", "\x00", "\x1b", "\a", "\xff"},
		},
		{
			Name: "no GPU",
			Edit: func(r *result.Report) {
				r.Environment.GPUs = nil
				r.Environment.GPUNote = "libnvidia-ml.so.1 not found"
			},
			Want: []string{"none: libnvidia-ml.so.1 not found"},
		},
		{
			Name: "NaN in a timeline",
			Edit: func(r *result.Report) {
				r.Suites[0].Cases[0].Runs[0].GPU.GPUs[0].Timeline[1].Max[result.MemUsed] = math.NaN()
			},
			Want:    []string{`data-kind="memory" data-gpu="0" data-points="2"`},
			WantNot: []string{"NaN\"", "NaN,"},
		},
		{
			Name:    "no suites",
			Edit:    func(r *result.Report) { r.Suites = nil },
			Want:    []string{"No tests ran."},
			WantNot: []string{"<svg"},
		},
	})
}

func TestLongRun(t *testing.T) {
	out := render(t, longReport())
	for _, w := range []string{
		`data-kind="memory" data-gpu="7" data-points="512"`, `data-kind="utilization" data-gpu="7" data-points="512"`,
		`>10h</text>`, `>8h</text>`, `>0.5s</text>`, `>2s</text>`, `>150 GiB</text>`,
		`data-kind="speedup" data-source="metrics" data-points="3"`,
		`data-kind="speedup" data-source="table" data-points="4"`,
		`data-kind="values" data-source="table" data-points="2"`,
		`class="ref"`, `class="whisker"`, `class="bar slower"`, `>1.0x</text>`,
		"optimization matrix: speed-up", "persistent models: seconds",
	} {
		if !strings.Contains(out, w) {
			t.Errorf("output lacks %q", w)
		}
	}
	if n := strings.Count(out, `class="pt"`); n != 18*buckets {
		t.Errorf("%d points, want %d", n, 18*buckets)
	}
	// A bucket's spike survives: the peak is the spike, not the average.
	if !strings.Contains(out, ">peak 131 GiB</text>") {
		t.Error("the 141 GB spike is not the marked peak")
	}
	if len(out) > 4<<20 {
		t.Errorf("a 10-hour 8-GPU page is %d bytes", len(out))
	}
}

func TestTimeAxis(t *testing.T) {
	tests := []struct {
		span float64
		want string
	}{
		{2, "0s 0.5s 1s 1.5s 2s"},
		{0.3, "0s 0.05s 0.1s 0.15s 0.2s 0.25s 0.3s"},
		{128.3, "0s 30s 1m 1m30s 2m"},
		{36000, "0s 2h 4h 6h 8h 10h"},
		{5400, "0s 15m 30m 45m 1h 1h15m 1h30m"},
		{86400 * 30, "0s 120h 240h 360h 480h 600h 720h"},
	}
	for _, tt := range tests {
		ax := timeAxis(tt.span)
		var got []string
		for _, v := range ax.Ticks {
			got = append(got, ax.label(v))
		}
		if s := strings.Join(got, " "); s != tt.want {
			t.Errorf("timeAxis(%v) = %s, want %s", tt.span, s, tt.want)
		}
	}
}

func TestBytesAxis(t *testing.T) {
	tests := []struct {
		top  float64
		want string
	}{
		{85520809984, "0 GiB 20 GiB 40 GiB 60 GiB 80 GiB"},
		{512 << 20, "0 MiB 200 MiB 400 MiB 600 MiB"},
		{1.5 * (1 << 30), "0 GiB 0.5 GiB 1 GiB 1.5 GiB"},
		{0, "0 B 1 B"},
	}
	for _, tt := range tests {
		ax := bytesAxis(tt.top)
		var got []string
		for _, v := range ax.Ticks {
			got = append(got, ax.label(v))
		}
		if s := strings.Join(got, " "); s != tt.want {
			t.Errorf("bytesAxis(%v) = %s, want %s", tt.top, s, tt.want)
		}
	}
}

func TestNumber(t *testing.T) {
	tests := []struct {
		cell string
		want float64
		ok   bool
	}{
		{"1.25x", 1.25, true}, {"± 0.05", 0.05, true}, {"100.20", 100.2, true}, {"3", 3, true},
		{"4500 seq/h", 4500, true}, {"12%", 12, true}, {"-0.5", -0.5, true},
		{"baseline", 0, false}, {"esm", 0, false}, {"", 0, false}, {"1 2", 0, false}, {"NaN", 0, false},
	}
	for _, tt := range tests {
		got, ok := number(tt.cell)
		if got != tt.want || ok != tt.ok {
			t.Errorf("number(%q) = %v, %v; want %v, %v", tt.cell, got, ok, tt.want, tt.ok)
		}
	}
}

// FuzzHTML checks that any output, name, unit, label and value render without
// error, that the text never reaches the page unescaped, and that no
// coordinate is NaN.
func FuzzHTML(f *testing.F) {
	f.Add("plain output", "memory_stability", "MB", "peak memory", 12.5)
	f.Add(testfixture.Hostile, "<b>x</b>", "\xff", "]]>", math.NaN())
	f.Add("</script><script>alert(1)</script>", `" onload="x`, "&amp;", "'", math.Inf(1))
	f.Add("speedup", "speedup_x", "x", "optimization", -1e300)
	f.Fuzz(func(t *testing.T, output, name, unit, label string, value float64) {
		out, err := New().Render(testfixture.Injected(output, name, unit, label, value))
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(out, []byte("NaN\"")) || nanCoord.Match(out) {
			t.Error("a NaN coordinate")
		}
		if strings.Contains(output+name+label, "<") && bytes.Count(out, []byte("<script")) != 1 {
			t.Error("text became markup")
		}
	})
}

var nanCoord = regexp.MustCompile(`="[^"]*(NaN|Inf)[^"]*"`)
