package console

import (
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/benchctl/benchctl/internal/golden"
	"github.com/benchctl/benchctl/reporters"
	"github.com/benchctl/benchctl/reporters/internal/testfixture"
	"github.com/benchctl/benchctl/result"
)

func TestRegistered(t *testing.T) {
	r, err := reporters.Get("console")
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := r.(*Reporter); !ok {
		t.Fatalf("console is registered as %T", r)
	}
}

func render(t *testing.T, r *result.Report) string {
	t.Helper()
	out, err := New().Render(r)
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

func TestGolden(t *testing.T) {
	r := testfixture.Report()
	golden.Assert(t, "report.txt", []byte(render(t, r)))
	if !reflect.DeepEqual(r, testfixture.Report()) {
		t.Error("Render changed the report it was given")
	}
}

func TestRender(t *testing.T) {
	testfixture.CheckFragments(t, render, []testfixture.Fragments{
		{
			Name: "totals line",
			Edit: func(r *result.Report) { r.Suites = r.Suites[:1]; r.Partial, r.Interrupted = false, false },
			Want: []string{"\n1 passed, 1 failed, 1 skipped, 1 error in 3m13s\n"},
		},
		{
			Name: "escape sequences and control characters are removed",
			Edit: func(r *result.Report) {
				r.Suites[0].Cases[2].Error.Message = "\x1b[2J\x1b]0;pwned\x07boom\x00\r\nnext\u009b"
			},
			Want:    []string{"boom\uFFFD next\uFFFD"},
			WantNot: []string{"\x1b", "\x00", "\r", "\u009b"},
		},
		{
			Name: "long messages are cut",
			Edit: func(r *result.Report) { r.Suites[0].Cases[2].Error.Message = strings.Repeat("x", 500) },
			Want: []string{strings.Repeat("x", 50) + "...\n"},
		},
		{
			Name: "key metrics of a passed case",
			Want: []string{"memory_increase_mb=12.5 MB, peak_memory=60 GiB, throughput=4500 seq/h, gpu_utilization=87.5%, ..."},
		},
		{
			Name: "metrics of a failed case go under its message",
			Want: []string{"2 of 3 checks failed\n", "  peak_gpu0_gib=71.2 GiB\n"},
		},
		{
			Name: "every check listed with its mark, value and bound",
			Want: []string{
				"✓ pipeline exit class: \"ok\" == \"ok\"\n", "✓ memory increase after the run: 12.5 MB <= 100 MB\n",
				"✗ peak memory on GPU 0: 71.2 GiB, want <= 64 GiB\n", "✗ peak memory on GPU 1: 70.9 GiB, want <= 64 GiB\n",
				"✓ stages seen: 4 between 3 and 5\n",
			},
		},
		{
			Name: "a failed case without checks keeps its first failure",
			Edit: func(r *result.Report) { r.Suites[0].Cases[1].Checks = nil },
			Want: []string{"peak memory on GPU 0: 71.2 GiB, want <= 64 GiB (and 1 more)\n"},
		},
		{
			Name: "NaN metric",
			Edit: func(r *result.Report) { r.Suites[0].Cases[0].Metrics[0].Value = math.NaN() },
			Want: []string{"memory_increase_mb=NaN MB"},
		},
		{
			Name:    "no trailing spaces",
			Want:    []string{"\n"},
			WantNot: []string{" \n"},
		},
	})
}

// With Runs, each run's probe summary follows its suite's table: the
// summary benchctl monitor prints.
func TestGoldenRuns(t *testing.T) {
	out, err := (&Reporter{Runs: true}).Render(testfixture.Report())
	if err != nil {
		t.Fatal(err)
	}
	golden.Assert(t, "runs.txt", out)
	plain := render(t, testfixture.Report())
	for _, want := range []string{"MEM PEAK", "samples every", "host: "} {
		if !strings.Contains(string(out), want) || strings.Contains(plain, want) {
			t.Errorf("%q: want it in the runs summary only", want)
		}
	}
}
