package main

import (
	"github.com/urfave/cli/v2"

	"github.com/benchctl/benchctl/internal/capread"
	"github.com/benchctl/benchctl/reporters/json"
)

func reportCommand() *cli.Command {
	return &cli.Command{
		Name:      "report",
		Usage:     "render saved JSON results in any format",
		ArgsUsage: "RESULT.json",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "from", Usage: "RESULT.json written by benchctl run (or give it as the argument)"},
			outFlag(),
		},
		Action: reportAction,
	}
}

// reportAction renders RESULT.json (the argument or --from) into each --out,
// or, with none, prints the console summary.
func reportAction(c *cli.Context) error {
	log, err := newLogger(c)
	if err != nil {
		return err
	}
	from := c.String("from")
	switch args := c.Args().Slice(); {
	case len(args) > 1 || (len(args) == 1 && from != ""):
		return usageError("report: give one RESULT.json (as the argument or --from)")
	case len(args) == 1:
		from = args[0]
	case from == "":
		return usageError("report: no RESULT.json given (benchctl report RESULT.json [--out FORMAT=PATH])")
	}
	specs := c.StringSlice("out")
	if len(specs) == 0 {
		specs = []string{"console=-"}
	}
	outs, err := parseOutputs(specs)
	if err != nil {
		return err
	}
	data, err := capread.ReadFile(from, capread.ReportBytes)
	if err != nil {
		return usageError("report: %v", unwrapPathErr(from, err))
	}
	rep, err := json.Decode(data)
	if err != nil {
		return usageError("report: %s: %v", from, err)
	}
	w := newReportWriter(outs, log)
	w.write(rep, true)
	if err := w.err(); err != nil {
		return &exitError{code: exitUsage, err: err}
	}
	return nil
}
