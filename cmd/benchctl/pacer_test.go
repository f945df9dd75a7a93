package main

import (
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/benchctl/benchctl/result"
)

// TestReportPacer checks that reports offered after every test are written a
// bounded number of times however many tests there are, and that the last one
// offered is always written within an interval, without another offer.
func TestReportPacer(t *testing.T) {
	for _, n := range []int{10, 1000, 20000} {
		t.Run(strconv.Itoa(n), func(t *testing.T) {
			var mu sync.Mutex
			var writes []int
			p := newReportPacer(func(r *result.Report) {
				mu.Lock()
				writes = append(writes, len(r.Suites[0].Cases))
				mu.Unlock()
			})
			rep := &result.Report{Suites: []result.Suite{{}}}
			start := time.Now()
			for i := 0; i < n; i++ {
				rep.Suites[0].Cases = append(rep.Suites[0].Cases, result.Case{Name: "c", Status: result.Running})
				p.offer(rep)
				rep.Suites[0].Cases[i].Status = result.Passed
				p.offer(rep)
			}
			elapsed := time.Since(start)
			for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
				mu.Lock()
				last := 0
				if len(writes) > 0 {
					last = writes[len(writes)-1]
				}
				count := len(writes)
				mu.Unlock()
				if last == n {
					if bound := 2 + int(elapsed/minReportInterval); count > bound {
						t.Errorf("%d writes for %d tests in %v, want at most %d", count, n, elapsed, bound)
					}
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("the last report (%d cases) was not written in 10 s; writes %v", n, writes)
				}
			}
			p.stop()
		})
	}
}

// TestSnapshotCopiesRunningCase checks that the pacer's copy shares no
// state the engine goes on changing: the suite, and the running case, whose
// later changes (its end, its logs) the copy does not see.
func TestSnapshotCopiesRunningCase(t *testing.T) {
	rep := &result.Report{Suites: []result.Suite{{Cases: make([]result.Case, 0, 4)}}}
	rep.Suites[0].Cases = append(rep.Suites[0].Cases, result.Case{Name: "a", Status: result.Passed}, result.Case{Name: "b", Status: result.Running})
	s := snapshot(rep)
	rep.Suites[0].Status = result.Failed
	rep.Suites[0].Cases[1].Status = result.Passed
	rep.Suites[0].Cases[1].Logs = append(rep.Suites[0].Cases[1].Logs, result.Log{Message: "later"})
	rep.Suites[0].Cases = append(rep.Suites[0].Cases, result.Case{Name: "c", Status: result.Running})
	got := s.report()
	if got.Suites[0].Status == result.Failed {
		t.Error("the snapshot shares the suite with the report")
	}
	cases := got.Suites[0].Cases
	if len(cases) != 2 || cases[0].Name != "a" || cases[1].Name != "b" || cases[1].Status != result.Running || len(cases[1].Logs) != 0 {
		t.Errorf("snapshot cases %+v, want a passed and b running with no log", cases)
	}
	if rep.Suites[0].Cases[2].Name != "c" {
		t.Error("writing the snapshot changed the engine's report")
	}
}
