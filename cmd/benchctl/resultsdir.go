package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"

	"github.com/benchctl/benchctl/runrecord"
)

// lockFile is the results dir's lock: a run holds it (flock) from before its
// first write there to its exit, so a second run into the same dir is
// refused instead of overwriting the first one's results and logs.
const lockFile = ".benchctl.lock"

// defaultResultsDir is reports/<time>, made here; when that already exists
// (two runs in the same second), reports/<time>-2, -3 and so on. os.Mkdir
// fails when the folder exists, so two runs never get the same one.
func defaultResultsDir() (string, error) {
	base := filepath.Join("reports", time.Now().Format("20060102-150405"))
	if err := mkdirAll("reports"); err != nil {
		return "", fmt.Errorf("cannot create reports: %w", unwrapPath(err))
	}
	for i := 1; ; i++ {
		dir := base
		if i > 1 {
			dir = base + "-" + strconv.Itoa(i)
		}
		err := os.Mkdir(dir, 0o755)
		if err == nil {
			madeDirs.Lock()
			madeDirs.paths = append(madeDirs.paths, dir)
			madeDirs.Unlock()
			return dir, nil
		}
		if !errors.Is(err, os.ErrExist) || i > 1000 {
			return "", fmt.Errorf("cannot create %s: %w", dir, unwrapPath(err))
		}
	}
}

// lockResultsDir takes the results dir's lock without waiting. The lock is
// held until the process exits (the file stays open); a dir another run
// holds is an error naming that run's pid.
func lockResultsDir(dir string) error {
	path := filepath.Join(dir, lockFile)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|unix.O_NOFOLLOW, 0o644)
	if err != nil {
		return fmt.Errorf("cannot lock: %w", unwrapPath(err))
	}
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB); err != nil {
		data, _ := os.ReadFile(path)
		f.Close()
		if errors.Is(err, unix.EWOULDBLOCK) {
			return fmt.Errorf("another benchctl run (pid %s) is writing there; wait for it or use another --results-dir",
				strings.TrimSpace(string(data)))
		}
		return fmt.Errorf("cannot lock: %w", err)
	}
	_ = f.Truncate(0)
	_, _ = f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	heldLocks = append(heldLocks, f) // open until exit
	return nil
}

// heldLocks keeps the lock files open, and so locked, for the process's life.
var heldLocks []*os.File

// holdsRun says which file of an earlier run dir holds, if any.
func holdsRun(dir string) string {
	for _, name := range []string{"results.json", runrecord.File} {
		if _, err := os.Lstat(filepath.Join(dir, name)); err == nil {
			return name
		}
	}
	return ""
}

// checkOutsNotInputs refuses an --out that would overwrite what the run
// reads or keeps: a scenario file, or the results dir's own results.json,
// invocation.json and lock.
func checkOutsNotInputs(outs []output, files []string, dir string) error {
	inputs := map[string]string{}
	for _, f := range files {
		inputs[f] = "a scenario of the run"
	}
	if dir != "" {
		inputs[filepath.Join(dir, "results.json")] = "the run's own results.json"
		inputs[filepath.Join(dir, runrecord.File)] = "the run's record, which --resume reads"
		inputs[filepath.Join(dir, lockFile)] = "the results dir's lock"
	}
	for _, o := range outs {
		if o.path == "-" {
			continue
		}
		for in, what := range inputs {
			if samePath(o.path, in) {
				return usageError("--out %s=%s: that is %s; write the report elsewhere", o.format, o.path, what)
			}
		}
	}
	return nil
}

// samePath says whether a and b are one file: the same file when both exist
// (links and hard links included), else the same absolute path.
func samePath(a, b string) bool {
	fa, errA := os.Stat(a)
	fb, errB := os.Stat(b)
	if errA == nil && errB == nil {
		return os.SameFile(fa, fb)
	}
	if ra, err := filepath.EvalSymlinks(filepath.Dir(a)); err == nil {
		a = filepath.Join(ra, filepath.Base(a))
	}
	if rb, err := filepath.EvalSymlinks(filepath.Dir(b)); err == nil {
		b = filepath.Join(rb, filepath.Base(b))
	}
	return runrecord.SamePath(a, b)
}
