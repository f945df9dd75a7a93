package slurm

import (
	"fmt"
	"strings"

	"github.com/benchctl/benchctl/result"
)

// facts are what is known of one task's latest attempt.
type facts struct {
	rec          *taskRecord // task.json of this attempt
	slurm        *State      // sacct, else squeue
	slurmLine    string      // slurmstepd's "*** JOB ... CANCELLED AT ... ***"
	benchctlLine string      // benchctl's last "benchctl: ..." error
	result       bool        // a results.json is there
}

// Slurm's job states, as squeue and sacct write them.
var (
	waiting = map[string]bool{"PENDING": true, "CONFIGURING": true, "REQUEUED": true, "REQUEUE_HOLD": true,
		"REQUEUE_FED": true, "RESIZING": true, "SUSPENDED": true}
	going = map[string]bool{"RUNNING": true, "COMPLETING": true, "STAGE_OUT": true, "SIGNALING": true}
	ended = map[string]result.TaskState{
		"TIMEOUT": result.TaskTimeout, "DEADLINE": result.TaskTimeout,
		"NODE_FAIL": result.TaskNodeFail, "BOOT_FAIL": result.TaskNodeFail,
		"OUT_OF_MEMORY": result.TaskOOM,
		"CANCELLED":     result.TaskCancelled, "PREEMPTED": result.TaskCancelled, "REVOKED": result.TaskCancelled,
	}
)

// decide says how a task stands and why, trusting first what Slurm says of
// how it ended, then what the task recorded itself.
func (f facts) decide() (result.TaskState, string) {
	state, why := "", ""
	if f.slurm != nil {
		state, why = f.slurm.State, f.slurm.Reason
	}
	finished := f.rec != nil && f.rec.ExitCode != nil
	switch {
	case waiting[state]:
		return result.TaskPending, orDefault(why, "waiting in the queue")
	case going[state] && !finished:
		return result.TaskRunning, "running on " + orDefault(f.slurm.Node, "its node")
	}
	if st, reason, ok := f.killedBySlurm(state, why); ok {
		return st, reason
	}
	if finished {
		return f.byExitCode()
	}
	if f.rec != nil {
		return result.TaskUnknown, fmt.Sprintf("started on %s at %s and never recorded its end: its node died, or it was killed outright", f.rec.where(), f.rec.started())
	}
	switch state {
	case "COMPLETED", "FAILED":
		return result.TaskFailed, "the job script ended before it started benchctl" + suffix(f.benchctlLine)
	case "":
		return result.TaskUnknown, "no record of the task: it did not start, or its node died before it wrote anything, and Slurm no longer knows it"
	}
	return result.TaskUnknown, "slurm state " + state
}

// killedBySlurm reads Slurm's own verdict: slurmstepd's line in the task's
// output, or an end state such as TIMEOUT or NODE_FAIL.
func (f facts) killedBySlurm(state, why string) (result.TaskState, string, bool) {
	if l := f.slurmLine; l != "" {
		switch {
		case strings.Contains(l, "DUE TO TIME LIMIT"):
			return result.TaskTimeout, l, true
		case strings.Contains(l, "DUE TO NODE FAIL"):
			return result.TaskNodeFail, l, true
		}
		return result.TaskCancelled, l, true
	}
	if st, ok := ended[state]; ok {
		return st, orDefault(why, "slurm state "+state), true
	}
	return "", "", false
}

// byExitCode reads the task's own record of benchctl's exit code.
func (f facts) byExitCode() (result.TaskState, string) {
	code := *f.rec.ExitCode
	switch {
	case (code == 0 || code == 1) && f.result:
		return result.TaskOK, ""
	case code == 0 || code == 1:
		return result.TaskFailed, fmt.Sprintf("benchctl exited %d but left no results.json", code)
	case f.rec.Signal == "TERM" || code == 143:
		return result.TaskCancelled, fmt.Sprintf("ended by SIGTERM (benchctl exited %d): Slurm's time limit or scancel, and no Slurm record left says which", code)
	}
	return result.TaskFailed, fmt.Sprintf("benchctl exited %d on %s", code, f.rec.where()) + suffix(f.benchctlLine)
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func suffix(s string) string {
	if s == "" {
		return ""
	}
	return ": " + s
}
