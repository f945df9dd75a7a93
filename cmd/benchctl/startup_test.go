package main

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestSupervisorSkipsHeavyInit checks that the supervisor, which runs between
// benchctl and every pipeline, execs before the packages benchctl needs and
// it does not (the Lua engine, SQLite, the HTML report, the CLI) initialize:
// package internal/supervise enters it first. benchctl itself, the control,
// initializes them all.
func TestSupervisorSkipsHeavyInit(t *testing.T) {
	heavy := []string{
		"github.com/yuin/gopher-lua", "modernc.org/sqlite", "github.com/benchctl/benchctl/engine",
		"github.com/benchctl/benchctl/reporters/html", "github.com/urfave/cli/v2", "main",
	}
	tests := []struct {
		name      string
		args      []string
		wantHeavy bool
	}{
		{"supervisor", []string{"__benchctl-supervise"}, false},
		{"benchctl itself", []string{"--version"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cmd := exec.Command(benchctlBin, tt.args...)
			cmd.Env = append(os.Environ(), "GODEBUG=inittrace=1")
			out, _ := cmd.CombinedOutput() // the supervisor without arguments exits 2
			inited := map[string]bool{}
			for l := range strings.Lines(string(out)) {
				if f := strings.Fields(l); len(f) > 1 && f[0] == "init" {
					inited[f[1]] = true
				}
			}
			if len(inited) == 0 {
				t.Fatalf("no init trace in the output:\n%s", out)
			}
			for _, p := range heavy {
				if inited[p] != tt.wantHeavy {
					t.Errorf("%s initialized: %v, want %v", p, inited[p], tt.wantHeavy)
				}
			}
		})
	}
}
