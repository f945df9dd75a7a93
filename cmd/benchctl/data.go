package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/benchctl/benchctl/engine/fasta"
)

func dataCommand() *cli.Command {
	return &cli.Command{
		Name:  "data",
		Usage: "generate synthetic inputs",
		Subcommands: []*cli.Command{{
			Name:  "fasta",
			Usage: "write deterministic synthetic FASTA",
			Flags: []cli.Flag{
				&cli.StringFlag{Name: "preset", Usage: "one of " + strings.Join(fasta.PresetNames(), ", ")},
				&cli.IntFlag{Name: "sequences", Usage: "number of sequences (overrides the preset)"},
				&cli.IntFlag{Name: "min-len", Usage: "shortest read, bp"},
				&cli.IntFlag{Name: "max-len", Usage: "longest read, bp"},
				&cli.Float64Flag{Name: "gc", Value: 0.5, Usage: "GC fraction"},
				&cli.Uint64Flag{Name: "seed", Value: 42, Usage: "random seed"},
				&cli.BoolFlag{Name: "uniform", Usage: "uniform random bases instead of open reading frames"},
				&cli.StringFlag{Name: "output", Aliases: []string{"o"}, Value: "-", Usage: "FILE, or - for stdout"},
				&cli.BoolFlag{Name: "progress", Usage: "report progress on stderr even when stderr is not a terminal, a line each --progress-interval"},
				&cli.DurationFlag{Name: "progress-interval", Value: time.Second, Usage: "time between two progress reports"},
			},
			Action: func(c *cli.Context) error {
				o := fasta.Options{
					Preset: c.String("preset"), Sequences: c.Int("sequences"), MinLen: c.Int("min-len"),
					MaxLen: c.Int("max-len"), GC: c.Float64("gc"), Seed: c.Uint64("seed"), UniformBases: c.Bool("uniform"),
				}
				if _, err := o.Resolve(); err != nil {
					return usageError("data fasta: %v", err)
				}
				if d := c.Duration("progress-interval"); d <= 0 {
					return usageError("data fasta: --progress-interval must be positive, got %s", d)
				}
				w := os.Stdout
				if p := c.String("output"); p != "-" {
					if err := checkWritable(p); err != nil {
						return usageError("data fasta: %v", err)
					}
					f, err := os.Create(p)
					if err != nil {
						return usageError("data fasta: %v", unwrapPath(err))
					}
					defer f.Close()
					w = f
				}
				res, err := writeFasta(c, w, o)
				if err != nil {
					return usageError("data fasta: writing: %v", err)
				}
				if c.String("output") != "-" {
					if err := w.Close(); err != nil {
						return usageError("data fasta: writing: %v", err)
					}
					fmt.Fprintf(os.Stderr, "%d sequences, %d bases -> %s\n", res.Sequences, res.Bases, c.String("output"))
				}
				return nil
			},
		}},
	}
}

// writeFasta writes the FASTA of o to w, with a progress line on stderr when
// stderr is a terminal that the FASTA does not go to (unless the global
// --quiet), or
// when --progress asks. Runs that end within an interval print none.
func writeFasta(c *cli.Context, w io.Writer, o fasta.Options) (fasta.Result, error) {
	terminal := isTerminal(os.Stderr)
	onScreen := c.String("output") == "-" && isTerminal(os.Stdout)
	if c.Bool("quiet") || !(terminal && !onScreen || c.Bool("progress")) {
		return fasta.Write(w, o)
	}
	expected, _ := fasta.ExpectedSize(o) // o is resolved already
	p := newByteProgress(w, os.Stderr, expected, terminal)
	p.every = c.Duration("progress-interval")
	defer p.finish()
	return fasta.Write(p, o)
}
