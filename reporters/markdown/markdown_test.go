package markdown

import (
	"math"
	"reflect"
	"testing"

	"github.com/benchctl/benchctl/internal/golden"
	"github.com/benchctl/benchctl/reporters"
	"github.com/benchctl/benchctl/reporters/internal/testfixture"
	"github.com/benchctl/benchctl/result"
)

func TestRegistered(t *testing.T) {
	r, err := reporters.Get("markdown")
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := r.(*Reporter); !ok {
		t.Fatalf("markdown is registered as %T", r)
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
	golden.Assert(t, "report.md", []byte(render(t, r)))
	if !reflect.DeepEqual(r, testfixture.Report()) {
		t.Error("Render changed the report it was given")
	}
}

func TestRender(t *testing.T) {
	testfixture.CheckFragments(t, render, []testfixture.Fragments{
		{
			Name: "header with totals",
			Want: []string{"## benchctl 0.3.0: 2 passed, 2 failed, 1 skipped, 2 errors, 1 interrupted in 3m13s\n"},
		},
		{
			Name: "status markers",
			Want: []string{"| PASS ", "| FAIL ", "| ERROR ", "| SKIP ", "| RUN "},
		},
		{
			Name:    "pipes and newlines in cells",
			Edit:    func(r *result.Report) { r.Suites[0].Cases[0].Name = "a | b\nc" },
			Want:    []string{`| a \| b<br>c `},
			WantNot: []string{"a | b"},
		},
		{
			Name:    "HTML and control characters in messages",
			Edit:    func(r *result.Report) { r.Suites[0].Cases[3].SkipReason = "<details>\x1b[1mbold\x1b[0m\x00" },
			Want:    []string{"&lt;details&gt;bold\uFFFD"},
			WantNot: []string{"<details>", "\x1b", "\x00"},
		},
		{
			Name: "NaN metric",
			Edit: func(r *result.Report) { r.Suites[0].Cases[0].Metrics[0].Value = math.NaN() },
			Want: []string{" NaN MB |"},
		},
		{
			Name:    "no suites",
			Edit:    func(r *result.Report) { r.Suites = nil; r.Partial, r.Interrupted = false, false },
			Want:    []string{"0 passed, 0 failed, 0 skipped, 0 errors in 3m13s", "No tests ran."},
			WantNot: []string{"###", "Partial", "Interrupted"},
		},
		{
			Name: "no GPU",
			Edit: func(r *result.Report) {
				r.Environment.GPUs = nil
				r.Environment.GPUNote = "libnvidia-ml.so.1 not found"
				r.Environment.GPUBackend = "none"
			},
			Want: []string{"gpu-node-7, linux/amd64, no GPU: libnvidia-ml.so.1 not found, none backend\n"},
		},
		{
			Name: "partial but not interrupted",
			Edit: func(r *result.Report) { r.Interrupted = false },
			Want: []string{"**Partial report:**"},
		},
	})
}

func TestRenderNil(t *testing.T) {
	if _, err := New().Render(nil); err == nil {
		t.Fatal("Render(nil) gave no error")
	}
}
