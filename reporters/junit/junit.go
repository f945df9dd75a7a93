// Package junit renders a report as JUnit XML that validates against the Apache
// Ant JUnit schema (testdata/junit/JUnit.xsd), the strictest form that CI systems
// read.
//
// The mapping: the root is <testsuites> (the schema gives it no attributes); each
// Suite is a <testsuite> with id, package (the scenario file) and the required
// counts, timestamp (UTC, no zone) and hostname (in a merged result, the node
// the suite ran on, whose environment its properties then describe); each Case is a <testcase>
// whose classname is the suite name. The schema allows a testcase at most one
// child, one of <failure>, <error> or <skipped>, and no properties or output of
// its own, so: every failed expectation of a case is listed in the body of its
// one <failure>; a case still running is an <error> with message "interrupted";
// a suite that failed to load gets one errored testcase named after its file;
// a case's metrics go into the suite's <properties> as
// metric.CASE.NAME = "VALUE UNIT", beside the environment; and each case's
// logs, pipeline run summaries and stdout/stderr tails go into the suite's
// <system-out>. Every string is cleaned first (text.Clean), so any process
// output and any name yield well-formed XML 1.0.
package junit

import (
	"errors"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/benchctl/benchctl/internal/format"
	"github.com/benchctl/benchctl/reporters"
	"github.com/benchctl/benchctl/reporters/internal/outcome"
	"github.com/benchctl/benchctl/result"
)

func init() {
	reporters.Register(New())
}

// Reporter writes the JUnit XML format.
type Reporter struct{}

var _ reporters.Reporter = (*Reporter)(nil)

// New returns the JUnit reporter.
func New() *Reporter { return &Reporter{} }

// Name returns "junit".
func (*Reporter) Name() string { return "junit" }

// Render returns the report as a JUnit XML document.
func (*Reporter) Render(r *result.Report) ([]byte, error) {
	if r == nil {
		return nil, errors.New("render junit: nil report")
	}
	var w xmlWriter
	w.raw(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	w.raw("<testsuites>\n")
	for i, s := range r.Suites {
		buildSuite(r, s, i).write(&w)
	}
	w.raw("</testsuites>\n")
	return []byte(w.String()), nil
}

// suite is one <testsuite> element, ready to write.
type suite struct {
	name, pkg, hostname, timestamp string
	id                             int
	counts                         outcome.Totals
	seconds                        float64
	properties                     []property
	cases                          []testcase
	stdout                         string
}

type property struct{ name, value string }

// testcase is one <testcase>; result is nil for a passed case.
type testcase struct {
	name, classname string
	seconds         float64
	result          *caseResult
}

// caseResult is the one child a testcase may have.
type caseResult struct {
	element, message, typ, body string
}

func buildSuite(r *result.Report, s result.Suite, id int) suite {
	name := firstToken(s.Name, s.File, "suite "+strconv.Itoa(id))
	out := suite{
		name:       name,
		pkg:        firstToken(s.File, name),
		hostname:   firstToken(suiteHost(r, s), "localhost"),
		timestamp:  timestamp(s.StartedAt, r.StartedAt),
		id:         id,
		seconds:    s.Seconds,
		properties: properties(r, s),
	}
	var logs strings.Builder
	for i, c := range outcome.Cases(s) {
		tc := testcase{name: firstToken(c.Name), classname: name, seconds: c.Seconds, result: caseOutcome(c)}
		if i == 0 && s.Error != "" {
			tc.result.typ = "load"
		}
		out.counts.Add(c.Status)
		out.cases = append(out.cases, tc)
		writeCaseOutput(&logs, c)
	}
	out.stdout = logs.String()
	return out
}

// caseOutcome maps a case's status to the testcase's child element.
func caseOutcome(c result.Case) *caseResult {
	switch c.Status {
	case result.Passed:
		return nil
	case result.Failed:
		return failure(c)
	case result.Skipped:
		return &caseResult{element: "skipped", message: c.SkipReason}
	case result.Running:
		return &caseResult{element: "error", message: outcome.InterruptedMessage, typ: "interrupted",
			body: "the case was still running when the report was written"}
	case result.Errored:
		res := &caseResult{element: "error", message: outcome.ErrorText(c.Error), typ: "error"}
		if c.Error != nil {
			res.body = c.Error.Traceback
		}
		return res
	}
	return &caseResult{element: "error", message: outcome.Problem(c), typ: "status"}
}

// failure is the one <failure> of a failed case: the message is the first
// failure's sentence, the body lists every failure with its parts.
func failure(c result.Case) *caseResult {
	res := &caseResult{element: "failure", message: outcome.Problem(c), typ: "expect"}
	if len(c.Failures) > 0 && c.Failures[0].Op != "" {
		res.typ = "expect." + c.Failures[0].Op
	}
	var b strings.Builder
	for i, f := range c.Failures {
		b.WriteString(strconv.Itoa(i+1) + ") " + outcome.FailureText(f) + "\n")
		b.WriteString("   label: " + f.Label + "\n")
		b.WriteString("   value: " + f.Value + " " + f.Op + " " + f.Bound + "\n")
		if f.Where != "" {
			b.WriteString("   at " + f.Where + "\n")
		}
	}
	if c.Error != nil {
		b.WriteString("error: " + outcome.ErrorText(c.Error) + "\n" + c.Error.Traceback)
	}
	res.body = b.String()
	return res
}

// suiteHost is the machine a suite ran on: in a merged result its node's
// name (Slurm's, which tells apart nodes sharing a hostname).
func suiteHost(r *result.Report, s result.Suite) string {
	if n := r.NodeOf(s); n != nil {
		return n.Name
	}
	return r.Environment.Hostname
}

// properties lists the suite, the run and its environment, the variables and
// every case's metrics.
func properties(r *result.Report, s result.Suite) []property {
	var ps []property
	add := func(name, value string) {
		if value != "" {
			ps = append(ps, property{token(name), value})
		}
	}
	add("suite.file", s.File)
	add("suite.description", s.Description)
	add("suite.tags", strings.Join(s.Tags, ","))
	add("suite.status", string(s.Status))
	add("tool", strings.TrimSpace(r.Tool.Name+" "+r.Tool.Version))
	if r.Partial {
		add("report.partial", "true")
	}
	if r.Interrupted {
		add("report.interrupted", "true")
	}
	add("invocation.args", strings.Join(r.Invocation.Args, " "))
	add("invocation.tags", strings.Join(r.Invocation.Tags, ","))
	for _, k := range sortedKeys(r.Invocation.Vars) {
		add("var."+k, r.Invocation.Vars[k])
	}
	e := r.SuiteEnvironment(s)
	if n := r.NodeOf(s); n != nil {
		add("node", n.ID)
	}
	add("env.hostname", e.Hostname)
	add("env.os", e.OS)
	add("env.arch", e.Arch)
	add("env.kernel", e.Kernel)
	add("env.cpu_model", e.CPUModel)
	if e.CPUs > 0 {
		add("env.cpus", strconv.Itoa(e.CPUs))
	}
	if e.MemoryMB > 0 {
		add("env.memory_mb", strconv.FormatUint(e.MemoryMB, 10))
	}
	add("env.go_version", e.GoVersion)
	add("env.benchctl_version", e.Version)
	add("env.gpu_backend", e.GPUBackend)
	add("env.gpu_note", e.GPUNote)
	for _, g := range e.GPUs {
		p := "env.gpu." + strconv.Itoa(g.Index) + "."
		add(p+"name", g.Name)
		add(p+"uuid", g.UUID)
		add(p+"memory_total", format.Bytes(g.MemoryTotal))
		add(p+"driver", g.Driver)
		add(p+"cuda", g.CUDA)
		add(p+"accounting", strconv.FormatBool(g.AccountingOK))
		add(p+"accounting_note", g.AccountingWhy)
	}
	for _, c := range s.Cases {
		for _, m := range c.Metrics {
			add("metric."+c.Name+"."+m.Name, strings.TrimSpace(number(m.Value)+" "+m.Unit))
		}
		for i, ch := range c.Checks {
			add("check."+c.Name+"."+strconv.Itoa(i+1), string(ch.Outcome)+": "+outcome.CheckText(ch))
		}
	}
	return ps
}

// writeCaseOutput writes what a case left behind: its logs, then per pipeline
// run a summary line, where its logs are, and the tails of its output.
func writeCaseOutput(b *strings.Builder, c result.Case) {
	if len(c.Logs) == 0 && len(c.Runs) == 0 && len(c.Checks) == 0 {
		return
	}
	b.WriteString("=== " + c.Name + " (" + outcome.Marker(c.Status) + ", " + format.Duration(c.Seconds) + ")\n")
	for _, ch := range c.Checks {
		b.WriteString("check " + outcome.CheckMark(ch) + " " + outcome.CheckText(ch) + "\n")
	}
	for _, l := range c.Logs {
		b.WriteString("[" + format.Duration(l.Seconds) + "] " + l.Message + "\n")
	}
	for _, run := range c.Runs {
		b.WriteString("--- run " + outcome.Run(run) + "\n")
		if len(run.Argv) > 0 {
			b.WriteString("    argv: " + strings.Join(run.Argv, " ") + "\n")
		}
		if run.Error != "" && run.Class != result.ExitNotStartable {
			b.WriteString("    error: " + run.Error + "\n")
		}
		if run.OOMLine != "" {
			b.WriteString("    oom: " + run.OOMLine + "\n")
		}
		writeTail(b, "stdout", run.StdoutTail, run.StdoutLog)
		writeTail(b, "stderr", run.StderrTail, run.StderrLog)
	}
}

func writeTail(b *strings.Builder, stream string, tail []string, log string) {
	if len(tail) == 0 && log == "" {
		return
	}
	b.WriteString("    " + stream)
	if log != "" {
		b.WriteString(" (" + log + ")")
	}
	if len(tail) == 0 {
		b.WriteString(": no output\n")
		return
	}
	if len(tail) == 1 {
		b.WriteString(", last line:\n")
	} else {
		b.WriteString(", last " + strconv.Itoa(len(tail)) + " lines:\n")
	}
	for _, line := range tail {
		b.WriteString("    | " + terminalLine(line) + "\n")
	}
}

// number writes a metric value so a program can read it back: the shortest
// decimal that round-trips, and NaN, +Inf or -Inf spelled out.
func number(v float64) string {
	switch {
	case math.IsNaN(v):
		return "NaN"
	case math.IsInf(v, 1):
		return "+Inf"
	case math.IsInf(v, -1):
		return "-Inf"
	case math.Abs(v) >= 1e21:
		return strconv.FormatFloat(v, 'g', -1, 64)
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}

// decimal writes seconds as the schema's xs:decimal: no exponent, no NaN. A time
// that is not finite or beyond 1e15 s (which validators cannot hold: libxml2
// takes at most 24 digits) is written as 0.
func decimal(seconds float64) string {
	if math.IsNaN(seconds) || math.Abs(seconds) >= 1e15 {
		seconds = 0
	}
	return strconv.FormatFloat(seconds, 'f', 3, 64)
}

// timestamp writes the first set time in UTC as the schema's
// ISO8601_DATETIME_PATTERN: no zone, no fraction, a four-digit year from 0001.
func timestamp(times ...time.Time) string {
	for _, t := range times {
		if t.IsZero() {
			continue
		}
		t = t.UTC()
		if y := t.Year(); y >= 1 && y <= 9999 {
			return t.Format("2006-01-02T15:04:05")
		}
	}
	return "0001-01-01T00:00:00"
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
