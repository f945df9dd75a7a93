package nvml

import (
	"math"
	"time"

	"github.com/NVIDIA/go-nvml/pkg/nvml"

	"github.com/benchctl/benchctl/probes"
)

// gpmPeriod is how often a GPU's performance monitoring (GPM) counters are
// read. One nvmlGpmSampleGet took 170 us on an H200 (driver 580), four times a
// memory read; the metrics are averages over the time between two samples, so
// reading them twice a second loses nothing but time resolution, and costs
// 0.034% of a core per GPU. Between reads, each tick carries the latest
// figures, which weighs each interval by its length in the Stats.
const gpmPeriod = 500 * time.Millisecond

// gpmMetrics are the GPM figures read, in the order of gpmState.vals.
var gpmMetrics = [...]nvml.GpmMetricId{
	nvml.GPM_METRIC_SM_UTIL,
	nvml.GPM_METRIC_SM_OCCUPANCY,
	nvml.GPM_METRIC_ANY_TENSOR_UTIL,
	nvml.GPM_METRIC_DRAM_BW_UTIL,
}

// gpmState is one GPU's two GPM samples (the older and the newer) and the
// figures computed between them.
type gpmState struct {
	prev, cur nvml.GpmSample
	at        time.Time                // when cur was last read
	have      bool                     // prev holds a reading
	got       bool                     // vals were computed at least once
	vals      [len(gpmMetrics)]float64 // NaN for a metric the GPU did not give
	get       nvml.GpmMetricsGetType   // scratch: 19 KB, kept off the tick's stack
}

// openGPM prepares GPM on every selected GPU that has it. A GPU without it
// (before Hopper, or a driver without the calls) gets a note saying why, once,
// in its GPUInfo; sampling goes on without the figures.
func (b *Backend) openGPM() {
	if !hasSymbol(b.lib, "nvmlGpmQueryDeviceSupport") || !hasSymbol(b.lib, "nvmlGpmMetricsGet") {
		b.noteGPM("the nvml library has no gpm calls (driver older than 520)")
		return
	}
	for _, d := range b.sel {
		sup, ret := b.lib.GpmQueryDeviceSupport(d.h)
		switch {
		case ret != nvml.SUCCESS:
			d.info.GPMWhy = "gpm support query failed: " + ret.Error()
			continue
		case sup.IsSupportedDevice == 0:
			d.info.GPMWhy = "gpm not supported on this gpu (hopper or later has it)"
			continue
		}
		prev, ret1 := b.lib.GpmSampleAlloc()
		cur, ret2 := b.lib.GpmSampleAlloc()
		if ret1 != nvml.SUCCESS || ret2 != nvml.SUCCESS {
			d.info.GPMWhy = "gpm sample allocation failed"
			freeGPM(prev, ret1)
			freeGPM(cur, ret2)
			continue
		}
		d.gpm = &gpmState{prev: prev, cur: cur}
		d.info.GPM = true
	}
	b.refreshInfos()
}

// noteGPM gives every selected GPU the same note.
func (b *Backend) noteGPM(why string) {
	for _, d := range b.sel {
		d.info.GPMWhy = why
	}
	b.refreshInfos()
}

// refreshInfos copies the selected devices' descriptions into b.infos.
func (b *Backend) refreshInfos() {
	for i, d := range b.sel {
		if i < len(b.infos) {
			b.infos[i] = d.info
		}
	}
}

func freeGPM(s nvml.GpmSample, ret nvml.Return) {
	if ret == nvml.SUCCESS && s != nil {
		s.Free()
	}
}

// closeGPM frees the GPM samples.
func (b *Backend) closeGPM() {
	for _, d := range b.sel {
		if d.gpm != nil {
			d.gpm.prev.Free()
			d.gpm.cur.Free()
			d.gpm = nil
		}
	}
}

// readGPM fills s's GPM figures: it takes a new GPM sample when gpmPeriod has
// passed and computes the figures between it and the one before; between
// reads, the latest figures stand. Before the second reading there are none.
func (b *Backend) readGPM(d *device, s *probes.GPUSample, now time.Time, errs *[]error) {
	g := d.gpm
	if g == nil || !d.want(fGPM) {
		return
	}
	if g.at.IsZero() || now.Sub(g.at) >= gpmPeriod {
		t0 := b.cost.start()
		ret := b.lib.GpmSampleGet(d.h, g.cur)
		b.cost.done(fGPM, t0)
		if !check(d, fGPM, ret, errs) {
			return
		}
		g.at = now
		if g.have {
			b.gpmFigures(d, errs)
		}
		g.prev, g.cur = g.cur, g.prev
		g.have = true
	}
	if !g.got {
		return
	}
	s.GPM = true
	s.SMActivity, s.SMOccupancy, s.TensorActivity, s.DRAMBandwidth = g.vals[0], g.vals[1], g.vals[2], g.vals[3]
}

// gpmFigures computes the figures between g.prev (older) and g.cur (newer).
func (b *Backend) gpmFigures(d *device, errs *[]error) {
	g := d.gpm
	g.get = nvml.GpmMetricsGetType{Version: nvml.GPM_METRICS_GET_VERSION, NumMetrics: uint32(len(gpmMetrics)), Sample1: g.prev, Sample2: g.cur}
	for i, id := range gpmMetrics {
		g.get.Metrics[i].MetricId = uint32(id)
	}
	if !check(d, fGPM, b.lib.GpmMetricsGet(&g.get), errs) {
		return
	}
	for i := range gpmMetrics {
		m := g.get.Metrics[i]
		g.vals[i] = math.NaN()
		if nvml.Return(m.NvmlReturn) == nvml.SUCCESS && m.Value >= 0 {
			g.vals[i] = math.Min(100, m.Value)
		}
	}
	g.got = true
}
