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
	tests := []struct {
		name    string
		edit    func(r *result.Report)
		want    []string
		wantNot []string
	}{
		{
			name: "totals line",
			edit: func(r *result.Report) { r.Suites = r.Suites[:1]; r.Partial, r.Interrupted = false, false },
			want: []string{"\n1 passed, 1 failed, 1 skipped, 1 error in 3m13s\n"},
		},
		{
			name: "escape sequences and control characters are removed",
			edit: func(r *result.Report) {
				r.Suites[0].Cases[2].Error.Message = "\x1b[2J\x1b]0;pwned\x07boom\x00\r\nnext\u009b"
			},
			want:    []string{"boom\uFFFD next\uFFFD"},
			wantNot: []string{"\x1b", "\x00", "\r", "\u009b"},
		},
		{
			name: "long messages are cut",
			edit: func(r *result.Report) { r.Suites[0].Cases[2].Error.Message = strings.Repeat("x", 500) },
			want: []string{strings.Repeat("x", 50) + "...\n"},
		},
		{
			name: "key metrics of a passed case",
			edit: func(r *result.Report) {},
			want: []string{"memory_increase_mb=12.5 MB, peak_memory=60 GiB, throughput=4500 seq/h, gpu_utilization=87.5%, ..."},
		},
		{
			name: "metrics of a failed case go under its message",
			edit: func(r *result.Report) {},
			want: []string{"(and 1 more)\n", "  peak_gpu0_gib=71.2 GiB\n"},
		},
		{
			name: "NaN metric",
			edit: func(r *result.Report) { r.Suites[0].Cases[0].Metrics[0].Value = math.NaN() },
			want: []string{"memory_increase_mb=NaN MB"},
		},
		{
			name:    "no trailing spaces",
			edit:    func(r *result.Report) {},
			want:    []string{"\n"},
			wantNot: []string{" \n"},
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
