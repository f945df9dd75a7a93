package testfixture

import "github.com/benchctl/benchctl/result"

// Injected returns the rich report with output put everywhere process output
// lands (tails, logs, error messages, tracebacks, table cells), name everywhere
// a scenario or the machine chooses a name (suites, cases, metrics, tables, the
// host, variables), unit as a metric unit, label into failures and value into
// metrics, stats and times. The fuzz tests feed it arbitrary strings and floats.
func Injected(output, name, unit, label string, value float64) *result.Report {
	r := Report()
	r.Environment.Hostname = name
	r.Environment.GPUNote = output
	r.Invocation.Vars[name] = output
	r.Invocation.Args = append(r.Invocation.Args, output)

	s := &r.Suites[0]
	s.Name = name
	s.Description = output
	s.Tags = append(s.Tags, name)
	s.Seconds = value

	c := &s.Cases[0]
	c.Name = name
	c.Seconds = value
	c.Logs = append(c.Logs, result.Log{Seconds: value, Message: output})
	c.Metrics = append(c.Metrics, result.Metric{Name: name, Value: value, Unit: unit, Spread: value, Samples: []float64{value}})
	c.Tables = append(c.Tables, result.Table{Name: name, Columns: []string{name, unit}, Rows: [][]string{{output, label}, {output}}})

	run := &c.Runs[0]
	run.Name = name
	run.Seconds = value
	run.StdoutTail = append(run.StdoutTail, output)
	run.StderrTail = append(run.StderrTail, output, output+"\r"+output)
	run.Error = output
	run.OOMLine = output
	gpu := &run.GPU.GPUs[0]
	gpu.Stats[name] = result.Stat{Count: 1, Min: value, Max: value, Mean: value, P50: value, P95: value}
	gpu.Stats[result.MemUsed] = result.Stat{Count: 1, Max: value}
	gpu.Timeline[0].Max[name] = value
	run.GPU.Events = append(run.GPU.Events, result.Event{Seconds: value, Kind: name, Message: output})

	failed := &s.Cases[1]
	failed.Name = name + "/failed"
	failed.Failures = append(failed.Failures, result.Failure{Label: label, Op: unit, Value: output, Bound: name, Where: name})
	failed.Failures[0].Message = output

	errored := &s.Cases[2]
	errored.Error.Message = output
	errored.Error.Where = name
	errored.Error.Traceback = output

	s.Cases[3].SkipReason = output
	r.Suites[1].Cases[2].Name = label // the running case
	r.Suites[2].Error = output        // the load error
	r.Suites[2].File = name
	return r
}
