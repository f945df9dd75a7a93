package main

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/urfave/cli/v2"

	"github.com/benchctl/benchctl/merge"
	"github.com/benchctl/benchctl/reporters"
	"github.com/benchctl/benchctl/result"
	"github.com/benchctl/benchctl/slurm"
)

func mergeCommand() *cli.Command {
	return &cli.Command{
		Name:      "merge",
		Usage:     "merge the results of several runs (a Slurm campaign, or results copied from several machines) into one",
		ArgsUsage: "DIR|RESULT.json...",
		Description: "Each argument is a campaign folder (benchctl slurm submit), a results dir, a results.json, or a folder\n" +
			"holding results dirs at any depth. Suites are named SUITE @ NODE; each node's environment is kept;\n" +
			"figures measured on several nodes are put side by side. A task that failed, timed out or lost its node\n" +
			"is reported as such with Slurm's reason; the rest still merge. Without --out, the JSON goes to stdout.\n" +
			"Exit 1 when a test failed or a task did not end well.",
		Flags:  []cli.Flag{outFlag()},
		Action: mergeAction,
	}
}

func mergeAction(c *cli.Context) error {
	log, err := newLogger(c)
	if err != nil {
		return err
	}
	if c.NArg() == 0 {
		return usageError("merge: no results given (benchctl merge DIR...)")
	}
	outs, err := parseOutputs(c.StringSlice("out"))
	if err != nil {
		return err
	}
	if len(outs) == 0 {
		rep, _ := reporters.Get("json")
		outs = []output{{format: "json", path: "-", rep: rep}}
	}
	var inputs []merge.Input
	for _, arg := range c.Args().Slice() {
		ins, notes, err := mergeInputs(c.Context, arg)
		if err != nil {
			return err
		}
		for _, n := range notes {
			log.Warn().Str("campaign", arg).Str("note", n).Msg("task states")
		}
		inputs = append(inputs, ins...)
	}
	rep := merge.Merge(inputs, merge.Options{
		Tool: result.Tool{Name: "benchctl", Version: benchctlVersion()},
		Args: os.Args[1:],
	})
	w := newReportWriter(outs, log)
	w.write(rep, true)
	if !c.Bool("quiet") {
		fmt.Fprint(os.Stderr, merge.TasksText(rep), merge.FiguresText(rep))
		fmt.Fprintln(os.Stderr, merge.Summary(rep))
	}
	if err := w.err(); err != nil {
		return &exitError{code: exitUsage, err: err}
	}
	return mergeExit(rep)
}

// mergeInputs reads one argument of merge: a campaign, through Slurm and the
// tasks' folders, or results.
func mergeInputs(ctx context.Context, arg string) ([]merge.Input, []string, error) {
	if slurm.IsCampaign(arg) {
		camp, err := slurm.Load(arg)
		if err != nil {
			return nil, nil, usageError("merge: %v", err)
		}
		ins, notes, err := camp.Inputs(ctx, &slurm.Commands{})
		if err != nil {
			return nil, nil, usageError("merge: %s", oneLine(err.Error()))
		}
		return ins, notes, nil
	}
	ins, err := merge.Load(arg)
	var pe *os.PathError
	if errors.As(err, &pe) {
		return nil, nil, usageError("merge: %s: %v", pe.Path, pe.Err)
	}
	if err != nil {
		return nil, nil, usageError("merge: %s", oneLine(err.Error()))
	}
	return ins, nil, nil
}

// mergeExit is 1 when a test failed or errored, or a task did not end well.
func mergeExit(rep *result.Report) error {
	for _, t := range rep.Tasks {
		if t.State != result.TaskOK {
			return &exitError{code: exitFailed}
		}
	}
	for _, s := range rep.Suites {
		if s.Status == result.Failed || s.Status == result.Errored {
			return &exitError{code: exitFailed}
		}
	}
	return nil
}
