package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"text/tabwriter"

	"github.com/urfave/cli/v2"

	"github.com/benchctl/benchctl/history"
	"github.com/benchctl/benchctl/internal/format"
)

func historyShow(c *cli.Context) error {
	args, err := positional(c)
	if err != nil {
		return err
	}
	if len(args) != 1 {
		return usageError("history show: want one run ID or latest")
	}
	s, err := openHistoryStore(c, true)
	if err != nil {
		return err
	}
	defer s.Close()
	id, err := runID(c, s, args[0])
	if err != nil {
		return err
	}
	d, err := s.Get(c.Context, id)
	if errors.Is(err, history.ErrNotFound) {
		return usageError("history show: no run %d in %s", id, s.Target().Display)
	}
	if err != nil {
		return &exitError{code: exitHistory, err: fmt.Errorf("history: %w", err)}
	}
	writeRunDetail(os.Stdout, d)
	return nil
}

// runID reads a run ID, or "latest" for the newest run.
func runID(c *cli.Context, s *history.Store, arg string) (int64, error) {
	if arg == "latest" {
		runs, err := s.List(c.Context, history.Filter{Last: 1})
		if err != nil {
			return 0, &exitError{code: exitHistory, err: fmt.Errorf("history: %w", err)}
		}
		if len(runs) == 0 {
			return 0, usageError("%s: no run recorded in %s", c.Command.FullName(), s.Target().Display)
		}
		return runs[0].ID, nil
	}
	id, err := strconv.ParseInt(arg, 10, 64)
	if err != nil || id <= 0 {
		return 0, usageError("%s: %q: want a run ID (a number) or latest", c.Command.FullName(), arg)
	}
	return id, nil
}

func writeRunDetail(out io.Writer, d *history.Detail) {
	f := d.Fingerprint
	fmt.Fprintf(out, "run %d (%s): %s, %d %s, %d failed, started %s, %s\n", d.ID, d.Kind, runState(d.Run),
		d.Tests, plural(d.Tests, "test", "tests"), d.Failed, d.StartedAt.Local().Format("2006-01-02 15:04:05"), format.Duration(d.Seconds))
	fmt.Fprintf(out, "host %s, benchctl %s, gpus %s, driver %s, cuda %s, power limit %s\n", f.Host, f.Version,
		gpuText(f), orDash(f.Driver), orDash(f.CUDA), orDash(wattsText(f.PowerLimit)))
	fmt.Fprintf(out, "command: benchctl %s\n", d.Command)
	if f.Pipeline != "" {
		fmt.Fprintf(out, "pipeline: %s\n", f.Pipeline)
	}
	if len(d.Labels) > 0 {
		fmt.Fprintf(out, "labels: %s\n", history.LabelString(d.Labels, " "))
	}
	fmt.Fprintf(out, "results: %s\n", d.ResultsDir)
	for _, s := range d.Suites {
		if s.Error != "" {
			fmt.Fprintf(out, "suite %s (%s): %s: %s\n", s.Name, s.File, s.Status, s.Error)
		}
	}
	w := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	defer w.Flush()
	for _, cs := range d.Cases {
		fmt.Fprintf(w, "\n%s / %s\t%s\t%s\t%s\n", cs.Suite, cs.Test, cs.Status, format.Duration(cs.Seconds), cs.Message)
		for _, m := range cs.Metrics {
			fmt.Fprintf(w, "  %s\t%s\t%s\t%s\n", m.Name, format.Value(m.Value, m.Unit), better(string(m.Better)), samplesText(m.Samples))
		}
		for _, k := range cs.Checks {
			fmt.Fprintf(w, "  check\t%s\n", k.Message)
		}
	}
}

func better(b string) string {
	if b == "" {
		return ""
	}
	return b + " is better"
}

func samplesText(xs []float64) string {
	if len(xs) < 2 {
		return ""
	}
	return fmt.Sprintf("%d samples", len(xs))
}

func wattsText(w float64) string {
	if w == 0 {
		return ""
	}
	return strconv.FormatFloat(w, 'f', -1, 64) + " W"
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
