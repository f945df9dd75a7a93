package engine

import (
	"fmt"
	"unicode/utf8"
)

// maxReportText bounds one string a scenario puts into its report: a log
// line, a failure or error message, a label, a metric's name, a table's
// cell. The report is rewritten every second and held by every output, so
// a 64 MiB string logged in a loop would cost gigabytes and minutes of
// rewriting; 64 KiB is as much as a pipeline's output line keeps.
const maxReportText = 64 << 10

// maxLogBytes bounds a test's log lines together; past it, as past maxLogs
// lines, one note says more were dropped.
const maxLogBytes = 16 << 20

// capText returns s, or, when it is longer than maxReportText, its first
// maxReportText bytes (at a character's start) and how many bytes were cut.
// The result never shares memory with s: a cut string does not keep the
// scenario's string alive.
func capText(s string) string {
	if len(s) <= maxReportText {
		return s
	}
	cut := maxReportText
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + fmt.Sprintf("... (%d bytes cut)", len(s)-cut)
}
