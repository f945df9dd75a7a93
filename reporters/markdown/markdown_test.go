package markdown

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
	tests := []struct {
		name    string
		edit    func(r *result.Report)
		want    []string
		wantNot []string
	}{
		{
			name: "header with totals",
			edit: func(r *result.Report) {},
			want: []string{"## benchctl 0.3.0: 2 passed, 2 failed, 1 skipped, 2 errors, 1 interrupted in 3m13s\n"},
		},
		{
			name: "status markers",
			edit: func(r *result.Report) {},
			want: []string{"| PASS ", "| FAIL ", "| ERROR ", "| SKIP ", "| RUN "},
		},
		{
			name:    "pipes and newlines in cells",
			edit:    func(r *result.Report) { r.Suites[0].Cases[0].Name = "a | b\nc" },
			want:    []string{`| a \| b<br>c `},
			wantNot: []string{"a | b"},
		},
		{
			name:    "HTML and control characters in messages",
			edit:    func(r *result.Report) { r.Suites[0].Cases[3].SkipReason = "<details>\x1b[1mbold\x1b[0m\x00" },
			want:    []string{"&lt;details&gt;bold\uFFFD"},
			wantNot: []string{"<details>", "\x1b", "\x00"},
		},
		{
			name: "NaN metric",
			edit: func(r *result.Report) { r.Suites[0].Cases[0].Metrics[0].Value = math.NaN() },
			want: []string{" NaN MB |"},
		},
		{
			name:    "no suites",
			edit:    func(r *result.Report) { r.Suites = nil; r.Partial, r.Interrupted = false, false },
			want:    []string{"0 passed, 0 failed, 0 skipped, 0 errors in 3m13s", "No tests ran."},
			wantNot: []string{"###", "Partial", "Interrupted"},
		},
		{
			name: "no GPU",
			edit: func(r *result.Report) {
				r.Environment.GPUs = nil
				r.Environment.GPUNote = "libnvidia-ml.so.1 not found"
				r.Environment.GPUBackend = "none"
			},
			want: []string{"gpu-node-7, linux/amd64, no GPU: libnvidia-ml.so.1 not found, none backend\n"},
		},
		{
			name: "partial but not interrupted",
			edit: func(r *result.Report) { r.Interrupted = false },
			want: []string{"**Partial report:**"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := testfixture.Report()
			tt.edit(r)
			out := render(t, r)
			for _, w := range tt.want {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
			for _, w := range tt.wantNot {
				if strings.Contains(out, w) {
					t.Errorf("output holds %q:\n%s", w, out)
				}
			}
		})
	}
}

func TestRenderNil(t *testing.T) {
	if _, err := New().Render(nil); err == nil {
		t.Fatal("Render(nil) gave no error")
	}
}
