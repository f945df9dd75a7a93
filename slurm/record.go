package slurm

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"os"
	"strings"
)

// taskRecord is task.json, written by the task script when the task starts
// (ExitCode nil) and again when benchctl has ended.
type taskRecord struct {
	JobID       string `json:"job_id"`
	ArrayJobID  string `json:"array_job_id"`
	ArrayTaskID int    `json:"array_task_id"`
	Node        string `json:"node"` // SLURMD_NODENAME
	Host        string `json:"host"`
	Partition   string `json:"partition"`
	Started     int64  `json:"started"`
	Finished    *int64 `json:"finished"`
	ExitCode    *int   `json:"exit_code"`
	Signal      string `json:"signal"`
}

// readRecord reads a task's task.json; nil when there is none or it cannot
// be read (a task that never started, a node that died mid-write).
func readRecord(path string) *taskRecord {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil
	}
	var r taskRecord
	if json.Unmarshal(data, &r) != nil {
		return nil
	}
	return &r
}

// logTail is the end of a task's Slurm output, enough to hold Slurm's last
// words and benchctl's summary.
const logTail = 256 << 10

// logFacts reads what a task's Slurm output says about its end: slurmstepd's
// "*** JOB 12 ON n1 CANCELLED AT ... DUE TO TIME LIMIT ***" line, and the
// last one-line error benchctl printed ("benchctl: ..."), with the scenario
// error before it when there is one.
func logFacts(path string) (slurmLine, benchctlLine string) {
	f, err := os.Open(path)
	if err != nil {
		return "", ""
	}
	defer f.Close()
	if fi, err := f.Stat(); err == nil && fi.Size() > logTail {
		if _, err := f.Seek(-logTail, io.SeekEnd); err != nil {
			return "", ""
		}
	}
	data, err := io.ReadAll(f)
	if err != nil {
		return "", ""
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	prev := ""
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if i := strings.Index(line, "*** "); i >= 0 && strings.Contains(line, " CANCELLED AT ") {
			slurmLine = line[i:]
		}
		if strings.HasPrefix(line, "benchctl: ") {
			benchctlLine = strings.TrimPrefix(line, "benchctl: ")
			// A scenario that does not load is named, file:line, on the line before.
			if strings.Contains(prev, ".lua:") {
				benchctlLine += " (" + prev + ")"
			}
		}
		if line != "" {
			prev = line
		}
	}
	return slurmLine, benchctlLine
}
