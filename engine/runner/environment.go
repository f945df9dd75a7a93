package runner

import (
	"bufio"
	"os"
	goruntime "runtime"
	"strings"

	"github.com/benchctl/benchctl/probes"
	"github.com/benchctl/benchctl/result"
)

// Environment describes this machine and the GPUs the backend sees.
func Environment(version string, b probes.Backend) result.Environment {
	host, _ := os.Hostname()
	env := result.Environment{
		Hostname: host, OS: goruntime.GOOS, Arch: goruntime.GOARCH, CPUs: goruntime.NumCPU(),
		GoVersion: goruntime.Version(), Version: version, GPUBackend: b.Name(), GPUs: b.Devices(),
	}
	if data, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		env.Kernel = strings.TrimSpace(string(data))
	}
	env.CPUModel = procField("/proc/cpuinfo", "model name")
	if mem := procField("/proc/meminfo", "MemTotal"); mem != "" {
		var kb uint64
		for _, r := range mem {
			if r >= '0' && r <= '9' {
				kb = kb*10 + uint64(r-'0')
			}
		}
		env.MemoryMB = kb / 1024
	}
	if nb, ok := b.(*probes.NoneBackend); ok {
		env.GPUNote = nb.Reason
	}
	return env
}

func procField(path, key string) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if ok && strings.TrimSpace(k) == key {
			return strings.TrimSpace(v)
		}
	}
	return ""
}
