package main

import (
	"io"
	"os"

	"github.com/mattn/go-isatty"
	"github.com/rs/zerolog"
	"github.com/urfave/cli/v2"
)

func logFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "log-format", Value: "console", Usage: "console or json"},
		&cli.StringFlag{Name: "log-level", Value: "warn", Usage: "debug, info, warn, error"},
		&cli.BoolFlag{Name: "quiet", Aliases: []string{"q"}, Usage: "print nothing but errors and the requested outputs"},
	}
}

// newLogger builds the logger from the global flags: a console writer on a
// terminal, JSON with --log-format json, always on stderr.
func newLogger(c *cli.Context) (zerolog.Logger, error) {
	level, err := zerolog.ParseLevel(c.String("log-level"))
	if err != nil || c.String("log-level") == "" {
		return zerolog.Nop(), usageError("--log-level %q: want debug, info, warn or error", c.String("log-level"))
	}
	if c.Bool("quiet") && level < zerolog.ErrorLevel {
		level = zerolog.ErrorLevel
	}
	var w io.Writer = os.Stderr
	switch c.String("log-format") {
	case "json":
	case "console":
		w = zerolog.ConsoleWriter{Out: os.Stderr, NoColor: !isTerminal(os.Stderr), TimeFormat: "15:04:05"}
	default:
		return zerolog.Nop(), usageError("--log-format %q: want console or json", c.String("log-format"))
	}
	return zerolog.New(w).Level(level).With().Timestamp().Logger(), nil
}

func isTerminal(f *os.File) bool {
	return isatty.IsTerminal(f.Fd()) || isatty.IsCygwinTerminal(f.Fd())
}
