package sampler

import (
	"errors"
	"fmt"
	"math"

	"github.com/benchctl/benchctl/probes"
)

// driverKey is one metric (0 utilization, 1 power) of one GPU.
type driverKey struct{ gpu, metric int }

// foldDriverSamples reads the samples the driver buffered since the last
// call and folds them into the utilization and power figures.
//
// since is the oldest of the newest sample times of each GPU and metric
// (those not stale, see driverStale), so a metric whose samples come late is
// not skipped past; samples handed back twice are dropped per GPU and metric.
// A sample belongs to the stage current at its timestamp (stageLog).
func (s *Sampler) foldDriverSamples(t float64) {
	samples, err := s.drv.DriverSamples(s.drvSince)
	if err != nil {
		if errors.Is(err, probes.ErrUnavailable) {
			s.drv = nil // this backend cannot: stop asking
			return
		}
		// A backend may return the samples it could read with the error of
		// one GPU or one type; it has moved past them, so fold them anyway.
		s.recordError(t, fmt.Errorf("driver samples: %w", err))
	}
	if len(samples) > 0 {
		s.mu.Lock()
		s.marks = append(s.marks[:0], s.stageLog.marks...)
		s.mu.Unlock()
	}
	for i := range samples {
		ds := &samples[i]
		g := s.byIndex[ds.GPU]
		if g == nil {
			continue
		}
		dt := min(max(ds.Time.Sub(s.start).Seconds(), 0), t)
		if !g.addDriver(dt, ds, stageAt(s.marks, ds.Time)) {
			continue
		}
		for m, v := range [2]float64{ds.UtilGPU, ds.PowerW} {
			if !math.IsNaN(v) {
				k := driverKey{ds.GPU, m}
				if ds.Time.After(s.drvLatest[k]) {
					s.drvLatest[k] = ds.Time
				}
			}
		}
		if ds.Time.After(s.drvNewest) {
			s.drvNewest = ds.Time
		}
	}
	since := s.drvNewest
	for _, last := range s.drvLatest {
		if last.Before(since) && s.drvNewest.Sub(last) <= driverStale {
			since = last
		}
	}
	if since.After(s.drvSince) {
		s.drvSince = since
		s.mu.Lock()
		s.stageLog.prune(since.Add(-driverStale))
		s.mu.Unlock()
	}
}
