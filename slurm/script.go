package slurm

import (
	"fmt"
	"strings"
)

// sbatchLines are the #SBATCH lines every job of a campaign shares; tasks
// also take --gres and --constraint, which the merge job does not need.
func (c *Campaign) sbatchLines(b *strings.Builder, forTasks bool) {
	o := c.Options
	line := func(opt, v string) {
		if v != "" {
			fmt.Fprintf(b, "#SBATCH %s=%s\n", opt, v)
		}
	}
	line("--chdir", c.Workdir)
	line("--account", o.Account)
	line("--qos", o.QOS)
	line("--time", o.Time)
	if forTasks {
		line("--gres", o.GRES)
		line("--constraint", o.Constraint)
	}
	for _, e := range o.Extra {
		fmt.Fprintf(b, "#SBATCH %s\n", e)
	}
}

// TaskScriptText is the array job script: a table of tasks, and what each
// task does. A task runs `benchctl run` into its own folder (or, when that
// folder holds an interrupted run, takes it up with --resume), then records
// how it ended in task.json. Slurm's SIGTERM at the time limit reaches
// benchctl, which writes its reports before it exits; the trap keeps the
// script alive to record that.
func (c *Campaign) TaskScriptText() string {
	var b strings.Builder
	fmt.Fprintf(&b, "#!/bin/bash\n")
	fmt.Fprintf(&b, "# benchctl campaign: %d %s, written by `benchctl slurm submit`.\n", len(c.Tasks), plural(len(c.Tasks), "task", "tasks"))
	fmt.Fprintf(&b, "# Submitted once a partition, for example:\n")
	for _, g := range c.Groups(nil) {
		fmt.Fprintf(&b, "#   sbatch %s %s\n", quoteAll(g.SbatchArgs(c.Options.MaxRunning)), quote(c.Path(TaskScript)))
	}
	fmt.Fprintf(&b, "# Each task runs `benchctl run` into its folder under %s\n", quote(c.Path(TasksDir)))
	fmt.Fprintf(&b, "# and records how it ended in %s there; `benchctl merge` reads both.\n", TaskRecord)
	fmt.Fprintf(&b, "#SBATCH --job-name=%s\n", c.JobName)
	fmt.Fprintf(&b, "#SBATCH --output=%s\n", c.Path(LogsDir, "%A_%a.out"))
	c.sbatchLines(&b, true)
	fmt.Fprintf(&b, "\nset -u\nbenchctl=%s\ncampaign=%s\n\n", quote(c.Benchctl), quote(c.Dir))
	fmt.Fprintf(&b, "case \"${SLURM_ARRAY_TASK_ID:?submit with sbatch --array}\" in\n")
	for _, t := range c.Tasks {
		fmt.Fprintf(&b, "%d) scenario=%s partition=%s dir=%s ;;\n", t.Index, quote(t.Scenario), quote(t.Partition), quote(t.Dir))
	}
	fmt.Fprintf(&b, "*) echo \"benchctl campaign: no task $SLURM_ARRAY_TASK_ID\" >&2; exit 2 ;;\nesac\n")
	b.WriteString(taskBody(c.RunArgs))
	return b.String()
}

// taskBody is what every task does once it knows its scenario and folder.
func taskBody(runArgs []string) string {
	run := "\"$benchctl\" run --results-dir \"$dir\""
	if len(runArgs) > 0 {
		run += " " + quoteAll(runArgs)
	}
	run += " \"$scenario\""
	return `dir="$campaign/$dir"
mkdir -p "$dir"

# task.json: where and when this task ran and how it ended (exit_code is null
# while it runs). Written atomically; benchctl merge and slurm status read it.
started=$(date +%s)
signal=
record() {
	printf '{"job_id":"%s","array_job_id":"%s","array_task_id":%s,"node":"%s","host":"%s","partition":"%s","started":%s,"finished":%s,"exit_code":%s,"signal":"%s"}\n' \
		"${SLURM_JOB_ID:-}" "${SLURM_ARRAY_JOB_ID:-}" "$SLURM_ARRAY_TASK_ID" "${SLURMD_NODENAME:-}" "$(hostname)" \
		"${SLURM_JOB_PARTITION:-$partition}" "$started" "$2" "$1" "$signal" >"$dir/task.json.tmp" &&
		mv "$dir/task.json.tmp" "$dir/task.json"
}
record null null
# Slurm's SIGTERM (time limit, scancel) reaches benchctl too, which writes its
# reports and exits; the trap only keeps this script alive to record it.
trap 'signal=TERM' TERM

if [ -f "$dir/invocation.json" ] && [ -f "$dir/results.json" ]; then
	echo "benchctl campaign: task $SLURM_ARRAY_TASK_ID resumes $dir" >&2
	"$benchctl" run --resume "$dir"
else
	` + run + `
fi
code=$?
record "$code" "$(date +%s)"
exit "$code"
`
}

// MergeScriptText is the merge job: once every task has ended, however it
// ended (afterany), merge the campaign into merged/.
func (c *Campaign) MergeScriptText() string {
	var b strings.Builder
	fmt.Fprintf(&b, "#!/bin/bash\n")
	fmt.Fprintf(&b, "# benchctl campaign merge, written by `benchctl slurm submit`: submitted with\n")
	fmt.Fprintf(&b, "# --dependency=afterany:<each array job>, so it runs once every task has ended,\n")
	fmt.Fprintf(&b, "# whether it passed, failed, timed out or lost its node.\n")
	fmt.Fprintf(&b, "#SBATCH --job-name=%s-merge\n", c.JobName)
	fmt.Fprintf(&b, "#SBATCH --output=%s\n", c.Path(LogsDir, "merge-%j.out"))
	if p := c.mergePartition(); p != "" {
		fmt.Fprintf(&b, "#SBATCH --partition=%s\n", p)
	}
	c.sbatchLines(&b, false)
	m := c.Path(MergedDir)
	fmt.Fprintf(&b, "\nexec %s merge \\\n", quote(c.Benchctl))
	for _, o := range []string{"json=" + m + "/results.json", "junit=" + m + "/junit.xml", "html=" + m + "/report.html", "markdown=" + m + "/summary.md"} {
		fmt.Fprintf(&b, "\t--out %s \\\n", quote(o))
	}
	fmt.Fprintf(&b, "\t%s\n", quote(c.Dir))
	return b.String()
}

// mergePartition is where the merge job runs: the partition of the first
// task, which the campaign can certainly use.
func (c *Campaign) mergePartition() string {
	if len(c.Tasks) > 0 && c.Tasks[0].Partition != "" {
		return c.Tasks[0].Partition
	}
	return c.Options.Partition
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
