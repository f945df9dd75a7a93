package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/benchctl/benchctl/history"
	"github.com/benchctl/benchctl/history/gate"
	"github.com/benchctl/benchctl/result"
)

// gateFormats are the formats compare --baseline history writes with --out.
var gateFormats = map[string]func(*gate.Result) ([]byte, error){
	"json":     gate.JSON,
	"markdown": func(r *gate.Result) ([]byte, error) { return gate.Markdown(r), nil },
}

// gateFlags are compare's flags for a baseline taken from the history.
func gateFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "baseline", Usage: "history: judge NEW.json... against the recent runs of the history instead of a BASE file"},
		historyFlag(), historyTimeoutFlag(),
		&cli.StringSliceFlag{Name: "label", Usage: "KEY=VALUE, repeatable: baseline runs with this label (branch=main)"},
		&cli.StringFlag{Name: "last", Value: "10", Usage: "the newest N finished runs make the baseline"},
		&cli.StringFlag{Name: "since", Usage: "baseline runs started since: a date, a time or a duration ago (30d)"},
		&cli.StringFlag{Name: "confidence", Value: "95%", Usage: "confidence of the intervals"},
		&cli.StringFlag{Name: "band", Value: "5%", Usage: "a ratio interval inside 1±band is no difference"},
		&cli.StringFlag{Name: "min-runs", Value: strconv.Itoa(gate.DefaultMinRuns), Usage: "fewest baseline runs a metric needs to be judged"},
		&cli.BoolFlag{Name: "allow-env-diff", Usage: "judge against runs of another GPU model, count, driver, CUDA or power limit (the differences are named)"},
	}
}

// compareHistory is compare --baseline history: exit 1 on a regression, 2
// on bad usage or incomparable environments, 3 when the history cannot be read.
func compareHistory(c *cli.Context, a compareArgsT) error {
	opts, f, err := gateOptions(c, a)
	if err != nil {
		return err
	}
	if len(a.files) == 0 {
		return usageError("compare: --baseline history: want NEW.json (one or more results)")
	}
	outs, err := gateOutputs(a.outs)
	if err != nil {
		return err
	}
	var news []*result.Report
	for _, p := range a.files {
		rep, err := readResult(p)
		if err != nil {
			return err
		}
		news = append(news, rep)
	}
	res, err := judgeHistory(c, a, news, f, opts)
	if err != nil {
		return err
	}
	return writeGate(res, outs)
}

// gateOptions reads the statistics and selection flags.
func gateOptions(c *cli.Context, a compareArgsT) (gate.Options, history.Filter, error) {
	var opts gate.Options
	var f history.Filter
	var err error
	if opts.Stats.Confidence, err = parseFraction(a.str(c, "confidence")); err != nil || opts.Stats.Confidence >= 1 {
		return opts, f, usageError("compare: --confidence %q: want a level such as 95%% or 0.95", a.str(c, "confidence"))
	}
	if opts.Stats.Band, err = parseFraction(a.str(c, "band")); err != nil || opts.Stats.Band >= 1 {
		return opts, f, usageError("compare: --band %q: want a fraction such as 5%% or 0.05", a.str(c, "band"))
	}
	if f.Last, err = strconv.Atoi(a.str(c, "last")); err != nil || f.Last < 2 {
		return opts, f, usageError("compare: --last %q: want a number of runs, 2 or more", a.str(c, "last"))
	}
	if opts.MinRuns, err = strconv.Atoi(a.str(c, "min-runs")); err != nil || opts.MinRuns < 2 {
		return opts, f, usageError("compare: --min-runs %q: want 2 or more", a.str(c, "min-runs"))
	}
	if f.Labels, err = parseLabels(a.strs(c, "label")); err != nil {
		return opts, f, err
	}
	if s := a.str(c, "since"); s != "" {
		if f.Since, err = parseWhen(s, time.Now()); err != nil {
			return opts, f, usageError("compare: --since %q: %v", s, err)
		}
	}
	opts.AllowEnvDiff = a.boolean(c, "allow-env-diff")
	return opts, f, nil
}

// parseFraction reads 95% or 0.95 as a number in (0, 1].
func parseFraction(s string) (float64, error) {
	v, pct := strings.CutSuffix(strings.TrimSpace(s), "%")
	x, err := strconv.ParseFloat(v, 64)
	if pct {
		x /= 100
	}
	if err != nil || !(x > 0 && x <= 1) {
		return 0, errors.New("not a fraction")
	}
	return x, nil
}

// judgeHistory opens the store, loads the baseline and judges.
func judgeHistory(c *cli.Context, a compareArgsT, news []*result.Report, f history.Filter, opts gate.Options) (*gate.Result, error) {
	t, ok, err := historyTargetOf(a.str(c, "history"))
	if err != nil || !ok {
		return nil, errOr(err, usageError("compare: --baseline history with --history none: no history to read"))
	}
	timeout, err := parseHistoryTimeout(a.str(c, "history-timeout"))
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*timeout+time.Minute)
	defer cancel()
	s, err := history.Open(ctx, t, history.Options{Version: benchctlVersion(), ReadOnly: true, Timeout: timeout})
	if err != nil {
		return nil, &exitError{code: exitHistory, err: errors.New("compare: " + oneLine(err.Error()))}
	}
	defer s.Close()
	base, err := gate.Load(ctx, s, f, news)
	if errors.Is(err, gate.ErrNoBaseline) {
		return nil, usageError("compare: %v in %s (selection: %s)", err, t.Display, orDash(describeFilter(f)))
	}
	if err != nil {
		return nil, &exitError{code: exitHistory, err: fmt.Errorf("compare: history: %s", oneLine(err.Error()))}
	}
	notes, err := gate.Comparable(history.FingerprintOf(news[0], ""), base.Runs, opts.AllowEnvDiff)
	if err != nil {
		return nil, usageError("compare: %v", err)
	}
	res := gate.Judge(news, a.files, base, opts)
	res.Selection, res.EnvNotes = describeFilter(f), notes
	return res, nil
}

// gateOutputs checks each --out: json or markdown, a path that can be written.
func gateOutputs(specs []string) ([]output, error) {
	var outs []output
	for _, s := range specs {
		format, path, ok := strings.Cut(s, "=")
		if !ok || gateFormats[format] == nil || path == "" {
			return nil, usageError("compare: --out %q: want json=PATH or markdown=PATH", s)
		}
		if path != "-" {
			if err := checkWritable(path); err != nil {
				return nil, usageError("compare: --out %q: %v", s, err)
			}
		}
		outs = append(outs, output{format: format, path: path})
	}
	return outs, nil
}

// writeGate prints the verdicts, writes the outputs and gives the exit.
func writeGate(res *gate.Result, outs []output) error {
	return emitVerdict(gate.Text(res), outs, func(f string) ([]byte, error) { return gateFormats[f](res) },
		res.Regressed(), func() string { return gate.Summary(res) })
}

// emitVerdict prints text on stdout unless an output goes there, writes
// each output (render gives a format's bytes) and gives exit 1 on a
// regression, with summary as its message.
func emitVerdict(text []byte, outs []output, render func(format string) ([]byte, error), regressed bool, summary func() string) error {
	toStdout := false
	for _, o := range outs {
		toStdout = toStdout || o.path == "-"
	}
	if !toStdout {
		os.Stdout.Write(text)
	}
	for _, o := range outs {
		data, err := render(o.format)
		if err == nil {
			err = writeOutput(o.path, data)
		}
		if err != nil {
			return &exitError{code: exitUsage, err: fmt.Errorf("compare: %s output %s not written: %w", o.format, o.path, err)}
		}
	}
	if regressed {
		return &exitError{code: exitFailed, err: fmt.Errorf("compare: %s", summary())}
	}
	return nil
}

func errOr(err, other error) error {
	if err != nil {
		return err
	}
	return other
}
