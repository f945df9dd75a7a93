package slurm

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/benchctl/benchctl/merge"
	"github.com/benchctl/benchctl/result"
)

// TaskStatus is how one task stands.
type TaskStatus struct {
	Task     result.Task // ID, Source, Scenario, Partition, State, Slurm, ExitCode, Reason
	NodeName string      // Slurm's node name, once it ran somewhere
	Result   string      // its results.json, when it wrote one
}

// Status says how every task of the campaign stands, from what the tasks
// recorded in their folders, squeue, and sacct where accounting is there.
// notes say which of those could not be asked; a Slurm that cannot be asked
// at all (the campaign copied off the cluster) leaves the tasks' records.
func (c *Campaign) Status(ctx context.Context, s Scheduler) ([]TaskStatus, []string) {
	var notes []string
	jobs := c.taskJobs()
	byID := map[string]State{}
	queue, err := s.Queue(ctx, jobs)
	if err != nil {
		notes = append(notes, "squeue: "+err.Error())
	}
	for _, st := range queue {
		byID[st.ID] = st
	}
	acct, err := s.Accounting(ctx, jobs)
	switch {
	case errors.Is(err, ErrNoAccounting):
		notes = append(notes, "no Slurm accounting: states from squeue (which forgets a job MinJobAge after it ends) and the tasks' own records")
	case err != nil:
		notes = append(notes, "sacct: "+err.Error())
	}
	for _, st := range acct { // accounting's word is the last one
		byID[st.ID] = st
	}
	out := make([]TaskStatus, len(c.Tasks))
	for i, t := range c.Tasks {
		out[i] = c.taskStatus(t, byID)
	}
	return out, notes
}

// taskJobs lists the array jobs the tasks ran in, each once.
func (c *Campaign) taskJobs() []string {
	var jobs []string
	seen := map[string]bool{}
	for _, s := range c.Submissions {
		if s.Kind == KindTasks && !seen[s.JobID] {
			seen[s.JobID] = true
			jobs = append(jobs, s.JobID)
		}
	}
	return jobs
}

func (c *Campaign) taskStatus(t Task, byID map[string]State) TaskStatus {
	dir := c.Path(t.Dir)
	ts := TaskStatus{Task: result.Task{ID: strconv.Itoa(t.Index), Source: dir, Scenario: t.Scenario, Partition: t.Partition}}
	f := facts{}
	if res := filepath.Join(dir, merge.ResultsFile); fileExists(res) {
		ts.Result = res
		f.result = true
	}
	sub, ok := c.Latest(t.Index)
	if !ok {
		ts.Task.State, ts.Task.Reason = result.TaskUnknown, "never submitted"
		return ts
	}
	id := sub.JobID + "_" + strconv.Itoa(t.Index)
	ts.Task.ID = id
	if st, ok := byID[id]; ok {
		f.slurm = &st
		ts.NodeName = st.Node
	}
	if rec := readRecord(filepath.Join(dir, TaskRecord)); rec != nil && rec.ArrayJobID == sub.JobID {
		f.rec = rec
		ts.NodeName = rec.Node
		ts.Task.ExitCode = rec.ExitCode
	}
	f.slurmLine, f.benchctlLine = logFacts(c.Path(LogsDir, id+".out"))
	ts.Task.State, ts.Task.Reason = f.decide()
	if f.slurm != nil {
		ts.Task.Slurm = f.slurm.State
	}
	return ts
}

// Inputs reads the campaign for merge.Merge: each task's status and, where
// it wrote one, its result. A result of another schema version fails it,
// naming the file.
func (c *Campaign) Inputs(ctx context.Context, s Scheduler) ([]merge.Input, []string, error) {
	statuses, notes := c.Status(ctx, s)
	ins := make([]merge.Input, 0, len(statuses))
	for _, ts := range statuses {
		in := merge.Input{Task: ts.Task, NodeName: ts.NodeName}
		if ts.Result != "" {
			rep, err := merge.ReadFile(ts.Result)
			if err != nil {
				return nil, notes, err
			}
			in.Report = rep
		}
		ins = append(ins, in)
	}
	return ins, notes, nil
}

func fileExists(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.Mode().IsRegular()
}

// started says when a task record says the task started, for messages.
func (r *taskRecord) started() string {
	return time.Unix(r.Started, 0).UTC().Format(time.RFC3339)
}

// where names the node a record says the task ran on.
func (r *taskRecord) where() string {
	if r.Node != "" {
		return r.Node
	}
	return r.Host
}

// ToResume picks the tasks to submit again: every one that did not end well
// and is not queued or running, by index.
func ToResume(statuses []TaskStatus) []int {
	var out []int
	for i, s := range statuses {
		switch s.Task.State {
		case result.TaskOK, result.TaskPending, result.TaskRunning:
		default:
			out = append(out, i)
		}
	}
	return out
}
