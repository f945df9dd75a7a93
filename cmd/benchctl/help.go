package main

import (
	"regexp"
	"strings"

	"github.com/urfave/cli/v2"
)

// commandHelp is what each command's --help adds after its flags: examples
// and exit codes. Commands with subcommands show theirs on the subcommands.
var commandHelp = map[string]struct{ examples, exits string }{
	"run": {
		examples: `benchctl run scenarios/*.lua --out junit=reports/junit.xml --out html=reports/report.html
benchctl run --var pipeline="python -m virnucpro" --var preset=quick scenarios/memory_stability.lua
benchctl run --resume reports/20250301-100000`,
		exits: `0 every test passed or was skipped; 1 a test failed or errored; 2 bad usage, a scenario that
does not load, --tags selecting no test, an unknown --var, an unwritable output; 3 the history
could not record the run; 130 SIGINT; 143 SIGTERM`,
	},
	"list":  {examples: "benchctl list scenarios/*.lua", exits: "0 every scenario loads; 2 one does not (file:line: message)"},
	"check": {examples: "benchctl check scenarios/*.lua", exits: "0 every scenario loads; 2 one does not (file:line: message)"},
	"gpus":  {examples: "benchctl gpus\nbenchctl gpus --gpu-backend sim --sim-gpus 8", exits: "0 GPUs seen; 1 none (the reason is printed); 2 bad usage"},
	"monitor": {
		examples: "benchctl monitor -- ./my_pipeline --flag\nbenchctl monitor --interval 100ms --out json=m.json -- python train.py",
		exits:    "the command's own exit code (128+N when killed by signal N), like time(1); 126 not executable;\n127 not found; 2 bad usage; 3 the history could not record the run",
	},
	"report": {
		examples: "benchctl report reports/latest/results.json\nbenchctl report reports/latest/results.json --out html=report.html --out csv=metrics.csv",
		exits:    "0 written; 2 bad usage, a file that is not a benchctl result, an unwritable output",
	},
	"compare": {
		examples: "benchctl compare base/results.json new/results.json --threshold 5% --out markdown=cmp.md",
		exits:    "0 no regression; 1 a metric or test regressed; 2 bad usage or unreadable input",
	},
	"merge":   {examples: "benchctl merge --out html=all.html node1/ node2/", exits: "0 merged, every test passed; 1 a test failed or a task did not end well; 2 bad usage"},
	"version": {examples: "benchctl version", exits: "0"},
}

// addHelp appends examples and exit codes to the help of each command that
// has them.
func addHelp(cmds []*cli.Command) {
	for _, c := range cmds {
		h, ok := commandHelp[c.Name]
		if !ok {
			continue
		}
		extra := "\nEXAMPLES:\n" + indent(h.examples) + "\nEXIT CODES:\n" + indent(h.exits)
		c.CustomHelpTemplate = cli.CommandHelpTemplate + extra
	}
}

func indent(s string) string {
	return "   " + strings.ReplaceAll(s, "\n", "\n   ") + "\n"
}

// repeatSuffix is urfave/cli's " [ --out value, -o value ]" after a
// repeatable flag: the same spellings again.
var repeatSuffix = regexp.MustCompile(` \[ -[^\]\t]*\]`)

// flagString writes a flag for --help with each spelling once; a
// repeatable flag says so in its usage.
func flagString(next cli.FlagStringFunc) cli.FlagStringFunc {
	return func(f cli.Flag) string {
		return repeatSuffix.ReplaceAllString(next(f), "")
	}
}
