package main

import (
	"sync"
	"time"

	"github.com/benchctl/benchctl/result"
)

// minReportInterval is the shortest time between two mid-run rewrites of the
// reports. A rewrite renders every test so far, so rewriting after every
// test made a run quadratic in its number of tests (2,000 trivial tests took
// over 300 s); rewriting at most this often keeps it linear.
const minReportInterval = time.Second

// renderShare bounds the share of a run's time spent rewriting reports: the
// next rewrite waits at least renderShare times as long as the last one took.
const renderShare = 20

// reportPacer rewrites the reports of a running run at most every interval
// (minReportInterval, or renderShare times the last rewrite when that is
// longer). A report offered before the interval is up is kept, and a timer
// writes it when the interval ends, so a test that finished is on disk at
// most one interval later even when the next test runs for hours. At the end
// of the run (also one ended by a signal) the caller stops the pacer and
// writes the final reports itself.
//
// offer is called from the engine's goroutine, which goes on changing the
// report; the pacer keeps a snapshot instead (see snapshot), so the timer
// never reads what the engine writes.
type reportPacer struct {
	mu       sync.Mutex
	write    func(*result.Report) // renders and writes every report; called with mu held
	last     time.Time            // when the last write ended
	interval time.Duration
	pending  *pendingReport // offered, not yet written
	timer    *time.Timer
	closed   bool
}

func newReportPacer(write func(*result.Report)) *reportPacer {
	return &reportPacer{write: write, interval: minReportInterval}
}

// offer writes rep now when the interval since the last write is up, else
// keeps a snapshot of it for the timer.
func (p *reportPacer) offer(rep *result.Report) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return
	}
	wait := p.interval - time.Since(p.last)
	if wait <= 0 {
		p.writeLocked(rep)
		return
	}
	snap := snapshot(rep)
	p.pending = &snap
	if p.timer == nil {
		p.timer = time.AfterFunc(wait, p.tick)
	}
}

func (p *reportPacer) tick() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.timer = nil
	if p.closed || p.pending == nil {
		return
	}
	p.writeLocked(p.pending.report())
}

// stop stops the timer, waiting for a write in progress; later offers are
// ignored. The caller then writes the final reports itself.
func (p *reportPacer) stop() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.closed = true
	if p.timer != nil {
		p.timer.Stop()
		p.timer = nil
	}
	p.pending = nil
}

func (p *reportPacer) writeLocked(rep *result.Report) {
	p.pending = nil
	start := time.Now()
	p.write(rep)
	p.last = time.Now()
	p.interval = max(minReportInterval, renderShare*p.last.Sub(start))
}

// pendingReport is a report kept for the timer: the report and its suites
// copied, each suite's finished cases shared with the engine's report, and
// the case that runs, if any, apart.
type pendingReport struct {
	rep     *result.Report
	running map[int]result.Case // by suite index
}

// snapshot copies what the engine may still change in rep: the report and
// its suites by value, and each suite's cases up to the one that runs. A
// case that finished is never changed again, so the copies share them
// (taking the snapshot costs as many steps as there are suites, not tests).
// The case that runs (always its suite's last) is copied apart, its name,
// tags, start and work dir only: the engine goes on filling it in.
func snapshot(rep *result.Report) pendingReport {
	s := *rep
	p := pendingReport{rep: &s, running: map[int]result.Case{}}
	s.Suites = make([]result.Suite, len(rep.Suites))
	for i, su := range rep.Suites {
		n := len(su.Cases)
		if n > 0 && su.Cases[n-1].Status == result.Running {
			c := su.Cases[n-1]
			p.running[i] = result.Case{Name: c.Name, Tags: c.Tags, Status: result.Running, StartedAt: c.StartedAt, Workdir: c.Workdir}
			n--
		}
		su.Cases = su.Cases[:n:n]
		s.Suites[i] = su
	}
	s.Invocation.Scenarios = rep.Invocation.Scenarios[:len(rep.Invocation.Scenarios):len(rep.Invocation.Scenarios)]
	return p
}

// report is the whole report to write, the running cases put back in new
// slices: done once a write, not once a test.
func (p pendingReport) report() *result.Report {
	for i, c := range p.running {
		su := &p.rep.Suites[i]
		su.Cases = append(su.Cases, c) // capacity is length: a new array
	}
	p.running = nil
	return p.rep
}
