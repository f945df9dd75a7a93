package slurm_test

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/benchctl/benchctl/result"
	"github.com/benchctl/benchctl/slurm"
)

// The real-Slurm test runs against the cluster .ci/slurm up starts:
// two slurmd on this machine (n1, n2), partitions main (both), first (n1)
// and last (n2), 4 GPUs each as GRES, no accounting database.

// cluster returns the environment that reaches the test cluster, or skips
// saying why there is none; with BENCHCTL_REQUIRE_SLURM set (.ci/run sets it)
// a missing cluster fails the test instead.
func cluster(t *testing.T) []string {
	t.Helper()
	missing := func(why string) {
		t.Helper()
		if os.Getenv("BENCHCTL_REQUIRE_SLURM") != "" {
			t.Fatalf("no Slurm cluster, and BENCHCTL_REQUIRE_SLURM is set: %s", why)
		}
		t.Skipf("no Slurm cluster: %s (start one with .ci/slurm up, as root)", why)
	}
	if testing.Short() {
		t.Skip("-short: the real-Slurm campaign takes two minutes")
	}
	conf := os.Getenv("SLURM_CONF")
	if conf == "" {
		conf = "/var/tmp/benchctl-slurm/slurm.conf"
	}
	if _, err := os.Stat(conf); err != nil {
		missing(conf + " not found")
	}
	for _, cmd := range []string{"sbatch", "squeue", "sinfo"} {
		if _, err := exec.LookPath(cmd); err != nil {
			missing(cmd + " not installed")
		}
	}
	// The tasks' runs stay out of the history of whoever runs the tests.
	env := append(os.Environ(), "SLURM_CONF="+conf, "BENCHCTL_HISTORY=none")
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "sinfo", "-h", "-N", "-o", "%N %T")
	cmd.Env = env
	out, err := cmd.CombinedOutput()
	if err != nil {
		missing("sinfo: " + strings.TrimSpace(string(out)))
	}
	if !strings.Contains(string(out), "n1") || !strings.Contains(string(out), "n2") {
		missing("the test cluster's nodes n1 and n2 are not there: " + strings.TrimSpace(string(out)))
	}
	return env
}

// binaries builds benchctl and the fake pipeline where the nodes find them.
func binaries(t *testing.T) (benchctl, fakepipe string) {
	t.Helper()
	dir := t.TempDir()
	benchctl, fakepipe = filepath.Join(dir, "benchctl"), filepath.Join(dir, "fakepipe")
	for _, b := range [][2]string{{benchctl, "../cmd/benchctl"}, {fakepipe, "../workloads/fakepipe"}} {
		cmd := exec.Command("go", "build", "-o", b[0], b[1])
		cmd.Env = append(os.Environ(), "CGO_CFLAGS=-Wno-deprecated-declarations")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("building %s: %v\n%s", b[1], err, out)
		}
	}
	return benchctl, fakepipe
}

type runner struct {
	t   *testing.T
	bin string
	env []string
}

func (r runner) run(args ...string) (int, string, string) {
	r.t.Helper()
	cmd := exec.Command(r.bin, args...)
	cmd.Env = r.env
	var out, errb strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		r.t.Fatal(err)
	}
	return code, out.String(), errb.String()
}

// waitMerge waits, with a bound, until the campaign's last merge job has
// written its result and left the queue.
func (r runner) waitMerge(dir string, bound time.Duration) *result.Report {
	r.t.Helper()
	c, err := slurm.Load(dir)
	if err != nil {
		r.t.Fatal(err)
	}
	job := c.Submissions[len(c.Submissions)-1]
	if job.Kind != slurm.KindMerge {
		r.t.Fatalf("last submission is %+v, not the merge", job)
	}
	log := filepath.Join(dir, "logs", "merge-"+job.JobID+".out")
	deadline := time.Now().Add(bound)
	for time.Now().Before(deadline) {
		cmd := exec.Command("squeue", "-h", "-j", job.JobID, "-t", "all", "-o", "%T")
		cmd.Env = r.env
		out, _ := cmd.Output()
		state := strings.TrimSpace(string(out))
		if (state == "COMPLETED" || state == "FAILED") && fileExists(log) {
			data, err := os.ReadFile(filepath.Join(dir, "merged", "results.json"))
			if err != nil {
				r.t.Fatalf("merge job %s %s without a merged result: %v", job.JobID, state, err)
			}
			var rep result.Report
			if err := json.Unmarshal(data, &rep); err != nil {
				r.t.Fatal(err)
			}
			return &rep
		}
		time.Sleep(2 * time.Second)
	}
	_, status, _ := r.run("slurm", "status", dir)
	r.t.Fatalf("campaign %s not merged within %s:\n%s", dir, bound, status)
	return nil
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// TestCampaignOnSlurm submits campaigns to a real Slurm and checks what
// comes back: shipped scenarios on two nodes against the fake pipeline on
// simulated GPUs, with a task made to fail (a scenario that does not load); a
// task that Slurm ends at its time limit; a task whose node goes down under
// it, then resumed with --resume and cancelled. Then it resumes the failed
// tasks of the first campaign, and only those.
func TestCampaignOnSlurm(t *testing.T) {
	env := cluster(t)
	benchctl, fakepipe := binaries(t)
	r := runner{t: t, bin: benchctl, env: env}
	dir := t.TempDir()
	main, slow := filepath.Join(dir, "main"), filepath.Join(dir, "slow")
	t.Cleanup(func() { r.scontrol("update", "nodename=n2", "state=resume") })
	pipeline := fakepipe + " --time-per-seq 20ms --startup 10ms --load-time 150ms --streams-speedup 30%"

	// The time-limited campaign first: it takes a minute and a half to end.
	code, _, stderr := r.run("slurm", "submit", "--results-dir", slow, "--partition", "first", "--time", "1",
		"--gpu-backend", "sim", "testdata/slow.lua")
	if code != 0 {
		t.Fatalf("submit slow: exit %d\n%s", code, stderr)
	}
	code, _, stderr = r.run("slurm", "submit", "--results-dir", main, "--partitions", "first,last", "--gres", "gpu:4",
		"--gpu-backend", "sim", "--var", "pipeline="+pipeline, "--var", "preset=quick", "--var", "sequences_per_file=20",
		"../scenarios/large_batches_oom.lua", "../scenarios/peak_memory_per_stage.lua", "testdata/broken.lua")
	if code != 0 || !strings.Contains(stderr, "the merge, after every task") {
		t.Fatalf("submit main: exit %d\n%s", code, stderr)
	}
	for _, f := range []string{"campaign.sbatch", "merge.sbatch", "campaign.json"} {
		if !fileExists(filepath.Join(main, f)) {
			t.Errorf("%s not kept with the results", f)
		}
	}

	rep := r.waitMerge(main, 4*time.Minute)
	checkMain(t, main, rep)
	_, status, _ := r.run("slurm", "status", main)
	for _, want := range []string{"6 tasks: 4 ok, 2 failed", "benchctl exited 2"} {
		if !strings.Contains(status, want) {
			t.Errorf("status lacks %q:\n%s", want, status)
		}
	}

	r.nodeFailure(filepath.Join(dir, "lost"))

	rep = r.waitMerge(slow, 4*time.Minute)
	checkSlow(t, rep)

	r.resumeMain(main)
}

// resumeMain resumes the main campaign: only the two tasks of the broken
// scenario go again (they left no run to take up, so they start afresh), and
// a new merge follows them.
func (r runner) resumeMain(main string) {
	t := r.t
	t.Helper()
	code, _, stderr := r.run("slurm", "resume", main)
	if code != 0 || strings.Count(stderr, "broken.lua, failed") != 2 {
		t.Fatalf("resume: exit %d\n%s", code, stderr)
	}
	c, err := slurm.Load(main)
	if err != nil {
		t.Fatal(err)
	}
	var again []int
	for _, s := range c.Submissions[3:] {
		again = append(again, s.Tasks...)
	}
	if len(c.Submissions) != 6 || len(again) != 2 || again[0] != 2 || again[1] != 5 {
		t.Fatalf("resume submitted %+v, want tasks 2 and 5 and a merge", c.Submissions[3:])
	}
	checkMain(t, main, r.waitMerge(main, 3*time.Minute))
	for _, task := range []string{"_2", "_5"} {
		if !fileExists(filepath.Join(main, "logs", c.Submissions[3].JobID+task+".out")) &&
			!fileExists(filepath.Join(main, "logs", c.Submissions[4].JobID+task+".out")) {
			t.Errorf("task %s did not run again", task)
		}
	}
}

// nodeFailure runs a task on n2 and takes the node down under it, with
// requeueing off: Slurm ends the task with NODE_FAIL, and the merge says so.
// (With requeueing on, Slurm's default, the task would run again and take up
// its run with --resume.) n2 is back in service when it returns.
func (r runner) nodeFailure(dir string) {
	r.t.Helper()
	code, _, stderr := r.run("slurm", "submit", "--results-dir", dir, "--partition", "last", "--sbatch-arg=--no-requeue",
		"--gpu-backend", "sim", "testdata/slow.lua")
	if code != 0 {
		r.t.Fatalf("submit: exit %d\n%s", code, stderr)
	}
	c, err := slurm.Load(dir)
	if err != nil {
		r.t.Fatal(err)
	}
	// Down once the second test runs: the first is finished and kept.
	results := filepath.Join(dir, c.Tasks[0].Dir, "results.json")
	r.poll("the task on n2 to reach its second test", func() bool {
		data, _ := os.ReadFile(results)
		return strings.Contains(string(data), `"long pipeline"`)
	})
	r.scontrol("update", "nodename=n2", "state=down", "reason=benchctl node failure test")
	task := c.Submissions[0].JobID + "_0"
	r.poll("Slurm to end the task on the downed node", func() bool {
		cmd := exec.Command("squeue", "-h", "-r", "-t", "all", "-j", c.Submissions[0].JobID, "-o", "%i %T")
		cmd.Env = r.env
		out, _ := cmd.Output()
		return strings.Contains(string(out), task+" NODE_FAIL")
	})
	r.scontrol("update", "nodename=n2", "state=resume") // the merge job runs there
	rep := r.waitMerge(dir, 2*time.Minute)
	if len(rep.Tasks) != 1 || rep.Tasks[0].State != result.TaskNodeFail || !strings.Contains(rep.Tasks[0].Reason, "DUE TO NODE FAILURE") {
		r.t.Errorf("tasks %+v, want one node_fail with Slurm's words", rep.Tasks)
	}
	if len(rep.Suites) != 1 || rep.Suites[0].Status != result.Errored || rep.Suites[0].Cases[0].Status != result.Passed {
		r.t.Fatalf("suites %+v, want the finished test kept and the suite errored", rep.Suites)
	}
	r.resumeLost(dir, rep.Suites[0].Cases[0])
}

// resumeLost resubmits the task its node failure ended: it takes up its run
// with --resume, keeping its finished test as it was, and runs the cut one
// again; scancel then ends it, which the merge reports as cancelled.
func (r runner) resumeLost(dir string, kept result.Case) {
	r.t.Helper()
	code, _, stderr := r.run("slurm", "resume", dir)
	if code != 0 || !strings.Contains(stderr, "slow.lua, node_fail") {
		r.t.Fatalf("resume: exit %d\n%s", code, stderr)
	}
	c, err := slurm.Load(dir)
	if err != nil {
		r.t.Fatal(err)
	}
	job := c.Submissions[len(c.Submissions)-2].JobID
	log := filepath.Join(dir, "logs", job+"_0.out")
	r.poll("the resubmitted task to take up its run", func() bool {
		data, _ := os.ReadFile(log)
		return strings.Contains(string(data), "resumes") && strings.Contains(string(data), "1 finished test kept")
	})
	cmd := exec.Command("scancel", job)
	cmd.Env = r.env
	if out, err := cmd.CombinedOutput(); err != nil {
		r.t.Fatalf("scancel: %v\n%s", err, out)
	}
	rep := r.waitMerge(dir, 2*time.Minute)
	if len(rep.Tasks) != 1 || rep.Tasks[0].State != result.TaskCancelled || !strings.Contains(rep.Tasks[0].Reason, "CANCELLED AT") {
		r.t.Errorf("tasks %+v, want the resumed task cancelled with Slurm's words", rep.Tasks)
	}
	cases := rep.Suites[0].Cases
	if len(cases) != 2 || cases[0].Status != result.Passed || !cases[0].StartedAt.Equal(kept.StartedAt) || cases[1].Status != result.Errored {
		r.t.Errorf("cases %+v: want the first attempt's finished test kept as it was, the second cut", cases)
	}
}

// poll waits, with a bound of two minutes, until ok says yes.
func (r runner) poll(what string, ok func() bool) {
	r.t.Helper()
	for deadline := time.Now().Add(2 * time.Minute); !ok(); time.Sleep(time.Second) {
		if time.Now().After(deadline) {
			r.t.Fatalf("waited two minutes for %s", what)
		}
	}
}

// scontrol runs scontrol; an error is logged, not fatal (resuming a node
// that is already back answers one).
func (r runner) scontrol(args ...string) {
	cmd := exec.Command("scontrol", args...)
	cmd.Env = r.env
	if out, err := cmd.CombinedOutput(); err != nil {
		r.t.Logf("scontrol %s: %v: %s", strings.Join(args, " "), err, out)
	}
}

// checkMain checks the main campaign's merged result and reports.
func checkMain(t *testing.T, dir string, rep *result.Report) {
	t.Helper()
	checkMainTasks(t, rep)
	checkMainSuites(t, rep)
	checkMainReports(t, dir)
}

// checkMainTasks: the four good tasks ok, the two broken ones failed with
// benchctl's reason.
func checkMainTasks(t *testing.T, rep *result.Report) {
	t.Helper()
	states := map[string]result.TaskState{}
	for _, task := range rep.Tasks {
		states[filepath.Base(task.Scenario)+"@"+task.Partition] = task.State
		if strings.HasSuffix(task.Scenario, "broken.lua") && !strings.Contains(task.Reason, "benchctl exited 2") {
			t.Errorf("broken task's reason: %q", task.Reason)
		}
	}
	for _, s := range []string{"large_batches_oom.lua", "peak_memory_per_stage.lua"} {
		for _, p := range []string{"first", "last"} {
			if states[s+"@"+p] != result.TaskOK {
				t.Errorf("%s on %s: %s", s, p, states[s+"@"+p])
			}
		}
	}
	if states["broken.lua@first"] != result.TaskFailed || states["broken.lua@last"] != result.TaskFailed {
		t.Errorf("broken tasks: %v", states)
	}
}

// checkMainSuites: both nodes with their environments, every suite keyed by
// its node, a figure side by side.
func checkMainSuites(t *testing.T, rep *result.Report) {
	t.Helper()
	var nodes []string
	for _, n := range rep.Nodes {
		nodes = append(nodes, n.ID)
		if len(n.Environment.GPUs) != 4 || n.Environment.GPUBackend != "sim" {
			t.Errorf("node %s environment: %+v", n.ID, n.Environment)
		}
	}
	if strings.Join(nodes, ",") != "n1,n2" {
		t.Errorf("nodes %v, want n1,n2", nodes)
	}
	names := map[string]result.Status{}
	for _, s := range rep.Suites {
		names[s.Name] = s.Status
	}
	// Verdicts that rest on memory, which the simulated GPUs model, not on
	// timing, which a busy two-core machine running both nodes would sway.
	for _, want := range []string{"large_batches_oom @ n1", "large_batches_oom @ n2", "peak_memory_per_stage @ n1", "peak_memory_per_stage @ n2"} {
		if names[want] != result.Passed {
			t.Errorf("suite %q: %q (suites %v)", want, names[want], names)
		}
	}
	sideBySide := false
	for _, f := range rep.Figures {
		sideBySide = sideBySide || (f.Suite == "peak_memory_per_stage" && f.Name == "peak_esm_gpu0" && len(f.Values) == 2 &&
			f.Values[0].Node == "n1" && f.Values[1].Node == "n2" && f.Values[0].Value > 0)
	}
	if !sideBySide {
		t.Errorf("the ESM stage's peak is not side by side on n1 and n2: %+v", rep.Figures)
	}
}

// checkMainReports: the merged JUnit validates and names each suite's node;
// the HTML has the nodes section and the failed task.
func checkMainReports(t *testing.T, dir string) {
	t.Helper()
	junit := filepath.Join(dir, "merged", "junit.xml")
	validateJUnit(t, junit)
	data, _ := os.ReadFile(junit)
	for _, want := range []string{`hostname="n1"`, `hostname="n2"`, "<error", "benchctl exited 2"} {
		if !strings.Contains(string(data), want) {
			t.Errorf("junit lacks %q", want)
		}
	}
	html, _ := os.ReadFile(filepath.Join(dir, "merged", "report.html"))
	for _, want := range []string{"<h2>Nodes</h2>", "peak_esm_gpu0", "peak_memory_per_stage @ n2", "benchctl exited 2"} {
		if !strings.Contains(string(html), want) {
			t.Errorf("html lacks %q", want)
		}
	}
}

func checkSlow(t *testing.T, rep *result.Report) {
	t.Helper()
	if len(rep.Tasks) != 1 || rep.Tasks[0].State != result.TaskTimeout || !strings.Contains(rep.Tasks[0].Reason, "DUE TO TIME LIMIT") {
		t.Fatalf("tasks %+v, want one timeout with Slurm's words", rep.Tasks)
	}
	if len(rep.Suites) != 1 || rep.Suites[0].Status != result.Errored {
		t.Fatalf("suites %+v", rep.Suites)
	}
	cases := rep.Suites[0].Cases
	if len(cases) != 2 || cases[0].Status != result.Passed || cases[1].Status != result.Errored ||
		!strings.Contains(cases[1].Error.Message, "DUE TO TIME LIMIT") {
		t.Errorf("cases %+v: want the finished test kept and the cut one errored with the time limit", cases)
	}
}

// validateJUnit checks a JUnit file against the schema the repository ships
// (testdata/junit/JUnit.xsd, or BENCHCTL_JUNIT_XSD).
func validateJUnit(t *testing.T, file string) {
	t.Helper()
	xsd := os.Getenv("BENCHCTL_JUNIT_XSD")
	if xsd == "" {
		xsd = filepath.Join("..", "testdata", "junit", "JUnit.xsd")
	}
	_, lintErr := exec.LookPath("xmllint")
	_, xsdErr := os.Stat(xsd)
	if lintErr != nil || xsdErr != nil {
		if os.Getenv("CI") != "" || os.Getenv("BENCHCTL_REQUIRE_XMLLINT") != "" {
			t.Fatalf("cannot validate JUnit: xmllint %v, schema %v", lintErr, xsdErr)
		}
		t.Logf("JUnit not validated: xmllint %v, schema %v", lintErr, xsdErr)
		return
	}
	if out, err := exec.Command("xmllint", "--noout", "--schema", xsd, file).CombinedOutput(); err != nil {
		t.Errorf("JUnit does not validate: %v\n%s", err, out)
	}
}
