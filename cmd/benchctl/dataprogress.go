package main

import (
	"fmt"
	"io"
	"time"

	"github.com/benchctl/benchctl/internal/format"
)

// byteProgress passes writes through to w and, at most once every interval,
// reports on out how much has gone through, the rate and, against the
// expected total, the time left, as pv does. On a terminal it keeps one line
// and rewrites it; elsewhere it writes a line each time, for a log.
type byteProgress struct {
	w        io.Writer
	out      io.Writer
	expected float64 // bytes; 0 when not known
	terminal bool
	every    time.Duration
	now      func() time.Time

	n       int64
	start   time.Time
	last    time.Time
	printed bool
}

func newByteProgress(w, out io.Writer, expected float64, terminal bool) *byteProgress {
	p := &byteProgress{w: w, out: out, expected: expected, terminal: terminal, every: time.Second, now: time.Now}
	p.start = p.now()
	p.last = p.start
	return p
}

func (p *byteProgress) Write(b []byte) (int, error) {
	n, err := p.w.Write(b)
	p.n += int64(n)
	if t := p.now(); t.Sub(p.last) >= p.every {
		p.last = t
		p.show(progressBytesText(p.n, p.expected, t.Sub(p.start)))
	}
	return n, err
}

func (p *byteProgress) show(line string) {
	if p.terminal {
		fmt.Fprint(p.out, "\r\033[K"+line)
	} else {
		fmt.Fprintln(p.out, line)
	}
	p.printed = true
}

// finish ends the report: a terminal's line is cleared; in a log, the total
// and the mean rate are the last line, if any line came before.
func (p *byteProgress) finish() {
	switch {
	case !p.printed:
	case p.terminal:
		fmt.Fprint(p.out, "\r\033[K")
	default:
		fmt.Fprintln(p.out, progressBytesText(p.n, 0, p.now().Sub(p.start)))
	}
}

// progressBytesText is "412 MiB of ~1.05 GiB  196 MiB/s  3.3s left": what
// was written, of the expected total when that is known and not yet passed,
// the mean rate and the time left at that rate.
func progressBytesText(n int64, expected float64, elapsed time.Duration) string {
	line := format.Bytes(uint64(n))
	if expected > float64(n) {
		line += " of ~" + format.Bytes(uint64(expected))
	}
	if s := elapsed.Seconds(); s > 0 {
		rate := float64(n) / s
		line += "  " + format.Bytes(uint64(rate)) + "/s"
		if expected > float64(n) && rate > 0 {
			line += "  " + format.Duration((expected-float64(n))/rate) + " left"
		}
	}
	return line
}
