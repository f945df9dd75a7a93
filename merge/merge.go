package merge

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/benchctl/benchctl/result"
)

// Options is what a merged result says about its own making.
type Options struct {
	Tool       result.Tool
	Args       []string // the merge's command line, for the record
	ResultsDir string   // where the merged result is written
}

// SuiteName is the name a suite takes in a merged result: its own name and
// the node it ran on, so that every reporter and `benchctl compare` tell the
// nodes apart.
func SuiteName(suite, node string) string { return suite + " @ " + node }

// Merge combines inputs into one result. It never fails: a task without a
// result, or one that did not end well, becomes errored suites carrying its
// reason, and the rest merge as they are. Suites keep their input order;
// nodes are sorted by ID. The inputs are not changed.
func Merge(inputs []Input, opts Options) *result.Report {
	m := newMerger()
	for _, in := range inputs {
		if in.Report != nil && len(in.Report.Tasks) > 0 {
			m.addMerged(in.Report)
			continue
		}
		m.add(in)
	}
	return m.finish(opts)
}

// merger collects the parts of a merged result.
type merger struct {
	nodes  *nodeSet
	tasks  []result.Task
	suites []result.Suite
	// carried are the nodes of merged results given again, by ID.
	carried map[string]result.Node
	reports []*result.Report
	inputs  []Input
	merged  []*result.Report
}

func newMerger() *merger {
	return &merger{nodes: newNodeSet(), carried: map[string]result.Node{}}
}

func (m *merger) add(in Input) {
	m.inputs = append(m.inputs, in)
	if in.Report != nil {
		m.nodes.add(nodeName(in), in.Report.Environment)
	}
}

// addMerged takes a merged result given as an input: its nodes, tasks and
// suites are carried over as they are.
func (m *merger) addMerged(r *result.Report) {
	m.merged = append(m.merged, r)
	for _, n := range r.Nodes {
		m.carried[n.ID] = n
	}
}

func nodeName(in Input) string {
	if in.NodeName != "" {
		return in.NodeName
	}
	if in.Report != nil && in.Report.Environment.Hostname != "" {
		return in.Report.Environment.Hostname
	}
	return "unknown"
}

// finish builds the report once every input is in: node IDs are known only
// when every node's GPU sets have been seen.
func (m *merger) finish(opts Options) *result.Report {
	ids := m.nodes.assignIDs()
	for _, in := range m.inputs {
		task := in.Task
		var node string
		if in.Report != nil {
			node = ids[nodeKey(nodeName(in), in.Report.Environment)]
			task.Node = node
		}
		if task.State == "" {
			task.State, task.Reason = stateOf(in.Report)
		}
		suites := taskSuites(in, task, node)
		task.Suites = len(suites)
		m.tasks = append(m.tasks, task)
		m.suites = append(m.suites, suites...)
		if in.Report != nil {
			m.reports = append(m.reports, in.Report)
		}
	}
	nodes := m.nodes.list()
	for _, r := range m.merged {
		m.tasks = append(m.tasks, r.Tasks...)
		m.suites = append(m.suites, r.Suites...)
		m.reports = append(m.reports, r)
	}
	nodes = addCarried(nodes, m.carried)
	rep := &result.Report{
		SchemaVersion: result.SchemaVersion,
		Tool:          opts.Tool,
		Suites:        m.suites,
		Nodes:         nodes,
		Tasks:         m.tasks,
	}
	if rep.Suites == nil {
		rep.Suites = []result.Suite{}
	}
	rep.Figures = figures(rep.Suites)
	summarise(rep, m.reports, opts)
	return rep
}

// stateOf is the state of a task known only by its report.
func stateOf(r *result.Report) (result.TaskState, string) {
	switch {
	case r == nil:
		return result.TaskUnknown, "no result"
	case r.Interrupted:
		return result.TaskFailed, "the run was interrupted before every test finished"
	case r.Partial:
		return result.TaskFailed, "the result is partial: the run ended before writing its final report"
	}
	return result.TaskOK, ""
}

// taskSuites are the suites a task contributes: its own, renamed for its
// node, and, when the task did not end well, marked with its reason so that
// nothing it did not run goes unnoticed.
func taskSuites(in Input, task result.Task, node string) []result.Suite {
	ok := task.State == result.TaskOK
	var out []result.Suite
	if in.Report != nil {
		for _, s := range in.Report.Suites {
			s.Name = SuiteName(s.Name, node)
			s.Node = node
			if !ok {
				s = markSuite(s, task)
			}
			out = append(out, s)
		}
	}
	if len(out) > 0 || ok {
		return out
	}
	where := task.Node
	if where == "" {
		where = task.Partition
	}
	if where == "" {
		where = "task " + task.ID
	}
	name := strings.TrimSuffix(filepath.Base(task.Scenario), ".lua")
	if task.Scenario == "" {
		name = "task " + task.ID
	}
	return []result.Suite{{
		Name:   SuiteName(name, where),
		File:   task.Scenario,
		Status: result.Errored,
		Node:   task.Node,
		Error:  taskMessage(task),
		Cases:  []result.Case{},
	}}
}

// markSuite errors a suite of a task that did not end well: the cases it cut
// short take the task's reason; when none was, an errored case named
// after the task says that the tests after the last one reported never ran.
func markSuite(s result.Suite, task result.Task) result.Suite {
	msg := taskMessage(task)
	cases := make([]result.Case, len(s.Cases))
	copy(cases, s.Cases)
	marked := false
	for i, c := range cases {
		if cut(c) {
			cases[i].Status = result.Errored
			cases[i].Error = &result.Error{Message: msg}
			if c.Error != nil && c.Error.Message != "" {
				cases[i].Error.Message += " (benchctl: " + c.Error.Message + ")"
			}
			marked = true
		}
	}
	if !marked {
		cases = append(cases, result.Case{
			Name:   "task " + task.ID,
			Status: result.Errored,
			Error:  &result.Error{Message: msg + "; the tests after the last one reported did not run"},
		})
	}
	s.Cases = cases
	s.Status = result.Errored
	return s
}

// cut reports whether a case was cut short by the end of its task: still
// running when the report was written, or errored by benchctl's interrupt
// (the signal Slurm sends at the time limit).
func cut(c result.Case) bool {
	if c.Status == result.Running {
		return true
	}
	if c.Status != result.Errored {
		return false
	}
	if c.Error != nil && strings.HasPrefix(c.Error.Message, "interrupted") {
		return true
	}
	for _, r := range c.Runs {
		if r.Class == result.ExitInterrupted {
			return true
		}
	}
	return false
}

// taskMessage is the one line that says how a task ended.
func taskMessage(t result.Task) string {
	msg := fmt.Sprintf("task %s %s", t.ID, t.State)
	if t.Slurm != "" {
		msg += " (slurm " + t.Slurm + ")"
	}
	if t.Reason != "" {
		msg += ": " + t.Reason
	}
	return msg
}

// summarise fills the top of the merged report from its parts: the span of
// time they cover, the scenarios they ran, and what they have in common.
func summarise(rep *result.Report, parts []*result.Report, opts Options) {
	rep.Invocation = result.Invocation{Args: opts.Args, ResultsDir: opts.ResultsDir}
	seen := map[string]bool{}
	for i, p := range parts {
		if rep.StartedAt.IsZero() || (!p.StartedAt.IsZero() && p.StartedAt.Before(rep.StartedAt)) {
			rep.StartedAt = p.StartedAt
		}
		if p.FinishedAt.After(rep.FinishedAt) {
			rep.FinishedAt = p.FinishedAt
		}
		for _, s := range p.Invocation.Scenarios {
			if key := s.Path + "\x00" + s.SHA256; !seen[key] {
				seen[key] = true
				rep.Invocation.Scenarios = append(rep.Invocation.Scenarios, s)
			}
		}
		if i == 0 {
			rep.Invocation.Vars = p.Invocation.Vars
			rep.Invocation.Tags = p.Invocation.Tags
			rep.Invocation.GPUBackend = p.Invocation.GPUBackend
		} else {
			if !sameVars(rep.Invocation.Vars, p.Invocation.Vars) {
				rep.Invocation.Vars = nil
			}
			if strings.Join(rep.Invocation.Tags, ",") != strings.Join(p.Invocation.Tags, ",") {
				rep.Invocation.Tags = nil
			}
			if rep.Invocation.GPUBackend != p.Invocation.GPUBackend {
				rep.Invocation.GPUBackend = ""
			}
		}
	}
	if !rep.StartedAt.IsZero() && !rep.FinishedAt.IsZero() {
		rep.Seconds = rep.FinishedAt.Sub(rep.StartedAt).Seconds()
	}
	for _, t := range rep.Tasks {
		rep.Partial = rep.Partial || t.State == result.TaskPending || t.State == result.TaskRunning
	}
	rep.Environment = environment(rep.Nodes, opts.Tool.Version)
}

func sameVars(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

// environment is the merged result's own: the nodes' names as its host, what
// they share, and every GPU of every node (told apart by UUID).
func environment(nodes []result.Node, version string) result.Environment {
	env := result.Environment{Version: version}
	var names []string
	for i, n := range nodes {
		e := n.Environment
		names = append(names, n.ID)
		env.CPUs += e.CPUs
		env.MemoryMB += e.MemoryMB
		env.GPUs = append(env.GPUs, e.GPUs...)
		if i == 0 {
			env.OS, env.Arch, env.GPUBackend, env.GoVersion = e.OS, e.Arch, e.GPUBackend, e.GoVersion
			continue
		}
		if env.OS != e.OS {
			env.OS = "mixed"
		}
		if env.Arch != e.Arch {
			env.Arch = "mixed"
		}
		if env.GPUBackend != e.GPUBackend {
			env.GPUBackend = "mixed"
		}
	}
	env.Hostname = fmt.Sprintf("%d %s: %s", len(nodes), plural(len(nodes), "node", "nodes"), strings.Join(names, ", "))
	if len(nodes) == 0 {
		env.Hostname = "no node"
	}
	return env
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
