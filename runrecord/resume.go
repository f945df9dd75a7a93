package runrecord

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strings"

	"github.com/benchctl/benchctl/internal/capread"
	"github.com/benchctl/benchctl/result"
)

// ScenarioFiles returns the scenario files a resumed run runs: given, which must
// be the recorded ones in the recorded order, or, when none is given, the
// recorded ones. It also returns one line per difference: other files, or a
// file whose content changed or cannot be read any more.
func (r Record) ScenarioFiles(given []string) (files, diffs []string) {
	if len(given) > 0 {
		same := len(given) == len(r.Scenarios)
		for i := 0; same && i < len(given); i++ {
			same = SamePath(given[i], r.Scenarios[i].Abs)
		}
		if !same {
			var was []string
			for _, s := range r.Scenarios {
				was = append(was, s.Path)
			}
			return nil, []string{fmt.Sprintf("scenarios: recorded %s, given %s", strings.Join(was, " "), strings.Join(given, " "))}
		}
		files = given
	} else {
		for _, s := range r.Scenarios {
			f := s.Path
			if !SamePath(f, s.Abs) {
				f = s.Abs // the record was made in another working directory
			}
			files = append(files, f)
		}
	}
	for i, s := range r.Scenarios {
		switch now := fileHash(files[i]); {
		case now == s.SHA256:
		case now == "":
			diffs = append(diffs, fmt.Sprintf("scenario %s: cannot be read any more", s.Path))
		default:
			diffs = append(diffs, fmt.Sprintf("scenario %s: changed since the run (sha256 %s, now %s)", s.Path, short(s.SHA256), short(now)))
		}
	}
	return files, diffs
}

// DiffVars says, one line a key, how two sets of vars differ.
func DiffVars(was, now map[string]string) []string {
	var out []string
	for _, k := range slices.Sorted(maps.Keys(was)) {
		v, ok := now[k]
		switch {
		case !ok:
			out = append(out, fmt.Sprintf("--var %s: recorded %q, not given", k, was[k]))
		case v != was[k]:
			out = append(out, fmt.Sprintf("--var %s: recorded %q, given %q", k, was[k], v))
		}
	}
	for _, k := range slices.Sorted(maps.Keys(now)) {
		if _, ok := was[k]; !ok {
			out = append(out, fmt.Sprintf("--var %s: not recorded, given %q", k, now[k]))
		}
	}
	return out
}

// FinishedCases picks, from the report of the earlier run, the cases to keep:
// every case that ended (passed, failed, errored, skipped), but not the one
// that was running or that the interrupt ended. They are keyed by the file
// name of this run (files, in the recorded order), which may differ from the
// recorded one, then by test name; the count is returned too.
func (r Record) FinishedCases(prev *result.Report, files []string) (map[string]map[string]result.Case, int) {
	fileFor := map[string]string{}
	for i, s := range r.Scenarios {
		if i < len(files) {
			fileFor[s.Path] = files[i]
		}
	}
	skip := map[string]map[string]result.Case{}
	kept := 0
	for _, s := range prev.Suites {
		f, ok := fileFor[s.File]
		if !ok {
			continue
		}
		for _, c := range s.Cases {
			if !finished(c) {
				continue
			}
			if skip[f] == nil {
				skip[f] = map[string]result.Case{}
			}
			skip[f][c.Name] = c
			kept++
		}
	}
	return skip, kept
}

// finished reports whether a case ended by itself: not still running (the
// process died), and not errored because the run was interrupted.
func finished(c result.Case) bool {
	if c.Status == result.Running || c.Status == "" {
		return false
	}
	if c.Status == result.Errored && c.Error != nil && strings.HasPrefix(c.Error.Message, "interrupted") {
		return false
	}
	for _, r := range c.Runs {
		if r.Class == result.ExitInterrupted {
			return false
		}
	}
	return true
}

// SamePath reports whether a and b name one path once made absolute.
func SamePath(a, b string) bool {
	aa, err1 := filepath.Abs(a)
	bb, err2 := filepath.Abs(b)
	return err1 == nil && err2 == nil && aa == bb
}

// fileHash is the hex SHA-256 of path's content, or "" when it cannot be read.
func fileHash(path string) string {
	data, err := capread.ReadFile(path, capread.ScenarioBytes)
	if err != nil {
		return ""
	}
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

func short(h string) string {
	if len(h) > 12 {
		return h[:12]
	}
	return h
}
