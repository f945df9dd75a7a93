package main

import (
	"fmt"
	"time"

	"github.com/benchctl/benchctl/probes"
	"github.com/benchctl/benchctl/probes/host"
	"github.com/benchctl/benchctl/probes/sampler"
	"github.com/benchctl/benchctl/result"
)

const (
	gib = 1 << 30
	mib = 1 << 20

	gpuMemory  = 80 * gib         // an 80 GiB H100
	floorBytes = 2 * gib          // memory held between batches (weights, context)
	sawBytes   = 40 * gib         // what a batch adds by its end
	sawPeriod  = 90 * time.Second // one batch
	spikeBytes = 8 * gib          // a short activation spike, as in the device test
	spikeEvery = 10 * time.Minute
	spikeLen   = 20 * time.Millisecond
	// recordBytes is the one-sample peak on GPU 0 that the report must keep,
	// however many times the timeline has been halved.
	recordBytes = 78 * gib

	rootPID   = 1000
	workerPID = 2000 // worker of GPU g is workerPID+g
	ctxBytes  = 500 * mib
)

// synthBackend is a probes.Backend of simulated GPUs whose readings are a
// function of how many samples were taken (sample k is k intervals into the
// run), not of a clock: FakeClock.Advance may already have moved the time on
// when the sampler's goroutine calls Sample, so the clock is not a reliable
// source of "now" here. It reuses its snapshot and allocates nothing.
//
// Each GPU's memory is a sawtooth (a 2 GiB floor plus up to 40 GiB over each
// 90-second batch) with an 8 GiB spike of 20 ms every 10 minutes; GPU g's
// spikes come g seconds after GPU 0's. Sample recordAt holds a one-sample
// 78 GiB peak on GPU 0. Utilization follows the batch, power and temperature
// follow utilization, the energy counter integrates power, and each GPU runs
// two processes of the pipeline: its worker and, on GPU 0, the root.
type synthBackend struct {
	devices  []result.GPUInfo
	snap     probes.Snapshot
	k        int64 // samples taken
	interval time.Duration
	recordAt int64
	energyMJ []float64
	rng      uint64
}

var _ probes.Backend = (*synthBackend)(nil)

func newSynthBackend(gpus int, interval time.Duration, recordAt int64) *synthBackend {
	b := &synthBackend{interval: interval, recordAt: recordAt, energyMJ: make([]float64, gpus), rng: 0x9e3779b97f4a7c15}
	for g := range gpus {
		b.devices = append(b.devices, result.GPUInfo{
			Index: g, UUID: fmt.Sprintf("GPU-%08x-5a1e-4c0d-9e11-0000000000%02d", g, g),
			Name: "Synthetic H100 80GB HBM3", MemoryTotal: gpuMemory, Driver: "580.65.06", CUDA: "13.0",
		})
		procs := []probes.ProcessMem{{PID: workerPID + g}}
		if g == 0 {
			procs = append(procs, probes.ProcessMem{PID: rootPID, Used: ctxBytes})
		}
		b.snap.GPUs = append(b.snap.GPUs, probes.GPUSample{Index: g, MemTotal: gpuMemory, Processes: procs})
	}
	return b
}

func (b *synthBackend) Name() string              { return "synthetic" }
func (b *synthBackend) Devices() []result.GPUInfo { return b.devices }
func (b *synthBackend) Close() error              { return nil }

// Sample returns reading k of every GPU.
func (b *synthBackend) Sample() (probes.Snapshot, error) {
	k := b.k
	b.k++
	at := time.Duration(k) * b.interval
	b.snap.Time = time.Unix(0, 0).Add(at)
	for i := range b.snap.GPUs {
		s := &b.snap.GPUs[i]
		offset := at + time.Duration(i)*time.Second // GPUs are not in lock step
		phase := float64(offset%sawPeriod) / float64(sawPeriod)
		used := uint64(floorBytes + phase*sawBytes)
		if offset%spikeEvery < spikeLen {
			used += spikeBytes
		}
		if i == 0 && k == b.recordAt {
			used = recordBytes
		}
		util := 100 * phase
		if phase > 0.05 {
			util = 70 + float64(b.next()%31) // busy, with jitter
		}
		s.MemUsed = used
		s.UtilGPU = util
		s.UtilMem = util / 2
		s.PowerW = 70 + 6*util
		s.TempC = 30 + 0.4*util
		s.SMClockMHz = 1980
		b.energyMJ[i] += s.PowerW * b.interval.Seconds() * 1000
		s.EnergyMJ = uint64(b.energyMJ[i])
		s.Processes[0].Used = used - min(used, ctxBytes*uint64(len(s.Processes)-1))
	}
	return b.snap, nil
}

// next is a xorshift step: cheap jitter that is the same on every run.
func (b *synthBackend) next() uint64 {
	b.rng ^= b.rng << 13
	b.rng ^= b.rng >> 7
	b.rng ^= b.rng << 17
	return b.rng
}

// synthHost is a sampler.HostProbe whose tree is the root and one worker per
// GPU, using about a core per GPU and an RSS that breathes with the batches.
type synthHost struct {
	ts    host.TreeSample
	calls int64
}

var _ sampler.HostProbe = (*synthHost)(nil)

func newSynthHost(gpus int) *synthHost {
	h := &synthHost{}
	h.ts.PIDs = append(h.ts.PIDs, rootPID)
	for g := range gpus {
		h.ts.PIDs = append(h.ts.PIDs, workerPID+g)
	}
	return h
}

// Sample returns the tree; the sampler calls it every 100 ms of simulated time.
func (h *synthHost) Sample(int) (host.TreeSample, error) {
	h.calls++
	h.ts.CPUSeconds += 0.1 * float64(len(h.ts.PIDs)-1)
	h.ts.RSSBytes = uint64(len(h.ts.PIDs))*3*gib + uint64(h.calls%900)*mib
	return h.ts, nil
}
