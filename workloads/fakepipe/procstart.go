package main

import (
	"os"
	"strconv"
	"strings"
	"time"
)

// clockTicks is USER_HZ, the unit of /proc's process start times: 100 on
// every Linux architecture Go builds for.
const clockTicks = 100

// processStart is when the kernel started this process, read from
// /proc/self/stat and /proc/uptime, or now where they cannot be read. The time
// a busy machine takes to exec the binary and start its runtime is then part
// of the model's first pause, made up there instead of added to the run.
func processStart() time.Time {
	now := time.Now()
	stat, err := os.ReadFile("/proc/self/stat")
	if err != nil {
		return now
	}
	up, err := os.ReadFile("/proc/uptime")
	if err != nil {
		return now
	}
	// The command name, field 2, is in parentheses and may hold spaces:
	// the fields after it start at the last ')'.
	s := string(stat)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return now
	}
	fields := strings.Fields(s[i+1:])
	const startField = 22 - 3 // field 22 (starttime), counted from field 3 (state)
	if len(fields) <= startField {
		return now
	}
	ticks, err := strconv.ParseInt(fields[startField], 10, 64)
	if err != nil {
		return now
	}
	upFields := strings.Fields(string(up))
	if len(upFields) == 0 {
		return now
	}
	uptime, err := strconv.ParseFloat(upFields[0], 64)
	if err != nil {
		return now
	}
	age := time.Duration(uptime*float64(time.Second)) - time.Duration(ticks)*time.Second/clockTicks
	if age < 0 || age > time.Minute {
		return now // not a start time this process can have had
	}
	return now.Add(-age)
}
