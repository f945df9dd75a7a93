package html

import (
	"fmt"
	"html/template"
	"sort"
	"strings"
	"time"

	"github.com/benchctl/benchctl/internal/format"
	"github.com/benchctl/benchctl/internal/text"
	"github.com/benchctl/benchctl/reporters/internal/outcome"
	"github.com/benchctl/benchctl/result"
)

// pageView is everything the template shows, as cleaned text: the template
// only lays it out (and html/template escapes it).
type pageView struct {
	Title     string
	Heading   string
	Counts    []count
	Duration  string
	Banner    string
	Env       []kv
	GPUs      *grid
	Scenarios *grid
	Summary   *grid
	Nodes     *nodesView // a merged result's nodes, tasks and figures side by side
	Suites    []suiteView
	Style     template.CSS
	Script    template.JS
}

// count is one figure of the totals, coloured by its status.
type count struct {
	Class, Text string
}

// kv is one line of a key-value list.
type kv struct {
	Key, Value string
	Mono       bool // code or paths: shown in a monospace font
}

// grid is a table; cell classes set the alignment and colour.
type grid struct {
	Class  string
	Header []string
	Rows   [][]cell
}

type cell struct {
	Text, Class, Href, Title string
}

type suiteView struct {
	ID, Name, Status, Class, Time, File, Description, Tags, Counts string
	Cases                                                          []caseView
}

type caseView struct {
	ID, Name, Status, Class, Time, Tags, Workdir string
	Checks, Failures                             *grid
	Error                                        *errorView
	Skip                                         string
	Logs, Metrics                                *grid
	Speedups                                     *barChart
	Tables                                       []tableView
	Runs                                         []runView
}

type errorView struct {
	Text, Traceback string
}

type tableView struct {
	Name  string
	Grid  *grid
	Chart *barChart
}

func buildPage(r *result.Report) *pageView {
	totals := outcome.Count(r)
	heading := "benchctl"
	if v := r.Tool.Version; v != "" {
		heading += " " + v
	}
	heading = text.OneLine(heading)
	p := &pageView{
		Title:    heading + ": " + outcome.Line(r),
		Heading:  heading,
		Duration: format.Duration(outcome.Seconds(r)),
		Env:      environment(r),
		GPUs:     gpuList(r.Environment.GPUs),
		Nodes:    buildNodes(r),
	}
	if p.Nodes != nil {
		p.GPUs = nil // each node's, in its row
	}
	for _, c := range []struct {
		class string
		n     int
		what  string
	}{
		{"passed", totals.Passed, "passed"}, {"failed", totals.Failed, "failed"},
		{"skipped", totals.Skipped, "skipped"}, {"error", totals.Errors, plural(totals.Errors, "error", "errors")},
		{"running", totals.Interrupted, "interrupted"},
	} {
		if c.n > 0 || c.class != "running" {
			p.Counts = append(p.Counts, count{Class: c.class, Text: fmt.Sprintf("%d %s", c.n, c.what)})
		}
	}
	switch {
	case r.Interrupted:
		p.Banner = "Interrupted: the run was stopped before every test finished."
	case r.Partial:
		p.Banner = "Partial report: the run was still going when this was written."
	}
	if len(r.Invocation.Scenarios) > 0 {
		p.Scenarios = &grid{Header: []string{"Scenario", "SHA-256"}}
		for _, s := range r.Invocation.Scenarios {
			p.Scenarios.Rows = append(p.Scenarios.Rows, []cell{{Text: text.OneLine(s.Path), Class: "mono"}, {Text: text.OneLine(s.SHA256), Class: "mono"}})
		}
	}
	p.Summary = &grid{Class: "summary", Header: []string{"Suite", "Test", "Status", "Time", "Detail"}}
	for i, s := range r.Suites {
		sv := buildSuite(i, s)
		for _, c := range sv.Cases {
			p.Summary.Rows = append(p.Summary.Rows, []cell{
				{Text: sv.Name}, {Text: c.Name, Href: "#" + c.ID}, {Text: c.Status, Class: "badge " + c.Class},
				{Text: c.Time, Class: "num"}, {Text: c.problem},
			})
		}
		p.Suites = append(p.Suites, sv.suiteView)
	}
	return p
}

func environment(r *result.Report) []kv {
	e := r.Environment
	var out []kv
	add := func(k, v string, mono bool) {
		if v = text.OneLine(v); strings.TrimSpace(v) != "" {
			out = append(out, kv{Key: k, Value: v, Mono: mono})
		}
	}
	add("Started", when(r.StartedAt), false)
	add("Finished", when(r.FinishedAt), false)
	add("Host", e.Hostname, false)
	if e.OS != "" || e.Arch != "" {
		add("System", strings.Trim(e.OS+"/"+e.Arch, "/")+" "+e.Kernel, false)
	}
	cpu := e.CPUModel
	if e.CPUs > 0 {
		cpu = strings.TrimSpace(fmt.Sprintf("%s, %d CPUs", cpu, e.CPUs))
	}
	add("CPU", strings.TrimPrefix(cpu, ", "), false)
	if e.MemoryMB > 0 {
		add("Memory", format.Bytes(e.MemoryMB<<20), false)
	}
	add("GPU backend", e.GPUBackend, false)
	if len(e.GPUs) == 0 {
		add("GPUs", "none: "+e.GPUNote, false)
	}
	add("Versions", versions(r), false)
	add("Command", shellJoin(r.Invocation.Args), true)
	add("Variables", vars(r.Invocation.Vars), true)
	add("Tags", strings.Join(r.Invocation.Tags, ", "), false)
	add("Results", r.Invocation.ResultsDir, true)
	return out
}

func versions(r *result.Report) string {
	var parts []string
	if v := r.Environment.Version; v != "" {
		parts = append(parts, "benchctl "+v)
	} else if v := r.Tool.Version; v != "" {
		parts = append(parts, r.Tool.Name+" "+v)
	}
	if v := r.Environment.GoVersion; v != "" {
		parts = append(parts, v)
	}
	drivers, cudas := map[string]bool{}, map[string]bool{}
	for _, g := range r.Environment.GPUs {
		if g.Driver != "" && !drivers[g.Driver] {
			drivers[g.Driver] = true
			parts = append(parts, "driver "+g.Driver)
		}
		if g.CUDA != "" && !cudas[g.CUDA] {
			cudas[g.CUDA] = true
			parts = append(parts, "CUDA "+g.CUDA)
		}
	}
	return strings.Join(parts, ", ")
}

func gpuList(gpus []result.GPUInfo) *grid {
	if len(gpus) == 0 {
		return nil
	}
	g := &grid{Header: []string{"GPU", "Name", "Memory", "Driver", "CUDA", "Accounting", "UUID"}}
	for _, gpu := range gpus {
		acct := "on"
		if !gpu.AccountingOK {
			acct = "off"
			if gpu.AccountingWhy != "" {
				acct = gpu.AccountingWhy
			}
		}
		g.Rows = append(g.Rows, []cell{
			{Text: fmt.Sprint(gpu.Index), Class: "num"}, {Text: text.OneLine(gpu.Name)}, {Text: format.Bytes(gpu.MemoryTotal), Class: "num"},
			{Text: text.OneLine(gpu.Driver)}, {Text: text.OneLine(gpu.CUDA)}, {Text: text.OneLine(acct)}, {Text: text.OneLine(gpu.UUID), Class: "mono"},
		})
	}
	return g
}

// suiteBuild is a suite's view and the one-line problem of each of its cases,
// for the summary table.
type suiteBuild struct {
	suiteView
	Cases []caseBuild
}

type caseBuild struct {
	caseView
	problem string
}

func buildSuite(i int, s result.Suite) suiteBuild {
	var t outcome.Totals
	cases := outcome.Cases(s)
	sb := suiteBuild{suiteView: suiteView{
		ID:          fmt.Sprintf("s%d", i+1),
		Name:        text.OneLine(s.Name),
		Status:      outcome.Marker(s.Status),
		Class:       statusClass(s.Status),
		Time:        format.Duration(s.Seconds),
		File:        text.OneLine(s.File),
		Description: text.Clean(s.Description),
		Tags:        text.OneLine(strings.Join(s.Tags, ", ")),
	}}
	for j, c := range cases {
		t.Add(c.Status)
		cv := buildCase(fmt.Sprintf("%s-c%d", sb.ID, j+1), c)
		sb.Cases = append(sb.Cases, caseBuild{caseView: cv, problem: detail(c)})
		sb.suiteView.Cases = append(sb.suiteView.Cases, cv)
	}
	sb.Counts = t.String()
	return sb
}

func buildCase(id string, c result.Case) caseView {
	cv := caseView{
		ID:      id,
		Name:    text.OneLine(c.Name),
		Status:  outcome.Marker(c.Status),
		Class:   statusClass(c.Status),
		Time:    format.Duration(c.Seconds),
		Tags:    text.OneLine(strings.Join(c.Tags, ", ")),
		Workdir: text.OneLine(c.Workdir),
	}
	cv.Checks = checks(c.Checks)
	if len(c.Checks) > 0 {
		// The failed checks are in the checks table; what is left is t:fail.
		var other []result.Failure
		for _, f := range c.Failures {
			if f.Op == "fail" {
				other = append(other, f)
			}
		}
		cv.Failures = failures(other)
	} else {
		cv.Failures = failures(c.Failures)
	}
	if c.Error != nil {
		cv.Error = &errorView{Text: text.Clean(outcome.ErrorText(c.Error)), Traceback: text.Clean(c.Error.Traceback)}
	}
	if c.Status == result.Running && c.Error == nil {
		cv.Error = &errorView{Text: outcome.InterruptedMessage + ": the test was still running when the report was written"}
	}
	if c.Status == result.Skipped {
		cv.Skip = text.Clean(c.SkipReason)
		if cv.Skip == "" {
			cv.Skip = "skipped"
		}
	}
	if len(c.Logs) > 0 {
		cv.Logs = &grid{Header: []string{"Time", "Message"}}
		for _, l := range c.Logs {
			cv.Logs.Rows = append(cv.Logs.Rows, []cell{{Text: format.Duration(l.Seconds), Class: "num"}, {Text: text.Clean(l.Message), Class: "pre"}})
		}
	}
	cv.Metrics = metrics(c.Metrics)
	cv.Speedups = speedupChart(c.Metrics)
	for _, tb := range c.Tables {
		cv.Tables = append(cv.Tables, recordedTable(tb))
	}
	for k, run := range c.Runs {
		cv.Runs = append(cv.Runs, buildRun(fmt.Sprintf("%s-r%d", id, k+1), run))
	}
	return cv
}

// checks is every check of a case with its mark, value and bound.
func checks(cs []result.Check) *grid {
	if len(cs) == 0 {
		return nil
	}
	g := &grid{Class: "checks", Header: []string{"", "Check", "Value", "Want", "Where"}}
	for _, ch := range cs {
		mark := cell{Text: outcome.CheckMark(ch), Class: "good"}
		if ch.Outcome != result.Passed {
			mark.Class = "bad"
		}
		want := outcome.OpSymbol(ch.Op)
		if ch.Bound != "" {
			want += " " + ch.Bound
		}
		g.Rows = append(g.Rows, []cell{mark, {Text: text.OneLine(ch.Label)}, {Text: text.OneLine(ch.Value), Class: "num"},
			{Text: text.OneLine(want), Class: "mono"}, {Text: text.OneLine(ch.Where), Class: "mono"}})
	}
	return g
}

func failures(fs []result.Failure) *grid {
	if len(fs) == 0 {
		return nil
	}
	g := &grid{Header: []string{"Expectation", "Label", "Value", "Op", "Bound", "Where"}}
	for _, f := range fs {
		g.Rows = append(g.Rows, []cell{
			{Text: text.Clean(outcome.FailureText(f)), Class: "pre"}, {Text: text.Clean(f.Label)}, {Text: text.Clean(f.Value), Class: "mono"},
			{Text: text.OneLine(f.Op)}, {Text: text.Clean(f.Bound), Class: "mono"}, {Text: text.OneLine(f.Where), Class: "mono"},
		})
	}
	return g
}

func metrics(ms []result.Metric) *grid {
	if len(ms) == 0 {
		return nil
	}
	g := &grid{Header: []string{"Metric", "Value", "Better", "Samples"}}
	for _, m := range ms {
		var samples string
		if n := len(m.Samples); n > 0 {
			vals := make([]string, 0, min(n, 10))
			unit := m.Unit
			if unit == "x" {
				unit = "s" // a speed-up's samples are the run times it is computed from
			}
			for _, s := range m.Samples[:min(n, 10)] {
				vals = append(vals, format.Value(s, unit))
			}
			samples = fmt.Sprintf("%d: %s", n, strings.Join(vals, ", "))
			if n > 10 {
				samples += ", ..."
			}
		}
		g.Rows = append(g.Rows, []cell{
			{Text: text.OneLine(m.Name)}, {Text: text.OneLine(format.Spread(m.Value, m.Spread, m.Unit)), Class: "num"},
			{Text: text.OneLine(string(m.Better))}, {Text: text.OneLine(samples)},
		})
	}
	return g
}

func recordedTable(tb result.Table) tableView {
	tv := tableView{Name: text.OneLine(tb.Name)}
	if len(tb.Columns) == 0 {
		return tv
	}
	tv.Grid = &grid{Class: "recorded"}
	for _, c := range tb.Columns {
		tv.Grid.Header = append(tv.Grid.Header, text.OneLine(c))
	}
	for _, row := range tb.Rows {
		cells := make([]cell, len(tb.Columns))
		for i := range cells {
			v := text.Clean(cellAt(row, i))
			cells[i] = cell{Text: v, Class: "pre"}
			if _, ok := number(v); ok {
				cells[i].Class = "pre num"
			}
		}
		tv.Grid.Rows = append(tv.Grid.Rows, cells)
	}
	if ChartsTable(tb.Name) {
		tv.Chart = tableChart(tb)
	}
	return tv
}

// statusClass is the CSS class of a status; an unknown one is "unknown".
func statusClass(st result.Status) string {
	switch st {
	case result.Passed, result.Failed, result.Errored, result.Skipped, result.Running:
		return string(st)
	}
	return "unknown"
}

func when(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02 15:04:05 UTC")
}

func vars(m map[string]string) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		parts = append(parts, k+"="+m[k])
	}
	return strings.Join(parts, " ")
}

// shellJoin writes argv as a shell would read it back, quoting the arguments
// that need it.
func shellJoin(argv []string) string {
	parts := make([]string, 0, len(argv))
	for _, a := range argv {
		if a == "" || strings.ContainsAny(a, " \t\n'\"\\$`|&;<>()*?[]{}~#!") {
			a = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
		}
		parts = append(parts, a)
	}
	return strings.Join(parts, " ")
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// detail is the summary's one line about a case: why it did not pass, or
// for a passed case its checks and first metrics.
func detail(c result.Case) string {
	if p := outcome.Problem(c); p != "" {
		if n := outcome.ChecksFailed(c.Checks); n != "" {
			return n + ": " + p
		}
		return p
	}
	var parts []string
	if n := len(c.Checks); n > 0 {
		parts = append(parts, fmt.Sprintf("%d %s passed", n, plural(n, "check", "checks")))
	}
	for i, m := range c.Metrics {
		if i == 3 {
			break
		}
		parts = append(parts, text.OneLine(m.Name)+" "+format.Spread(m.Value, m.Spread, m.Unit))
	}
	if len(parts) == 0 {
		return "passed"
	}
	return strings.Join(parts, "; ")
}
