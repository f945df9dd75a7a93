package slurm

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/benchctl/benchctl/result"
)

func TestParse(t *testing.T) {
	// Captured from Slurm 22.05 (squeue --array --states=all --format=%i|%T|%r|%N).
	q := parseQueue([]byte("6_0|COMPLETED|None|n1\n7_3|PENDING|Resources|\n5|CANCELLED|None|n1\n12_4|TIMEOUT|TimeLimit|n2\n"))
	want := []State{{ID: "6_0", State: "COMPLETED", Node: "n1"}, {ID: "7_3", State: "PENDING", Reason: "Resources"},
		{ID: "5", State: "CANCELLED", Node: "n1"}, {ID: "12_4", State: "TIMEOUT", Reason: "TimeLimit", Node: "n2"}}
	if len(q) != len(want) {
		t.Fatalf("parsed %+v", q)
	}
	for i := range want {
		if q[i] != want[i] {
			t.Errorf("squeue line %d: %+v, want %+v", i, q[i], want[i])
		}
	}
	a := parseAccounting([]byte("12_0|COMPLETED|0:0|None|n1\n12_1|CANCELLED by 0|0:15|None|n2\n12_2|NODE_FAIL|0:0|None|None assigned\n"))
	if len(a) != 3 || a[1].State != "CANCELLED" || a[1].ExitCode != "0:15" || a[2].State != "NODE_FAIL" || a[2].Node != "" {
		t.Errorf("sacct parsed %+v", a)
	}
	for _, tt := range []struct{ in, want, err string }{
		{in: "123\n", want: "123"},
		{in: "123;cluster\n", want: "123"},
		{in: "sbatch: warning: x\n124\n", want: "124"},
		{in: "", err: "no job id"},
	} {
		got, err := parseSubmit([]byte(tt.in))
		if got != tt.want || (tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err))) {
			t.Errorf("parseSubmit(%q) = %q, %v", tt.in, got, err)
		}
	}
}

func TestCommandsNoAccounting(t *testing.T) {
	c := &Commands{Run: func(_ context.Context, name string, _ ...string) ([]byte, error) {
		return nil, &CommandError{Name: name, Message: "Slurm accounting storage is disabled"}
	}}
	if _, err := c.Accounting(context.Background(), []string{"1"}); err == nil || !strings.Contains(err.Error(), ErrNoAccounting.Error()) {
		t.Errorf("sacct without accounting: %v", err)
	}
	gone := &Commands{Run: func(_ context.Context, name string, _ ...string) ([]byte, error) {
		return nil, &CommandError{Name: name, Message: "slurm_load_jobs error: Invalid job id specified"}
	}}
	if s, err := gone.Queue(context.Background(), []string{"1"}); err != nil || len(s) != 0 {
		t.Errorf("squeue of forgotten jobs: %v %v", s, err)
	}
}

func TestStatus(t *testing.T) {
	const timeLimit = "slurmstepd-n1: error: *** JOB 104 ON n1 CANCELLED AT 2026-11-30T09:23:54 DUE TO TIME LIMIT ***"
	tests := []struct {
		name   string
		record string // task.json; "" for none
		result bool   // a results.json is there
		log    string
		queue  []State
		acct   []State
		state  result.TaskState
		reason string // in the reason
	}{
		{name: "passed", record: `{"array_job_id":"100","node":"n1","exit_code":0}`, result: true, state: result.TaskOK},
		{name: "tests failed is a task that ended well", record: `{"array_job_id":"100","node":"n1","exit_code":1}`, result: true,
			queue: []State{{ID: "100_0", State: "FAILED"}}, state: result.TaskOK},
		{name: "bad scenario", record: `{"array_job_id":"100","node":"n2","exit_code":2}`,
			log: "/s/x.lua:5: syntax error near ')'\nbenchctl: 1 of 1 scenario(s) failed to load; nothing was run\n", state: result.TaskFailed,
			reason: "benchctl exited 2 on n2: 1 of 1 scenario(s) failed to load; nothing was run (/s/x.lua:5: syntax error near ')')"},
		{name: "bad flag", record: `{"array_job_id":"100","node":"n2","exit_code":2}`,
			log: "benchctl: --sim-memory: size \"x\" does not parse\n", state: result.TaskFailed, reason: "benchctl exited 2 on n2: --sim-memory"},
		{name: "time limit, from slurmstepd's line", record: `{"array_job_id":"100","node":"n1","exit_code":143,"signal":"TERM"}`, result: true,
			log: "progress\n" + timeLimit + "\nbenchctl: interrupted\n", state: result.TaskTimeout, reason: "DUE TO TIME LIMIT"},
		{name: "scancel", record: `{"array_job_id":"100","node":"n1","exit_code":143,"signal":"TERM"}`,
			log: "slurmstepd-n1: error: *** JOB 5 ON n1 CANCELLED AT 2026-11-30T09:22:37 ***\n", state: result.TaskCancelled, reason: "CANCELLED AT"},
		{name: "SIGTERM with no slurm word left", record: `{"array_job_id":"100","node":"n1","exit_code":143,"signal":"TERM"}`, result: true,
			state: result.TaskCancelled, reason: "no Slurm record left says which"},
		{name: "node died, from accounting", record: `{"array_job_id":"100","node":"n3","exit_code":null}`,
			acct: []State{{ID: "100_0", State: "NODE_FAIL"}}, state: result.TaskNodeFail, reason: "slurm state NODE_FAIL"},
		{name: "node died, nothing to ask", record: `{"array_job_id":"100","node":"n3","started":1796029200,"exit_code":null}`,
			state: result.TaskUnknown, reason: "started on n3 at 2026-11-30T09:00:00Z and never recorded its end"},
		{name: "out of memory", acct: []State{{ID: "100_0", State: "OUT_OF_MEMORY"}}, state: result.TaskOOM},
		{name: "pending", queue: []State{{ID: "100_0", State: "PENDING", Reason: "Resources"}}, state: result.TaskPending, reason: "Resources"},
		{name: "running", record: `{"array_job_id":"100","node":"n1","exit_code":null}`, queue: []State{{ID: "100_0", State: "RUNNING", Node: "n1"}},
			state: result.TaskRunning, reason: "running on n1"},
		{name: "a record of an earlier attempt is not this one's", record: `{"array_job_id":"99","node":"n1","exit_code":0}`, result: true,
			queue: []State{{ID: "100_0", State: "PENDING", Reason: "Priority"}}, state: result.TaskPending},
		{name: "nothing known", state: result.TaskUnknown, reason: "no record of the task"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := plan(t, nil, Options{})
			c.Tasks = c.Tasks[:1]
			if err := c.Write(); err != nil {
				t.Fatal(err)
			}
			c.Submissions = []Submission{{Kind: KindTasks, JobID: "100", Tasks: []int{0}}}
			dir := c.Path(c.Tasks[0].Dir)
			write := func(path, text string) {
				if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			if tt.record != "" {
				write(filepath.Join(dir, TaskRecord), tt.record)
			}
			if tt.result {
				write(filepath.Join(dir, "results.json"), "{}")
			}
			if tt.log != "" {
				write(c.Path(LogsDir, "100_0.out"), tt.log)
			}
			st, notes := c.Status(context.Background(), &fakeSlurm{queue: tt.queue, acct: tt.acct})
			got := st[0].Task
			if got.ID != "100_0" || got.State != tt.state || !strings.Contains(got.Reason, tt.reason) {
				t.Errorf("task %s: %s %q, want %s %q", got.ID, got.State, got.Reason, tt.state, tt.reason)
			}
			if tt.acct == nil && (len(notes) != 1 || !strings.Contains(notes[0], "no Slurm accounting")) {
				t.Errorf("notes %q, want the missing accounting named", notes)
			}
			redo := ToResume(st)
			wantRedo := tt.state != result.TaskOK && tt.state != result.TaskPending && tt.state != result.TaskRunning
			if (len(redo) == 1) != wantRedo {
				t.Errorf("resume picks %v for a %s task", redo, tt.state)
			}
		})
	}
}
