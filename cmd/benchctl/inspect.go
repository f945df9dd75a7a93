package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/benchctl/benchctl/engine"
	"github.com/benchctl/benchctl/probes"
)

func listCommand() *cli.Command {
	return &cli.Command{
		Name:      "list",
		Usage:     "show each scenario's name, description, tags, tests and vars",
		ArgsUsage: "SCENARIO.lua...",
		Flags:     []cli.Flag{loadTimeoutFlag()},
		Action: func(c *cli.Context) error {
			return eachScenario(c, func(sc *engine.Scenario) {
				fmt.Printf("%s (%s)\n", sc.Name, sc.File)
				if sc.Description != "" {
					fmt.Printf("  %s\n", sc.Description)
				}
				if len(sc.Tags) > 0 {
					fmt.Printf("  tags: %s\n", strings.Join(sc.Tags, ", "))
				}
				for _, t := range sc.Tests {
					fmt.Printf("  test: %s\n", t.Name)
				}
				for _, v := range sc.Vars {
					fmt.Printf("  var:  %s (%s, default %q)\n", v.Key, v.Type, v.Default)
				}
			})
		},
	}
}

func checkCommand() *cli.Command {
	return &cli.Command{
		Name:      "check",
		Usage:     "load and validate scenarios without running anything",
		ArgsUsage: "SCENARIO.lua...",
		Flags:     []cli.Flag{loadTimeoutFlag()},
		Action: func(c *cli.Context) error {
			return eachScenario(c, func(sc *engine.Scenario) {
				fmt.Printf("ok  %s: %d test(s)\n", sc.File, len(sc.Tests))
			})
		},
	}
}

// eachScenario loads every file (top-level code only: no test runs) and calls
// show for each that loads. Any that does not is printed as file:line: message
// and makes the command exit 2.
func eachScenario(c *cli.Context, show func(*engine.Scenario)) error {
	files, err := expandScenarios(c.Args().Slice())
	if err != nil {
		return err
	}
	limit, err := loadTimeout(c)
	if err != nil {
		return err
	}
	eng := engine.New(engine.Options{Backend: probes.None("not needed to load scenarios"), ResultsDir: os.TempDir(), LoadTimeout: limit})
	bad := 0
	for _, f := range files {
		sc, err := engine.Load(context.Background(), f, eng)
		if err != nil {
			var le *engine.LoadError
			if errors.As(err, &le) {
				fmt.Fprintln(os.Stderr, le.Error())
			} else {
				fmt.Fprintln(os.Stderr, f+": "+err.Error())
			}
			bad++
			continue
		}
		show(sc)
		sc.Close()
	}
	if bad > 0 {
		return &exitError{code: exitUsage, err: fmt.Errorf("%d of %d scenario(s) failed to load", bad, len(files))}
	}
	return nil
}
