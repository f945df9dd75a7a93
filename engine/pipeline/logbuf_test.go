package pipeline

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// TestLogCut: a log that cannot be written whole (a full disk) is reported,
// naming the stream, while every line still reaches the tail; a log that
// can is whole, buffered writes included.
func TestLogCut(t *testing.T) {
	lines := strings.Repeat("a short line of output\n", 50000)
	tests := []struct {
		name    string
		open    func(t *testing.T) *os.File
		wantCut bool
	}{
		{"a full disk", func(t *testing.T) *os.File {
			f, err := os.OpenFile("/dev/full", os.O_WRONLY, 0)
			if err != nil {
				t.Skipf("no /dev/full: %v", err)
			}
			return f
		}, true},
		{"a file", func(t *testing.T) *os.File {
			f, err := os.Create(filepath.Join(t.TempDir(), "log"))
			if err != nil {
				t.Fatal(err)
			}
			return f
		}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := tt.open(t)
			defer f.Close()
			n := 0
			s := testStream(strings.NewReader(lines), func(string, []byte, time.Duration) { n++ })
			err := pumpToLog(s, f)
			if n != 50000 {
				t.Errorf("%d lines seen, want 50000", n)
			}
			if tt.wantCut {
				if err == nil || !strings.Contains(err.Error(), "the stdout log was cut") || !errors.Is(err, syscall.ENOSPC) {
					t.Fatalf("error %v, want the stdout log cut by ENOSPC", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			data, _ := os.ReadFile(f.Name())
			if !bytes.Equal(data, []byte(lines)) {
				t.Errorf("the log holds %d bytes, want %d", len(data), len(lines))
			}
		})
	}
}

// testStream is a stream of r with no echo, a tail of 5 lines, every line
// given to line.
func testStream(r io.Reader, line func(string, []byte, time.Duration)) *stream {
	return &stream{name: "stdout", r: r, tail: newTail(5), lines: &lineMatcher{everyLine: true, line: line},
		start: time.Now(), stop: new(atomic.Bool)}
}

// TestLogFlushedWhileRunning: a line of a pipeline that is still running
// reaches its log within logFlushEvery, not only at the end.
func TestLogFlushedWhileRunning(t *testing.T) {
	path := filepath.Join(t.TempDir(), "log")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	lb := newLogBuffer(f)
	defer lb.Close()
	lb.Write([]byte("one line\n"))
	for deadline := time.Now().Add(10 * logFlushEvery); ; time.Sleep(20 * time.Millisecond) {
		if data, _ := os.ReadFile(path); string(data) == "one line\n" {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("the line did not reach the log while the buffer stayed open")
		}
	}
}

// shortLinesPrograms print 2,000,000 short lines on stdout: seq, and Python
// writing line by line (block-buffered into a pipe, and unbuffered, as
// pipelines run with PYTHONUNBUFFERED=1 do: one write a line).
var shortLinesPrograms = []struct {
	name string
	argv []string
	env  []string
}{
	{"seq", []string{"seq", "2000000"}, nil},
	{"python", []string{"python3", "-c", pyLines}, nil},
	{"python-unbuffered", []string{"python3", "-c", pyLines}, []string{"PYTHONUNBUFFERED=1"}},
}

const pyLines = "import sys\nw = sys.stdout.write\nfor i in range(2000000): w('line %d\\n' % i)"

// BenchmarkShortLines runs each program bare (its output to /dev/null, the
// cheapest place it can go), into a pipe drained by a plain reader (what any
// capture costs), and under Run (log file, tail, OOM and a stage marker),
// in turn within each iteration, the order rotating, so that the machine's
// load falls on all three alike. It reports the wall seconds of each, the
// ratios run/bare and run/pipe, and the CPU seconds of this process (the
// reading) for the pipe and for Run:
//
//	go test -run '^$' -bench ShortLines -benchtime 5x ./engine/pipeline
func BenchmarkShortLines(b *testing.B) {
	for _, p := range shortLinesPrograms {
		b.Run(p.name, func(b *testing.B) {
			if _, err := exec.LookPath(p.argv[0]); err != nil {
				b.Skip(err)
			}
			markers, err := NewMarkers(map[string]string{"done": "^All done"})
			if err != nil {
				b.Fatal(err)
			}
			dir := b.TempDir()
			modes := []func(b *testing.B) time.Duration{
				func(b *testing.B) time.Duration { return timeBare(b, p.argv, p.env, false) },
				func(b *testing.B) time.Duration { return timeBare(b, p.argv, p.env, true) },
				func(b *testing.B) time.Duration {
					start := time.Now()
					run := Run(context.Background(), Spec{Argv: p.argv, Env: p.env, Grace: time.Second, LogDir: dir, Name: "lines", Markers: markers})
					if run.Error != "" || run.ExitCode != 0 {
						b.Fatalf("%s: %s", run.Class, run.Error)
					}
					return time.Since(start)
				},
			}
			var sum, cpu [3]time.Duration
			n := 0
			for b.Loop() {
				for k := range modes {
					i := (k + n) % len(modes)
					before := selfCPU()
					sum[i] += modes[i](b)
					cpu[i] += selfCPU() - before
				}
				n++
			}
			b.ReportMetric(cpu[1].Seconds()/float64(n), "pipe-cpu-s")
			b.ReportMetric(cpu[2].Seconds()/float64(n), "run-cpu-s")
			b.ReportMetric(sum[0].Seconds()/float64(n), "bare-s")
			b.ReportMetric(sum[1].Seconds()/float64(n), "pipe-s")
			b.ReportMetric(sum[2].Seconds()/float64(n), "run-s")
			b.ReportMetric(sum[2].Seconds()/sum[0].Seconds(), "run/bare")
			b.ReportMetric(sum[2].Seconds()/sum[1].Seconds(), "run/pipe")
		})
	}
}

// selfCPU is the CPU time this process has used, user and system: in the
// benchmark, what reading the output costs.
func selfCPU() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// timeBare times argv with its output to /dev/null, or to a pipe that a
// goroutine drains.
func timeBare(b *testing.B, argv, env []string, pipe bool) time.Duration {
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = append(os.Environ(), env...)
	var drained chan struct{}
	if pipe {
		r, w, err := os.Pipe()
		if err != nil {
			b.Fatal(err)
		}
		cmd.Stdout = w
		drained = make(chan struct{})
		go func() { io.Copy(io.Discard, r); r.Close(); close(drained) }()
		defer w.Close()
	}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	if pipe {
		cmd.Stdout.(*os.File).Close()
	}
	if err := cmd.Wait(); err != nil {
		b.Fatal(err)
	}
	if pipe {
		<-drained
	}
	return time.Since(start)
}
