package main

import (
	"slices"
	"strings"
	"testing"

	"github.com/urfave/cli/v2"
)

func TestPrepareArgs(t *testing.T) {
	cmds := commands()
	tests := []struct {
		name string
		in   []string
		want []string
		err  string
	}{
		{"flags after files", []string{"b", "run", "a.lua", "b.lua", "--out", "junit=j.xml", "-o", "html=h.html"},
			[]string{"b", "run", "--out", "junit=j.xml", "--out", "html=h.html", "a.lua", "b.lua"}, ""},
		{"flag with =", []string{"b", "run", "a.lua", "--tags=gpu"}, []string{"b", "run", "--tags=gpu", "a.lua"}, ""},
		{"bool flag takes no value", []string{"b", "run", "a.lua", "--quiet", "b.lua"},
			[]string{"b", "run", "--quiet", "a.lua", "b.lua"}, ""},
		{"-- ends flags", []string{"b", "run", "a.lua", "--", "--out"}, []string{"b", "run", "a.lua", "--", "--out"}, ""},
		{"subcommand", []string{"b", "history", "list", "x", "--last", "3"}, []string{"b", "history", "list", "--last", "3", "x"}, ""},
		{"monitor passes its command through", []string{"b", "monitor", "--", "ls", "-l"}, []string{"b", "monitor", "--", "ls", "-l"}, ""},
		{"help CMD", []string{"b", "help", "run"}, []string{"b", "run", "--help"}, ""},
		{"help", []string{"b", "help"}, []string{"b", "--help"}, ""},
		{"unknown command", []string{"b", "rnu"}, nil, `unknown command "rnu"; did you mean run?`},
		{"unknown subcommand", []string{"b", "history", "lsit"}, nil, `did you mean history list?`},
		{"far from any", []string{"b", "zzzzzz"}, nil, `unknown command "zzzzzz" (benchctl --help`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := prepareArgs(cmds, tt.in)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("error %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestFlagErrorSuggests(t *testing.T) {
	cmd := runCommand()
	c := cli.NewContext(&cli.App{}, nil, nil)
	c.Command = cmd
	for _, tc := range []struct{ in, want string }{
		{"flag provided but not defined: -otu", "unknown flag --otu; did you mean --out?"},
		{"flag provided but not defined: -tgas", "unknown flag --tgas; did you mean --tags?"},
		{"flag provided but not defined: -zzzzzzz", "unknown flag --zzzzzzz (benchctl run --help lists them)"},
	} {
		t.Run(tc.in, func(t *testing.T) {
			err := flagError(c, errString(tc.in))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v, want %q", err, tc.want)
			}
		})
	}
}

type errString string

func (e errString) Error() string { return string(e) }
