package slurm

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"
)

// ErrCampaignExists is returned, wrapped with the folder, when submit is
// given a folder that already holds a campaign.
var ErrCampaignExists = errors.New("already holds a campaign: see `benchctl slurm status` and `benchctl slurm resume`")

// Write lays the campaign out in its folder: the scripts, the manifest and a
// folder for each task and for Slurm's logs (sbatch does not create the
// folder of --output; a task whose log cannot be opened fails at once).
func (c *Campaign) Write() error {
	if IsCampaign(c.Dir) {
		return fmt.Errorf("%s: %w", c.Dir, ErrCampaignExists)
	}
	dirs := []string{c.Dir, c.Path(LogsDir), c.Path(MergedDir)}
	for _, t := range c.Tasks {
		dirs = append(dirs, c.Path(t.Dir))
	}
	for _, d := range dirs {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return err
		}
	}
	if err := os.WriteFile(c.Path(TaskScript), []byte(c.TaskScriptText()), 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(c.Path(MergeScript), []byte(c.MergeScriptText()), 0o755); err != nil {
		return err
	}
	return c.Save()
}

// Submit submits the given tasks (nil: all), one array job a partition, then
// the merge job after all of them, and records each submission in the
// manifest as it is made. When an sbatch call fails, the jobs already
// submitted stay submitted and recorded; the error says which were.
func (c *Campaign) Submit(ctx context.Context, s Scheduler, only []int, now func() time.Time) error {
	var jobs []string
	for _, g := range c.Groups(only) {
		args := g.SbatchArgs(c.Options.MaxRunning)
		id, err := s.Submit(ctx, c.Path(TaskScript), args)
		if err != nil {
			return c.submitError(err, jobs)
		}
		jobs = append(jobs, id)
		c.Submissions = append(c.Submissions, Submission{Kind: KindTasks, JobID: id, Partition: g.Partition, Tasks: g.Tasks, Args: args, At: now()})
		if err := c.Save(); err != nil {
			return fmt.Errorf("job %s submitted, but %s not written: %w", id, ManifestFile, err)
		}
	}
	if len(jobs) == 0 {
		return nil
	}
	args := mergeArgs(jobs)
	id, err := s.Submit(ctx, c.Path(MergeScript), args)
	if err != nil {
		return c.submitError(fmt.Errorf("merge job: %w", err), jobs)
	}
	c.Submissions = append(c.Submissions, Submission{Kind: KindMerge, JobID: id, Args: args, At: now()})
	return c.Save()
}

// mergeArgs makes the merge job wait for every array job, however it ends.
func mergeArgs(jobs []string) []string {
	return []string{"--dependency=afterany:" + strings.Join(jobs, ":")}
}

func (c *Campaign) submitError(err error, submitted []string) error {
	if len(submitted) == 0 {
		return err
	}
	return fmt.Errorf("%w (jobs %s were submitted and are recorded in %s)", err, strings.Join(submitted, ", "), c.Path(ManifestFile))
}

// DryRun is what Submit would do, as text: both scripts and the sbatch
// commands, nothing written and nothing submitted.
func (c *Campaign) DryRun() string {
	var b strings.Builder
	fmt.Fprintf(&b, "# %s\n%s\n", c.Path(TaskScript), c.TaskScriptText())
	fmt.Fprintf(&b, "# %s\n%s\n", c.Path(MergeScript), c.MergeScriptText())
	fmt.Fprintf(&b, "# would run:\n")
	var jobs []string
	for i, g := range c.Groups(nil) {
		job := fmt.Sprintf("$job%d", i+1)
		fmt.Fprintf(&b, "job%d=$(sbatch --parsable %s %s)\n", i+1, quoteAll(g.SbatchArgs(c.Options.MaxRunning)), quote(c.Path(TaskScript)))
		jobs = append(jobs, job)
	}
	fmt.Fprintf(&b, "sbatch --parsable --dependency=afterany:%s %s\n", strings.Join(jobs, ":"), quote(c.Path(MergeScript)))
	return b.String()
}
