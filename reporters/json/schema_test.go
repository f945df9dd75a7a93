package json

import (
	"math"
	"strings"
	"testing"

	"github.com/benchctl/benchctl/reporters/internal/testfixture"
	"github.com/benchctl/benchctl/result"
	"github.com/benchctl/benchctl/result/schema"
)

// TestOutputMatchesSchema renders reports with the json reporter and checks
// the output against the checked-in schema: every key declared, and the whole
// document valid (types, required fields, null where a float was NaN or a
// list nil).
func TestOutputMatchesSchema(t *testing.T) {
	tests := []struct {
		name   string
		report func() *result.Report
	}{
		{"full fixture", testfixture.Report},
		{"empty report", func() *result.Report { return &result.Report{} }},
		{"non-finite floats", func() *result.Report {
			r := testfixture.Report()
			r.Seconds = math.Inf(1)
			r.Suites[0].Cases[0].Metrics[0].Value = math.NaN()
			r.Suites[0].Cases[0].Runs[0].GPU.GPUs[1].Stats[result.UtilGPU] = result.Stat{Max: math.Inf(-1)}
			return r
		}},
		{"hostile process output", func() *result.Report {
			return testfixture.Injected("\x1b[31m<b>\"}\x00\xff", "m\"{", "%", "</x>", math.NaN())
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := New().Render(tt.report())
			if err != nil {
				t.Fatal(err)
			}
			if err := schema.Validate(out); err != nil {
				t.Error(err)
			}
		})
	}
}

// TestSchemaRejects is the control: documents the reporter would not write
// fail validation, so the check above can fail.
func TestSchemaRejects(t *testing.T) {
	out, err := New().Render(testfixture.Report())
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, from, to string
	}{
		{"renamed field", `"hostname":`, `"host_name":`},
		{"other schema version", `"schema_version": 1,`, `"schema_version": 2,`},
		{"string for a number", `"cpus": 16,`, `"cpus": "16",`},
		{"string for a boolean", `"partial": true,`, `"partial": "true",`},
		{"missing required field", `"schema_version": 1,`, ``},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := strings.Replace(string(out), tt.from, tt.to, 1)
			if doc == string(out) {
				t.Fatalf("fixture output has no %q", tt.from)
			}
			if schema.Validate([]byte(doc)) == nil {
				t.Error("schema accepts it")
			}
		})
	}
}
