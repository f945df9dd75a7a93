package main

import (
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/benchctl/benchctl/history"
	"github.com/benchctl/benchctl/history/changepoint"
	"github.com/benchctl/benchctl/history/trend"
)

// trendFormats render a trend; text is the default.
var trendFormats = map[string]func(*trend.Trend) ([]byte, error){
	"text":     func(t *trend.Trend) ([]byte, error) { return trend.Text(t), nil },
	"markdown": func(t *trend.Trend) ([]byte, error) { return trend.Markdown(t), nil },
	"html":     trend.HTML,
}

func historyTrendCommand() *cli.Command {
	return &cli.Command{
		Name:      "trend",
		Usage:     "a metric over the runs, with the changes E-divisive means detects: text, markdown or an HTML page with a chart per series",
		ArgsUsage: "METRIC (a name, or a pattern with *, e.g. 'run.*.wall')",
		Flags: append(historyReadFlags(),
			&cli.StringFlag{Name: "format", Value: "text", Usage: "text, markdown or html"},
			&cli.StringFlag{Name: "out", Aliases: []string{"o"}, Value: "-", Usage: "PATH to write to; - is stdout"},
			&cli.Float64Flag{Name: "significance", Value: changepoint.DefaultSignificance, Usage: "largest p-value of a reported change"},
			&cli.IntFlag{Name: "permutations", Value: changepoint.DefaultPermutations, Usage: "permutations of the significance test"},
			&cli.IntFlag{Name: "min-segment", Value: changepoint.DefaultMinSize, Usage: "fewest runs on each side of a change"},
		),
		Action: historyTrend,
	}
}

func historyTrend(c *cli.Context) error {
	args, err := positional(c)
	if err != nil {
		return err
	}
	if len(args) != 1 {
		return usageError("history trend: want one METRIC (a name or a pattern such as 'run.*.wall')")
	}
	render, ok := trendFormats[c.String("format")]
	if !ok {
		return usageError("history trend: --format %q: want text, markdown or html", c.String("format"))
	}
	opts := changepoint.Options{Significance: c.Float64("significance"), Permutations: c.Int("permutations"), MinSize: c.Int("min-segment")}
	if !(opts.Significance > 0 && opts.Significance < 1) || opts.Permutations < 1 || opts.MinSize < 2 {
		return usageError("history trend: want 0 < --significance < 1, --permutations >= 1 and --min-segment >= 2")
	}
	out := c.String("out")
	if out != "-" {
		if err := checkWritable(out); err != nil {
			return usageError("history trend: --out %s: %v", out, err)
		}
	}
	f, err := historyFilter(c)
	if err != nil {
		return err
	}
	s, err := openHistoryStore(c, true)
	if err != nil {
		return err
	}
	defer s.Close()
	metric := args[0]
	series, err := s.Series(c.Context, metric, f)
	if err != nil {
		return &exitError{code: exitHistory, err: fmt.Errorf("history: %w", err)}
	}
	if len(series) == 0 {
		return usageError("history trend: no metric %q in the runs selected from %s", metric, s.Target().Display)
	}
	data, err := render(trend.Build(metric, describeFilter(f), series, opts, time.Now()))
	if err != nil {
		return &exitError{code: exitUsage, err: err}
	}
	if out == "-" {
		_, err = os.Stdout.Write(data)
	} else {
		err = writeAtomic(out, data)
	}
	if err != nil {
		return &exitError{code: exitUsage, err: fmt.Errorf("history trend: %s not written: %w", out, err)}
	}
	return nil
}

// describeFilter says in words which runs a filter selects.
func describeFilter(f history.Filter) string {
	var parts []string
	if f.Suite != "" {
		parts = append(parts, "suite "+f.Suite)
	}
	if f.Test != "" {
		parts = append(parts, "test "+f.Test)
	}
	if len(f.Labels) > 0 {
		parts = append(parts, history.LabelString(f.Labels, " "))
	}
	if !f.Since.IsZero() {
		parts = append(parts, "since "+f.Since.Local().Format("2006-01-02 15:04"))
	}
	if !f.Until.IsZero() {
		parts = append(parts, "until "+f.Until.Local().Format("2006-01-02 15:04"))
	}
	if f.Last > 0 {
		parts = append(parts, fmt.Sprintf("last %d runs", f.Last))
	}
	return strings.Join(parts, ", ")
}

func historyExportCommand() *cli.Command {
	return &cli.Command{
		Name:  "export",
		Usage: "every metric of the selected runs as CSV, one row per run, test and metric (for pandas and change-point tools)",
		Flags: append(historyReadFlags(),
			&cli.BoolFlag{Name: "csv", Value: true, Usage: "CSV (the only format)"},
			&cli.StringFlag{Name: "out", Aliases: []string{"o"}, Value: "-", Usage: "PATH to write to; - is stdout"},
		),
		Action: historyExport,
	}
}

func historyExport(c *cli.Context) error {
	args, err := positional(c)
	if err != nil {
		return err
	}
	if !c.Bool("csv") {
		return usageError("history export: CSV is the only format")
	}
	if len(args) > 0 {
		return usageError("history export: unexpected argument %q", args[0])
	}
	f, err := historyFilter(c)
	if err != nil {
		return err
	}
	out := c.String("out")
	if out != "-" {
		if err := checkWritable(out); err != nil {
			return usageError("history export: --out %s: %v", out, err)
		}
	}
	s, err := openHistoryStore(c, true)
	if err != nil {
		return err
	}
	defer s.Close()
	var b strings.Builder
	if err := s.WriteCSV(c.Context, &b, f); err != nil {
		return &exitError{code: exitHistory, err: fmt.Errorf("history: %w", err)}
	}
	if out == "-" {
		_, err = os.Stdout.WriteString(b.String())
	} else {
		err = writeAtomic(out, []byte(b.String()))
	}
	if err != nil {
		return &exitError{code: exitUsage, err: fmt.Errorf("history export: %s not written: %w", out, err)}
	}
	return nil
}
