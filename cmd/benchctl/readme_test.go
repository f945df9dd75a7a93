package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// readmeOutcome is what the README says a command it shows does, on a
// machine without a GPU (as CI's).
type readmeOutcome struct {
	code int
	want []string // in stdout or stderr
	// files the command writes, relative to its working directory
	files []string
}

// readmeCommands holds every benchctl command the README's code blocks show,
// as written (comments dropped, continuation lines joined), with its outcome.
// A command added to the README needs its line here.
var readmeCommands = map[string]readmeOutcome{
	`benchctl run scenarios/*.lua --out junit=reports/junit.xml --out html=reports/report.html`: {
		want: []string{"0 passed, 0 failed, 8 skipped, 0 errors", "needs 1 GPU(s), 0 visible"}, files: []string{"reports/junit.xml", "reports/report.html"}},
	`benchctl run --var pipeline="python -m virnucpro" --var preset=plan --out junit=junit.xml --out html=report.html scenarios/*.lua`: {
		want: []string{"8 skipped"}, files: []string{"junit.xml", "report.html"}},
	`benchctl run --var pipeline="/opt/venv/bin/python -m virnucpro" --var gpus=0,1 scenarios/typical_10h.lua`: {
		want: []string{"1 skipped"}},
	`benchctl run --var pipeline="python3 -m virnucsim" --var pipeline_flags="--size small" --var preset=quick scenarios/memory_stability.lua`: {
		want: []string{"1 skipped"}},
	`benchctl slurm submit --dry-run --partitions a100,h100 --gres gpu:4 --time 02:00:00 --account proj42 --results-dir /shared/bench/c1 --var pipeline="python -m mypipe" --var preset=quick scenarios/*.lua`: {
		want: []string{"sbatch --parsable --array=0-7 --partition=a100", "merge.sbatch"}},
	`benchctl run --label commit=$(git rev-parse --short HEAD) --label branch=main scenarios/*.lua`: {
		want: []string{"8 skipped"}},
	`benchctl history list --label branch=main --since 7d`: {want: []string{"branch=main commit="}},
	`benchctl history show latest`:                         {want: []string{"typical sample projected under 10 h"}},
	// Without a GPU no test runs a pipeline, so no run figure is recorded.
	`benchctl history trend run.esm.wall --label branch=main --since 30d`:           {code: 2, want: []string{`no metric "run.esm.wall"`}},
	`benchctl history trend 'run.*.gpu_memory_peak' --format html --out trend.html`: {code: 2, want: []string{`no metric "run.*.gpu_memory_peak"`}},
	`benchctl history export --csv --label branch=main > history.csv`:               {files: []string{"history.csv"}},
}

// readmeShellCommands returns the benchctl commands of the README's code
// blocks, in order.
func readmeShellCommands(t *testing.T) []string {
	t.Helper()
	data, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	blocks := regexp.MustCompile("(?s)```[a-z]*\n(.*?)```").FindAllStringSubmatch(string(data), -1)
	comment := regexp.MustCompile(`\s+#\s.*$`)
	var cmds []string
	for _, b := range blocks {
		cur := ""
		for _, line := range strings.Split(b[1], "\n") {
			line = strings.TrimSpace(line)
			if cur == "" && !strings.HasPrefix(line, "benchctl ") {
				continue
			}
			cur = strings.TrimSpace(cur + " " + line)
			if strings.HasSuffix(cur, `\`) {
				cur = strings.TrimSpace(strings.TrimSuffix(cur, `\`))
				continue
			}
			cur = strings.Join(strings.Fields(comment.ReplaceAllString(cur, "")), " ")
			if !strings.Contains(cur, "...") { // a placeholder, not a command
				cmds = append(cmds, cur)
			}
			cur = ""
		}
	}
	return cmds
}

// TestREADMECommands runs every command the README shows, as written, in
// a fresh directory holding the shipped scenarios (a git repository, for
// $(git rev-parse ...)), with the built benchctl first on PATH, and checks
// the outcome the README gives.
func TestREADMECommands(t *testing.T) {
	cmds := readmeShellCommands(t)
	if len(cmds) < 5 {
		t.Fatalf("found %d commands in the README: the extraction is broken", len(cmds))
	}
	dir := t.TempDir()
	copyScenarios(t, dir)
	for _, args := range [][]string{{"init", "-q"}, {"-c", "user.email=ci@example.com", "-c", "user.name=ci", "commit", "-q", "--allow-empty", "-m", "readme"}} {
		git := exec.Command("git", args...)
		git.Dir = dir
		if out, err := git.CombinedOutput(); err != nil {
			t.Skipf("git is needed for the README's $(git rev-parse ...): %v\n%s", err, out)
		}
	}
	env := append(os.Environ(), "PATH="+filepath.Dir(benchctlBin)+":"+os.Getenv("PATH"),
		"BENCHCTL_HISTORY="+filepath.Join(dir, "history.db"))
	seen := map[string]bool{}
	for _, c := range cmds {
		seen[c] = true
		want, ok := readmeCommands[c]
		if !ok {
			t.Errorf("the README shows %q, which readmeCommands does not list with its outcome", c)
			continue
		}
		sh := exec.Command("sh", "-c", c)
		sh.Dir, sh.Env = dir, env
		out, err := sh.CombinedOutput()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		if code != want.code {
			t.Errorf("%s: exit %d, want %d\n%s", c, code, want.code, out)
			continue
		}
		for _, w := range want.want {
			if !strings.Contains(string(out), w) {
				t.Errorf("%s: output lacks %q\n%s", c, w, out)
			}
		}
		for _, f := range want.files {
			if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
				t.Errorf("%s: %s not written: %v", c, f, err)
			}
		}
	}
	for c := range readmeCommands {
		if !seen[c] {
			t.Errorf("readmeCommands lists %q, which the README no longer shows", c)
		}
	}
}
