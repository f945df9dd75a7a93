package capread

import (
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

func TestReadFile(t *testing.T) {
	dir := t.TempDir()
	small := filepath.Join(dir, "small")
	os.WriteFile(small, []byte("hello"), 0o644)
	link := filepath.Join(dir, "zero")
	os.Symlink("/dev/zero", link)
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, path string
		want       string
		tooLarge   bool
	}{
		{"a small file", small, "hello", false},
		{"a link to /dev/zero", link, "", true},
		{"a named pipe without a writer", fifo, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			done := make(chan struct{})
			var data []byte
			var err error
			go func() { data, err = ReadFile(tt.path, 1<<20); close(done) }()
			select {
			case <-done:
			case <-time.After(20 * time.Second):
				t.Fatal("ReadFile blocked")
			}
			if errors.Is(err, ErrTooLarge) != tt.tooLarge {
				t.Fatalf("error %v, want too large %v", err, tt.tooLarge)
			}
			if !tt.tooLarge && (err != nil || string(data) != tt.want) {
				t.Errorf("read %q, %v; want %q", data, err, tt.want)
			}
		})
	}
}
