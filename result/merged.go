package result

// A merged result (benchctl merge) is one Report made of the results of
// several runs, typically the array tasks of a Slurm campaign. Its suites are
// those of every run, each named "SUITE @ NODE" and carrying the node's ID in
// Suite.Node; Nodes keeps each node's environment, Tasks says how every run
// ended (also the ones that left no result), and Figures puts each number
// measured on more than one node side by side.

// Node is a machine a part of a merged result ran on: a Slurm node, or a host,
// with the GPUs the run saw.
type Node struct {
	// ID names the node in Suite.Node, Task.Node and Figure values: its name,
	// followed by "/" and a short hash of the GPU UUIDs when the same node ran
	// with different GPUs (two tasks given different GRES on one node).
	ID string `json:"id"`
	// Name is Slurm's node name when the run was a Slurm task, else the hostname.
	Name        string      `json:"name"`
	GPUUUIDs    []string    `json:"gpu_uuids,omitempty"`
	Environment Environment `json:"environment"`
}

// TaskState is how a task of a campaign ended, in benchctl's words; Task.Slurm
// keeps Slurm's own.
type TaskState string

// The task states. Only TaskOK means the task's result is whole; a task that
// ran its tests to the end is TaskOK even when tests failed (its suites say so).
const (
	TaskOK        TaskState = "ok"
	TaskFailed    TaskState = "failed"        // benchctl or the job script ended with an error
	TaskTimeout   TaskState = "timeout"       // Slurm's time limit ended it
	TaskNodeFail  TaskState = "node_fail"     // its node died or stopped answering
	TaskCancelled TaskState = "cancelled"     // scancel, or an administrator
	TaskOOM       TaskState = "out_of_memory" // the job's memory limit ended it
	TaskPending   TaskState = "pending"       // not started yet
	TaskRunning   TaskState = "running"       // still running when merged
	TaskUnknown   TaskState = "unknown"       // no result and nothing recorded of it
)

// Task is one run a merged result was made of: a Slurm array task, or a
// results dir given to benchctl merge.
type Task struct {
	// ID is "JOB_INDEX" for a Slurm array task, else the path it was read from.
	ID        string    `json:"id"`
	Source    string    `json:"source"` // its results dir or file
	Scenario  string    `json:"scenario,omitempty"`
	Partition string    `json:"partition,omitempty"`
	Node      string    `json:"node,omitempty"` // Node.ID, once known
	State     TaskState `json:"state"`
	Slurm     string    `json:"slurm_state,omitempty"` // COMPLETED, FAILED, TIMEOUT, NODE_FAIL, ...
	ExitCode  *int      `json:"exit_code,omitempty"`   // benchctl's, when the task lived to see it
	// Reason says why a task is not TaskOK, in Slurm's words where Slurm gave
	// some ("*** JOB 12 ON n1 CANCELLED AT ... DUE TO TIME LIMIT ***").
	Reason string `json:"reason,omitempty"`
	Suites int    `json:"suites"` // suites of the merged result that came from it
}

// Figure is one number measured on several nodes, side by side: a metric of a
// test, or the wall time of a pipeline run (named run.NAME.wall).
type Figure struct {
	Suite  string      `json:"suite"` // the suite's own name, without the node
	Case   string      `json:"case"`
	Name   string      `json:"name"`
	Unit   string      `json:"unit,omitempty"`
	Better Direction   `json:"better,omitempty"`
	Values []NodeValue `json:"values"`
}

// NodeValue is a figure's value on one node.
type NodeValue struct {
	Node   string  `json:"node"`
	Value  float64 `json:"value"`
	Spread float64 `json:"spread,omitempty"`
}

// NodeOf returns the node a suite of a merged result ran on, or nil for a
// suite of a single run (its machine is the report's Environment).
func (r *Report) NodeOf(s Suite) *Node {
	if s.Node == "" {
		return nil
	}
	for i := range r.Nodes {
		if r.Nodes[i].ID == s.Node {
			return &r.Nodes[i]
		}
	}
	return nil
}

// SuiteEnvironment is the machine a suite ran on: its node's environment in
// a merged result, else the report's.
func (r *Report) SuiteEnvironment(s Suite) Environment {
	if n := r.NodeOf(s); n != nil {
		return n.Environment
	}
	return r.Environment
}
