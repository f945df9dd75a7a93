package pipeline

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/benchctl/benchctl/result"
)

// TestSameNameKeepsBothLogs: two runs of one name into one log dir each
// keep their own logs; the second never replaces the first's.
func TestSameNameKeepsBothLogs(t *testing.T) {
	dir := t.TempDir()
	tests := []struct{ name, out string }{
		{"first", "from the first run"},
		{"second", "from the second run"},
		{"third", "from the third run"},
	}
	var runs []struct{ log, want string }
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			run := Run(context.Background(), Spec{Argv: []string{"sh", "-c", "echo " + tt.out + "; echo err " + tt.out + " >&2"}, LogDir: dir, Name: "same"})
			if run.Class != "ok" {
				t.Fatalf("class %s: %s", run.Class, run.Error)
			}
			runs = append(runs, struct{ log, want string }{run.StdoutLog, tt.out}, struct{ log, want string }{run.StderrLog, "err " + tt.out})
		})
	}
	seen := map[string]bool{}
	for _, r := range runs {
		if seen[r.log] {
			t.Errorf("log %s given to two runs", r.log)
		}
		seen[r.log] = true
		data, err := os.ReadFile(r.log)
		if err != nil || strings.TrimSpace(string(data)) != r.want {
			t.Errorf("log %s holds %q (%v), want %q", r.log, data, err, r.want)
		}
	}
}

// TestMatcherBehind: a Line hook far slower than the pipeline's output
// never holds the pipeline: the output is read to its end, the log and the
// tail are whole, the lines the matcher could not take (its queue is
// bounded) are counted, and every line is either seen or counted. Output
// that fits the queue is all seen, however slow the hook.
func TestMatcherBehind(t *testing.T) {
	if _, err := exec.LookPath("seq"); err != nil {
		t.Skip(err)
	}
	tests := []struct {
		name   string
		lines  int
		behind bool
	}{
		{"more than the queue holds", 3000000, true},
		{"within the queue", 20000, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want, err := exec.Command("seq", strconv.Itoa(tt.lines)).Output()
			if err != nil {
				t.Fatal(err)
			}
			if tt.behind != (len(want) > queueMax) {
				t.Fatalf("%d bytes of output against a queue of %d: the case does not test what it says", len(want), queueMax)
			}
			var seen atomic.Int64
			s := Spec{Argv: []string{"seq", strconv.Itoa(tt.lines)}, LogDir: t.TempDir(), Name: "seq", Grace: time.Second}
			s.Hooks.Line = func(string, string) {
				if seen.Add(1)%100 == 0 {
					time.Sleep(time.Millisecond)
				}
			}
			run := Run(context.Background(), s)
			if run.Class != result.ExitOK {
				t.Fatalf("class %s: %s", run.Class, run.Error)
			}
			if logged, _ := os.ReadFile(run.StdoutLog); !bytes.Equal(logged, want) {
				t.Errorf("the log holds %d bytes, want %d", len(logged), len(want))
			}
			if last := run.StdoutTail[len(run.StdoutTail)-1]; last != strconv.Itoa(tt.lines) {
				t.Errorf("tail ends with %q", last)
			}
			var skipped int64
			if m := regexp.MustCompile(`(\d+) output line\(s\) were not matched`).FindStringSubmatch(run.Error); m != nil {
				skipped, _ = strconv.ParseInt(m[1], 10, 64)
			}
			if (skipped > 0) != tt.behind {
				t.Errorf("lines not matched: %d (error %q), want some: %v", skipped, run.Error, tt.behind)
			}
			if got := seen.Load() + skipped; got != int64(tt.lines) {
				t.Errorf("%d lines seen + %d not matched = %d, want %d", seen.Load(), skipped, got, tt.lines)
			}
		})
	}
}

// TestQueueBound: the matcher's queue takes picked lines up to queueMax
// bytes and refuses more, so a stream's matching holds bounded memory.
func TestQueueBound(t *testing.T) {
	q := &queue{wake: make(chan struct{}, 1)}
	block := bytes.Repeat([]byte("a line\n"), 1<<14)
	pushed := 0
	for range 2 * queueMax / len(block) {
		if q.push(block, 0) {
			pushed += len(block)
		}
	}
	if pushed > queueMax || pushed < queueMax-len(block) || len(q.buf) != pushed {
		t.Fatalf("queue took %d bytes (holds %d), want up to %d", pushed, len(q.buf), queueMax)
	}
	buf, marks, closed := q.take(nil, nil)
	if closed || len(buf) != pushed || len(marks) != pushed/len(block) {
		t.Fatalf("take: %d bytes, %d marks, closed %v", len(buf), len(marks), closed)
	}
	if !q.push(block, 0) {
		t.Error("an emptied queue refused lines")
	}
	q.close()
	if _, _, closed := q.take(nil, nil); closed {
		t.Error("closed with lines left")
	}
	if _, _, closed := q.take(nil, nil); !closed {
		t.Error("not closed once empty")
	}
}
