package pipeline

import (
	"errors"
	"io"
	"os"
	"testing"
	"time"
)

// TestPipeReader: the pipe reads what was written, ends with io.EOF when
// its writer closes and with os.ErrClosed when closed while a Read waits
// (a daemon holding the pipeline's output must not hold benchctl).
func TestPipeReader(t *testing.T) {
	tests := []struct {
		name string
		end  func(p *pipeReader, w *os.File)
		want error
	}{
		{"writer closes", func(_ *pipeReader, w *os.File) { w.Close() }, io.EOF},
		{"closed while waiting", func(p *pipeReader, _ *os.File) { p.Close() }, os.ErrClosed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, w, err := newPipe()
			if err != nil {
				t.Fatal(err)
			}
			defer w.Close()
			defer p.Close()
			if _, err := w.Write([]byte("a line\n")); err != nil {
				t.Fatal(err)
			}
			buf := make([]byte, 64)
			if n, err := p.Read(buf); err != nil || string(buf[:n]) != "a line\n" {
				t.Fatalf("read %q, %v", buf[:n], err)
			}
			got := make(chan error, 1)
			go func() {
				_, err := p.Read(buf) // waits in poll: the pipe is empty
				got <- err
			}()
			time.Sleep(50 * time.Millisecond)
			tt.end(p, w)
			select {
			case err := <-got:
				if !errors.Is(err, tt.want) {
					t.Errorf("read ended with %v, want %v", err, tt.want)
				}
			case <-time.After(10 * time.Second):
				t.Fatal("the waiting Read did not end")
			}
			if _, err := p.Read(buf); err == nil {
				t.Error("a read after the end succeeded")
			}
		})
	}
}
