package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
)

// usageErr is a usage error as click reports it: exit 2, and on stderr the
// command's usage line, where to get help, and "Error: ...".
type usageErr struct {
	cmd string // "" for the main group, "predict" for the subcommand
	msg string
}

func (e *usageErr) Error() string { return e.msg }

func printUsageErr(w io.Writer, e *usageErr) {
	usage, help := "Usage: fakepipe [OPTIONS] COMMAND [ARGS]...", "fakepipe --help"
	if e.cmd == "predict" {
		usage, help = "Usage: fakepipe predict [OPTIONS] INPUT_FILE", "fakepipe predict --help"
	}
	fmt.Fprintf(w, "%s\nTry '%s' for help.\n\nError: %s\n", usage, help, e.msg)
}

// noSuchOption is click's message for an option it does not know.
func noSuchOption(cmd, opt string) *usageErr {
	return &usageErr{cmd: cmd, msg: fmt.Sprintf("No such option '%s'.", opt)}
}

// globals are the options before the subcommand, as the fork's main group
// takes them: -v, -q, -l LOG, -c CONFIG.yaml. fakepipe's knobs may stand
// there too; they are handed to the subcommand.
type globals struct {
	verbose, quiet  bool
	logFile, config string
	knobArgs        []string
	perFile         int // prediction.sequences_per_file from -c; 0: not set
}

// predictFlags knows predict's options, to tell one given before the subcommand.
var predictFlags = newFlagSet(defaults())

// boolKnobs are the knobs that take no value.
var boolKnobs = map[string]bool{"ignore-sigterm": true, "bad-utf8": true}

// parseGlobals reads the arguments up to the subcommand, whose index it
// returns.
func parseGlobals(args []string) (*globals, int, error) {
	g := &globals{}
	isKnob := map[string]bool{}
	for _, k := range knobs {
		isKnob[k] = true
	}
	for i := 0; i < len(args); i++ {
		a := args[i]
		name, val, hasVal := strings.Cut(strings.TrimLeft(a, "-"), "=")
		value := func() (string, error) {
			if hasVal {
				return val, nil
			}
			if i+1 >= len(args) {
				return "", &usageErr{msg: fmt.Sprintf("Option '%s' requires an argument.", a)}
			}
			i++
			return args[i], nil
		}
		var err error
		switch {
		case a == "predict":
			return g, i, g.loadConfig()
		case !strings.HasPrefix(a, "-"):
			return nil, 0, &usageErr{msg: fmt.Sprintf("No such command '%s'.", a)}
		case a == "-v" || a == "--verbose":
			g.verbose = true
		case a == "-q" || a == "--quiet":
			g.quiet = true
		case a == "-l" || name == "log-file" && strings.HasPrefix(a, "--"):
			g.logFile, err = value()
		case a == "-c" || name == "config" && strings.HasPrefix(a, "--"):
			g.config, err = value()
		case strings.HasPrefix(a, "--") && isKnob[name]:
			g.knobArgs = append(g.knobArgs, a)
			if !hasVal && !boolKnobs[name] && i+1 < len(args) {
				i++
				g.knobArgs = append(g.knobArgs, args[i])
			}
		case predictFlags.Lookup(name) != nil && predictFlags.Lookup(name).Usage != "internal":
			// fakepipe's own leniency, not click's: a predict option given
			// before the subcommand (in a pipeline variable) goes after it.
			g.knobArgs = append(g.knobArgs, a)
			if bf, ok := predictFlags.Lookup(name).Value.(interface{ IsBoolFlag() bool }); !hasVal && !(ok && bf.IsBoolFlag()) && i+1 < len(args) {
				i++
				g.knobArgs = append(g.knobArgs, args[i])
			}
		default:
			return nil, 0, noSuchOption("", a)
		}
		if err != nil {
			return nil, 0, err
		}
	}
	return nil, 0, &usageErr{msg: "Missing command."}
}

// loadConfig checks -c as click.Path(exists=True) does, then reads the one
// key fakepipe uses, prediction.sequences_per_file. Like the fork, a
// configuration that cannot be read is an error of the run (exit 1), not of
// its usage.
func (g *globals) loadConfig() error {
	if g.config == "" {
		return nil
	}
	if _, err := os.Stat(g.config); err != nil {
		return &usageErr{msg: fmt.Sprintf("Invalid value for '--config' / '-c': Path '%s' does not exist.", g.config)}
	}
	f, err := os.Open(g.config)
	if err != nil {
		return &exitErr{code: exitError, msg: "Failed to load configuration: " + err.Error()}
	}
	defer f.Close()
	n, err := sequencesPerFile(f)
	if err != nil {
		return &exitErr{code: exitError, msg: "Failed to load configuration: " + err.Error()}
	}
	g.perFile = n
	return nil
}

// sequencesPerFile reads prediction.sequences_per_file from a YAML file of
// nested mappings (the fork's configuration); 0 when it is absent.
func sequencesPerFile(r io.Reader) (int, error) {
	sc := bufio.NewScanner(r)
	section, line := "", 0
	for sc.Scan() {
		line++
		text := sc.Text()
		if i := strings.Index(text, "#"); i >= 0 {
			text = text[:i]
		}
		if strings.TrimSpace(text) == "" {
			continue
		}
		indented := text[0] == ' ' || text[0] == '\t'
		key, val, ok := strings.Cut(strings.TrimSpace(text), ":")
		if !ok && !strings.HasPrefix(strings.TrimSpace(text), "- ") {
			return 0, fmt.Errorf("line %d: not a mapping: %q", line, text)
		}
		if !indented {
			section = key
			continue
		}
		if section == "prediction" && strings.TrimSpace(key) == "sequences_per_file" {
			n, err := strconv.Atoi(strings.TrimSpace(val))
			if err != nil || n < 1 {
				return 0, fmt.Errorf("line %d: prediction.sequences_per_file %q: want a positive integer", line, strings.TrimSpace(val))
			}
			return n, nil
		}
	}
	return 0, sc.Err()
}
