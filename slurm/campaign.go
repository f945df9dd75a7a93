package slurm

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// The files of a campaign folder.
const (
	ManifestFile = "campaign.json"
	TaskScript   = "campaign.sbatch"
	MergeScript  = "merge.sbatch"
	TaskRecord   = "task.json"
	TasksDir     = "tasks"
	LogsDir      = "logs"
	MergedDir    = "merged"
)

// manifestVersion is the version of campaign.json's format.
const manifestVersion = 1

// ErrNotCampaign is returned, wrapped with the folder, for a folder without a
// campaign.json.
var ErrNotCampaign = errors.New("not a benchctl campaign (no campaign.json)")

// Options are the sbatch options a Slurm user expects, passed through to the
// task script (all) and the merge job (all but --gres and --constraint).
type Options struct {
	Partition  string   `json:"partition,omitempty"`
	Account    string   `json:"account,omitempty"`
	Time       string   `json:"time,omitempty"`
	GRES       string   `json:"gres,omitempty"`
	Constraint string   `json:"constraint,omitempty"`
	QOS        string   `json:"qos,omitempty"`
	Extra      []string `json:"extra,omitempty"` // --sbatch-arg, each one sbatch option
	// MaxRunning caps the tasks Slurm runs at once (--array=...%N); 0 is no cap.
	MaxRunning int `json:"max_running,omitempty"`
}

// Spec is a campaign to plan: what to run, where, and with which flags.
type Spec struct {
	Dir        string   // the campaign folder, on a disk every node sees
	Benchctl   string   // benchctl's path on the nodes
	Workdir    string   // where each task starts (sbatch --chdir)
	Scenarios  []string // scenario files, as paths the nodes can read
	Partitions []string // one task a scenario a partition; none: Options.Partition or the default
	RunArgs    []string // `benchctl run` flags given to every task
	JobName    string
	Options    Options
}

// Campaign is a planned campaign and its record: the manifest, campaign.json.
type Campaign struct {
	Version     int          `json:"version"`
	CreatedAt   time.Time    `json:"created_at"`
	Dir         string       `json:"dir"`
	Benchctl    string       `json:"benchctl"`
	Workdir     string       `json:"workdir"`
	JobName     string       `json:"job_name"`
	RunArgs     []string     `json:"run_args,omitempty"`
	Options     Options      `json:"sbatch"`
	Tasks       []Task       `json:"tasks"`
	Submissions []Submission `json:"submissions,omitempty"`
}

// Task is one array task: a scenario on a partition, into its own folder.
type Task struct {
	Index     int    `json:"index"`
	Scenario  string `json:"scenario"`
	Partition string `json:"partition,omitempty"`
	Dir       string `json:"dir"` // relative to the campaign folder
}

// Submission is one sbatch call: an array of tasks, or the merge job.
type Submission struct {
	Kind      string    `json:"kind"` // "tasks" or "merge"
	JobID     string    `json:"job_id"`
	Partition string    `json:"partition,omitempty"`
	Tasks     []int     `json:"tasks,omitempty"`
	Args      []string  `json:"sbatch_args"`
	At        time.Time `json:"at"`
}

// Submission kinds.
const (
	KindTasks = "tasks"
	KindMerge = "merge"
)

// Plan lays out the campaign of a spec: one task a scenario a partition,
// partition by partition, each with its own folder. Paths are made absolute.
func Plan(spec Spec, now time.Time) (*Campaign, error) {
	if len(spec.Scenarios) == 0 {
		return nil, errors.New("no scenario given")
	}
	dir, err := filepath.Abs(spec.Dir)
	if err != nil {
		return nil, err
	}
	c := &Campaign{
		Version: manifestVersion, CreatedAt: now, Dir: dir, Benchctl: spec.Benchctl, Workdir: spec.Workdir,
		JobName: spec.JobName, RunArgs: spec.RunArgs, Options: spec.Options,
	}
	if c.JobName == "" {
		c.JobName = "benchctl"
	}
	parts := spec.Partitions
	if len(parts) == 0 {
		parts = []string{spec.Options.Partition}
	}
	total := len(parts) * len(spec.Scenarios)
	width := len(strconv.Itoa(total - 1))
	for _, p := range parts {
		for _, s := range spec.Scenarios {
			abs, err := filepath.Abs(s)
			if err != nil {
				return nil, err
			}
			i := len(c.Tasks)
			name := fmt.Sprintf("%0*d-%s", width, i, strings.TrimSuffix(filepath.Base(s), ".lua"))
			if p != "" && len(spec.Partitions) > 0 {
				name += "-" + p
			}
			c.Tasks = append(c.Tasks, Task{Index: i, Scenario: abs, Partition: p, Dir: filepath.Join(TasksDir, safeName(name))})
		}
	}
	return c, nil
}

// safeName keeps a folder name to characters every shell and file system
// takes as they are.
func safeName(s string) string {
	b := []byte(s)
	for i, c := range b {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
			b[i] = '_'
		}
	}
	return string(b)
}

// Groups returns the task indexes to submit together, one group a partition,
// in the order the partitions were given.
func (c *Campaign) Groups(only []int) []Group {
	want := map[int]bool{}
	for _, i := range only {
		want[i] = true
	}
	var groups []Group
	at := map[string]int{}
	for _, t := range c.Tasks {
		if only != nil && !want[t.Index] {
			continue
		}
		g, ok := at[t.Partition]
		if !ok {
			g = len(groups)
			at[t.Partition] = g
			groups = append(groups, Group{Partition: t.Partition})
		}
		groups[g].Tasks = append(groups[g].Tasks, t.Index)
	}
	return groups
}

// Group is the tasks of one partition, submitted as one array job.
type Group struct {
	Partition string
	Tasks     []int
}

// SbatchArgs are the command-line options of the sbatch call that submits
// this group: the array of its tasks and its partition.
func (g Group) SbatchArgs(maxRunning int) []string {
	array := "--array=" + Ranges(g.Tasks)
	if maxRunning > 0 {
		array += "%" + strconv.Itoa(maxRunning)
	}
	args := []string{array}
	if g.Partition != "" {
		args = append(args, "--partition="+g.Partition)
	}
	return args
}

// Ranges writes sorted indexes as sbatch --array does: 0-3,7,9-10.
func Ranges(idx []int) string {
	var parts []string
	for i := 0; i < len(idx); {
		j := i
		for j+1 < len(idx) && idx[j+1] == idx[j]+1 {
			j++
		}
		if j == i {
			parts = append(parts, strconv.Itoa(idx[i]))
		} else {
			parts = append(parts, fmt.Sprintf("%d-%d", idx[i], idx[j]))
		}
		i = j + 1
	}
	return strings.Join(parts, ",")
}

// Path returns a path inside the campaign folder.
func (c *Campaign) Path(elem ...string) string {
	return filepath.Join(append([]string{c.Dir}, elem...)...)
}

// Save writes campaign.json atomically.
func (c *Campaign) Save() error {
	data, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return err
	}
	tmp := c.Path("." + ManifestFile + ".tmp")
	if err := os.WriteFile(tmp, append(data, '\n'), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, c.Path(ManifestFile))
}

// Load reads the campaign in dir.
func Load(dir string) (*Campaign, error) {
	data, err := os.ReadFile(filepath.Join(dir, ManifestFile))
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("%s: %w", dir, ErrNotCampaign)
	} else if err != nil {
		return nil, err
	}
	var c Campaign
	if err := json.Unmarshal(data, &c); err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Join(dir, ManifestFile), err)
	}
	if c.Version != manifestVersion {
		return nil, fmt.Errorf("%s: version %d, this benchctl reads %d", filepath.Join(dir, ManifestFile), c.Version, manifestVersion)
	}
	// The folder may have been moved or mounted elsewhere since.
	if abs, err := filepath.Abs(dir); err == nil {
		c.Dir = abs
	}
	return &c, nil
}

// IsCampaign reports whether dir holds a campaign.
func IsCampaign(dir string) bool {
	fi, err := os.Stat(filepath.Join(dir, ManifestFile))
	return err == nil && fi.Mode().IsRegular()
}

// Latest returns the last submission of a task: the array job it ran in last.
func (c *Campaign) Latest(index int) (Submission, bool) {
	for i := len(c.Submissions) - 1; i >= 0; i-- {
		s := c.Submissions[i]
		if s.Kind != KindTasks {
			continue
		}
		for _, t := range s.Tasks {
			if t == index {
				return s, true
			}
		}
	}
	return Submission{}, false
}
