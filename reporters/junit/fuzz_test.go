package junit

import (
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/benchctl/benchctl/reporters/internal/testfixture"
)

// seed is one input of the fuzz test.
type seed struct {
	output, name, unit, label string
	value                     float64
}

// seeds are hostile inputs: the fuzz test starts from them and
// TestHostileValidates checks them against the schema.
var seeds = []seed{
	{"plain output", "memory_stability", "MB", "peak memory", 12.5},
	{testfixture.Hostile, "a\x00b", "\xff", "]]>", math.NaN()},
	{"\x1b[31mred\x1b]0;title\x07\r\n\t", " ", "\uFFFE\uFFFF", "<&\"'>", math.Inf(1)},
	{"\xed\xa0\x80 surrogate, \xf4\x90\x80\x80 beyond U+10FFFF", "\n\t\r", "", "\u0085\u2028", -1e300},
	{strings.Repeat("x", 4096), "--", "<!-- -->", "<![CDATA[", 1e21},
	{"", "", "", "", 0},
}

func TestHostileValidates(t *testing.T) {
	for _, s := range seeds {
		t.Run(strconv.QuoteToASCII(s.name), func(t *testing.T) {
			doc := render(t, testfixture.Injected(s.output, s.name, s.unit, s.label, s.value))
			if err := wellFormed(doc); err != nil {
				t.Fatal(err)
			}
			validate(t, doc)
		})
	}
}

// FuzzJUnit checks that any process output, any name, unit and label and any
// value yield a well-formed document with the attributes the schema requires
// to be non-empty tokens.
func FuzzJUnit(f *testing.F) {
	for _, s := range seeds {
		f.Add(s.output, s.name, s.unit, s.label, s.value)
	}
	f.Fuzz(func(t *testing.T, output, name, unit, label string, value float64) {
		doc, err := New().Render(testfixture.Injected(output, name, unit, label, value))
		if err != nil {
			t.Fatal(err)
		}
		if err := wellFormed(doc); err != nil {
			t.Fatalf("not well-formed: %v\n%s", err, doc)
		}
		ts := parse(t, doc)
		if len(ts.Suites) != 3 {
			t.Fatalf("got %d suites, want 3", len(ts.Suites))
		}
		for _, s := range ts.Suites {
			if token(s.Name) == "" || token(s.Hostname) == "" || s.Timestamp == "" {
				t.Errorf("empty name, hostname or timestamp: %q %q %q", s.Name, s.Hostname, s.Timestamp)
			}
			for _, p := range s.Properties {
				if token(p.Name) == "" {
					t.Errorf("empty property name (value %q)", p.Value)
				}
			}
			if strings.ContainsAny(s.Time, "eENaIf") {
				t.Errorf("time %q is not an xs:decimal", s.Time)
			}
		}
	})
}
