package sim

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/benchctl/benchctl/result"
)

// TestProcFileNotRegular: a proc file that is a link (to /dev/zero, or to a
// good file) or a named pipe is an error naming it, read without following
// the link and without waiting on the pipe; the other files still count.
func TestProcFileNotRegular(t *testing.T) {
	tests := []struct {
		name string
		make func(t *testing.T, path string)
	}{
		{"a link to /dev/zero", func(t *testing.T, path string) { must(t, os.Symlink("/dev/zero", path)) }},
		{"a named pipe", func(t *testing.T, path string) { must(t, syscall.Mkfifo(path, 0o644)) }},
		{"a link to a good file", func(t *testing.T, path string) {
			good := path + ".real"
			must(t, os.WriteFile(good, []byte(`{"gpus":{"0":{"used":5}}}`), 0o644))
			must(t, os.Symlink(good, path))
		}},
		{"a file of two megabytes", func(t *testing.T, path string) {
			must(t, os.WriteFile(path, []byte(`{"pid":1,"x":"`+strings.Repeat("x", 2<<20)+`"}`), 0o644))
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := open(t, Config{GPUs: 1})
			bad := sleeper(t).Process.Pid
			tt.make(t, filepath.Join(b.Dir(), procName(bad)))
			good := sleeper(t).Process.Pid
			writeProc(t, b.Dir(), good, `{"gpus":{"0":{"used":1024,"util":5}}}`)
			done := make(chan struct{})
			var errs []error
			var used uint64
			go func() {
				defer close(done)
				snap, err := b.Sample()
				if err != nil {
					errs = []error{err}
					return
				}
				errs, used = snap.Errors, sampleOf(t, snap, 0).MemUsed
			}()
			select {
			case <-done:
			case <-time.After(20 * time.Second):
				t.Fatal("Sample blocked on the proc file")
			}
			if len(errs) != 1 || !errors.Is(errs[0], ErrCorrupt) || !strings.Contains(errs[0].Error(), procName(bad)) {
				t.Fatalf("errors %v, want one ErrCorrupt naming %s", errs, procName(bad))
			}
			if used != 1024 {
				t.Errorf("the good file is not counted: used %d", used)
			}
		})
	}
}

// TestEventsLineOverLimit: an events line longer than a pass reads (1 MiB)
// is skipped with a sample_error saying so, and the events after it are
// delivered.
func TestEventsLineOverLimit(t *testing.T) {
	b := open(t, Config{GPUs: 1})
	b.pollEvery = time.Millisecond
	path := filepath.Join(b.Dir(), eventsFile)
	long := `{"gpu":0,"kind":"xid","message":"` + strings.Repeat("x", 3*maxEventRead/2) + `"}` + "\n"
	must(t, os.WriteFile(path, []byte(long+`{"gpu":0,"kind":"xid","data":79}`+"\n"), 0o644))
	ch := make(chan result.Event, 4)
	stop := watch(t, b, ch)
	defer stop()
	var got []result.Event
	for len(got) < 2 {
		select {
		case ev := <-ch:
			got = append(got, ev)
		case <-time.After(20 * time.Second):
			t.Fatalf("events after the long line were not delivered: %+v", got)
		}
	}
	if got[0].Kind != "sample_error" || !strings.Contains(got[0].Message, "skipped") {
		t.Errorf("first event %+v, want a sample_error saying the line was skipped", got[0])
	}
	if got[1].Kind != "xid" || got[1].Data != 79 {
		t.Errorf("second event %+v, want the xid 79 after the long line", got[1])
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
