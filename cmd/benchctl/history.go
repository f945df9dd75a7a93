package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/benchctl/benchctl/engine/units"
	"github.com/benchctl/benchctl/history"
	"github.com/benchctl/benchctl/internal/capread"
	"github.com/benchctl/benchctl/internal/format"
	reportjson "github.com/benchctl/benchctl/reporters/json"
	"github.com/benchctl/benchctl/result"
)

// resultFile is a report and the file it was read from.
type resultFile struct {
	path string
	rep  *result.Report
}

func historyCommand() *cli.Command {
	return &cli.Command{
		Name:  "history",
		Usage: "the runs recorded in the history store: list, show, trend, export, import",
		Subcommands: []*cli.Command{
			{Name: "list", Usage: "list runs, newest first", Flags: historyReadFlags(), Action: historyList},
			{Name: "show", Usage: "show one run: its environment, labels, tests, metrics and checks", ArgsUsage: "ID|latest",
				Flags: []cli.Flag{historyFlag(), historyTimeoutFlag()}, Action: historyShow},
			historyTrendCommand(),
			historyExportCommand(),
			{Name: "import", Usage: "record a results.json written by benchctl run (one the history could not take at the time)",
				ArgsUsage: "RESULTS.json...", Flags: []cli.Flag{historyFlag(), historyTimeoutFlag()}, Action: historyImport},
		},
	}
}

// historyReadFlags select runs: by suite, test, label and time.
func historyReadFlags() []cli.Flag {
	return []cli.Flag{
		historyFlag(), historyTimeoutFlag(),
		&cli.StringFlag{Name: "suite", Usage: "only runs with this suite"},
		&cli.StringFlag{Name: "test", Usage: "only runs with this test"},
		&cli.StringSliceFlag{Name: "label", Usage: "KEY=VALUE, repeatable: only runs with this label"},
		&cli.StringFlag{Name: "since", Usage: "only runs started since: a date (2026-03-01), a time (RFC 3339) or a duration ago (7d, 12h)"},
		&cli.StringFlag{Name: "until", Usage: "only runs started before: a date, a time or a duration ago"},
		&cli.IntFlag{Name: "last", Usage: "only the newest N runs (0: all)"},
	}
}

// historyFilter reads the selection flags.
func historyFilter(c *cli.Context) (history.Filter, error) {
	f := history.Filter{Suite: c.String("suite"), Test: c.String("test"), Last: c.Int("last")}
	if f.Last < 0 {
		return f, usageError("--last %d: want 0 or more", f.Last)
	}
	labels, err := parseLabels(c.StringSlice("label"))
	if err != nil {
		return f, err
	}
	if len(labels) > 0 {
		f.Labels = labels
	}
	for _, p := range []struct {
		flag string
		to   *time.Time
	}{{"since", &f.Since}, {"until", &f.Until}} {
		if v := c.String(p.flag); v != "" {
			if *p.to, err = parseWhen(v, time.Now()); err != nil {
				return f, usageError("--%s %q: %v", p.flag, v, err)
			}
		}
	}
	return f, nil
}

// parseWhen reads a date, an RFC 3339 time or a duration before now (7d, 12h).
func parseWhen(s string, now time.Time) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	if t, err := time.ParseInLocation("2006-01-02", s, time.Local); err == nil {
		return t, nil
	}
	if n, ok := strings.CutSuffix(s, "d"); ok {
		if days, err := strconv.Atoi(n); err == nil && days >= 0 {
			return now.AddDate(0, 0, -days), nil
		}
	}
	if d, err := units.ParseDuration(s); err == nil && d >= 0 {
		return now.Add(-d), nil
	}
	return time.Time{}, errors.New("want a date (2026-03-01), a time (2026-03-01T12:00:00Z) or a duration ago (7d, 12h)")
}

// openHistoryStore opens the store for reading: a missing or empty store,
// or one too new, is a usage error.
func openHistoryStore(c *cli.Context, readOnly bool) (*history.Store, error) {
	timeout, err := historyTimeout(c)
	if err != nil {
		return nil, err
	}
	t, ok, err := historyTarget(c)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, usageError("%s: --history none: no store to read", c.Command.FullName())
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout+5*time.Second)
	defer cancel()
	s, err := history.Open(ctx, t, history.Options{Version: benchctlVersion(), ReadOnly: readOnly, Timeout: timeout})
	if err != nil {
		return nil, &exitError{code: exitHistory, err: errors.New(oneLine(err.Error()))}
	}
	return s, nil
}

func historyList(c *cli.Context) error {
	if args, err := positional(c); err != nil || len(args) > 0 {
		return errOr(err, usageError("history list: unexpected argument %q", strings.Join(args, " ")))
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
	runs, err := s.List(c.Context, f)
	if err != nil {
		return &exitError{code: exitHistory, err: fmt.Errorf("history: %w", err)}
	}
	writeRunList(os.Stdout, runs)
	return nil
}

func writeRunList(out io.Writer, runs []history.Run) {
	w := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	defer w.Flush()
	fmt.Fprintln(w, "ID\tSTARTED\tKIND\tSTATUS\tTESTS\tFAILED\tDURATION\tGPUS\tLABELS")
	for _, r := range runs {
		fmt.Fprintf(w, "%d\t%s\t%s\t%s\t%d\t%d\t%s\t%s\t%s\n", r.ID, r.StartedAt.Local().Format("2006-01-02 15:04:05"),
			r.Kind, runState(r), r.Tests, r.Failed, format.Duration(r.Seconds), gpuText(r.Fingerprint), history.LabelString(r.Labels, " "))
	}
}

// runState is the status, with how a run that did not end normally ended.
func runState(r history.Run) string {
	switch {
	case r.Interrupted:
		return string(r.Status) + " (interrupted)"
	case r.Partial:
		return "partial"
	}
	return string(r.Status)
}

func gpuText(f history.Fingerprint) string {
	if f.GPUCount == 0 {
		return "none (" + f.Backend + ")"
	}
	return fmt.Sprintf("%dx %s (%s)", f.GPUCount, f.GPUModel, f.Backend)
}

func historyImport(c *cli.Context) error {
	paths, err := positional(c)
	if err != nil {
		return err
	}
	if len(paths) == 0 {
		return usageError("history import: no file given (benchctl history import RESULTS.json...)")
	}
	var reps []resultFile
	for _, path := range paths {
		data, err := capread.ReadFile(path, capread.ReportBytes)
		if err != nil {
			return usageError("history import: %v", unwrapPathErr(path, err))
		}
		rep, err := reportjson.Decode(data)
		if err != nil {
			return usageError("history import: %s: %s", path, oneLine(err.Error()))
		}
		reps = append(reps, resultFile{path, rep})
	}
	s, err := openHistoryStore(c, false)
	if err != nil {
		return err
	}
	defer s.Close()
	for _, r := range reps {
		id, err := s.Record(c.Context, r.rep)
		if err != nil {
			return &exitError{code: exitHistory, err: fmt.Errorf("history import %s: %s", r.path, oneLine(err.Error()))}
		}
		if !c.Bool("quiet") {
			fmt.Fprintf(os.Stderr, "%s: recorded as run %d\n", r.path, id)
		}
	}
	return nil
}

// positional returns the arguments of a history command, reading any flag
// given after them (urfave/cli stops at the first argument): `history trend
// wall --format html` means what `history trend --format html wall` does.
// After "--" everything is an argument.
func positional(c *cli.Context) ([]string, error) {
	var args []string
	rest := c.Args().Slice()
	for i := 0; i < len(rest); i++ {
		a := rest[i]
		if a == "--" {
			return append(args, rest[i+1:]...), nil
		}
		if !strings.HasPrefix(a, "-") || a == "-" {
			args = append(args, a)
			continue
		}
		name, value, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		f := lookupFlag(c.Command, name)
		if f == nil {
			return nil, usageError("%s: flag provided but not defined: %s", c.Command.FullName(), a)
		}
		if _, isBool := f.(*cli.BoolFlag); isBool && !hasValue {
			value, hasValue = "true", true
		}
		if !hasValue {
			if i+1 >= len(rest) {
				return nil, usageError("%s: flag needs an argument: %s", c.Command.FullName(), a)
			}
			i++
			value = rest[i]
		}
		if err := c.Set(f.Names()[0], value); err != nil {
			return nil, usageError("%s: %s %q: %v", c.Command.FullName(), a, value, err)
		}
	}
	return args, nil
}

func lookupFlag(cmd *cli.Command, name string) cli.Flag {
	for _, f := range cmd.Flags {
		for _, n := range f.Names() {
			if n == name {
				return f
			}
		}
	}
	return nil
}
