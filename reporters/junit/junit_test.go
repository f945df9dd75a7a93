package junit

import (
	"encoding/xml"
	"errors"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/benchctl/benchctl/internal/golden"
	"github.com/benchctl/benchctl/reporters"
	"github.com/benchctl/benchctl/reporters/internal/testfixture"
	"github.com/benchctl/benchctl/result"
)

func TestRegistered(t *testing.T) {
	r, err := reporters.Get("junit")
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := r.(*Reporter); !ok {
		t.Fatalf("junit is registered as %T", r)
	}
}

func render(t testing.TB, r *result.Report) []byte {
	t.Helper()
	out, err := New().Render(r)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestGolden(t *testing.T) {
	r := testfixture.Report()
	golden.Assert(t, "report.xml", render(t, r))
	if !reflect.DeepEqual(r, testfixture.Report()) {
		t.Error("Render changed the report it was given")
	}
}

// wellFormed reads the whole document with encoding/xml, which rejects
// characters XML 1.0 forbids, invalid UTF-8 and unbalanced tags.
func wellFormed(doc []byte) error {
	d := xml.NewDecoder(strings.NewReader(string(doc)))
	for {
		_, err := d.Token()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// The parsed document, for checking the mapping.
type xTestsuites struct {
	Suites []xSuite `xml:"testsuite"`
}

type xSuite struct {
	Name       string      `xml:"name,attr"`
	Tests      int         `xml:"tests,attr"`
	Failures   int         `xml:"failures,attr"`
	Errors     int         `xml:"errors,attr"`
	Skipped    int         `xml:"skipped,attr"`
	Time       string      `xml:"time,attr"`
	Timestamp  string      `xml:"timestamp,attr"`
	Hostname   string      `xml:"hostname,attr"`
	ID         string      `xml:"id,attr"`
	Package    string      `xml:"package,attr"`
	Properties []xProperty `xml:"properties>property"`
	Cases      []xCase     `xml:"testcase"`
	SystemOut  string      `xml:"system-out"`
	SystemErr  *string     `xml:"system-err"`
}

type xProperty struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

type xCase struct {
	Name      string    `xml:"name,attr"`
	Classname string    `xml:"classname,attr"`
	Time      string    `xml:"time,attr"`
	Failure   *xOutcome `xml:"failure"`
	Error     *xOutcome `xml:"error"`
	Skipped   *xOutcome `xml:"skipped"`
}

type xOutcome struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Body    string `xml:",chardata"`
}

func parse(t *testing.T, doc []byte) xTestsuites {
	t.Helper()
	var ts xTestsuites
	if err := xml.Unmarshal(doc, &ts); err != nil {
		t.Fatal(err)
	}
	return ts
}

func (s xSuite) property(name string) (string, bool) {
	for _, p := range s.Properties {
		if p.Name == name {
			return p.Value, true
		}
	}
	return "", false
}

// fixtureSuites renders the fixture and returns its three suites: memory
// stability, throughput and the one that failed to load.
func fixtureSuites(t *testing.T) (mem, thr, broken xSuite) {
	t.Helper()
	ts := parse(t, render(t, testfixture.Report()))
	if len(ts.Suites) != 3 {
		t.Fatalf("got %d suites, want 3", len(ts.Suites))
	}
	return ts.Suites[0], ts.Suites[1], ts.Suites[2]
}

// TestMappingSuites checks what a testsuite element carries.
func TestMappingSuites(t *testing.T) {
	mem, thr, broken := fixtureSuites(t)

	t.Run("suite attributes", func(t *testing.T) {
		got := []string{mem.Name, mem.Package, mem.Hostname, mem.Timestamp, mem.Time, mem.ID, thr.ID, broken.ID}
		want := []string{"memory_stability", "scenarios/memory_stability.lua", "gpu-node-7", "2025-03-01T10:00:00", "140.250", "0", "1", "2"}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("got %q, want %q", got, want)
		}
	})
	t.Run("counts", func(t *testing.T) {
		for _, tt := range []struct {
			s                                xSuite
			tests, failures, errors, skipped int
		}{
			{mem, 4, 1, 1, 1},
			{thr, 3, 1, 1, 0}, // the running case is an error
			{broken, 1, 0, 1, 0},
		} {
			got := []int{tt.s.Tests, tt.s.Failures, tt.s.Errors, tt.s.Skipped}
			if want := []int{tt.tests, tt.failures, tt.errors, tt.skipped}; !reflect.DeepEqual(got, want) {
				t.Errorf("%s: tests, failures, errors, skipped = %v, want %v", tt.s.Name, got, want)
			}
			if tt.s.SystemErr == nil {
				t.Errorf("%s has no system-err", tt.s.Name)
			}
		}
	})
}

// TestMappingCases checks each outcome's testcase element.
func TestMappingCases(t *testing.T) {
	mem, thr, broken := fixtureSuites(t)
	t.Run("cases", func(t *testing.T) {
		for _, c := range mem.Cases {
			if c.Classname != "memory_stability" {
				t.Errorf("case %q has classname %q", c.Name, c.Classname)
			}
		}
		if c := mem.Cases[0]; c.Failure != nil || c.Error != nil || c.Skipped != nil || c.Time != "132.400" {
			t.Errorf("passed case: %+v", c)
		}
	})
	t.Run("failure lists every failed expectation", func(t *testing.T) {
		f := mem.Cases[1].Failure
		if f == nil {
			t.Fatal("no failure element")
		}
		if f.Type != "expect.le" || f.Message != "peak memory on GPU 0: 71.2 GiB, want <= 64 GiB (and 1 more)" {
			t.Errorf("failure type %q message %q", f.Type, f.Message)
		}
		for _, s := range []string{"71.2 GiB le 64 GiB", "peak memory on GPU 1: 70.9 GiB le 64 GiB", "scenarios/memory_stability.lua:43"} {
			if !strings.Contains(f.Body, s) {
				t.Errorf("failure body lacks %q:\n%s", s, f.Body)
			}
		}
	})
	t.Run("error carries message and traceback", func(t *testing.T) {
		e := mem.Cases[2].Error
		if e == nil || !strings.Contains(e.Message, "attempt to index a nil value") || !strings.Contains(e.Body, "stack traceback:") {
			t.Errorf("error: %+v", e)
		}
	})
	t.Run("skipped carries its reason", func(t *testing.T) {
		if s := mem.Cases[3].Skipped; s == nil || s.Message != "requires 4 GPUs, 2 present" {
			t.Errorf("skipped: %+v", s)
		}
	})
	t.Run("running case is interrupted", func(t *testing.T) {
		if e := thr.Cases[2].Error; e == nil || e.Message != "interrupted" || e.Type != "interrupted" {
			t.Errorf("error: %+v", e)
		}
	})
	t.Run("load error", func(t *testing.T) {
		c := broken.Cases[0]
		if c.Name != "scenarios/broken.lua" || c.Classname != "broken" || c.Error == nil || c.Error.Type != "load" ||
			!strings.Contains(c.Error.Message, "attempt to call a nil value") {
			t.Errorf("load error case: %+v", c)
		}
	})
}

// TestMappingOutput checks the properties and the system-out text.
func TestMappingOutput(t *testing.T) {
	mem, thr, _ := fixtureSuites(t)
	t.Run("properties", func(t *testing.T) {
		for name, want := range map[string]string{
			"metric.memory returns to baseline.memory_increase_mb": "12.5 MB",
			"metric.memory returns to baseline.peak_memory":        "64424509440 B",
			"metric.memory returns to baseline.sequences":          "45000",
			"metric.peak under budget | strict.peak_gpu0_gib":      "71.2 GiB",
			"env.gpu.1.name":       "NVIDIA H100 80GB HBM3",
			"env.gpu.0.accounting": "true",
			"var.preset":           "medium",
			"suite.file":           "scenarios/memory_stability.lua",
		} {
			if got, ok := mem.property(name); !ok || got != want {
				t.Errorf("property %q = %q, %v; want %q", name, got, ok, want)
			}
		}
		if _, ok := thr.property("metric.memory returns to baseline.memory_increase_mb"); ok {
			t.Error("a metric of another suite is in throughput's properties")
		}
	})
	t.Run("system-out", func(t *testing.T) {
		for _, s := range []string{
			"=== memory returns to baseline (PASS, 2m12s)",
			"[512ms] baseline settled: 1.2 GiB on GPU 0",
			"--- run predict: ok (exit 0), 2m08s wall, peak GPU memory GPU0 60 GiB, GPU1 58.2 GiB, XID error",
			"    | 100%|##########| 45000/45000\n", // the progress bar as a terminal shows it
			"bad \uFFFD\uFFFD bytes, NUL \uFFFD, bell \uFFFD, red, ff \uFFFD, \uFFFD, ]]> & <tag>",
			"    | warning: expandable segments on\n",
			"oom: torch.OutOfMemoryError",
		} {
			if !strings.Contains(mem.SystemOut+thr.SystemOut, s) {
				t.Errorf("system-out lacks %q", s)
			}
		}
	})
}

// edgeCase edits the fixture report and checks the JUnit rendered from it,
// which must stay well-formed and valid against the schema.
type edgeCase struct {
	name  string
	edit  func(r *result.Report)
	check func(t *testing.T, ts xTestsuites)
}

func runEdgeCases(t *testing.T, tests []edgeCase) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := testfixture.Report()
			tt.edit(r)
			doc := render(t, r)
			if err := wellFormed(doc); err != nil {
				t.Fatal(err)
			}
			tt.check(t, parse(t, doc))
			validate(t, doc)
		})
	}
}

// TestEdgeNamesAndTimes covers names and times the schema would not take as
// they are.
func TestEdgeNamesAndTimes(t *testing.T) {
	runEdgeCases(t, []edgeCase{
		{
			name:  "no suites",
			edit:  func(r *result.Report) { r.Suites = nil },
			check: func(t *testing.T, ts xTestsuites) {},
		},
		{
			name: "blank names fall back",
			edit: func(r *result.Report) {
				r.Environment.Hostname = " \t"
				r.Suites[0].Name = "\n"
				r.Suites[0].Cases[0].Name = ""
				r.Suites[1].Name, r.Suites[1].File = "", ""
			},
			check: func(t *testing.T, ts xTestsuites) {
				got := []string{ts.Suites[0].Hostname, ts.Suites[0].Name, ts.Suites[0].Cases[0].Name, ts.Suites[1].Name, ts.Suites[1].Package}
				want := []string{"localhost", "scenarios/memory_stability.lua", "unnamed", "suite 1", "suite 1"}
				if !reflect.DeepEqual(got, want) {
					t.Errorf("got %q, want %q", got, want)
				}
			},
		},
		{
			name: "whitespace in names collapses",
			edit: func(r *result.Report) { r.Suites[0].Name = "  memory\t\tstability \n" },
			check: func(t *testing.T, ts xTestsuites) {
				if got := ts.Suites[0].Name; got != "memory stability" {
					t.Errorf("name %q", got)
				}
			},
		},
		{
			name: "times outside the schema",
			edit: func(r *result.Report) {
				r.Suites[0].StartedAt = time.Date(12000, 1, 1, 0, 0, 0, 0, time.UTC)
				r.Suites[1].StartedAt = time.Time{}
				r.Suites[0].Seconds = math.NaN()
				r.Suites[0].Cases[0].Seconds = math.Inf(1)
				r.Suites[0].Cases[1].Seconds = 1e300
			},
			check: func(t *testing.T, ts xTestsuites) {
				got := []string{ts.Suites[0].Timestamp, ts.Suites[1].Timestamp, ts.Suites[0].Time, ts.Suites[0].Cases[0].Time}
				want := []string{"2025-03-01T10:00:00", "2025-03-01T10:00:00", "0.000", "0.000"}
				if !reflect.DeepEqual(got, want) {
					t.Errorf("got %q, want %q", got, want)
				}
			},
		},
		{
			name: "time zone is dropped after converting to UTC",
			edit: func(r *result.Report) {
				r.Suites[0].StartedAt = time.Date(2025, 3, 1, 12, 0, 0, 999, time.FixedZone("CET", 3600))
			},
			check: func(t *testing.T, ts xTestsuites) {
				if got := ts.Suites[0].Timestamp; got != "2025-03-01T11:00:00" {
					t.Errorf("timestamp %q", got)
				}
			},
		},
	})
}

// TestEdgeOutcomes covers statuses and figures outside the usual.
func TestEdgeOutcomes(t *testing.T) {
	runEdgeCases(t, []edgeCase{
		{
			name: "unknown status is an error",
			edit: func(r *result.Report) { r.Suites[0].Cases[0].Status = "weird" },
			check: func(t *testing.T, ts xTestsuites) {
				if e := ts.Suites[0].Cases[0].Error; e == nil || e.Type != "status" || e.Message != `unknown status "weird"` {
					t.Errorf("error %+v", e)
				}
				if ts.Suites[0].Errors != 2 {
					t.Errorf("errors = %d, want 2", ts.Suites[0].Errors)
				}
			},
		},
		{
			name: "failed without failures",
			edit: func(r *result.Report) { r.Suites[0].Cases[1].Failures = nil },
			check: func(t *testing.T, ts xTestsuites) {
				if f := ts.Suites[0].Cases[1].Failure; f == nil || f.Message != "failed" || f.Type != "expect" {
					t.Errorf("failure %+v", f)
				}
			},
		},
		{
			name: "NaN metric",
			edit: func(r *result.Report) { r.Suites[0].Cases[0].Metrics[0].Value = math.NaN() },
			check: func(t *testing.T, ts xTestsuites) {
				if v, _ := ts.Suites[0].property("metric.memory returns to baseline.memory_increase_mb"); v != "NaN MB" {
					t.Errorf("value %q", v)
				}
			},
		},
	})
}

func TestRenderNil(t *testing.T) {
	if _, err := New().Render(nil); err == nil {
		t.Fatal("Render(nil) gave no error")
	}
}

// schemaPath is the JUnit schema shipped in the repository
// (<repo>/testdata/junit/JUnit.xsd; tests run in reporters/junit), or the file
// BENCHCTL_JUNIT_XSD names.
func schemaPath() string {
	if p := os.Getenv("BENCHCTL_JUNIT_XSD"); p != "" {
		return p
	}
	return filepath.Join("..", "..", "testdata", "junit", "JUnit.xsd")
}

// validate checks doc against the schema with xmllint. Without xmllint or the
// schema the test is skipped, unless CI or BENCHCTL_REQUIRE_XMLLINT is set: then
// it fails.
func validate(t *testing.T, doc []byte) {
	t.Helper()
	missing := func(what string) {
		t.Helper()
		if os.Getenv("CI") != "" || os.Getenv("BENCHCTL_REQUIRE_XMLLINT") != "" {
			t.Fatalf("%s, and CI or BENCHCTL_REQUIRE_XMLLINT is set", what)
		}
		t.Skip(what)
	}
	xmllint, err := exec.LookPath("xmllint")
	if err != nil {
		missing("xmllint is not installed (apt-get install -y libxml2-utils)")
	}
	xsd := schemaPath()
	if _, err := os.Stat(xsd); err != nil {
		missing("no JUnit schema: " + err.Error())
	}
	file := filepath.Join(t.TempDir(), "report.xml")
	if err := os.WriteFile(file, doc, 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(xmllint, "--noout", "--schema", xsd, file).CombinedOutput(); err != nil {
		t.Fatalf("xmllint: %v\n%s", err, out)
	}
}

func TestValidatesAgainstSchema(t *testing.T) {
	validate(t, render(t, testfixture.Report()))
}
