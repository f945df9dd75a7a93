package json

import (
	"bytes"
	stdjson "encoding/json"
	"errors"
	"math"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/benchctl/benchctl/internal/golden"
	"github.com/benchctl/benchctl/reporters"
	"github.com/benchctl/benchctl/reporters/internal/testfixture"
	"github.com/benchctl/benchctl/result"
)

func TestRegistered(t *testing.T) {
	r, err := reporters.Get("json")
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := r.(*Reporter); !ok {
		t.Fatalf("json is registered as %T", r)
	}
}

func TestGolden(t *testing.T) {
	r := testfixture.Report()
	out, err := New().Render(r)
	if err != nil {
		t.Fatal(err)
	}
	golden.Assert(t, "report.json", out)
	if !reflect.DeepEqual(r, testfixture.Report()) {
		t.Error("Render changed the report it was given")
	}
}

// validUTF8 is s as encoding/json writes it: each invalid byte becomes U+FFFD.
func validUTF8(s string) string { return string([]rune(s)) }

func TestRoundTrip(t *testing.T) {
	tests := []struct {
		name string
		edit func(r *result.Report) // applied to the report rendered
		want func(r *result.Report) // applied to the report expected back
	}{
		{name: "fixture", edit: func(r *result.Report) {}, want: func(r *result.Report) {}},
		{
			name: "schema version is the current one",
			edit: func(r *result.Report) { r.SchemaVersion = 0 },
			want: func(r *result.Report) { r.SchemaVersion = result.SchemaVersion },
		},
		{
			name: "non-finite floats read back as 0, a metric's as NaN",
			edit: func(r *result.Report) {
				r.Seconds = math.NaN()
				r.Suites[0].Cases[0].Metrics[0].Value = math.Inf(1)
				r.Suites[0].Cases[0].Metrics[0].Samples = []float64{1, math.NaN(), math.Inf(-1)}
				r.Suites[0].Cases[0].Runs[0].GPU.GPUs[0].Timeline[0].Max[result.MemUsed] = math.NaN()
				r.Suites[0].Cases[0].Runs[0].GPU.GPUs[0].Stats[result.Power] = result.Stat{Count: 1, Mean: math.NaN()}
			},
			want: func(r *result.Report) {
				r.Seconds = 0
				// A metric's null is no value: NaN, which compare skips. It
				// is checked, and then made 0, by sameNaNs below.
				r.Suites[0].Cases[0].Metrics[0].Value = math.NaN()
				r.Suites[0].Cases[0].Metrics[0].Samples = []float64{1, math.NaN(), math.NaN()}
				r.Suites[0].Cases[0].Runs[0].GPU.GPUs[0].Timeline[0].Max[result.MemUsed] = 0
				r.Suites[0].Cases[0].Runs[0].GPU.GPUs[0].Stats[result.Power] = result.Stat{Count: 1}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := testfixture.Report()
			tt.edit(in)
			out, err := New().Render(in)
			if err != nil {
				t.Fatal(err)
			}
			got, err := Decode(out)
			if err != nil {
				t.Fatal(err)
			}
			want := testfixture.Report()
			tt.edit(want)
			// The one lossy step for text: invalid UTF-8 reads back as U+FFFD.
			for i, l := range want.Suites[0].Cases[0].Runs[0].StdoutTail {
				want.Suites[0].Cases[0].Runs[0].StdoutTail[i] = validUTF8(l)
			}
			tt.want(want)
			sameNaNs(t, got, want)
			if !reflect.DeepEqual(got, want) {
				g, _ := stdjson.MarshalIndent(got, "", " ")
				w, _ := stdjson.MarshalIndent(want, "", " ")
				t.Fatalf("decoded report differs:\n%s", firstDiff(string(g), string(w)))
			}
		})
	}
}

// sameNaNs checks that the metric values and samples of got and want are NaN
// at the same places, and sets those to 0 in both so that they compare equal.
func sameNaNs(t *testing.T, got, want *result.Report) {
	t.Helper()
	fix := func(a, b *float64, where string) {
		if math.IsNaN(*a) != math.IsNaN(*b) {
			t.Errorf("%s: got %v, want %v", where, *a, *b)
		}
		if math.IsNaN(*a) && math.IsNaN(*b) {
			*a, *b = 0, 0
		}
	}
	for si := range min(len(got.Suites), len(want.Suites)) {
		gs, ws := got.Suites[si], want.Suites[si]
		for ci := range min(len(gs.Cases), len(ws.Cases)) {
			gc, wc := gs.Cases[ci], ws.Cases[ci]
			for mi := range min(len(gc.Metrics), len(wc.Metrics)) {
				gm, wm := &gc.Metrics[mi], &wc.Metrics[mi]
				fix(&gm.Value, &wm.Value, gm.Name)
				for k := range min(len(gm.Samples), len(wm.Samples)) {
					fix(&gm.Samples[k], &wm.Samples[k], gm.Name+" sample")
				}
			}
		}
	}
}

func firstDiff(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := range min(len(al), len(bl)) {
		if al[i] != bl[i] {
			return "line " + strconv.Itoa(i+1) + ":\n got: " + al[i] + "\nwant: " + bl[i]
		}
	}
	return "lengths differ"
}

func TestNonFiniteIsNull(t *testing.T) {
	tests := []struct {
		name  string
		edit  func(r *result.Report)
		want  string // a fragment of the output
		avoid string // a fragment that must not be there
	}{
		{
			name: "NaN metric value",
			edit: func(r *result.Report) { r.Suites[0].Cases[0].Metrics[0].Value = math.NaN() },
			want: `"value": null`,
		},
		{
			name: "infinite report seconds",
			edit: func(r *result.Report) { r.Seconds = math.Inf(1) },
			want: `"seconds": null,`,
		},
		{
			name: "NaN in a map of stats",
			edit: func(r *result.Report) {
				r.Suites[0].Cases[0].Runs[0].GPU.GPUs[1].Stats[result.UtilGPU] = result.Stat{Count: 3, Max: math.Inf(-1)}
			},
			want: `"max": null,`,
		},
		{
			name:  "NaN spread of an omitempty field is written as null",
			edit:  func(r *result.Report) { r.Suites[0].Cases[0].Metrics[1].Spread = math.NaN() },
			want:  `"spread": null`,
			avoid: "NaN",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := testfixture.Report()
			tt.edit(r)
			out, err := New().Render(r)
			if err != nil {
				t.Fatal(err)
			}
			if !stdjson.Valid(out) {
				t.Fatal("output is not valid JSON")
			}
			if !strings.Contains(string(out), tt.want) {
				t.Errorf("output lacks %q", tt.want)
			}
			if tt.avoid != "" && strings.Contains(string(out), tt.avoid) {
				t.Errorf("output holds %q", tt.avoid)
			}
		})
	}
}

// TestFinitePathsAgree checks that the slow path used when a float is not finite
// writes every finite value exactly as encoding/json does.
func TestFinitePathsAgree(t *testing.T) {
	r := testfixture.Report()
	fast, err := stdjson.MarshalIndent(r, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	slow, err := stdjson.MarshalIndent(finite(r), "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(fast, slow) {
		t.Fatalf("the paths differ:\n%s", firstDiff(string(slow), string(fast)))
	}
}

func TestDecodeErrors(t *testing.T) {
	tests := []struct {
		name   string
		in     string
		is     error
		phrase string
	}{
		{"empty", "", ErrNotJSON, "the input is empty"},
		{"blank", " \n\t", ErrNotJSON, "the input is empty"},
		{"junit", `<?xml version="1.0"?><testsuites/>`, ErrNotJSON, "looks like XML"},
		{"markdown", "## benchctl: 1 passed", ErrNotJSON, "looks like Markdown"},
		{"truncated", `{"schema_version": 1, "suites": [`, ErrNotJSON, "unexpected end of JSON input"},
		{"array", `[1, 2]`, ErrNotJSON, "the input is a JSON array, not an object"},
		{"string", `"report"`, ErrNotJSON, "the input is a JSON string, not an object"},
		{"null", `null`, ErrSchemaVersion, "schema version missing, want 1"},
		{"missing", `{"suites": []}`, ErrSchemaVersion, "schema version missing, want 1"},
		{"newer", `{"schema_version": 2}`, ErrSchemaVersion, "schema version 2, want 1"},
		{"newer, version not first", `{"suites": [], "schema_version": 2}`, ErrSchemaVersion, "schema version 2, want 1"},
		{"broken after the version", `{"schema_version": 1, "suites": [}`, ErrNotJSON, "invalid character '}'"},
		{"older", `{"schema_version": 0}`, ErrSchemaVersion, "schema version 0, want 1"},
		{"string version", `{"schema_version": "1"}`, ErrSchemaVersion, `schema version "1", want 1`},
		{"fraction", `{"schema_version": 1.5}`, ErrSchemaVersion, "schema version 1.5, want 1"},
		{"huge", `{"schema_version": 1e400}`, ErrSchemaVersion, "schema version 1e400, want 1"},
		{"wrong type", `{"schema_version": 1, "seconds": "long"}`, nil, "field seconds: string where the schema has float64"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := Decode([]byte(tt.in))
			if err == nil {
				t.Fatalf("Decode gave %+v and no error", r)
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("error %q is not %v", err, tt.is)
			}
			if !strings.Contains(err.Error(), tt.phrase) {
				t.Errorf("error %q does not say %q", err, tt.phrase)
			}
		})
	}
}

func TestDecodeIgnoresUnknownFields(t *testing.T) {
	r, err := Decode([]byte(`{"schema_version": 1, "from_the_future": {"x": 1}, "suites": [{"name": "s", "status": "passed", "cases": []}]}`))
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Suites) != 1 || r.Suites[0].Name != "s" {
		t.Fatalf("got %+v", r.Suites)
	}
}

func TestRenderNil(t *testing.T) {
	if _, err := New().Render(nil); err == nil {
		t.Fatal("Render(nil) gave no error")
	}
}
