package history

import (
	"strconv"

	"github.com/benchctl/benchctl/compare"
	"github.com/benchctl/benchctl/result"
)

// CaseMetrics are the metrics recorded for a case: those the scenario
// recorded with t:metric, run.NAME.wall of each pipeline run that ended ok
// (as `benchctl compare` derives it), and of each such run its GPUs' peak
// memory, mean utilization and energy. A name seen twice is recorded as
// name#2, as compare matches it.
func CaseMetrics(c result.Case) []result.Metric {
	ms := append([]result.Metric(nil), c.Metrics...)
	ms = append(ms, compare.RunMetrics(c.Runs)...)
	for i, run := range c.Runs {
		if run.Class != result.ExitOK || run.GPU == nil || len(run.GPU.GPUs) == 0 {
			continue
		}
		ms = append(ms, gpuMetrics(runName(run, i), run.GPU)...)
	}
	seen := map[string]bool{}
	for i := range ms {
		name := ms[i].Name
		for n := 2; seen[ms[i].Name]; n++ {
			ms[i].Name = name + "#" + strconv.Itoa(n)
		}
		seen[ms[i].Name] = true
	}
	return ms
}

func runName(run result.Run, i int) string {
	if run.Name != "" {
		return run.Name
	}
	return "run" + strconv.Itoa(i+1)
}

// gpuMetrics summarises a run's GPUs: the highest peak memory of any GPU,
// the mean of their mean utilizations and their energy added up.
func gpuMetrics(name string, g *result.GPUSummary) []result.Metric {
	var peak, util, energy float64
	for _, gr := range g.GPUs {
		peak = max(peak, gr.Stats[result.MemUsed].Max)
		util += gr.Stats[result.UtilGPU].Mean
		energy += gr.EnergyJoules
	}
	p := "run." + name + "."
	ms := []result.Metric{
		{Name: p + "gpu_memory_peak", Value: peak, Unit: "B", Better: result.LowerIsBetter},
		{Name: p + "gpu_utilization_mean", Value: util / float64(len(g.GPUs)), Unit: "%", Better: result.HigherIsBetter},
	}
	if energy > 0 {
		ms = append(ms, result.Metric{Name: p + "gpu_energy", Value: energy, Unit: "J", Better: result.LowerIsBetter})
	}
	return ms
}
