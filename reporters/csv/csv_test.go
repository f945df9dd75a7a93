package csv

import (
	"bytes"
	stdcsv "encoding/csv"
	"math"
	"testing"

	"github.com/benchctl/benchctl/internal/golden"
	"github.com/benchctl/benchctl/reporters"
	"github.com/benchctl/benchctl/reporters/internal/testfixture"
	"github.com/benchctl/benchctl/result"
)

func TestRegistered(t *testing.T) {
	for _, name := range []string{"csv", "csv-timeline"} {
		if _, err := reporters.Get(name); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestGolden(t *testing.T) {
	for _, tc := range []struct {
		file string
		rep  reporters.Reporter
	}{
		{"metrics.csv", Metrics{}},
		{"timeline.csv", Timeline{}},
	} {
		t.Run(tc.file, func(t *testing.T) {
			out, err := tc.rep.Render(testfixture.Report())
			if err != nil {
				t.Fatal(err)
			}
			golden.Assert(t, tc.file, out)
		})
	}
}

// parse reads CSV back, as pandas would: every row as wide as the header.
func parse(t *testing.T, data []byte) [][]string {
	t.Helper()
	rows, err := stdcsv.NewReader(bytes.NewReader(data)).ReadAll()
	if err != nil {
		t.Fatalf("not CSV: %v\n%s", err, data)
	}
	return rows
}

func TestMetricsRows(t *testing.T) {
	r := testfixture.Report()
	r.Suites[0].Cases[0].Metrics[0].Value = math.NaN()
	r.Suites[0].Cases[0].Metrics[1].Name = "odd, \"quoted\"\nname"
	out, err := Metrics{}.Render(r)
	if err != nil {
		t.Fatal(err)
	}
	rows := parse(t, out)
	want := 1
	for _, s := range r.Suites {
		for _, c := range s.Cases {
			want += len(c.Metrics)
		}
	}
	if len(rows) != want {
		t.Fatalf("%d rows, want a header and one per metric (%d)", len(rows), want)
	}
	first := map[string]string{}
	for i, h := range rows[0] {
		first[h] = rows[1][i]
	}
	if first["metric"] != "memory_increase_mb" || first["value"] != "" || first["unit"] != "MB" || first["status"] != "passed" {
		t.Errorf("first row %v: want the NaN metric as an empty value", first)
	}
	if rows[2][5] != `odd, "quoted" name` {
		t.Errorf("metric name %q: want it on one line, quoted by CSV", rows[2][5])
	}
}

func TestTimelineRows(t *testing.T) {
	r := testfixture.Report()
	out, err := Timeline{}.Render(r)
	if err != nil {
		t.Fatal(err)
	}
	rows := parse(t, out)
	buckets := 0
	for _, s := range r.Suites {
		for _, c := range s.Cases {
			for _, run := range c.Runs {
				if run.GPU != nil {
					for _, g := range run.GPU.GPUs {
						buckets += len(g.Timeline)
					}
				}
			}
		}
	}
	if buckets == 0 || len(rows) != buckets+1 {
		t.Fatalf("%d rows for %d buckets", len(rows), buckets)
	}
	if got := stageAt([]result.Stage{{Name: "a", Start: 0, End: 5}, {Name: "b", Start: 5, End: 9}}, 5); got != "b" {
		t.Errorf("stage at 5 s = %q, want b", got)
	}
	if got := stageAt(nil, 1); got != "" {
		t.Errorf("stage without stages = %q", got)
	}
}

func TestRenderNil(t *testing.T) {
	for _, r := range []reporters.Reporter{Metrics{}, Timeline{}} {
		if _, err := r.Render(nil); err == nil {
			t.Errorf("%s: Render(nil) gave no error", r.Name())
		}
	}
}
