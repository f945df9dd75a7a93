package main

import (
	"fmt"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/benchctl/benchctl/internal/suggest"
)

// passThrough lists the commands whose positional arguments are a command
// line of their own: their flags must come first, as documented.
var passThrough = map[string]bool{"monitor": true}

// prepareArgs makes os.Args what urfave/cli reads as the user meant:
// `benchctl help CMD` becomes `benchctl CMD --help`, and a command's flags
// written after its files move before them (urfave/cli v2 stops reading
// flags at the first positional; k6, hyperfine and compare take them
// anywhere). "--" ends the flags. An unknown command is an error naming the
// closest one.
func prepareArgs(cmds []*cli.Command, args []string) ([]string, error) {
	if len(args) < 2 {
		return args, nil
	}
	first := args[1]
	if first == "help" {
		if len(args) == 2 {
			return []string{args[0], "--help"}, nil
		}
		return prepareArgs(cmds, append(append([]string{args[0]}, args[2:]...), "--help"))
	}
	if strings.HasPrefix(first, "-") {
		return args, nil
	}
	cmd := findCommand(cmds, first)
	if cmd == nil {
		return nil, usageError("unknown command %q%s (benchctl --help lists them)", first, suggest.DidYouMean(first, "", commandNames(cmds)))
	}
	i := 2
	for len(cmd.Subcommands) > 0 && i < len(args) && !strings.HasPrefix(args[i], "-") {
		sub := findCommand(cmd.Subcommands, args[i])
		if sub == nil {
			return nil, usageError("unknown command %q%s (benchctl %s --help lists them)", cmd.Name+" "+args[i],
				suggest.DidYouMean(args[i], cmd.Name+" ", commandNames(cmd.Subcommands)), cmd.Name)
		}
		cmd, i = sub, i+1
	}
	if passThrough[cmd.Name] {
		return args, nil
	}
	out := append([]string{}, args[:i]...)
	return append(out, flagsFirst(cmd.Flags, args[i:])...), nil
}

// flagsFirst returns args with every flag (and the value of a flag that
// takes one) before the positionals, each group in its order. Everything
// from "--" on stays where it is.
func flagsFirst(flags []cli.Flag, args []string) []string {
	var fl, pos []string
	for j := 0; j < len(args); j++ {
		a := args[j]
		if a == "--" {
			pos = append(pos, args[j:]...)
			break
		}
		if len(a) < 2 || a[0] != '-' {
			pos = append(pos, a)
			continue
		}
		name, value, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		f := flagNamed(flags, name)
		if f != nil {
			// One spelling: urfave/cli refuses -o and --out in one command.
			a = "--" + f.Names()[0]
			if hasValue {
				a += "=" + value
			}
		}
		fl = append(fl, a)
		if hasValue {
			continue
		}
		if takesValue(f) && j+1 < len(args) {
			fl = append(fl, args[j+1])
			j++
		}
	}
	return append(fl, pos...)
}

// flagNamed is the flag of flags named name (or one of its aliases), or nil.
func flagNamed(flags []cli.Flag, name string) cli.Flag {
	for _, f := range flags {
		for _, n := range f.Names() {
			if n == name {
				return f
			}
		}
	}
	return nil
}

// takesValue says whether f needs a value. An unknown flag (nil) is taken to
// need none; urfave/cli refuses it.
func takesValue(f cli.Flag) bool {
	if f == nil {
		return false
	}
	if v, ok := f.(cli.DocGenerationFlag); ok {
		return v.TakesValue()
	}
	return true
}

func findCommand(cmds []*cli.Command, name string) *cli.Command {
	for _, c := range cmds {
		if c.HasName(name) {
			return c
		}
	}
	return nil
}

func commandNames(cmds []*cli.Command) []string {
	var names []string
	for _, c := range cmds {
		names = append(names, c.Names()...)
	}
	return names
}

// flagError turns urfave/cli's "flag provided but not defined: -otu" into
// one line naming the flag and the closest one the command has.
func flagError(c *cli.Context, err error) error {
	const undefined = "flag provided but not defined: -"
	msg := err.Error()
	if !strings.HasPrefix(msg, undefined) {
		return &exitError{code: exitUsage, err: err}
	}
	name := strings.TrimPrefix(msg, undefined)
	var flags []cli.Flag
	where := "benchctl"
	if c != nil && c.Command != nil && c.Command.Name != "" {
		flags, where = c.Command.Flags, "benchctl "+c.Command.FullName()
	} else if c != nil && c.App != nil {
		flags = c.App.Flags
	}
	var names []string
	for _, f := range flags {
		names = append(names, f.Names()...)
	}
	dash := "--"
	if len(name) == 1 {
		dash = "-"
	}
	hint := suggest.DidYouMean(name, "--", names)
	return &exitError{code: exitUsage, err: fmt.Errorf("unknown flag %s%s%s (%s --help lists them)", dash, name, hint, where)}
}
