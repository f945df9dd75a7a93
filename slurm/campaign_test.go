package slurm

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/benchctl/benchctl/internal/golden"
)

var now = time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)

func clock() time.Time { return now }

func plan(t *testing.T, partitions []string, opts Options) *Campaign {
	t.Helper()
	c, err := Plan(Spec{
		Dir: filepath.Join(t.TempDir(), "camp"), Benchctl: "/opt/benchctl/bin/benchctl", Workdir: "/home/me/proj",
		Scenarios:  []string{"/s/scaling.lua", "/s/peak memory.lua"},
		Partitions: partitions,
		RunArgs:    []string{"--var", "pipeline=bin/fakepipe --time-per-seq 5ms", "--gpu-backend=sim"},
		Options:    opts,
	}, now)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestPlan(t *testing.T) {
	tests := []struct {
		name       string
		partitions []string
		opts       Options
		wantDirs   []string
		wantGroups []string // sbatch args of each array submission
	}{
		{
			name:       "default partition",
			wantDirs:   []string{"tasks/0-scaling", "tasks/1-peak_memory"},
			wantGroups: []string{"--array=0-1"},
		},
		{
			name:       "one partition for all",
			opts:       Options{Partition: "gpu", MaxRunning: 4},
			wantDirs:   []string{"tasks/0-scaling", "tasks/1-peak_memory"},
			wantGroups: []string{"--array=0-1%4 --partition=gpu"},
		},
		{
			name:       "a task a scenario a partition",
			partitions: []string{"a100", "h100"},
			wantDirs:   []string{"tasks/0-scaling-a100", "tasks/1-peak_memory-a100", "tasks/2-scaling-h100", "tasks/3-peak_memory-h100"},
			wantGroups: []string{"--array=0-1 --partition=a100", "--array=2-3 --partition=h100"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := plan(t, tt.partitions, tt.opts)
			var dirs []string
			for _, task := range c.Tasks {
				dirs = append(dirs, task.Dir)
			}
			if strings.Join(dirs, " ") != strings.Join(tt.wantDirs, " ") {
				t.Errorf("dirs %v, want %v", dirs, tt.wantDirs)
			}
			var groups []string
			for _, g := range c.Groups(nil) {
				groups = append(groups, strings.Join(g.SbatchArgs(c.Options.MaxRunning), " "))
			}
			if strings.Join(groups, "|") != strings.Join(tt.wantGroups, "|") {
				t.Errorf("groups %q, want %q", groups, tt.wantGroups)
			}
		})
	}
}

func TestRanges(t *testing.T) {
	tests := []struct {
		idx  []int
		want string
	}{
		{[]int{0}, "0"},
		{[]int{0, 1, 2, 3}, "0-3"},
		{[]int{0, 2, 3, 4, 7, 9, 10}, "0,2-4,7,9-10"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			if got := Ranges(tt.idx); got != tt.want {
				t.Errorf("Ranges(%v) = %q", tt.idx, got)
			}
		})
	}
}

func TestScripts(t *testing.T) {
	c := plan(t, []string{"a100", "h100"}, Options{Account: "proj42", Time: "01:00:00", GRES: "gpu:4", Constraint: "nvlink",
		QOS: "high", Extra: []string{"--mem=64G"}})
	task := c.TaskScriptText()
	for _, want := range []string{
		"#SBATCH --output=" + c.Path("logs", "%A_%a.out"),
		"#SBATCH --account=proj42\n", "#SBATCH --qos=high\n", "#SBATCH --time=01:00:00\n", "#SBATCH --gres=gpu:4\n",
		"#SBATCH --constraint=nvlink\n", "#SBATCH --mem=64G\n", "#SBATCH --chdir=/home/me/proj\n",
		"1) scenario='/s/peak memory.lua' partition=a100 dir=tasks/1-peak_memory-a100 ;;",
		`--var 'pipeline=bin/fakepipe --time-per-seq 5ms' --gpu-backend=sim "$scenario"`,
		`"$benchctl" run --resume "$dir"`,
	} {
		if !strings.Contains(task, want) {
			t.Errorf("task script lacks %q:\n%s", want, task)
		}
	}
	mergeScript := c.MergeScriptText()
	for _, want := range []string{"#SBATCH --partition=a100\n", "#SBATCH --account=proj42\n", "merge \\\n", "--out json=" + c.Path("merged", "results.json")} {
		if !strings.Contains(mergeScript, want) {
			t.Errorf("merge script lacks %q:\n%s", want, mergeScript)
		}
	}
	for _, unwanted := range []string{"--gres", "--constraint"} {
		if strings.Contains(mergeScript, unwanted) {
			t.Errorf("merge script asks for %s, which only the tasks need", unwanted)
		}
	}
	if bash, err := exec.LookPath("bash"); err == nil {
		for name, text := range map[string]string{"task": task, "merge": mergeScript} {
			if out, err := exec.Command(bash, "-n", "-c", text).CombinedOutput(); err != nil {
				t.Errorf("%s script is not valid bash: %v\n%s", name, err, out)
			}
		}
	}
}

func TestSubmit(t *testing.T) {
	tests := []struct {
		name    string
		failAt  int
		wantErr string
		wantSub []string // kind:job of each recorded submission
	}{
		{name: "arrays then the merge after them", wantSub: []string{"tasks:100", "tasks:101", "merge:102"}},
		{name: "second partition refused", failAt: 2, wantErr: "Invalid partition name specified (jobs 100 were submitted", wantSub: []string{"tasks:100"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := plan(t, []string{"a100", "h100"}, Options{})
			if err := c.Write(); err != nil {
				t.Fatal(err)
			}
			for _, task := range c.Tasks {
				if fi, err := os.Stat(c.Path(task.Dir)); err != nil || !fi.IsDir() {
					t.Errorf("task folder %s not made", task.Dir)
				}
			}
			fake := &fakeSlurm{failAt: tt.failAt}
			err := c.Submit(context.Background(), fake, nil, clock)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err %v, want %q", err, tt.wantErr)
				}
			} else if err != nil {
				t.Fatal(err)
			}
			saved, err := Load(c.Dir)
			if err != nil {
				t.Fatal(err)
			}
			var subs []string
			for _, s := range saved.Submissions {
				subs = append(subs, s.Kind+":"+s.JobID)
			}
			if strings.Join(subs, " ") != strings.Join(tt.wantSub, " ") {
				t.Errorf("recorded %v, want %v", subs, tt.wantSub)
			}
			if tt.wantErr == "" {
				last := fake.submitted[len(fake.submitted)-1]
				if last[0] != c.Path(MergeScript) || last[1] != "--dependency=afterany:100:101" {
					t.Errorf("merge submitted as %q", last)
				}
			}
			if err := c.Write(); err == nil || !strings.Contains(err.Error(), "already holds a campaign") {
				t.Errorf("writing over a campaign: %v", err)
			}
		})
	}
}

func TestLoadRefuses(t *testing.T) {
	dir := t.TempDir()
	if _, err := Load(dir); err == nil || !strings.Contains(err.Error(), "not a benchctl campaign") {
		t.Errorf("empty folder: %v", err)
	}
	if err := os.WriteFile(filepath.Join(dir, ManifestFile), []byte(`{"version": 9}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(dir); err == nil || !strings.Contains(err.Error(), "version 9, this benchctl reads 1") {
		t.Errorf("another version: %v", err)
	}
}

// TestScriptsGolden keeps the scripts of a two-partition campaign as files
// (testdata/*.sbatch): what a user reads in a campaign folder, reviewed as
// such. go test ./slurm -update rewrites them.
func TestScriptsGolden(t *testing.T) {
	c, err := Plan(Spec{
		Dir: "/shared/bench/c1", Benchctl: "/opt/benchctl/bin/benchctl", Workdir: "/home/me/proj",
		Scenarios:  []string{"/home/me/proj/scenarios/scaling.lua", "/home/me/proj/scenarios/peak_memory_per_stage.lua"},
		Partitions: []string{"a100", "h100"},
		RunArgs:    []string{"--var", "pipeline=python -m mypipe", "--var", "preset=quick", "--gpu-backend=nvml"},
		Options:    Options{Account: "proj42", Time: "02:00:00", GRES: "gpu:4", QOS: "normal", Extra: []string{"--mem=64G"}, MaxRunning: 8},
	}, now)
	if err != nil {
		t.Fatal(err)
	}
	golden.Assert(t, "campaign.sbatch", []byte(c.TaskScriptText()))
	golden.Assert(t, "merge.sbatch", []byte(c.MergeScriptText()))
	golden.Assert(t, "dry-run.txt", []byte(c.DryRun()))
}
