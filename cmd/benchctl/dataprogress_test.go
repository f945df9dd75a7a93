package main

import (
	"bytes"
	"crypto/sha256"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestByteProgress: reports come at most once an interval, pass every byte
// through, rewrite one line on a terminal and clear it at the end, and write
// lines ending with the total for a log; a run shorter than an interval
// prints nothing.
func TestByteProgress(t *testing.T) {
	tests := []struct {
		name     string
		terminal bool
		writesAt []time.Duration // one 1 MB write at each
		want     []string        // what stderr holds, in order
		lines    int             // reports, as counted by their "/s"
	}{
		{"short run, log", false, []time.Duration{0, 300 * time.Millisecond, 900 * time.Millisecond}, nil, 0},
		{"short run, terminal", true, []time.Duration{0, 900 * time.Millisecond}, nil, 0},
		{"log, once a second at most", false,
			[]time.Duration{0, 1000 * time.Millisecond, 1500 * time.Millisecond, 2100 * time.Millisecond, 2200 * time.Millisecond},
			[]string{"1.91 MiB of ~9.54 MiB  1.91 MiB/s  4s left\n", "3.81 MiB of ~", "left\n", "4.77 MiB  2.07 MiB/s\n"}, 3},
		{"terminal rewrites and clears", true,
			[]time.Duration{0, 1000 * time.Millisecond, 2000 * time.Millisecond},
			[]string{"\r\033[K1.91 MiB of ~", "\r\033[K2.86 MiB of ~", "left\r\033[K"}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var sink, stderr bytes.Buffer
			start := time.Unix(1000, 0)
			now := start
			p := newByteProgress(&sink, &stderr, 10e6, tt.terminal)
			p.now = func() time.Time { return now }
			p.start, p.last = start, start
			chunk := make([]byte, 1e6)
			for _, at := range tt.writesAt {
				now = start.Add(at)
				if n, err := p.Write(chunk); n != len(chunk) || err != nil {
					t.Fatalf("Write = %d, %v", n, err)
				}
			}
			now = now.Add(100 * time.Millisecond)
			p.finish()
			if sink.Len() != len(tt.writesAt)*len(chunk) {
				t.Errorf("passed %d bytes, want %d", sink.Len(), len(tt.writesAt)*len(chunk))
			}
			got := stderr.String()
			if tt.want == nil && got != "" {
				t.Fatalf("stderr = %q, want nothing", got)
			}
			rest := got
			for _, w := range tt.want {
				i := strings.Index(rest, w)
				if i < 0 {
					t.Fatalf("stderr = %q: no %q (in order)", got, w)
				}
				rest = rest[i+len(w):]
			}
			if n := strings.Count(got, "/s"); n != tt.lines {
				t.Errorf("%d reports in %q, want %d", n, got, tt.lines)
			}
		})
	}
}

func TestProgressBytesText(t *testing.T) {
	tests := []struct {
		n        int64
		expected float64
		elapsed  time.Duration
		want     string
	}{
		{200 << 20, 1000 << 20, 2 * time.Second, "200 MiB of ~1000 MiB  100 MiB/s  8s left"},
		{2 << 30, 1 << 30, 10 * time.Second, "2 GiB  205 MiB/s"}, // past the estimate: no total, no time left
		{5 << 20, 0, time.Second, "5 MiB  5 MiB/s"},              // no estimate
		{0, 1 << 30, 0, "0 B of ~1 GiB"},                         // no time yet: no rate
	}
	for _, tt := range tests {
		if got := progressBytesText(tt.n, tt.expected, tt.elapsed); got != tt.want {
			t.Errorf("progressBytesText(%d, %g, %s) = %q, want %q", tt.n, tt.expected, tt.elapsed, got, tt.want)
		}
	}
}

// TestDataFastaProgress: --progress reports on stderr when it is not a
// terminal, without changing a byte of the FASTA; without it, or with
// --quiet, stderr holds no report.
func TestDataFastaProgress(t *testing.T) {
	dir := t.TempDir()
	size := []string{"data", "fasta", "--sequences", "3000", "--min-len", "1000", "--max-len", "1000", "--seed", "5"}
	tests := []struct {
		name    string
		flags   []string
		reports bool
	}{
		{"asked", []string{"--progress", "--progress-interval", "1ms"}, true},
		{"not asked, not a terminal", []string{"--progress-interval", "1ms"}, false},
		{"asked but quiet", []string{"--progress", "--progress-interval", "1ms", "--quiet"}, false},
	}
	var sums [][32]byte
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := filepath.Join(dir, tt.name+".fa")
			r := benchctl(t, append(append(append([]string{}, size...), "-o", out), tt.flags...)...)
			if r.code != 0 {
				t.Fatalf("exit %d: %s", r.code, r.stderr)
			}
			if got := strings.Contains(r.stderr, "iB/s"); got != tt.reports {
				t.Errorf("stderr %q: reports %v, want %v", r.stderr, got, tt.reports)
			}
			data, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			sums = append(sums, sha256.Sum256(data))
			if i > 0 && sums[i] != sums[0] {
				t.Error("the FASTA differs from the first run's")
			}
		})
	}
}
