package slurm

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strings"
)

// ErrNoAccounting is returned by Scheduler.Accounting when the cluster keeps
// no job accounting (no slurmdbd): squeue and the tasks' own records are then
// all there is.
var ErrNoAccounting = errors.New("slurm accounting is not available")

// ErrNoSlurm is returned, wrapped with the command, when a Slurm command is
// not installed.
var ErrNoSlurm = errors.New("slurm command not found")

// Scheduler is what benchctl asks of Slurm: submit a script, and say how
// the tasks of some jobs stand. Commands does it with sbatch, squeue and
// sacct; tests use a fake. Calls may block on the Slurm controller and
// honour ctx; they are made from one goroutine.
type Scheduler interface {
	// Submit submits the batch script at path with extra sbatch options and
	// returns the job ID.
	Submit(ctx context.Context, script string, args []string) (string, error)
	// Queue returns what the controller still knows of the jobs' tasks:
	// pending and running ones, and those that ended recently (MinJobAge).
	// A job it has forgotten is simply absent.
	Queue(ctx context.Context, jobs []string) ([]State, error)
	// Accounting returns what job accounting recorded of the jobs' tasks, or
	// an error wrapping ErrNoAccounting when the cluster keeps none.
	Accounting(ctx context.Context, jobs []string) ([]State, error)
}

// State is one task (or job) as squeue or sacct shows it.
type State struct {
	ID       string // "12_3" for task 3 of array job 12, else the job ID
	State    string // Slurm's: PENDING, RUNNING, COMPLETED, FAILED, TIMEOUT, NODE_FAIL, ...
	Reason   string // squeue's or sacct's reason, "None" dropped
	Node     string
	ExitCode string // sacct's "code:signal"
}

// Commands runs the Slurm commands on PATH.
type Commands struct {
	// Run runs a command and returns its stdout; nil runs it for real. Tests
	// and dry runs replace it.
	Run func(ctx context.Context, name string, args ...string) ([]byte, error)
}

var _ Scheduler = (*Commands)(nil)

func (c *Commands) run(ctx context.Context, name string, args ...string) ([]byte, error) {
	if c.Run != nil {
		return c.Run(ctx, name, args...)
	}
	if _, err := exec.LookPath(name); err != nil {
		return nil, fmt.Errorf("%s: %w", name, ErrNoSlurm)
	}
	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		msg := strings.TrimSpace(stderr.String())
		if msg == "" {
			msg = err.Error()
		}
		return stdout.Bytes(), &CommandError{Name: name, Message: oneLine(msg)}
	}
	return stdout.Bytes(), nil
}

// CommandError is a Slurm command that failed, with what it said.
type CommandError struct {
	Name, Message string
}

func (e *CommandError) Error() string { return e.Name + ": " + e.Message }

// Submit runs sbatch --parsable.
func (c *Commands) Submit(ctx context.Context, script string, args []string) (string, error) {
	out, err := c.run(ctx, "sbatch", append(append([]string{"--parsable"}, args...), script)...)
	if err != nil {
		return "", err
	}
	return parseSubmit(out)
}

// Queue runs squeue for every state, one line a task.
func (c *Commands) Queue(ctx context.Context, jobs []string) ([]State, error) {
	if len(jobs) == 0 {
		return nil, nil
	}
	out, err := c.run(ctx, "squeue", "--noheader", "--array", "--states=all", "--jobs="+strings.Join(jobs, ","), "--format=%i|%T|%r|%N")
	var ce *CommandError
	if errors.As(err, &ce) && strings.Contains(ce.Message, "Invalid job id") {
		return nil, nil // every job has left the controller's memory
	}
	if err != nil {
		return nil, err
	}
	return parseQueue(out), nil
}

// Accounting runs sacct for the jobs' allocations.
func (c *Commands) Accounting(ctx context.Context, jobs []string) ([]State, error) {
	if len(jobs) == 0 {
		return nil, nil
	}
	out, err := c.run(ctx, "sacct", "--noheader", "--parsable2", "--allocations", "--jobs="+strings.Join(jobs, ","),
		"--format=JobID,State,ExitCode,Reason,NodeList")
	var ce *CommandError
	if errors.As(err, &ce) && (strings.Contains(ce.Message, "accounting storage is disabled") || strings.Contains(ce.Message, "talking to the database")) {
		return nil, fmt.Errorf("%w: %s", ErrNoAccounting, ce.Message)
	}
	if err != nil {
		return nil, err
	}
	return parseAccounting(out), nil
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
