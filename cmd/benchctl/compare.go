package main

import (
	"flag"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/benchctl/benchctl/compare"
	"github.com/benchctl/benchctl/internal/capread"
	"github.com/benchctl/benchctl/reporters/json"
	"github.com/benchctl/benchctl/result"
)

// compareFormats are the formats compare writes with --out. A comparison is
// not a result.Report, so these are not the reporters.
var compareFormats = map[string]func(*compare.Result) ([]byte, error){
	"json":     compare.RenderJSON,
	"markdown": func(r *compare.Result) ([]byte, error) { return compare.RenderMarkdown(r), nil },
}

func compareCommand() *cli.Command {
	return &cli.Command{
		Name:      "compare",
		Usage:     "regression gate between two JSON results: exit 1 when anything regressed",
		ArgsUsage: "BASE.json NEW.json | --baseline history NEW.json...",
		Description: "Matches tests by suite and name and metrics by name, plus run.NAME.wall for each pipeline run.\n" +
			"A metric regresses when it moves the wrong way (its 'better' direction) by more than the threshold\n" +
			"and by more than the noise, 2*sqrt(sb^2 + sn^2) of the two spreads; metrics without a direction never\n" +
			"gate. A test that passed in BASE and fails or errors in NEW regresses. Flags may follow the files.\n" +
			"With --baseline history, NEW is judged against the last --last finished runs of the history (see README).",
		Flags: append([]cli.Flag{
			&cli.StringFlag{Name: "threshold", Value: "10%", Usage: "relative change a metric must exceed to count: 10% or 0.1"},
			&cli.StringSliceFlag{Name: "out", Aliases: []string{"o"}, Usage: "FORMAT=PATH, repeatable; formats: " +
				strings.Join(formatNames(), ", ") + "; PATH - is stdout (the table is then left out)"},
		}, gateFlags()...),
		Action: compareAction,
	}
}

func compareAction(c *cli.Context) error {
	args, err := compareArgs(c)
	if err != nil {
		return err
	}
	if b := args.str(c, "baseline"); b != "" {
		if b != "history" {
			return usageError("compare: --baseline %q: want history", b)
		}
		return compareHistory(c, args)
	}
	if len(args.files) != 2 {
		return usageError("compare: want BASE.json NEW.json, got %d %s", len(args.files), plural(len(args.files), "file", "files"))
	}
	threshold, err := compare.ParseThreshold(args.threshold)
	if err != nil {
		return usageError("compare: --threshold: %v", err)
	}
	outs, err := compareOutputs(args.outs)
	if err != nil {
		return err
	}
	base, err := readResult(args.files[0])
	if err != nil {
		return err
	}
	next, err := readResult(args.files[1])
	if err != nil {
		return err
	}
	res := compare.Compare(base, next, compare.Options{Threshold: threshold, BaseLabel: args.files[0], NewLabel: args.files[1]})
	return emitVerdict(compare.RenderText(res), outs, func(f string) ([]byte, error) { return compareFormats[f](res) },
		res.Regressed(), func() string { return compare.Summary(res) })
}

// compareArgsT is what compare was given: two files and the flags, which may
// come before or after them.
type compareArgsT struct {
	files     []string
	threshold string
	outs      []string
	after     map[string][]string // the other flags given after the files
}

// str is the value of a string flag, given before or after the files.
func (a compareArgsT) str(c *cli.Context, name string) string {
	if v := a.after[name]; len(v) > 0 {
		return v[len(v)-1]
	}
	return c.String(name)
}

// strs is every value of a repeatable flag, before and after the files.
func (a compareArgsT) strs(c *cli.Context, name string) []string {
	return append(c.StringSlice(name), a.after[name]...)
}

// boolean is a boolean flag, given before or after the files.
func (a compareArgsT) boolean(c *cli.Context, name string) bool {
	if v := a.after[name]; len(v) > 0 {
		return v[len(v)-1] == "true"
	}
	return c.Bool(name)
}

// compareArgs collects the files and the flags. urfave/cli stops reading flags
// at the first file, so `compare BASE NEW --threshold 5%` leaves the flags in
// the arguments; they are read here. After "--" everything is a file.
func compareArgs(c *cli.Context) (compareArgsT, error) {
	a := compareArgsT{threshold: c.String("threshold"), outs: c.StringSlice("out"), after: map[string][]string{}}
	fs := flag.NewFlagSet("compare", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&a.threshold, "threshold", a.threshold, "")
	addOut := func(s string) error { a.outs = append(a.outs, s); return nil }
	fs.Func("out", "", addOut)
	fs.Func("o", "", addOut)
	for _, f := range c.Command.Flags { // the others (logging) are read by urfave/cli only before the files
		for _, name := range f.Names() {
			keep := func(v string) error { a.after[name] = append(a.after[name], v); return nil }
			switch _, isBool := f.(*cli.BoolFlag); {
			case name == "threshold" || name == "out" || name == "o":
			case isBool:
				fs.BoolFunc(name, "", keep)
			default:
				fs.Func(name, "", keep)
			}
		}
	}
	rest := c.Args().Slice()
	for len(rest) > 0 {
		switch {
		case rest[0] == "--":
			a.files = append(a.files, rest[1:]...)
			rest = nil
		case strings.HasPrefix(rest[0], "-") && rest[0] != "-":
			if err := fs.Parse(rest); err != nil {
				return a, usageError("compare: %v", err)
			}
			consumed := len(rest) - len(fs.Args())
			if rest[consumed-1] == "--" {
				a.files = append(a.files, fs.Args()...)
				rest = nil
			} else {
				rest = fs.Args()
			}
		default:
			a.files = append(a.files, rest[0])
			rest = rest[1:]
		}
	}
	return a, nil
}

// compareOutputs checks each --out before anything is read: a known format,
// a path that can be written.
func compareOutputs(specs []string) ([]output, error) {
	var outs []output
	for _, s := range specs {
		format, path, ok := strings.Cut(s, "=")
		if !ok || format == "" || path == "" {
			return nil, usageError("compare: --out %q: want FORMAT=PATH, e.g. markdown=compare.md", s)
		}
		if compareFormats[format] == nil {
			return nil, usageError("compare: --out %q: compare writes %s", s, strings.Join(formatNames(), " or "))
		}
		if path != "-" {
			if err := checkWritable(path); err != nil {
				return nil, usageError("compare: --out %q: %v", s, err)
			}
		}
		outs = append(outs, output{format: format, path: path})
	}
	return outs, nil
}

// readResult reads a JSON result written by benchctl run; any problem is a
// usage error naming the file.
func readResult(path string) (*result.Report, error) {
	data, err := capread.ReadFile(path, capread.ReportBytes)
	if err != nil {
		return nil, usageError("compare: %v", unwrapPathErr(path, err))
	}
	rep, err := json.Decode(data)
	if err != nil {
		return nil, usageError("compare: %s: %s", path, oneLine(err.Error()))
	}
	return rep, nil
}

func unwrapPathErr(path string, err error) error {
	return fmt.Errorf("%s: %w", path, unwrapPath(err))
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

func formatNames() []string {
	names := make([]string, 0, len(compareFormats))
	for n := range compareFormats {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
