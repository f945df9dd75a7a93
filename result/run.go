package result

import "time"

// ExitClass is how a pipeline run ended.
type ExitClass string

// The exit classes of a pipeline run.
const (
	ExitOK           ExitClass = "ok"
	ExitFailed       ExitClass = "failed"        // non-zero exit, not OOM
	ExitOOM          ExitClass = "oom"           // the OOM exit code, or an out-of-memory message
	ExitTimeout      ExitClass = "timeout"       // benchctl ended it at its deadline
	ExitKilled       ExitClass = "killed"        // ended by a signal it did not get from benchctl
	ExitInterrupted  ExitClass = "interrupted"   // benchctl was interrupted and ended it
	ExitNotStartable ExitClass = "not_startable" // missing or non-executable binary
)

// Run is one execution (or one repeated set of executions) of a pipeline.
type Run struct {
	Name      string    `json:"name,omitempty"`
	Argv      []string  `json:"argv"`
	Cwd       string    `json:"cwd,omitempty"`
	StartedAt time.Time `json:"started_at"`
	Seconds   float64   `json:"seconds"` // wall time of the last measured execution
	ExitCode  int       `json:"exit_code"`
	Signal    string    `json:"signal,omitempty"`
	Class     ExitClass `json:"class"`
	Error     string    `json:"error,omitempty"` // why it could not start, or what ended it
	OOMLine   string    `json:"oom_line,omitempty"`
	OOMStream string    `json:"oom_stream,omitempty"` // "stdout" or "stderr": where OOMLine was printed
	PID       int       `json:"pid,omitempty"`
	// PIDStart is when PID started, in clock ticks after boot
	// (/proc/PID/stat field 22): with PID it names the process for its
	// whole life, so a later look can tell it from one that took the number.
	PIDStart uint64 `json:"pid_start,omitempty"`
	// ReusedPIDs are pids of the pipeline's tree whose process had ended and
	// whose number another process had taken when the tree was signalled:
	// that process was left alone.
	ReusedPIDs []int `json:"reused_pids,omitempty"`
	// SupervisorPID is the process benchctl put between itself and the
	// pipeline, which ends the pipeline's tree if benchctl dies; 0 without.
	SupervisorPID int `json:"supervisor_pid,omitempty"`

	Stages     []Stage  `json:"stages,omitempty"`
	StdoutTail []string `json:"stdout_tail,omitempty"`
	StderrTail []string `json:"stderr_tail,omitempty"`
	StdoutLog  string   `json:"stdout_log,omitempty"`
	StderrLog  string   `json:"stderr_log,omitempty"`

	Repeat *RepeatStats `json:"repeat,omitempty"`
	GPU    *GPUSummary  `json:"gpu,omitempty"`
	Host   *HostSummary `json:"host,omitempty"`
}

// Stage is a pipeline stage found by its marker in the output.
type Stage struct {
	Name  string  `json:"name"`
	Start float64 `json:"start"` // seconds since the run started
	End   float64 `json:"end"`
}

// RepeatStats summarises the wall times of repeated executions, hyperfine style.
type RepeatStats struct {
	Warmup   int       `json:"warmup"`
	Runs     int       `json:"runs"`
	Times    []float64 `json:"times"` // seconds, in order
	Min      float64   `json:"min"`
	Max      float64   `json:"max"`
	Mean     float64   `json:"mean"`
	Median   float64   `json:"median"`
	Stddev   float64   `json:"stddev"`
	Outliers []int     `json:"outliers,omitempty"` // indexes into Times, by median absolute deviation
}

// Stat is a streaming summary of one metric.
type Stat struct {
	Count int64   `json:"count"`
	Min   float64 `json:"min"`
	Max   float64 `json:"max"`
	Mean  float64 `json:"mean"`
	P50   float64 `json:"p50"`
	P95   float64 `json:"p95"`
}

// Metric names used in GPU and host summaries. Memory is in bytes, utilization in
// percent, temperature in degrees Celsius, power in watts, clocks in MHz.
const (
	MemUsed     = "memory_used"
	MemReserved = "memory_reserved"
	UtilGPU     = "utilization_gpu"
	UtilMem     = "utilization_memory"
	Temperature = "temperature"
	Power       = "power"
	SMClock     = "sm_clock"
	// GPU performance monitoring (GPM) figures, in percent, where the GPU has
	// them (Hopper and later): SM activity, SM occupancy, tensor-core activity
	// and DRAM bandwidth used.
	SMActivity     = "sm_activity"
	SMOccupancy    = "sm_occupancy"
	TensorActivity = "tensor_activity"
	DRAMBandwidth  = "dram_bandwidth"
	CPUPercent     = "cpu_percent"
	RSS            = "rss"
)

// GPUSummary is what the probes saw of the GPUs during a run.
type GPUSummary struct {
	Backend         string        `json:"backend"`
	IntervalSeconds float64       `json:"interval_seconds"`
	Samples         int64         `json:"samples"`
	SampleErrors    int64         `json:"sample_errors,omitempty"`
	LastError       string        `json:"last_error,omitempty"`
	GPUs            []GPURun      `json:"gpus"`
	Processes       []ProcessPeak `json:"processes,omitempty"`
	Events          []Event       `json:"events,omitempty"`
	XID             bool          `json:"xid,omitempty"` // an XID error happened during the run
	Orphans         []Orphan      `json:"orphans,omitempty"`
}

// GPURun is one GPU's figures over a run.
type GPURun struct {
	Index       int    `json:"index"`
	UUID        string `json:"uuid,omitempty"`
	Name        string `json:"name,omitempty"`
	MemoryTotal uint64 `json:"memory_total_bytes"`
	// Stats per metric name (MemUsed, UtilGPU, ...).
	Stats map[string]Stat `json:"stats"`
	// Stages holds the same per pipeline stage.
	Stages map[string]map[string]Stat `json:"stages,omitempty"`
	// EnergyJoules is the energy the GPU used during the run, from its counter.
	EnergyJoules float64 `json:"energy_joules,omitempty"`
	// DriverSamples counts utilization and power samples read from the driver's
	// buffer between our ticks and folded into the averages.
	DriverSamples int64 `json:"driver_samples,omitempty"`
	// FloorSlope is the slope of the memory floor over the run, in bytes per
	// second: a steadily rising floor is a leak even when the process frees all
	// at exit.
	FloorSlope float64  `json:"floor_slope_bytes_per_second"`
	Throttle   []string `json:"throttle_reasons,omitempty"`
	Timeline   []Bucket `json:"timeline,omitempty"`
	Baseline   uint64   `json:"baseline_bytes,omitempty"` // memory used when the run started
	After      uint64   `json:"after_bytes,omitempty"`    // memory used once the run ended
}

// Bucket is one slice of the bounded timeline: min and max per metric, so peaks
// survive downsampling.
type Bucket struct {
	Start float64            `json:"t0"` // seconds since the run started
	End   float64            `json:"t1"`
	Min   map[string]float64 `json:"min"`
	Max   map[string]float64 `json:"max"`
}

// ProcessPeak is a process's peak GPU memory.
type ProcessPeak struct {
	PID       int    `json:"pid"`
	GPU       int    `json:"gpu"`
	PeakBytes uint64 `json:"peak_bytes"`
	// Exact is true when the peak came from NVML accounting, false when sampled.
	Exact  bool   `json:"exact"`
	Source string `json:"source"` // "accounting" or "sampled"
}

// Event is a GPU event seen during a run (an XID error, an ECC error).
type Event struct {
	Seconds float64 `json:"t"`
	GPU     int     `json:"gpu"`
	Kind    string  `json:"kind"` // "xid", "ecc_single", "ecc_double", "sample_error", "gpu_lost"
	Data    uint64  `json:"data,omitempty"`
	Message string  `json:"message,omitempty"`
}

// Orphan is a process of the pipeline's tree that still held GPU memory after
// the pipeline ended; benchctl ends it and reports it.
type Orphan struct {
	PID    int    `json:"pid"`
	GPU    int    `json:"gpu"`
	Bytes  uint64 `json:"bytes"`
	Killed bool   `json:"killed"`
}

// HostSummary is the CPU and memory of the pipeline's process tree.
type HostSummary struct {
	CPUSeconds   float64         `json:"cpu_seconds"`
	PeakRSSBytes uint64          `json:"peak_rss_bytes"`
	Stats        map[string]Stat `json:"stats,omitempty"` // CPUPercent, RSS
	MaxProcesses int             `json:"max_processes"`
}
