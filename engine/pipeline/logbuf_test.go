package pipeline

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
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
			err := pumpToLog(strings.NewReader(lines), f, "stdout", func(string) { n++ })
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

// shortLines is the benchmark's pipeline: 2,000,000 short lines on stdout.
var shortLines = []string{"seq", "2000000"}

// BenchmarkShortLines compares a pipeline printing 2,000,000 short lines run
// bare (its output to /dev/null) with the same under Run (every line to the
// tail, the stage matcher and the log file). Compare the ns/op of the two:
//
//	go test -run '^$' -bench ShortLines -count 5 ./engine/pipeline
func BenchmarkShortLines(b *testing.B) {
	if _, err := exec.LookPath(shortLines[0]); err != nil {
		b.Skip(err)
	}
	b.Run("bare", func(b *testing.B) {
		for b.Loop() {
			if err := exec.Command(shortLines[0], shortLines[1:]...).Run(); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("benchctl", func(b *testing.B) {
		dir := b.TempDir()
		for b.Loop() {
			run := Run(context.Background(), Spec{Argv: shortLines, Grace: time.Second, LogDir: dir, Name: "lines"})
			if run.Error != "" || run.ExitCode != 0 {
				b.Fatalf("%s: %s", run.Class, run.Error)
			}
		}
	})
}
