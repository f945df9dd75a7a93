package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/benchctl/benchctl/result"
	"github.com/benchctl/benchctl/slurm"
)

func slurmCommand() *cli.Command {
	return &cli.Command{
		Name:  "slurm",
		Usage: "run a campaign of scenarios as a Slurm job array, follow it, resume it",
		Subcommands: []*cli.Command{
			slurmSubmitCommand(), slurmStatusCommand(), slurmResumeCommand(),
		},
	}
}

// slurmRunFlags are the run flags a campaign passes to every task: vars,
// tags and the result flags, each backend's among them.
func slurmRunFlags() []string {
	return append([]string{"var", "tags"}, resultFlags()...)
}

func slurmSubmitCommand() *cli.Command {
	flags := []cli.Flag{
		&cli.StringSliceFlag{Name: "var", Usage: "KEY=VALUE, repeatable; passed to every task's benchctl run"},
		&cli.StringFlag{Name: "tags", Usage: "run only suites or tests with one of these tags (comma-separated)"},
		&cli.StringFlag{Name: "results-dir", Usage: "the campaign folder, on a disk every node sees (default ./reports/slurm-<time>)"},
		&cli.StringFlag{Name: "partitions", Usage: "one task a scenario on each of these partitions (comma-separated): a100,h100"},
		&cli.StringFlag{Name: "partition", Usage: "sbatch --partition, for every task"},
		&cli.StringFlag{Name: "account", Usage: "sbatch --account"},
		&cli.StringFlag{Name: "time", Usage: "sbatch --time, each task's time limit"},
		&cli.StringFlag{Name: "gres", Usage: "sbatch --gres for each task, e.g. gpu:4"},
		&cli.StringFlag{Name: "constraint", Usage: "sbatch --constraint for each task"},
		&cli.StringFlag{Name: "qos", Usage: "sbatch --qos"},
		&cli.StringSliceFlag{Name: "sbatch-arg", Usage: "one more sbatch option, repeatable: --sbatch-arg=--mem=64G"},
		&cli.IntFlag{Name: "max-running", Usage: "tasks Slurm runs at once (--array=...%N); 0 is no cap"},
		&cli.StringFlag{Name: "job-name", Value: "benchctl", Usage: "sbatch --job-name"},
		&cli.StringFlag{Name: "benchctl", Usage: "benchctl's path on the nodes (default this binary's)"},
		&cli.BoolFlag{Name: "dry-run", Usage: "print the scripts and the sbatch commands; write and submit nothing"},
	}
	for _, f := range gpuFlags() {
		flags = append(flags, f)
	}
	return &cli.Command{
		Name:      "submit",
		Usage:     "submit scenarios as an sbatch job array, one task a scenario (and partition), and a job that merges them",
		ArgsUsage: "SCENARIO.lua...",
		Flags:     flags,
		Action:    slurmSubmitAction,
	}
}

func slurmSubmitAction(c *cli.Context) error {
	if _, err := newLogger(c); err != nil {
		return err
	}
	camp, err := planCampaign(c)
	if err != nil {
		return err
	}
	if c.Bool("dry-run") {
		fmt.Print(camp.DryRun())
		return nil
	}
	if err := camp.Write(); err != nil {
		return usageError("slurm submit: %v", unwrapPath(err))
	}
	err = camp.Submit(c.Context, &slurm.Commands{}, nil, time.Now)
	printSubmissions(c, camp)
	if err != nil {
		return usageError("slurm submit: %v (the campaign is written in %s)", err, camp.Dir)
	}
	return nil
}

// planCampaign reads submit's flags into a campaign, checking each before
// anything is written.
func planCampaign(c *cli.Context) (*slurm.Campaign, error) {
	if c.NArg() == 0 {
		return nil, usageError("slurm submit: no scenario given (benchctl slurm submit [flags] SCENARIO.lua...)")
	}
	files, err := expandScenarios(c.Args().Slice())
	if err != nil {
		return nil, err
	}
	for _, f := range files {
		if fi, err := os.Stat(f); err != nil {
			return nil, usageError("slurm submit: %s: %v", f, unwrapPath(err))
		} else if fi.IsDir() {
			return nil, usageError("slurm submit: %s: a directory, not a scenario", f)
		}
	}
	if _, err := parseVars(c.StringSlice("var")); err != nil {
		return nil, err
	}
	if c.Int("max-running") < 0 {
		return nil, usageError("slurm submit: --max-running %d: want 0 or more", c.Int("max-running"))
	}
	for _, a := range c.StringSlice("sbatch-arg") {
		if !strings.HasPrefix(a, "-") {
			return nil, usageError("slurm submit: --sbatch-arg %q: want an sbatch option such as --mem=64G", a)
		}
	}
	spec := slurm.Spec{
		Dir: c.String("results-dir"), Scenarios: files, JobName: c.String("job-name"), Benchctl: c.String("benchctl"),
		RunArgs: slurmRunArgs(c),
		Options: slurm.Options{
			Partition: c.String("partition"), Account: c.String("account"), Time: c.String("time"), GRES: c.String("gres"),
			Constraint: c.String("constraint"), QOS: c.String("qos"), Extra: c.StringSlice("sbatch-arg"), MaxRunning: c.Int("max-running"),
		},
	}
	if spec.Dir == "" {
		spec.Dir = filepath.Join("reports", "slurm-"+time.Now().Format("20060102-150405"))
	}
	if p := c.String("partitions"); p != "" {
		spec.Partitions = parseTags(p)
		if c.IsSet("partition") {
			return nil, usageError("slurm submit: --partition and --partitions: give one")
		}
	}
	if spec.Benchctl == "" {
		if spec.Benchctl, err = os.Executable(); err != nil {
			return nil, usageError("slurm submit: cannot find this benchctl (%v): give --benchctl PATH", err)
		}
	}
	if spec.Workdir, err = os.Getwd(); err != nil {
		return nil, usageError("slurm submit: %v", err)
	}
	camp, err := slurm.Plan(spec, time.Now())
	if err != nil {
		return nil, usageError("slurm submit: %v", err)
	}
	return camp, nil
}

// slurmRunArgs are the run flags given, as arguments for each task's
// benchctl run.
func slurmRunArgs(c *cli.Context) []string {
	var args []string
	for _, name := range slurmRunFlags() {
		switch {
		case !c.IsSet(name):
		case name == "var":
			for _, v := range c.StringSlice(name) {
				args = append(args, "--var", v)
			}
		default:
			args = append(args, "--"+name+"="+fmt.Sprint(c.Value(name)))
		}
	}
	return args
}

func printSubmissions(c *cli.Context, camp *slurm.Campaign) {
	if c.Bool("quiet") {
		return
	}
	for _, s := range camp.Submissions {
		switch s.Kind {
		case slurm.KindTasks:
			fmt.Fprintf(os.Stderr, "submitted job %s: tasks %s%s\n", s.JobID, slurm.Ranges(s.Tasks), onPartition(s.Partition))
		case slurm.KindMerge:
			fmt.Fprintf(os.Stderr, "submitted job %s: the merge, after every task\n", s.JobID)
		}
	}
	if len(camp.Submissions) > 0 {
		fmt.Fprintf(os.Stderr, "follow: benchctl slurm status %s\nreport: %s\n", camp.Dir, camp.Path(slurm.MergedDir, "report.html"))
	}
}

func onPartition(p string) string {
	if p == "" {
		return ""
	}
	return " on partition " + p
}

func slurmStatusCommand() *cli.Command {
	return &cli.Command{
		Name:      "status",
		Usage:     "which tasks of a campaign ran, are running or failed, and why (squeue, sacct where there is accounting)",
		ArgsUsage: "DIR",
		Action:    slurmStatusAction,
	}
}

func loadCampaign(c *cli.Context, cmd string) (*slurm.Campaign, error) {
	if c.NArg() != 1 {
		return nil, usageError("slurm %s: want one campaign folder, got %d arguments", cmd, c.NArg())
	}
	camp, err := slurm.Load(c.Args().First())
	if err != nil {
		return nil, usageError("slurm %s: %v", cmd, unwrapPath(err))
	}
	return camp, nil
}

func slurmStatusAction(c *cli.Context) error {
	log, err := newLogger(c)
	if err != nil {
		return err
	}
	camp, err := loadCampaign(c, "status")
	if err != nil {
		return err
	}
	statuses, notes := camp.Status(c.Context, &slurm.Commands{})
	for _, n := range notes {
		log.Warn().Str("note", n).Msg("task states")
	}
	w := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "TASK\tSTATE\tSLURM\tEXIT\tNODE\tSCENARIO\tPARTITION\tREASON")
	counts := map[result.TaskState]int{}
	for _, s := range statuses {
		t := s.Task
		counts[t.State]++
		exit := "-"
		if t.ExitCode != nil {
			exit = fmt.Sprint(*t.ExitCode)
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", t.ID, t.State, dash(t.Slurm), exit, dash(s.NodeName),
			filepath.Base(t.Scenario), dash(t.Partition), oneLine(t.Reason))
	}
	w.Flush()
	var parts []string
	for _, st := range []result.TaskState{result.TaskOK, result.TaskRunning, result.TaskPending, result.TaskFailed,
		result.TaskTimeout, result.TaskNodeFail, result.TaskCancelled, result.TaskOOM, result.TaskUnknown} {
		if counts[st] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", counts[st], st))
		}
	}
	fmt.Printf("%d %s: %s\n", len(statuses), plural(len(statuses), "task", "tasks"), strings.Join(parts, ", "))
	return nil
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func slurmResumeCommand() *cli.Command {
	return &cli.Command{
		Name:      "resume",
		Usage:     "resubmit only the tasks that failed or never finished, each taking up its own run (--resume), and a new merge",
		ArgsUsage: "DIR",
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "dry-run", Usage: "say which tasks would be resubmitted; submit nothing"},
		},
		Action: slurmResumeAction,
	}
}

func slurmResumeAction(c *cli.Context) error {
	log, err := newLogger(c)
	if err != nil {
		return err
	}
	camp, err := loadCampaign(c, "resume")
	if err != nil {
		return err
	}
	statuses, notes := camp.Status(c.Context, &slurm.Commands{})
	for _, n := range notes {
		log.Warn().Str("note", n).Msg("task states")
	}
	redo := slurm.ToResume(statuses)
	if len(redo) == 0 {
		fmt.Fprintln(os.Stderr, "nothing to resume: every task ended well or is still queued or running")
		return nil
	}
	for _, i := range redo {
		s := statuses[i].Task
		fmt.Fprintf(os.Stderr, "task %d (%s, %s): %s\n", i, filepath.Base(s.Scenario), s.State, oneLine(s.Reason))
	}
	if c.Bool("dry-run") {
		for _, g := range camp.Groups(redo) {
			fmt.Printf("sbatch --parsable %s %s\n", strings.Join(g.SbatchArgs(camp.Options.MaxRunning), " "), camp.Path(slurm.TaskScript))
		}
		return nil
	}
	before := len(camp.Submissions)
	err = camp.Submit(c.Context, &slurm.Commands{}, redo, time.Now)
	camp.Submissions = camp.Submissions[before:]
	printSubmissions(c, camp)
	if err != nil {
		return usageError("slurm resume: %v", err)
	}
	return nil
}
