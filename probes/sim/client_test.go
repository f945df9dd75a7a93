package sim

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

func readDoc(t *testing.T, dir string, pid int) procDoc {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, procName(pid)))
	if err != nil {
		t.Fatal(err)
	}
	var doc procDoc
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	return doc
}

func TestProcSetPeakClose(t *testing.T) {
	b := open(t, Config{GPUs: 2})
	p, err := Attach(b.Dir())
	if err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		gpu  int
		used uint64
	}{{0, 3 * gib}, {0, gib}, {1, 2 * gib}, {0, 2 * gib}}
	for _, s := range steps {
		if err := p.Set(s.gpu, s.used, 50, 10); err != nil {
			t.Fatal(err)
		}
	}
	doc := readDoc(t, b.Dir(), os.Getpid())
	if doc.PID != os.Getpid() || doc.GPUs["0"].Used != 2*gib || doc.GPUs["1"].Used != 2*gib ||
		doc.Peak["0"] != 3*gib || doc.Peak["1"] != 2*gib {
		t.Errorf("after sets: %+v", doc)
	}
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	doc = readDoc(t, b.Dir(), os.Getpid())
	if doc.GPUs["0"] != (usage{}) || doc.GPUs["1"] != (usage{}) || doc.Peak["0"] != 3*gib {
		t.Errorf("after close: %+v", doc)
	}
	if snap, _ := b.Sample(); snap.GPUs[0].MemUsed != 0 {
		t.Errorf("closed process still counted: %+v", snap.GPUs[0])
	}
	if err := p.Set(0, 1, 0, 0); !errors.Is(err, ErrClosed) {
		t.Errorf("Set after Close: %v, want ErrClosed", err)
	}
	if err := p.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

func TestProcErrors(t *testing.T) {
	b := open(t, Config{GPUs: 2})
	p, err := Attach(b.Dir())
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		call func() error
		want error
	}{
		{"set unknown gpu", func() error { return p.Set(2, 1, 0, 0) }, ErrUnknownGPU},
		{"event unknown gpu", func() error { return p.Event(-1, "xid", 1, "") }, ErrUnknownGPU},
		{"negative util", func() error { return p.Set(0, 1, -1, 0) }, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call()
			if err == nil || (tt.want != nil && !errors.Is(err, tt.want)) {
				t.Errorf("err = %v, want %v", err, tt.want)
			}
		})
	}
	if _, err := os.Stat(filepath.Join(b.Dir(), procName(os.Getpid()))); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("failed calls wrote a proc file: %v", err)
	}
	if _, err := Attach(t.TempDir()); err == nil {
		t.Error("Attach succeeded without gpus.json")
	}
}

func TestFromEnv(t *testing.T) {
	t.Run("unset", func(t *testing.T) {
		t.Setenv(EnvDir, "")
		p, err := FromEnv()
		if p != nil || err != nil {
			t.Fatalf("FromEnv() = %v, %v; want nil, nil", p, err)
		}
		// A nil Proc is usable and does nothing.
		if err := errors.Join(p.Set(0, 1, 1, 1), p.Event(0, "xid", 1, ""), p.Close()); err != nil {
			t.Errorf("nil Proc: %v", err)
		}
	})
	t.Run("set", func(t *testing.T) {
		b := open(t, Config{GPUs: 1})
		t.Setenv(EnvDir, b.Dir())
		p, err := FromEnv()
		if err != nil || p == nil || p.Dir() != b.Dir() || len(p.GPUs()) != 1 {
			t.Fatalf("FromEnv() = %v, %v", p, err)
		}
	})
}

func TestVisible(t *testing.T) {
	b := open(t, Config{GPUs: 4})
	p, err := Attach(b.Dir())
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		env     *string
		want    []int
		wantErr bool
	}{
		{"unset", nil, []int{0, 1, 2, 3}, false},
		{"empty", ptr(""), nil, false},
		{"indexes", ptr("2,0"), []int{2, 0}, false},
		{"uuids", ptr(uuidFor(3) + "," + uuidFor(1)[:10]), []int{3, 1}, false},
		{"unknown", ptr("0,9"), nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.env == nil {
				t.Setenv("CUDA_VISIBLE_DEVICES", "")
				os.Unsetenv("CUDA_VISIBLE_DEVICES")
			} else {
				t.Setenv("CUDA_VISIBLE_DEVICES", *tt.env)
			}
			got, err := p.Visible()
			if (err != nil) != tt.wantErr || !slices.Equal(got, tt.want) {
				t.Errorf("Visible() = %v, %v; want %v (error %v)", got, err, tt.want, tt.wantErr)
			}
		})
	}
}

func ptr(s string) *string { return &s }

func TestMemoryTotal(t *testing.T) {
	b := open(t, Config{GPUs: 2, Memory: 24 * gib})
	tests := []struct {
		name    string
		dir     string
		gpu     int
		want    uint64
		wantErr error
	}{
		{"gpu 1", b.Dir(), 1, 24 * gib, nil},
		{"unknown gpu", b.Dir(), 2, 0, ErrUnknownGPU},
		{"no gpus.json", t.TempDir(), 0, 0, os.ErrNotExist},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := MemoryTotal(tt.dir, tt.gpu)
			if got != tt.want || !errors.Is(err, tt.wantErr) {
				t.Errorf("MemoryTotal = %d, %v; want %d, %v", got, err, tt.want, tt.wantErr)
			}
		})
	}
}
