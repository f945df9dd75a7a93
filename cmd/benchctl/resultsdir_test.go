package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"golang.org/x/sys/unix"
)

// TestResultsDirLocked checks that a run into a results dir whose lock
// another process holds is refused, naming that process, and leaves the dir
// as it was.
func TestResultsDirLocked(t *testing.T) {
	dir := t.TempDir()
	f, err := os.OpenFile(filepath.Join(dir, lockFile), os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB); err != nil {
		t.Fatal(err)
	}
	f.WriteString(strconv.Itoa(os.Getpid()) + "\n")
	for _, args := range [][]string{
		{"run", "-q", "--gpu-backend", "none", "--results-dir", dir, "testdata/outcomes.lua"},
		{"run", "-q", "--gpu-backend", "none", "--results-dir", dir, "--force", "testdata/outcomes.lua"},
	} {
		r := benchctl(t, args...)
		want := "another benchctl run (pid " + strconv.Itoa(os.Getpid()) + ") is writing there"
		if r.code != 2 || !strings.Contains(r.stderr, want) {
			t.Errorf("%v: exit %d, want 2 with %q\n%s", args, r.code, want, r.stderr)
		}
		if _, err := os.Stat(filepath.Join(dir, "results.json")); err == nil {
			t.Errorf("%v wrote into a locked results dir", args)
		}
	}
}

// TestDefaultResultsDirUnique starts runs without --results-dir at once: each
// gets its own dir under reports/, none overwrites another.
func TestDefaultResultsDirUnique(t *testing.T) {
	dir := t.TempDir()
	scenario, err := filepath.Abs("testdata/outcomes.lua")
	if err != nil {
		t.Fatal(err)
	}
	const n = 4
	var wg sync.WaitGroup
	codes := make([]int, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cmd := exec.Command(benchctlBin, "run", "-q", "--gpu-backend", "none", scenario)
			cmd.Dir = dir
			if err := cmd.Run(); err != nil {
				codes[i] = cmd.ProcessState.ExitCode()
			}
		}()
	}
	wg.Wait()
	runs, _ := filepath.Glob(filepath.Join(dir, "reports", "*", "results.json"))
	if len(runs) != n {
		t.Fatalf("%d results.json under reports/ for %d runs (exit codes %v)", len(runs), n, codes)
	}
	for _, path := range runs {
		rep := readReport(t, path)
		if rep.Partial || len(rep.Suites) != 1 || len(rep.Suites[0].Cases) != 4 {
			t.Errorf("%s: partial=%v, %d suites", path, rep.Partial, len(rep.Suites))
		}
	}
}
