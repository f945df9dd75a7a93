package sim

import (
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/benchctl/benchctl/internal/capread"
	"github.com/benchctl/benchctl/result"
)

// EnvDir is the environment variable that names the state directory to a
// simulated pipeline.
const EnvDir = "BENCHCTL_SIM_DIR"

// The files of the state directory (see PROTOCOL.md).
const (
	gpusFile   = "gpus.json"
	eventsFile = "events.jsonl"
	procPrefix = "proc-"
	procSuffix = ".json"
	lostPrefix = "lost-"
	gpuName    = "benchctl simulated GPU"
)

// ErrUnknownGPU is returned (wrapped, naming it) for a GPU index or UUID that
// the simulated machine does not have.
var ErrUnknownGPU = errors.New("unknown simulated gpu")

// ErrCorrupt is returned (wrapped, naming the file) for a state file that cannot
// be parsed.
var ErrCorrupt = errors.New("corrupt state file")

// maxStateBytes bounds a state file that is read (a proc file, gpus.json):
// what the simulated machine writes is a few hundred bytes. State files are
// read without following links and without waiting on a pipe.
const maxStateBytes = 1 << 20

// MaxGPUs is the most simulated GPUs a backend has.
const MaxGPUs = 1024

// gpusDoc is gpus.json.
type gpusDoc struct {
	GPUs []gpuEntry `json:"gpus"`
}

type gpuEntry struct {
	Index       int    `json:"index"`
	UUID        string `json:"uuid"`
	Name        string `json:"name"`
	MemoryTotal uint64 `json:"memory_total"`
}

// procDoc is proc-<pid>.json. GPU keys are decimal indexes, as strings, because
// JSON object keys are strings.
type procDoc struct {
	PID  int               `json:"pid"`
	GPUs map[string]usage  `json:"gpus"`
	Peak map[string]uint64 `json:"peak"`
	// ModelNS is, for a process that keeps a model of time (Proc.SetClock),
	// the model's time (Unix nanoseconds) at which its current use began;
	// the usages' UtilS and SMS integrate its use up to then. 0: none.
	ModelNS int64 `json:"model_ns,omitempty"`
}

type usage struct {
	Used    uint64  `json:"used"`
	Util    float64 `json:"util"`
	MemUtil float64 `json:"mem_util"`
	// SMEff is the share of the utilization that keeps the SMs busy (0 to 1),
	// what GPM's SM activity sees; absent means DefaultSMEfficiency.
	SMEff *float64 `json:"sm_efficiency,omitempty"`
	// UtilS and SMS integrate the utilization and the SM activity (percent
	// times seconds) over the process's model time up to the file's
	// model_ns: how busy its model kept the GPU, whenever the file was written.
	UtilS float64 `json:"util_s,omitempty"`
	SMS   float64 `json:"sm_s,omitempty"`
}

// smEff is u's SM efficiency, or the default.
func (u usage) smEff() float64 {
	if u.SMEff == nil {
		return DefaultSMEfficiency
	}
	return *u.SMEff
}

// same reports whether u and v describe the same use.
func (u usage) same(v usage) bool {
	return u.Used == v.Used && u.Util == v.Util && u.MemUtil == v.MemUtil && u.smEff() == v.smEff()
}

// eventLine is one line of events.jsonl.
type eventLine struct {
	GPU     int    `json:"gpu"`
	Kind    string `json:"kind"`
	Data    uint64 `json:"data,omitempty"`
	Message string `json:"message,omitempty"`
}

// procState is a parsed proc file, GPU keys made ints.
type procState struct {
	pid     int
	gpus    map[int]usage
	peak    map[int]uint64
	modelNS int64
}

// uuidFor derives a stable NVML-looking UUID from a GPU index, so reports of two
// runs name the same simulated GPU the same way.
func uuidFor(index int) string {
	h := sha256.Sum256([]byte("benchctl-sim-gpu-" + strconv.Itoa(index)))
	x := fmt.Sprintf("%x", h[:16])
	return "GPU-" + x[0:8] + "-" + x[8:12] + "-" + x[12:16] + "-" + x[16:20] + "-" + x[20:32]
}

func procName(pid int) string { return procPrefix + strconv.Itoa(pid) + procSuffix }

// procPID returns the pid a proc file name carries, or false for other files
// (temporary files of an atomic write among them).
func procPID(name string) (int, bool) {
	if !strings.HasPrefix(name, procPrefix) || !strings.HasSuffix(name, procSuffix) {
		return 0, false
	}
	pid, err := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(name, procPrefix), procSuffix))
	if err != nil || pid <= 0 {
		return 0, false
	}
	return pid, true
}

// readProc reads and checks one proc file. A file that does not exist returns an
// error wrapping fs.ErrNotExist; any other problem wraps ErrCorrupt.
func readProc(dir string, pid int) (procState, error) {
	path := filepath.Join(dir, procName(pid))
	data, err := capread.ReadRegular(path, maxStateBytes)
	if errors.Is(err, capread.ErrNotRegular) || errors.Is(err, capread.ErrTooLarge) {
		return procState{}, fmt.Errorf("read %s: %w: %w", path, ErrCorrupt, err)
	}
	if err != nil {
		return procState{}, fmt.Errorf("read %s: %w", path, err)
	}
	var doc procDoc
	if err := json.Unmarshal(data, &doc); err != nil {
		return procState{}, fmt.Errorf("read %s: %w: %w", path, ErrCorrupt, err)
	}
	if doc.PID != 0 && doc.PID != pid {
		return procState{}, fmt.Errorf("read %s: %w: pid %d in a file named for %d", path, ErrCorrupt, doc.PID, pid)
	}
	st := procState{pid: pid, gpus: make(map[int]usage, len(doc.GPUs)), peak: make(map[int]uint64, len(doc.Peak)), modelNS: doc.ModelNS}
	for k, u := range doc.GPUs {
		i, err := strconv.Atoi(k)
		if err != nil {
			return procState{}, fmt.Errorf("read %s: %w: gpu key %q", path, ErrCorrupt, k)
		}
		st.gpus[i] = u
	}
	for k, p := range doc.Peak {
		i, err := strconv.Atoi(k)
		if err != nil {
			return procState{}, fmt.Errorf("read %s: %w: peak key %q", path, ErrCorrupt, k)
		}
		st.peak[i] = p
	}
	return st, nil
}

// writeAtomic replaces dir/name with data so that a reader sees the old content
// or the new, never a part. The temporary name does not match proc-*.json.
func writeAtomic(dir, name string, data []byte) error {
	f, err := os.CreateTemp(dir, "."+strings.TrimSuffix(name, ".json")+"-*.tmp")
	if err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	tmp := f.Name()
	_, werr := f.Write(data)
	cerr := f.Close()
	if err := errors.Join(werr, cerr, os.Chmod(tmp, 0o644)); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("write %s: %w", name, err)
	}
	if err := os.Rename(tmp, filepath.Join(dir, name)); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("write %s: %w", name, err)
	}
	return nil
}

// ReadGPUs returns the simulated machine that gpus.json in dir describes, every
// GPU of it, selected or not.
func ReadGPUs(dir string) ([]result.GPUInfo, error) {
	path := filepath.Join(dir, gpusFile)
	data, err := capread.ReadRegular(path, maxStateBytes)
	if err != nil {
		return nil, fmt.Errorf("read simulated gpus: %w", err)
	}
	var doc gpusDoc
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("read %s: %w: %w", path, ErrCorrupt, err)
	}
	gpus := make([]result.GPUInfo, len(doc.GPUs))
	for i, g := range doc.GPUs {
		gpus[i] = gpuInfo(g)
	}
	return gpus, nil
}

// MemoryTotal returns the memory of simulated GPU gpu (an index) from gpus.json
// in dir, so that a pipeline can decide when it is out of memory.
func MemoryTotal(dir string, gpu int) (uint64, error) {
	gpus, err := ReadGPUs(dir)
	if err != nil {
		return 0, err
	}
	for _, g := range gpus {
		if g.Index == gpu {
			return g.MemoryTotal, nil
		}
	}
	return 0, fmt.Errorf("gpu %d: %w", gpu, ErrUnknownGPU)
}

func gpuInfo(g gpuEntry) result.GPUInfo {
	return result.GPUInfo{
		Index:        g.Index,
		UUID:         g.UUID,
		Name:         g.Name,
		MemoryTotal:  g.MemoryTotal,
		Driver:       "sim",
		AccountingOK: true,
	}
}

// lookupGPU finds a GPU by decimal index or by UUID (a unique prefix of at least
// "GPU-" plus one character is enough, as CUDA_VISIBLE_DEVICES allows).
func lookupGPU(gpus []result.GPUInfo, key string) (result.GPUInfo, error) {
	key = strings.TrimSpace(key)
	if i, err := strconv.Atoi(key); err == nil {
		for _, g := range gpus {
			if g.Index == i {
				return g, nil
			}
		}
		return result.GPUInfo{}, fmt.Errorf("gpu %q: %w", key, ErrUnknownGPU)
	}
	var found []result.GPUInfo
	if len(key) > len("GPU-") {
		for _, g := range gpus {
			if g.UUID == key {
				return g, nil
			}
			if strings.HasPrefix(g.UUID, key) {
				found = append(found, g)
			}
		}
	}
	if len(found) != 1 {
		return result.GPUInfo{}, fmt.Errorf("gpu %q: %w", key, ErrUnknownGPU)
	}
	return found[0], nil
}
