package main

import (
	"fmt"
	"io"
	"runtime"
	"runtime/debug"

	"github.com/urfave/cli/v2"

	"github.com/benchctl/benchctl/probes"
)

const nvmlModule = "github.com/NVIDIA/go-nvml"

// commit is set at build time with -ldflags "-X main.commit=..."; otherwise
// the VCS revision from the build info is used.
var commit = ""

func versionCommand() *cli.Command {
	return &cli.Command{
		Name:      "version",
		Usage:     "print benchctl's version, commit, Go and go-nvml versions and the NVIDIA driver when one is present",
		UsageText: "benchctl version",
		Action: func(c *cli.Context) error {
			printVersion(c.App.Writer, nvmlDriver())
			return nil
		},
	}
}

// buildInfo is what the binary knows of its own build.
type buildInfo struct {
	Version, Commit, Go, NVML string
}

func readBuildInfo() buildInfo {
	b := buildInfo{Version: benchctlVersion(), Commit: "unknown", Go: runtime.Version(), NVML: "not linked"}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return b
	}
	dirty := false
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			b.Commit = s.Value
		case "vcs.modified":
			dirty = s.Value == "true"
		}
	}
	if commit != "" {
		b.Commit, dirty = commit, false
	}
	if dirty {
		b.Commit += " (modified)"
	}
	for _, d := range bi.Deps {
		if d.Path == nvmlModule {
			b.NVML = d.Version
		}
	}
	return b
}

// nvmlDriver is the NVIDIA driver's version as NVML reports it, or why
// there is none.
func nvmlDriver() string {
	b, err := probes.Open("nvml", probes.Config{Flags: map[string]string{}})
	if err != nil {
		return "none (" + err.Error() + ")"
	}
	defer b.Close()
	for _, d := range b.Devices() {
		if d.Driver != "" {
			return d.Driver
		}
	}
	if nb, ok := b.(*probes.NoneBackend); ok {
		return "none (" + nb.Reason + ")"
	}
	return "none (no GPU seen)"
}

func printVersion(w io.Writer, driver string) {
	b := readBuildInfo()
	fmt.Fprintf(w, "benchctl %s\n", b.Version)
	fmt.Fprintf(w, "commit:         %s\n", b.Commit)
	fmt.Fprintf(w, "go:             %s\n", b.Go)
	fmt.Fprintf(w, "go-nvml:        %s\n", b.NVML)
	fmt.Fprintf(w, "nvidia driver:  %s\n", driver)
}
