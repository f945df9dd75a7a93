// Package result is benchctl's result model: plain data that the engine fills and
// every reporter, `benchctl report` and `benchctl compare` read. Nothing here does
// I/O; the JSON field names are the documented, versioned schema.
package result

import "time"

// SchemaVersion is the version of the JSON schema written by the json reporter.
// Bump it on any change that removes or renames a field.
const SchemaVersion = 1

// Status is the outcome of a test case or a suite.
type Status string

// The statuses a case or suite can have. A suite's status is the worst of its cases.
const (
	Passed  Status = "passed"
	Failed  Status = "failed"
	Errored Status = "error"
	Skipped Status = "skipped"
	Running Status = "running" // only in partial reports written mid-case
)

// Report is one `benchctl run`: every suite it ran, and where it ran.
type Report struct {
	SchemaVersion int         `json:"schema_version"`
	Tool          Tool        `json:"tool"`
	StartedAt     time.Time   `json:"started_at"`
	FinishedAt    time.Time   `json:"finished_at"`
	Seconds       float64     `json:"seconds"`
	Partial       bool        `json:"partial"`               // written mid-run; more may follow
	Interrupted   bool        `json:"interrupted,omitempty"` // ended by a signal or deadline
	Invocation    Invocation  `json:"invocation"`
	Environment   Environment `json:"environment"`
	Suites        []Suite     `json:"suites"`
	// Nodes, Tasks and Figures are set in a result merged from several runs
	// (benchctl merge); see merged.go.
	Nodes   []Node   `json:"nodes,omitempty"`
	Tasks   []Task   `json:"tasks,omitempty"`
	Figures []Figure `json:"figures,omitempty"`
}

// Tool names the program that wrote the report.
type Tool struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

// Invocation records what was asked for, so a run can be reproduced or resumed.
type Invocation struct {
	Args       []string          `json:"args,omitempty"`
	Scenarios  []ScenarioFile    `json:"scenarios,omitempty"`
	Vars       map[string]string `json:"vars,omitempty"`
	Tags       []string          `json:"tags,omitempty"`
	GPUBackend string            `json:"gpu_backend,omitempty"`
	ResultsDir string            `json:"results_dir,omitempty"`
	// Labels are the --label KEY=VALUE pairs the run is recorded under in
	// the history (a commit, a branch).
	Labels map[string]string `json:"labels,omitempty"`
}

// ScenarioFile is a scenario that was run and the hash of its content.
type ScenarioFile struct {
	Path   string `json:"path"`
	SHA256 string `json:"sha256"`
}

// Environment describes the machine the run happened on.
type Environment struct {
	Hostname   string    `json:"hostname"`
	OS         string    `json:"os"`
	Arch       string    `json:"arch"`
	Kernel     string    `json:"kernel,omitempty"`
	CPUModel   string    `json:"cpu_model,omitempty"`
	CPUs       int       `json:"cpus"`
	MemoryMB   uint64    `json:"memory_mb,omitempty"`
	GoVersion  string    `json:"go_version"`
	Version    string    `json:"benchctl_version"`
	GPUBackend string    `json:"gpu_backend"`
	GPUNote    string    `json:"gpu_note,omitempty"` // why no GPU is seen, when none is
	GPUs       []GPUInfo `json:"gpus,omitempty"`
}

// GPUInfo is the static description of one GPU.
type GPUInfo struct {
	Index         int    `json:"index"`
	UUID          string `json:"uuid"`
	Name          string `json:"name"`
	MemoryTotal   uint64 `json:"memory_total_bytes"`
	Driver        string `json:"driver,omitempty"`
	CUDA          string `json:"cuda,omitempty"`
	AccountingOK  bool   `json:"accounting_available,omitempty"`
	AccountingWhy string `json:"accounting_note,omitempty"`
	// PowerLimitW is the power management limit in watts, where NVML gives it.
	PowerLimitW float64 `json:"power_limit_watts,omitempty"`
	// GPM says whether the backend reads GPU performance monitoring figures
	// (SM activity, occupancy, tensor activity, DRAM bandwidth) on this GPU;
	// GPMWhy says why not, when it does not.
	GPM    bool   `json:"gpm_available,omitempty"`
	GPMWhy string `json:"gpm_note,omitempty"`
}

// Suite is one scenario file.
type Suite struct {
	Name        string    `json:"name"`
	File        string    `json:"file"`
	Description string    `json:"description,omitempty"`
	Tags        []string  `json:"tags,omitempty"`
	Status      Status    `json:"status"`
	StartedAt   time.Time `json:"started_at"`
	Seconds     float64   `json:"seconds"`
	Error       string    `json:"error,omitempty"` // the file could not be loaded or its header failed
	Node        string    `json:"node,omitempty"`  // in a merged result: the Node.ID it ran on
	Cases       []Case    `json:"cases"`
}

// Case is one bench.test.
type Case struct {
	Name       string    `json:"name"`
	Tags       []string  `json:"tags,omitempty"`
	Status     Status    `json:"status"`
	StartedAt  time.Time `json:"started_at"`
	Seconds    float64   `json:"seconds"`
	Failures   []Failure `json:"failures,omitempty"`
	Checks     []Check   `json:"checks,omitempty"`
	Error      *Error    `json:"error,omitempty"`
	SkipReason string    `json:"skip_reason,omitempty"`
	Logs       []Log     `json:"logs,omitempty"`
	Metrics    []Metric  `json:"metrics,omitempty"`
	Tables     []Table   `json:"tables,omitempty"`
	Runs       []Run     `json:"runs,omitempty"`
	Workdir    string    `json:"workdir,omitempty"`
}

// Failure is one failed expectation: "label: value op bound".
type Failure struct {
	Label   string `json:"label"`
	Op      string `json:"op"`              // eq, ne, lt, le, gt, ge, between, near, fail
	Value   string `json:"value,omitempty"` // as the scenario saw it
	Bound   string `json:"bound,omitempty"`
	Message string `json:"message"` // the whole sentence, ready to print
	Where   string `json:"where,omitempty"`
}

// Check is one t:expect check, passed or failed, in the order the test made
// them: every report lists each with its mark, as k6 lists its thresholds.
// A failed check is also one of the case's Failures.
type Check struct {
	Label string `json:"label"`
	Op    string `json:"op"`              // eq, ne, lt, le, gt, ge, between, near
	Value string `json:"value"`           // as the reports write it (internal/format), with the unit; strings quoted
	Bound string `json:"bound,omitempty"` // likewise; "LO and HI" for between, "X ± TOL" for near
	Unit  string `json:"unit,omitempty"`  // the unit given to t:expect
	// Outcome is passed or failed.
	Outcome Status `json:"outcome"`
	Where   string `json:"where,omitempty"` // file:line of the check
}

// Error is a Lua error or an engine error that ended a case.
type Error struct {
	Message   string `json:"message"`
	Where     string `json:"where,omitempty"` // file:line
	Traceback string `json:"traceback,omitempty"`
}

// Log is a line the scenario logged with t:log.
type Log struct {
	Seconds float64 `json:"t"` // since the case started
	Message string  `json:"message"`
}

// Direction says which way a metric improves; compare uses it.
type Direction string

// Metric directions. Unknown metrics are reported but never gate a comparison.
const (
	LowerIsBetter  Direction = "lower"
	HigherIsBetter Direction = "higher"
	NoDirection    Direction = ""
)

// Metric is a named number a scenario recorded with t:metric.
type Metric struct {
	Name   string    `json:"name"`
	Value  float64   `json:"value"`
	Unit   string    `json:"unit,omitempty"`
	Better Direction `json:"better,omitempty"`
	// Spread is the standard deviation of the repeated measurements the value
	// summarises, when there were several; compare treats it as noise.
	Spread  float64   `json:"spread,omitempty"`
	Samples []float64 `json:"samples,omitempty"`
}

// Table is a small named table a scenario recorded (a comparison matrix, say).
type Table struct {
	Name    string     `json:"name"`
	Columns []string   `json:"columns"`
	Rows    [][]string `json:"rows"`
}
