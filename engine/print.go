package engine

import (
	"fmt"
	"strings"
	"time"

	lua "github.com/yuin/gopher-lua"

	"github.com/benchctl/benchctl/internal/format"
	"github.com/benchctl/benchctl/result"
)

// maxLogs bounds the log lines a test keeps (t:log and print): a scenario
// that prints in a loop must not grow the report, or benchctl, without end.
const maxLogs = 10000

// print replaces Lua's print, which writes to stdout: stdout carries the
// reports (--out json=-), and a closed stdout must not end the run. Inside a
// test a print is a line of the test's log, as t:log; at the top level of a
// scenario it goes to benchctl's log (stderr), as a warning.
func (rt *runtime) print(L *lua.LState) int {
	parts := make([]string, 0, L.GetTop())
	for i := 1; i <= L.GetTop(); i++ {
		parts = append(parts, L.ToStringMeta(L.Get(i)).String())
	}
	msg := strings.Join(parts, "\t")
	if st := rt.current; st != nil {
		appendLog(st, msg)
		return 0
	}
	rt.engine.opts.Log.Warn().Str("file", rt.sc.File).Str("print", msg).Msg("print at the top level of a scenario: use t:log in a test")
	return 0
}

// appendLog adds a line to the test's log, cut to maxReportText; past
// maxLogs lines or maxLogBytes it keeps one note that says more were dropped.
func appendLog(st *testState, msg string) {
	c := st.c
	msg = capText(msg)
	switch {
	case st.logFull:
	case len(c.Logs) < maxLogs && st.logBytes+len(msg) <= maxLogBytes:
		c.Logs = append(c.Logs, result.Log{Seconds: time.Since(st.start).Seconds(), Message: msg})
		st.logBytes += len(msg)
	default:
		c.Logs = append(c.Logs, result.Log{Seconds: time.Since(st.start).Seconds(),
			Message: fmt.Sprintf("more log lines dropped: a test keeps %d lines, %s", maxLogs, format.Bytes(maxLogBytes))})
		st.logFull = true
	}
}
