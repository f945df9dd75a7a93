// Command benchctl validates the performance and memory behaviour of GPU
// pipelines with Lua scenarios. See README.md for the commands and exit codes.
package main

import (
	"errors"
	"fmt"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"

	"github.com/urfave/cli/v2"

	// Enters the supervisor, when asked, before the heavy packages initialize.
	_ "github.com/benchctl/benchctl/cmd/benchctl/internal/supervise"
	"github.com/benchctl/benchctl/engine/pipeline"
	"github.com/benchctl/benchctl/internal/selfcost"
	_ "github.com/benchctl/benchctl/probes/all"
	"github.com/benchctl/benchctl/proctree"
	"github.com/benchctl/benchctl/proctree/supervisor"
	_ "github.com/benchctl/benchctl/reporters/all"
)

// Exit codes, as documented in the README.
const (
	exitOK          = 0
	exitFailed      = 1   // a test failed or errored
	exitUsage       = 2   // bad usage, a bad scenario or an unwritable output
	exitHistory     = 3   // the run's reports are written but the history could not record it
	exitHangup      = 129 // SIGHUP: the terminal or SSH session went away
	exitInterrupted = 130 // SIGINT
	exitTerminated  = 143 // SIGTERM
)

// version is set at build time with -ldflags "-X main.version=..."; otherwise
// the VCS revision from the build info is used.
var version = ""

func benchctlVersion() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 12 {
				return "dev-" + s.Value[:12]
			}
		}
	}
	return "dev"
}

// exitError carries an exit code through urfave/cli.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string {
	if e.err == nil {
		return ""
	}
	return e.err.Error()
}

func usageError(format string, args ...any) error {
	return &exitError{code: exitUsage, err: fmt.Errorf(format, args...)}
}

func main() {
	cli.FlagStringer = flagString(cli.FlagStringer)
	if supervisor.Requested() {
		supervisor.Main() // benchctl re-executed between itself and a pipeline
	}
	_ = proctree.EnableSubreaper()
	pipeline.UseSupervisor(selfExe())
	// A closed stdout or stderr (benchctl run ... | head -1) makes a write
	// fail with EPIPE instead of killing benchctl by SIGPIPE mid-run: the
	// run goes on and its reports are finished. A handler, unlike an
	// ignored signal, is not inherited by the pipelines benchctl starts.
	signal.Notify(make(chan os.Signal, 1), syscall.SIGPIPE)
	app := &cli.App{
		Name:            "benchctl",
		Usage:           "prove that a GPU pipeline is fast enough, does not leak and survives its OOMs",
		Version:         benchctlVersion(),
		HideHelpCommand: true,
		// --var gpus=0,1 is one value: never split repeatable flags at commas.
		DisableSliceFlagSeparator: true,
		Commands:                  commands(),
		OnUsageError: func(c *cli.Context, err error, _ bool) error {
			return flagError(c, err)
		},
		ExitErrHandler: func(*cli.Context, error) {},
	}
	args, err := prepareArgs(app.Commands, os.Args)
	if err != nil {
		os.Exit(exitCode(err))
	}
	code := exitCode(app.Run(args))
	if code == exitUsage {
		removeMadeDirs()
	}
	selfcost.Report()
	os.Exit(code)
}

// selfExe is how benchctl re-executes itself as the supervisor:
// /proc/self/exe runs this binary even if its file has been replaced or
// removed since it started.
func selfExe() string {
	if _, err := os.Stat("/proc/self/exe"); err == nil {
		return "/proc/self/exe"
	}
	exe, _ := os.Executable()
	return exe
}

// commands lists every command. Each takes the logging flags and answers a bad
// flag with one line and exit 2, not a help page.
func commands() []*cli.Command {
	cmds := []*cli.Command{
		runCommand(), listCommand(), checkCommand(), dataCommand(),
		gpusCommand(), monitorCommand(), reportCommand(),
		compareCommand(), mergeCommand(), slurmCommand(), historyCommand(),
		versionCommand(),
	}
	var setup func([]*cli.Command)
	setup = func(cs []*cli.Command) {
		for _, c := range cs {
			c.Flags = append(c.Flags, logFlags()...)
			c.OnUsageError = func(c *cli.Context, err error, _ bool) error {
				return flagError(c, err)
			}
			setup(c.Subcommands)
		}
	}
	setup(cmds)
	addHelp(cmds)
	return cmds
}

func exitCode(err error) int {
	if err == nil {
		return exitOK
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.err != nil && ee.err.Error() != "" {
			fmt.Fprintln(os.Stderr, "benchctl: "+ee.err.Error())
		}
		return ee.code
	}
	// urfave/cli's own errors (unknown flag, missing argument) are usage errors.
	fmt.Fprintln(os.Stderr, "benchctl: "+err.Error())
	return exitUsage
}
