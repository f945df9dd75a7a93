package sampler

import (
	"math"
	"time"

	"github.com/benchctl/benchctl/probes"
	"github.com/benchctl/benchctl/result"
)

// The metrics a GPU's Stats hold, in the order of metricNames.
const (
	mUsed = iota
	mReserved
	mUtilGPU
	mUtilMem
	mTemp
	mPower
	mSMClock
	mSMActivity
	mSMOccupancy
	mTensor
	mDRAM
	numMetrics
)

var metricNames = [numMetrics]string{
	mUsed:     result.MemUsed,
	mReserved: result.MemReserved,
	mUtilGPU:  result.UtilGPU,
	mUtilMem:  result.UtilMem,
	mTemp:     result.Temperature,
	mPower:    result.Power,
	mSMClock:  result.SMClock,

	mSMActivity:  result.SMActivity,
	mSMOccupancy: result.SMOccupancy,
	mTensor:      result.TensorActivity,
	mDRAM:        result.DRAMBandwidth,
}

// timelineMetrics are the metrics of each GPU's timeline, in this order.
var timelineMetrics = []string{result.MemUsed, result.UtilGPU, result.Power, result.Temperature}

// metricSet is the Stats of one GPU over the run or over one stage.
//
// Utilization and power have two Stats each: one fed by our ticks' readings,
// one by the driver's buffered samples. The result uses the driver's when it
// has any value and our ticks' otherwise, so no reading is counted twice and
// the two sources are never mixed in one Stat.
type metricSet struct {
	tick     [numMetrics]Stat
	drvUtil  Stat
	drvPower Stat
}

// add records one tick's reading.
func (ms *metricSet) add(g *probes.GPUSample) {
	ms.tick[mUsed].Add(float64(g.MemUsed))
	ms.tick[mReserved].Add(float64(g.MemReserved))
	ms.tick[mUtilGPU].Add(g.UtilGPU)
	ms.tick[mUtilMem].Add(g.UtilMem)
	ms.tick[mTemp].Add(g.TempC)
	ms.tick[mPower].Add(g.PowerW)
	ms.tick[mSMClock].Add(g.SMClockMHz)
	if g.GPM {
		ms.tick[mSMActivity].Add(g.SMActivity)
		ms.tick[mSMOccupancy].Add(g.SMOccupancy)
		ms.tick[mTensor].Add(g.TensorActivity)
		ms.tick[mDRAM].Add(g.DRAMBandwidth)
	}
}

// addDriver records one driver sample; NaN fields are skipped by Stat.
func (ms *metricSet) addDriver(util, power float64) {
	ms.drvUtil.Add(util)
	ms.drvPower.Add(power)
}

// result returns the Stats that have values, by metric name. Reserved memory
// is left out when it was zero throughout: the backend does not report it.
func (ms *metricSet) result() map[string]result.Stat {
	out := make(map[string]result.Stat, numMetrics)
	for m := range numMetrics {
		st := &ms.tick[m]
		switch {
		case m == mUtilGPU && ms.drvUtil.Count() > 0:
			st = &ms.drvUtil
		case m == mPower && ms.drvPower.Count() > 0:
			st = &ms.drvPower
		}
		if st.Count() == 0 || (m == mReserved && st.max == 0) {
			continue
		}
		out[metricNames[m]] = st.Result()
	}
	return out
}

// gpuAgg is everything the sampler keeps of one GPU. Its memory is fixed but
// for the stage sets (at most maxStages) and the Stat windows (bounded).
type gpuAgg struct {
	info   result.GPUInfo
	all    metricSet
	stages []*metricSet // by stage id
	tl     *Timeline

	seen            bool
	baseline, after uint64
	firstEnergy     uint64 // millijoules; 0 until the counter is read
	lastEnergy      uint64
	throttle        uint64 // every reason bit seen

	driverSamples int64
	// lastUtil and lastPower are the newest driver sample times folded, to
	// drop a sample handed back twice.
	lastUtil, lastPower time.Time
}

func newGPUAgg(info result.GPUInfo, timelineBuckets int, interval time.Duration) *gpuAgg {
	return &gpuAgg{info: info, tl: NewTimeline(timelineBuckets, interval, timelineMetrics...)}
}

// stage returns the metric set of stage id, creating it; nil for no stage.
func (g *gpuAgg) stage(id int) *metricSet {
	if id < 0 {
		return nil
	}
	for len(g.stages) <= id {
		g.stages = append(g.stages, nil)
	}
	if g.stages[id] == nil {
		g.stages[id] = &metricSet{}
	}
	return g.stages[id]
}

// add folds one tick's reading of the GPU taken t seconds into the run.
func (g *gpuAgg) add(t float64, s *probes.GPUSample, stage int) {
	if !g.seen {
		g.seen = true
		g.baseline = s.MemUsed
	}
	g.after = s.MemUsed
	if g.info.MemoryTotal == 0 {
		g.info.MemoryTotal = s.MemTotal
	}
	if s.EnergyMJ > 0 {
		if g.firstEnergy == 0 {
			g.firstEnergy = s.EnergyMJ
		}
		g.lastEnergy = s.EnergyMJ
	}
	g.throttle |= s.Throttle
	g.all.add(s)
	if ms := g.stage(stage); ms != nil {
		ms.add(s)
	}
	g.tl.Add(t, float64(s.MemUsed), s.UtilGPU, s.PowerW, s.TempC)
}

// addDriver folds one driver sample taken t seconds into the run. It returns
// false for a sample already folded.
func (g *gpuAgg) addDriver(t float64, ds *probes.DriverSample, stage int) bool {
	util, power := ds.UtilGPU, ds.PowerW
	if !math.IsNaN(util) {
		if !ds.Time.After(g.lastUtil) {
			util = math.NaN()
		} else {
			g.lastUtil = ds.Time
		}
	}
	if !math.IsNaN(power) {
		if !ds.Time.After(g.lastPower) {
			power = math.NaN()
		} else {
			g.lastPower = ds.Time
		}
	}
	if math.IsNaN(util) && math.IsNaN(power) {
		return false
	}
	g.driverSamples++
	g.all.addDriver(util, power)
	if ms := g.stage(stage); ms != nil {
		ms.addDriver(util, power)
	}
	g.tl.Add(t, math.NaN(), util, power, math.NaN())
	return true
}

// result returns the GPU's figures; stageNames names the stage ids.
func (g *gpuAgg) result(stageNames []string) result.GPURun {
	r := result.GPURun{
		Index:         g.info.Index,
		UUID:          g.info.UUID,
		Name:          g.info.Name,
		MemoryTotal:   g.info.MemoryTotal,
		Stats:         g.all.result(),
		DriverSamples: g.driverSamples,
		Throttle:      ThrottleReasons(g.throttle),
		Timeline:      g.tl.Buckets(),
		Baseline:      g.baseline,
		After:         g.after,
	}
	if g.lastEnergy >= g.firstEnergy && g.firstEnergy > 0 {
		r.EnergyJoules = float64(g.lastEnergy-g.firstEnergy) / 1000
	}
	r.FloorSlope = FloorSlope(r.Timeline, result.MemUsed)
	for id, ms := range g.stages {
		if ms == nil || id >= len(stageNames) {
			continue
		}
		if r.Stages == nil {
			r.Stages = make(map[string]map[string]result.Stat)
		}
		r.Stages[stageNames[id]] = ms.result()
	}
	return r
}
