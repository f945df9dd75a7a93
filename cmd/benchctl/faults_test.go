package main

import (
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	reportjson "github.com/benchctl/benchctl/reporters/json"
	"github.com/benchctl/benchctl/result"
)

// Fault injection end to end: signals at random moments of a run, GPU faults
// on simulated GPUs, and an output that fills up mid-run. The NVML faults
// (calls failing or slow, a GPU lost, an XID event) are proven on a mocked
// NVML in engine/faults_test.go.

var (
	fakepipeOnce sync.Once
	fakepipePath string
	fakepipeErr  error
)

// fakepipeBin builds workloads/fakepipe once, beside the benchctl binary
// TestMain built (and removes).
func fakepipeBin(t *testing.T) string {
	t.Helper()
	fakepipeOnce.Do(func() {
		fakepipePath = filepath.Join(filepath.Dir(benchctlBin), "fakepipe")
		out, err := exec.Command("go", "build", "-o", fakepipePath, "../../workloads/fakepipe").CombinedOutput()
		if err != nil {
			fakepipeErr = fmt.Errorf("building fakepipe: %v\n%s", err, out)
		}
	})
	if fakepipeErr != nil {
		t.Fatal(fakepipeErr)
	}
	return fakepipePath
}

// junitChecker validates JUnit files against the shared schema, as xmllint(t,
// file) does, but reports instead of skipping the test: enabled is false when
// xmllint or the schema is missing and neither CI nor
// BENCHCTL_REQUIRE_XMLLINT is set.
type junitChecker struct {
	enabled bool
	xsd     string
}

func newJUnitChecker(t *testing.T) junitChecker {
	t.Helper()
	xsd := filepath.Join("..", "..", "testdata", "junit", "JUnit.xsd")
	_, lookErr := exec.LookPath("xmllint")
	_, statErr := os.Stat(xsd)
	if lookErr == nil && statErr == nil {
		return junitChecker{enabled: true, xsd: xsd}
	}
	if os.Getenv("CI") != "" || os.Getenv("BENCHCTL_REQUIRE_XMLLINT") != "" {
		t.Fatalf("cannot validate JUnit: xmllint: %v, schema: %v", lookErr, statErr)
	}
	t.Logf("JUnit not validated: xmllint: %v, schema: %v", lookErr, statErr)
	return junitChecker{}
}

func (j junitChecker) check(file string) error {
	if !j.enabled {
		return nil
	}
	out, err := exec.Command("xmllint", "--noout", "--schema", j.xsd, file).CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s does not validate: %v\n%s", file, err, out)
	}
	return nil
}

// treeWatch records every descendant of a process while it runs, with its
// start time, so that once the process has ended a survivor can be told
// from a new process that got a reused pid.
type treeWatch struct {
	mu   sync.Mutex
	seen map[int]uint64
	stop chan struct{}
	done chan struct{}
}

func watchTree(pid int) *treeWatch {
	w := &treeWatch{seen: map[int]uint64{}, stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(w.done)
		for {
			for _, p := range descendantPIDs(pid) {
				if st := procStart(p); st != 0 {
					w.mu.Lock()
					if _, ok := w.seen[p]; !ok {
						w.seen[p] = st
					}
					w.mu.Unlock()
				}
			}
			select {
			case <-w.stop:
				return
			case <-time.After(5 * time.Millisecond):
			}
		}
	}()
	return w
}

// finish stops watching and returns the descendants seen.
func (w *treeWatch) finish() map[int]uint64 {
	close(w.stop)
	<-w.done
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.seen
}

// survivors are the processes of seen still alive (not zombies), by pid and
// start time.
func survivors(seen map[int]uint64) []int {
	var out []int
	for p, st := range seen {
		if alive(p) && procStart(p) == st {
			out = append(out, p)
		}
	}
	return out
}

// procStart is a process's start time in clock ticks since boot, or 0.
func procStart(pid int) uint64 {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0
	}
	f := strings.Fields(string(data[bytes.LastIndexByte(data, ')')+1:]))
	if len(f) < 20 {
		return 0
	}
	st, _ := strconv.ParseUint(f[19], 10, 64) // field 22 of stat; f[0] is field 3
	return st
}

// withToken lists the live processes whose environment holds token: every
// process a run started inherits benchctl's environment, so this finds a
// survivor even if no poll of the tree saw it.
func withToken(token string) []int {
	var out []int
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		p, err := strconv.Atoi(e.Name())
		if err != nil || p == os.Getpid() {
			continue
		}
		env, err := os.ReadFile("/proc/" + e.Name() + "/environ")
		if err == nil && bytes.Contains(env, []byte(token)) && alive(p) {
			out = append(out, p)
		}
	}
	return out
}

func killAll(pids []int) {
	for _, p := range pids {
		syscall.Kill(p, syscall.SIGKILL)
	}
}

// trialPlan is one signal trial: which signal, how long after the run's
// first report it comes.
type trialPlan struct {
	sig   syscall.Signal
	delay time.Duration
}

// trialTests are the tests of testdata/faults/trials.lua in order; the last
// one waits until it is interrupted.
var trialTests = []string{"lua only", "tree", "daemon", "fakepipe on two GPUs", "ignores SIGTERM", "held until interrupted"}

// TestSignalTrials interrupts a run with SIGINT, SIGTERM, SIGHUP or SIGKILL at
// seeded random moments, from the first report on (benchctl has then
// installed its handlers, and a test has started), and checks after each
// trial: the exit code (130, 143, 129; killed by SIGKILL), results.json valid
// and marked interrupted with every case in it ended (none left running; after
// SIGKILL, the reports of the last test boundary: partial, the test in
// progress shown running), JUnit valid against the schema with one testcase
// per case, and no process of the pipelines' trees alive once the grace
// period has passed (after SIGKILL, the supervisor ends the tree). The last
// test of the scenario never ends by itself, so every signal falls inside the
// run. BENCHCTL_TRIAL_SEED picks another seed.
func TestSignalTrials(t *testing.T) {
	seed := uint64(20261122)
	if s := os.Getenv("BENCHCTL_TRIAL_SEED"); s != "" {
		v, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatalf("BENCHCTL_TRIAL_SEED=%q: %v", s, err)
		}
		seed = v
	}
	n := 52
	if testing.Short() {
		n = 10
	}
	t.Logf("seed %d, %d trials", seed, n)
	rng := rand.New(rand.NewPCG(seed, 0x62656e6368))
	plans := make([]trialPlan, n)
	signals := []syscall.Signal{syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGKILL}
	for i := range plans {
		plans[i] = trialPlan{sig: syscall.SIGINT, delay: time.Duration(rng.Int64N(int64(1400 * time.Millisecond)))}
		plans[i].sig = signals[rng.IntN(len(signals))]
	}
	pipe := fakepipeBin(t)
	junit := newJUnitChecker(t)
	for i, p := range plans {
		t.Run(fmt.Sprintf("%02d-%s-%s", i, p.sig, p.delay.Round(time.Millisecond)), func(t *testing.T) {
			t.Parallel()
			signalTrial(t, fmt.Sprintf("benchctl-trial-%d-%d-%d", seed, i, os.Getpid()), p, pipe, junit)
		})
	}
}

func signalTrial(t *testing.T, token string, p trialPlan, pipe string, junit junitChecker) {
	dir := t.TempDir()
	cmd := exec.Command(benchctlBin, "run", "-q", "--gpu-backend", "sim", "--sim-gpus", "2", "--results-dir", dir,
		"--var", "fakepipe="+pipe, "--out", "junit="+dir+"/junit.xml", "--out", "markdown="+dir+"/summary.md",
		"testdata/faults/trials.lua")
	cmd.Env = append(os.Environ(), "BENCHCTL_TRIAL_TOKEN="+token)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	watch := watchTree(cmd.Process.Pid)
	defer func() {
		if left := withToken(token); len(left) > 0 {
			killAll(left)
		}
	}()
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(2 * time.Millisecond) {
		if _, err := os.Stat(dir + "/results.json"); err == nil {
			break
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			cmd.Wait()
			t.Fatalf("no report was written:\n%s", stderr.String())
		}
	}
	time.Sleep(p.delay)
	cmd.Process.Signal(p.sig)
	err := cmd.Wait()
	seen := watch.finish()

	checkTrialExit(t, p.sig, err, stderr.String())
	// The tree's grace period is 200 ms; SIGKILL leaves the ending to the
	// supervisor, which gives that much, then SIGKILL.
	var left, leftEnv []int
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		left, leftEnv = survivors(seen), withToken(token)
		if len(left)+len(leftEnv) == 0 || time.Now().After(deadline) {
			break
		}
	}
	if len(left) > 0 {
		killAll(left)
		t.Errorf("processes of the run survived: %v", left)
	}
	if len(leftEnv) > 0 {
		killAll(leftEnv)
		t.Errorf("processes started by the run survived: %v", leftEnv)
	}
	killed := p.sig == syscall.SIGKILL
	cases := checkTrialReport(t, dir+"/results.json", killed)
	data, err := os.ReadFile(dir + "/junit.xml")
	if killed && err != nil {
		return // killed before the first JUnit was written
	}
	if err := junit.check(dir + "/junit.xml"); err != nil {
		t.Error(err)
	}
	// A kill may fall between the writes of results.json and junit.xml.
	if got := bytes.Count(data, []byte("<testcase ")); got != cases && (!killed || got < cases-1 || got > cases+1) {
		t.Errorf("junit has %d testcases, results.json %d cases", got, cases)
	}
}

// checkTrialExit checks how benchctl ended on sig: its exit code for the
// signals it handles, death by SIGKILL, and no stack trace.
func checkTrialExit(t *testing.T, sig syscall.Signal, err error, stderr string) {
	t.Helper()
	want := map[syscall.Signal]int{syscall.SIGINT: exitInterrupted, syscall.SIGTERM: exitTerminated,
		syscall.SIGHUP: exitHangup}[sig]
	ee, ok := err.(*exec.ExitError)
	switch {
	case sig == syscall.SIGKILL:
		if ws, wok := ee.Sys().(syscall.WaitStatus); !ok || !wok || !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
			t.Errorf("exit %v, want killed by SIGKILL\n%s", err, stderr)
		}
	case !ok || ee.ExitCode() != want:
		t.Errorf("exit %v, want %d\n%s", err, want, stderr)
	}
	if strings.Contains(stderr, "panic:") || strings.Contains(stderr, "goroutine ") {
		t.Errorf("stack trace on stderr:\n%s", stderr)
	}
}

// checkTrialReport checks the report of an interrupted trial and returns its
// number of cases: the tests in order from the first, each passed or
// errored by the interrupt, and none running. killed: benchctl was killed,
// so the report is the one written at the last test boundary: partial, not
// marked interrupted, its last case maybe running.
func checkTrialReport(t *testing.T, path string, killed bool) int {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := reportjson.Decode(data)
	if err != nil {
		t.Fatalf("results.json: %v", err)
	}
	if rep.Interrupted == killed || rep.Partial != killed || len(rep.Suites) != 1 {
		t.Fatalf("report: interrupted=%v partial=%v suites=%d", rep.Interrupted, rep.Partial, len(rep.Suites))
	}
	cases := rep.Suites[0].Cases
	if (len(cases) == 0 && !killed) || len(cases) > len(trialTests) {
		t.Fatalf("%d cases", len(cases))
	}
	for i, c := range cases {
		if c.Name != trialTests[i] {
			t.Errorf("case %d is %q, want %q", i, c.Name, trialTests[i])
		}
		switch {
		case c.Status == result.Passed:
		case killed && c.Status == result.Running && i == len(cases)-1:
		case c.Status == result.Errored && c.Error != nil && strings.HasPrefix(c.Error.Message, "interrupted"):
			if i != len(cases)-1 {
				t.Errorf("case %q was interrupted but is not the last", c.Name)
			}
		default:
			t.Errorf("case %q: %s %+v %+v", c.Name, c.Status, c.Error, c.Failures)
		}
	}
	return len(cases)
}

// TestSimGPUFaults injects GPU faults through the sim backend's state dir
// while pipelines run: the run goes on, every fault is recorded in the run's
// GPU summary (events, sample errors, the XID flag) and seen by the scenario,
// and the readings of the GPUs that still answer are kept.
func TestSimGPUFaults(t *testing.T) {
	dir := t.TempDir()
	r := benchctl(t, "run", "-q", "--gpu-backend", "sim", "--sim-gpus", "2", "--results-dir", dir,
		"--out", "junit="+dir+"/junit.xml", "testdata/faults/gpu.lua")
	if r.code != 0 {
		t.Fatalf("exit %d, want 0\n%s", r.code, r.stderr)
	}
	rep := readReport(t, dir+"/results.json")
	xmllint(t, dir+"/junit.xml")
	gpu := map[string]*result.GPUSummary{}
	for _, c := range rep.Suites[0].Cases {
		if c.Status != result.Passed || len(c.Runs) == 0 || c.Runs[0].GPU == nil {
			t.Fatalf("%s: %s %+v %+v", c.Name, c.Status, c.Failures, c.Error)
		}
		gpu[c.Name] = c.Runs[0].GPU
	}
	tests := []struct {
		test, kind, msg string
		errors          bool
	}{
		{"a GPU disappears", "gpu_lost", "sim gpu 1: gpu lost", true},
		{"an XID error", "xid", "GPU has fallen off the bus", false},
		{"a corrupt proc file", "sample_error", "corrupt state file", true},
		{"a corrupt event line", "sample_error", `events.jsonl: bad line "not an event {"`, false},
		{"the state dir is removed", "sample_error", "sim: read state dir", true},
	}
	for _, tt := range tests {
		t.Run(tt.test, func(t *testing.T) {
			g := gpu[tt.test]
			found := false
			for _, ev := range g.Events {
				found = found || (ev.Kind == tt.kind && strings.Contains(ev.Message, tt.msg))
			}
			if !found {
				t.Errorf("no %s event with %q in %+v", tt.kind, tt.msg, g.Events)
			}
			if tt.errors && (g.SampleErrors == 0 || !strings.Contains(g.LastError, tt.msg)) {
				t.Errorf("sample errors %d, last %q", g.SampleErrors, g.LastError)
			}
			if g.Samples == 0 {
				t.Error("no reading kept")
			}
		})
	}
	if x := gpu["an XID error"]; !x.XID {
		t.Error("xid flag not set")
	}
	// GPU 0 kept answering while GPU 1 was lost.
	for _, g := range gpu["a GPU disappears"].GPUs {
		if g.Index == 0 && g.Stats[result.MemUsed].Count < 2 {
			t.Errorf("GPU 0 has %d readings", g.Stats[result.MemUsed].Count)
		}
	}
}

// TestOutputFullMidRun runs with a file size limit that the reports pass
// with the first test and exceed with the second: the run goes on, exits
// 2 naming the report that could not be written, and the reports written
// before stay whole and valid. A resumed run, without the limit, then
// completes them.
func TestOutputFullMidRun(t *testing.T) {
	dir := t.TempDir()
	// 100 blocks of 512 bytes: the reports of the first test fit, those with
	// the 200 kB log line do not. Go ignores SIGXFSZ, so writes fail with
	// EFBIG instead of killing benchctl.
	cmd := exec.Command("sh", "-c", `ulimit -f 100 && exec "$0" "$@"`, benchctlBin, "run", "-q", "--gpu-backend", "none",
		"--results-dir", dir, "--out", "junit="+dir+"/junit.xml", "testdata/faults/big.lua")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != exitUsage {
		t.Fatalf("exit %v, want 2\n%s", err, stderr.String())
	}
	if !strings.Contains(stderr.String(), "benchctl: json report "+dir+"/results.json not written: file too large") {
		t.Errorf("stderr:\n%s", stderr.String())
	}
	// Reports are rewritten at most once a second: the one kept is one of
	// those written before the limit was passed, whole: the tests in order
	// from the first, each passed but the last, which may be running.
	rep := readReport(t, dir+"/results.json")
	cases := rep.Suites[0].Cases
	if len(cases) == 0 || len(cases) > 2 || cases[0].Name != "small" {
		t.Fatalf("the report kept is not one written before the limit: %+v", cases)
	}
	for i, c := range cases {
		if c.Status != result.Passed && (c.Status != result.Running || i != len(cases)-1) {
			t.Errorf("case %q: %s", c.Name, c.Status)
		}
	}
	xmllint(t, dir+"/junit.xml")

	r := benchctl(t, "run", "-q", "--resume", dir)
	if r.code != 0 {
		t.Fatalf("resume: exit %d\n%s", r.code, r.stderr)
	}
	rep = readReport(t, dir+"/results.json")
	if n := len(rep.Suites[0].Cases); n != 3 || rep.Partial {
		t.Fatalf("after resume: %d cases, partial %v", n, rep.Partial)
	}
	xmllint(t, dir+"/junit.xml")
}

// TestSecondSignalExitsAtOnce: a second SIGINT while benchctl ends the
// pipeline (here one that ignores SIGTERM, inside its grace period) exits at
// once with 130. The reports on disk are those written last, whole and
// valid; the pipeline's tree is not waited for, and the sim backend's state
// dir is left behind.
func TestSecondSignalExitsAtOnce(t *testing.T) {
	dir := t.TempDir()
	token := fmt.Sprintf("benchctl-second-signal-%d", os.Getpid())
	cmd := exec.Command(benchctlBin, "run", "--gpu-backend", "sim", "--sim-gpus", "2", "--results-dir", dir,
		"--var", "fakepipe="+fakepipeBin(t), "--out", "junit="+dir+"/junit.xml", "testdata/faults/trials.lua")
	cmd.Env = append(os.Environ(), "BENCHCTL_TRIAL_TOKEN="+token)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		// Exiting at once, benchctl left its sim state dir; the pipeline
		// still running names it.
		left := withToken(token)
		for _, p := range left {
			env, _ := os.ReadFile("/proc/" + strconv.Itoa(p) + "/environ")
			for _, kv := range bytes.Split(env, []byte{0}) {
				if d, ok := bytes.CutPrefix(kv, []byte("BENCHCTL_SIM_DIR=")); ok && strings.HasPrefix(string(d), os.TempDir()) {
					defer os.RemoveAll(string(d))
				}
			}
		}
		killAll(left)
	}()
	waitFor(t, "the last test", func() bool {
		data, _ := os.ReadFile(dir + "/results.json")
		return bytes.Contains(data, []byte(`"name": "held until interrupted"`))
	})
	time.Sleep(100 * time.Millisecond) // its pipeline runs
	cmd.Process.Signal(syscall.SIGINT)
	buf := make([]byte, 4096)
	var got []byte
	for !bytes.Contains(got, []byte("interrupted; ending the pipeline")) {
		n, err := stderr.Read(buf)
		if err != nil {
			t.Fatalf("benchctl ended before it said it was ending the pipeline: %v\n%s", err, got)
		}
		got = append(got, buf[:n]...)
	}
	cmd.Process.Signal(syscall.SIGINT)
	rest, _ := io.ReadAll(stderr)
	err = cmd.Wait()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != exitInterrupted {
		t.Fatalf("exit %v, want 130\n%s%s", err, got, rest)
	}
	if !bytes.Contains(rest, []byte("benchctl: second signal, exiting now")) {
		t.Errorf("the second signal was not the one that ended benchctl:\n%s%s", got, rest)
	}
	rep := readReport(t, dir+"/results.json")
	if n := len(rep.Suites[0].Cases); n != len(trialTests) {
		t.Errorf("%d cases in the last report written, want %d", n, len(trialTests))
	}
	xmllint(t, dir+"/junit.xml")
}
