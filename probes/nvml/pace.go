package nvml

import (
	"fmt"
	"io"
	"math"
	"math/bits"
	"os"
	"runtime"
	"strings"
	"time"

	"github.com/benchctl/benchctl/internal/selfcost"
	"github.com/benchctl/benchctl/probes"
)

var _ probes.Paced = (*Backend)(nil)

// numFields is the number of field bits (see fields.go).
const numFields = 16

// fieldPeriods is how often each field is read once the sampler paces the
// backend (Pace); a field absent here, or with period 0, is read every tick.
// Between two reads a field holds its last value (sample and hold), so the
// Stats of a held field stay weighted by time. Refresh makes the next reading
// read every field, whatever its period: the sampler asks for it at the end
// of a run. Costs per call are an H200's (driver 580, bench/device/cost.sh).
//
//	field                 period  why
//	memory (v2, v1)       tick    must catch a 20 ms allocation spike at 10 ms
//	                              sampling; the peaks of the report come from
//	                              it (42 us a call: 0.42% of a core at 10 ms)
//	processes             100 ms  per-process peaks are the sampled ones only
//	                              without accounting (accounting gives exact
//	                              peaks); a new pid triggers a tree read
//	utilization           100 ms  the driver updates it about 5 times a second;
//	                              its buffered samples give every value
//	power                 100 ms  nvmlDeviceGetPowerUsage is a 1 s average on
//	                              Hopper; the buffered power samples keep peaks
//	clocks-event reasons  100 ms  the run keeps the OR of every reason seen; a
//	                              reason shorter than 100 ms can be missed
//	sm clock              250 ms  changes with the power and thermal state, on
//	                              the scale of the power average
//	temperature           1 s     1 °C resolution, thermal time constants of
//	                              seconds
//	utilization samples   depth/2 (driverBuf) 2.8 ms a call; the driver buffers
//	                              seconds of samples (about 5 a second), each
//	                              with its timestamp, and a read returns all
//	                              those after the last one seen: read at half
//	                              the buffer's depth, measured at the first
//	                              read, within 250 ms to 5 s; halved if a read
//	                              finds the buffer wrapped. The sampler files
//	                              each sample under the stage current at its
//	                              timestamp, so stages stay exact
//	power samples         depth/2 (driverBuf) 0.6 ms a call; about 50 a second,
//	                              so the buffer holds less time than the
//	                              utilization one; same rule
//	energy                30 s    (energyPeriod) 3.9 ms a call; only last minus
//	                              first over the run is used, and both ends are
//	                              read fresh (the first reading, and Refresh)
//	gpm                   500 ms  (gpmPeriod) 170 us a call; counters integrate
//	                              between reads, so nothing is lost, only time
//	                              resolution: a stage under a second long gets
//	                              its neighbours' average in part
var fieldPeriods = map[field]time.Duration{
	fProcs:    100 * time.Millisecond,
	fUtil:     100 * time.Millisecond,
	fPower:    100 * time.Millisecond,
	fThrottle: 100 * time.Millisecond,
	fClock:    250 * time.Millisecond,
	fTemp:     time.Second,
}

// periodByBit is fieldPeriods indexed by field bit, for due.
var periodByBit = func() (p [numFields]time.Duration) {
	for f, d := range fieldPeriods {
		p[bits.TrailingZeros16(uint16(f))] = d
	}
	return p
}()

// Pace implements probes.Paced: from now on each field is read at its own
// period (fieldPeriods), not at every Sample. interval is the sampling
// interval; a field is due when less than half of it remains of its period.
func (b *Backend) Pace(interval time.Duration) {
	b.paced = true
	b.slack = interval / 2
}

// Refresh implements probes.Refresher: the next Sample reads every field,
// the energy counter included, and the next DriverSamples every buffer,
// whatever their periods.
func (b *Backend) Refresh() {
	b.refreshSample, b.refreshDriver = true, true
}

// due reports whether field f of d is to be read at now, and if so notes the
// read. Unpaced, every field is read at every Sample.
func (b *Backend) due(d *device, f field, now time.Time) bool {
	if !d.want(f) {
		return false
	}
	i := bits.TrailingZeros16(uint16(f))
	if !b.paced || b.refreshSample {
		d.readAt[i] = now
		return true
	}
	if at := d.readAt[i]; !at.IsZero() && now.Sub(at)+b.slack < periodByBit[i] {
		return false
	}
	d.readAt[i] = now
	return true
}

// held is what a device keeps of its paced fields between reads.
type held struct {
	utilGPU, utilMem, tempC, powerW, smClock float64
	throttle                                 uint64
	procs                                    []probes.ProcessMem
}

func newHeld() held {
	nan := math.NaN()
	return held{utilGPU: nan, utilMem: nan, tempC: nan, powerW: nan, smClock: nan}
}

// CostEnv names the environment variable that, when set to a file path or
// "-" (stderr), makes the backend count and time every NVML call by field
// and write the table there when it is closed.
const CostEnv = "BENCHCTL_NVML_COST"

// costs counts and times the NVML calls of each field; nil when off.
type costs struct {
	calls [numFields]int64
	spent [numFields]time.Duration // wall time
	cpu   [numFields]time.Duration // the thread's CPU time, user and system
	dest  string
}

// newCosts returns the counters the environment asks for, or nil.
func newCosts() *costs {
	dest := os.Getenv(CostEnv)
	if dest == "" {
		return nil
	}
	return &costs{dest: dest}
}

// stamp is when a call began, on the wall clock and the thread's CPU clock.
type stamp struct {
	wall time.Time
	cpu  int64
}

// start returns the stamp of a call about to begin, and keeps the goroutine
// on its thread until done, so the thread's CPU clock times the call alone;
// zero when counting is off.
func (c *costs) start() stamp {
	if c == nil {
		return stamp{}
	}
	runtime.LockOSThread()
	return stamp{wall: time.Now(), cpu: selfcost.ThreadCPU()}
}

// done counts one call of field f begun at t0.
func (c *costs) done(f field, t0 stamp) {
	if c == nil {
		return
	}
	cpu := time.Duration(selfcost.ThreadCPU() - t0.cpu)
	runtime.UnlockOSThread()
	i := bits.TrailingZeros16(uint16(f))
	c.calls[i]++
	c.spent[i] += time.Since(t0.wall)
	c.cpu[i] += cpu
}

// write writes the table to its destination; errors are ignored, as the
// table is a debugging aid written at exit.
func (c *costs) write(extra string) {
	if c == nil {
		return
	}
	var w io.Writer = os.Stderr
	if c.dest != "-" {
		f, err := os.Create(c.dest)
		if err != nil {
			return
		}
		defer f.Close()
		w = f
	}
	_, _ = io.WriteString(w, c.table()+extra)
}

// driverBufferLines says, for the cost table, what the backend learned of
// each GPU's driver sample buffers: the time each holds, the period it was
// read at, and how often a read found it wrapped (samples lost).
func (b *Backend) driverBufferLines() string {
	var sb strings.Builder
	for _, d := range b.sel {
		for k, st := range samplingTypes {
			db := &d.drv[k]
			if db.readAt.IsZero() || !d.want(st.f) {
				continue
			}
			depth := "unknown"
			if db.depth > 0 {
				depth = db.depth.Round(time.Millisecond).String()
			}
			fmt.Fprintf(&sb, "gpu %d %-20s buffer holds %s, read every %s, wrapped %d times\n",
				d.info.Index, st.f, depth, db.every.Round(time.Millisecond), db.overruns)
		}
	}
	return sb.String()
}

// table renders the counters, one field a line: calls, wall time in all and
// per call, CPU time in all and per call.
func (c *costs) table() string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "%-28s %8s %12s %10s %12s %10s\n", "nvml field", "calls", "wall", "wall/call", "cpu", "cpu/call")
	for i := range numFields {
		if c.calls[i] == 0 {
			continue
		}
		f := field(1 << i)
		n := time.Duration(c.calls[i])
		fmt.Fprintf(&sb, "%-28s %8d %12s %10s %12s %10s\n", f, c.calls[i],
			c.spent[i].Round(time.Microsecond), (c.spent[i] / n).Round(100*time.Nanosecond),
			c.cpu[i].Round(time.Microsecond), (c.cpu[i] / n).Round(100*time.Nanosecond))
	}
	return sb.String()
}
