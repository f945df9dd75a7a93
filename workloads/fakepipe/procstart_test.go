package main

import (
	"testing"
	"time"
)

// TestProcessStart: the kernel's start time of this process lies before now,
// and no further back than the test binary has been running.
func TestProcessStart(t *testing.T) {
	now := time.Now()
	got := processStart()
	if got.After(now) {
		t.Errorf("process start %v is after now %v", got, now)
	}
	if age := now.Sub(got); age > time.Minute {
		t.Errorf("process start %v ago, want within the minute the check allows", age)
	}
}
