package main

import (
	"os"

	"github.com/urfave/cli/v2"

	"github.com/benchctl/benchctl/reporters/json"
)

func reportCommand() *cli.Command {
	return &cli.Command{
		Name:  "report",
		Usage: "render saved JSON results in any format",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "from", Required: true, Usage: "RESULT.json written by benchctl run"},
			outFlag(),
		},
		Action: func(c *cli.Context) error {
			log, err := newLogger(c)
			if err != nil {
				return err
			}
			outs, err := parseOutputs(c.StringSlice("out"))
			if err != nil {
				return err
			}
			if len(outs) == 0 {
				return usageError("report: give at least one --out FORMAT=PATH")
			}
			data, err := os.ReadFile(c.String("from"))
			if err != nil {
				return usageError("report: %v", err)
			}
			rep, err := json.Decode(data)
			if err != nil {
				return usageError("report: %s: %v", c.String("from"), err)
			}
			w := newReportWriter(outs, log)
			w.write(rep, true)
			if err := w.err(); err != nil {
				return &exitError{code: exitUsage, err: err}
			}
			return nil
		},
	}
}
