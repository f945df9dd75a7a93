package slurm

import (
	"fmt"
	"strings"
)

// parseSubmit reads sbatch --parsable's "JOBID" or "JOBID;CLUSTER".
func parseSubmit(out []byte) (string, error) {
	line := strings.TrimSpace(string(out))
	if i := strings.LastIndexByte(line, '\n'); i >= 0 {
		line = strings.TrimSpace(line[i+1:])
	}
	id, _, _ := strings.Cut(line, ";")
	if id == "" || strings.Trim(id, "0123456789") != "" {
		return "", fmt.Errorf("sbatch: no job id in its answer %q", oneLine(string(out)))
	}
	return id, nil
}

// parseQueue reads squeue --format=%i|%T|%r|%N lines.
func parseQueue(out []byte) []State {
	var states []State
	for _, line := range strings.Split(string(out), "\n") {
		f := strings.Split(strings.TrimSpace(line), "|")
		if len(f) < 2 || f[0] == "" {
			continue
		}
		s := State{ID: f[0], State: firstWord(f[1])}
		if len(f) > 2 {
			s.Reason = reason(f[2])
		}
		if len(f) > 3 {
			s.Node = f[3]
		}
		states = append(states, s)
	}
	return states
}

// parseAccounting reads sacct --parsable2 JobID|State|ExitCode|Reason|NodeList
// lines. "CANCELLED by 0" is CANCELLED.
func parseAccounting(out []byte) []State {
	var states []State
	for _, line := range strings.Split(string(out), "\n") {
		f := strings.Split(strings.TrimSpace(line), "|")
		if len(f) < 2 || f[0] == "" {
			continue
		}
		s := State{ID: f[0], State: firstWord(f[1])}
		if len(f) > 2 {
			s.ExitCode = f[2]
		}
		if len(f) > 3 {
			s.Reason = reason(f[3])
		}
		if len(f) > 4 && f[4] != "None assigned" {
			s.Node = f[4]
		}
		states = append(states, s)
	}
	return states
}

func firstWord(s string) string {
	f := strings.Fields(s)
	if len(f) == 0 {
		return ""
	}
	return strings.TrimSuffix(f[0], "+")
}

func reason(s string) string {
	s = strings.TrimSpace(s)
	if s == "None" || s == "(null)" {
		return ""
	}
	return s
}
