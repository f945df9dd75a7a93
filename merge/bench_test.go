package merge

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"syscall"
	"testing"

	"github.com/benchctl/benchctl/internal/synthetic"
	"github.com/benchctl/benchctl/reporters"
	"github.com/benchctl/benchctl/result"
)

// A campaign of 1,000 tasks over 50 nodes, each result the size of a
// peak_memory_per_stage task (about 250 KB of JSON).
const (
	benchTasks = 1000
	benchNodes = 50
)

// BenchmarkMerge1000 merges 1,000 results already in memory: the merge
// itself, without reading.
func BenchmarkMerge1000(b *testing.B) {
	inputs := make([]Input, benchTasks)
	for i := range inputs {
		inputs[i] = Input{Task: result.Task{ID: fmt.Sprint(i)}, Report: synthetic.Report(i, benchNodes)}
	}
	b.ResetTimer()
	var rep *result.Report
	for b.Loop() {
		rep = Merge(inputs, Options{})
	}
	b.StopTimer()
	check(b, rep)
}

// BenchmarkLoadMerge1000 reads 1,000 results.json from disk and merges them,
// as the merge job does; heap-MB is the live heap once the merged result is
// built (what the merge job holds before it writes the reports), cpu-s/op the
// process's CPU time an op, which a busy shared machine does not inflate as
// it does the wall time.
func BenchmarkLoadMerge1000(b *testing.B) {
	dir := b.TempDir()
	jsonRep, err := reporters.Get("json")
	if err != nil {
		b.Fatal(err)
	}
	var size int64
	for i := range benchTasks {
		data, err := jsonRep.Render(synthetic.Report(i, benchNodes))
		if err != nil {
			b.Fatal(err)
		}
		d := filepath.Join(dir, fmt.Sprintf("task-%04d", i))
		if err := os.MkdirAll(d, 0o755); err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(d, ResultsFile), data, 0o644); err != nil {
			b.Fatal(err)
		}
		size += int64(len(data))
	}
	b.SetBytes(size)
	b.ResetTimer()
	var rep *result.Report
	cpu := cpuSeconds()
	for b.Loop() {
		inputs, err := Load(dir)
		if err != nil {
			b.Fatal(err)
		}
		rep = Merge(inputs, Options{})
	}
	b.StopTimer()
	b.ReportMetric((cpuSeconds()-cpu)/float64(b.N), "cpu-s/op")
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	b.ReportMetric(float64(ms.HeapAlloc)/(1<<20), "heap-MB")
	check(b, rep)
}

// cpuSeconds is the user and system CPU time of this process so far.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}

func check(b *testing.B, rep *result.Report) {
	b.Helper()
	if len(rep.Tasks) != benchTasks || len(rep.Nodes) != benchNodes || len(rep.Suites) != benchTasks {
		b.Fatalf("merged %d tasks, %d nodes, %d suites", len(rep.Tasks), len(rep.Nodes), len(rep.Suites))
	}
	if len(rep.Figures) != synthetic.Metrics+1 || len(rep.Figures[0].Values) != benchTasks {
		b.Fatalf("%d figures of %d values", len(rep.Figures), len(rep.Figures[0].Values))
	}
}
