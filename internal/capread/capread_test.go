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

func TestReadRegular(t *testing.T) {
	dir := t.TempDir()
	small := filepath.Join(dir, "small")
	os.WriteFile(small, []byte("hello"), 0o644)
	big := filepath.Join(dir, "big")
	os.WriteFile(big, make([]byte, 2<<20), 0o644)
	link := filepath.Join(dir, "zero")
	os.Symlink("/dev/zero", link)
	linkToSmall := filepath.Join(dir, "link")
	os.Symlink(small, linkToSmall)
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, path string
		want       error
	}{
		{"a small file", small, nil},
		{"a file over the limit", big, ErrTooLarge},
		{"a link to /dev/zero", link, ErrNotRegular},
		{"a link to a file", linkToSmall, ErrNotRegular},
		{"a named pipe", fifo, ErrNotRegular},
		{"/dev/zero", "/dev/zero", ErrNotRegular},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data, err := ReadRegular(tt.path, 1<<20)
			if tt.want == nil {
				if err != nil || string(data) != "hello" {
					t.Fatalf("read %q, %v", data, err)
				}
				return
			}
			if !errors.Is(err, tt.want) {
				t.Fatalf("error %v, want %v", err, tt.want)
			}
		})
	}
}
