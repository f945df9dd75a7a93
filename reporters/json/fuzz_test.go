package json

import (
	stdjson "encoding/json"
	"math"
	"strings"
	"testing"

	"github.com/benchctl/benchctl/reporters/internal/testfixture"
)

// FuzzJSON checks that any process output, any name, unit and label and any
// value yield valid JSON that Decode reads back with the strings as
// encoding/json keeps them (invalid bytes as U+FFFD) and non-finite values as 0.
func FuzzJSON(f *testing.F) {
	f.Add("plain output", "memory_stability", "MB", "peak memory", 12.5)
	f.Add(testfixture.Hostile, "a\x00b", "\xff", "]]>", math.NaN())
	f.Add("\x1b[31mred\r\n\t\u2028\u2029", "</script>", "\uFFFE\uFFFF", `"\`, math.Inf(1))
	f.Add("\xed\xa0\x80 surrogate, \xf4\x90\x80\x80 beyond U+10FFFF", "", "", "", math.Inf(-1))
	f.Add(strings.Repeat("x", 4096), "schema_version", "null", "{}", 5e-324)
	f.Fuzz(func(t *testing.T, output, name, unit, label string, value float64) {
		out, err := New().Render(testfixture.Injected(output, name, unit, label, value))
		if err != nil {
			t.Fatal(err)
		}
		if !stdjson.Valid(out) {
			t.Fatalf("not valid JSON:\n%s", out)
		}
		r, err := Decode(out)
		if err != nil {
			t.Fatal(err)
		}
		want, wantMetric := value, value
		if math.IsNaN(value) || math.IsInf(value, 0) {
			want, wantMetric = 0, math.NaN() // a metric's null is no value, not 0
		}
		c := r.Suites[0].Cases[0]
		m := c.Metrics[len(c.Metrics)-1]
		sameMetric := m.Value == wantMetric || (math.IsNaN(m.Value) && math.IsNaN(wantMetric))
		if !sameMetric || c.Seconds != want {
			t.Errorf("value %v read back as %v and %v, want %v", value, m.Value, c.Seconds, want)
		}
		if m.Name != validUTF8(name) || m.Unit != validUTF8(unit) {
			t.Errorf("metric %q %q read back as %q %q", name, unit, m.Name, m.Unit)
		}
		tail := c.Runs[0].StdoutTail
		if got := tail[len(tail)-1]; got != validUTF8(output) {
			t.Errorf("output %q read back as %q", output, got)
		}
		if got := r.Suites[0].Cases[1].Failures[2].Label; got != validUTF8(label) {
			t.Errorf("label %q read back as %q", label, got)
		}
		again, err := New().Render(r)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := Decode(again); err != nil {
			t.Fatal(err)
		}
	})
}
