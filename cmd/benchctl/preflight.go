package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/benchctl/benchctl/engine"
	"github.com/benchctl/benchctl/internal/capread"
	"github.com/benchctl/benchctl/internal/suggest"
	"github.com/benchctl/benchctl/probes"
)

// preflight loads every scenario of the plan (top-level code only, as
// `check` does) before anything is created or run, and refuses a run that
// could only be a mistake: no scenario loads, --tags selects no test, or a
// --var no scenario declares (unless allowUnknown). Scenarios that do not
// load beside ones that do are left to the run, which reports them.
func preflight(p *runPlan, allowUnknown bool) error {
	eng := engine.New(engine.Options{Backend: probes.None("not needed to load scenarios"),
		Vars: p.vars, ResultsDir: os.TempDir(), LoadTimeout: p.loadTimeout})
	var loadErrs []string
	declared := map[string]bool{}
	var tags []string
	selected := 0
	for _, f := range p.files {
		sc, err := engine.Load(context.Background(), f, eng)
		if err != nil {
			loadErrs = append(loadErrs, loadMessage(f, err))
			continue
		}
		for _, v := range sc.Vars {
			declared[v.Key] = true
		}
		for _, k := range varsInSource(f) {
			declared[k] = true
		}
		tags = append(tags, sc.Tags...)
		for _, t := range sc.Tests {
			tags = append(tags, t.Tags...)
			if engine.Selected(p.tags, sc.Tags, t.Tags) {
				selected++
			}
		}
		sc.Close()
	}
	if len(loadErrs) == len(p.files) {
		// As `check` prints them: one file:line: message each, then the count.
		for _, m := range loadErrs {
			fmt.Fprintln(os.Stderr, m)
		}
		return usageError("%d of %d scenario(s) failed to load; nothing was run", len(loadErrs), len(p.files))
	}
	if selected == 0 {
		return usageError("--tags %s: no test carries any of these tags (tags in these scenarios: %s)",
			strings.Join(p.tags, ","), orNone(uniqueSorted(tags)))
	}
	if allowUnknown || len(loadErrs) > 0 {
		return nil
	}
	return unknownVars(p.vars, declared)
}

// unknownVars refuses the first --var (in key order) no scenario declares,
// naming the closest declared one.
func unknownVars(vars map[string]string, declared map[string]bool) error {
	known := make([]string, 0, len(declared))
	for k := range declared {
		known = append(known, k)
	}
	sort.Strings(known)
	keys := make([]string, 0, len(vars))
	for k := range vars {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if !declared[k] {
			return usageError("--var %s: no scenario reads this var%s (--allow-unknown-vars runs anyway; benchctl list shows each scenario's vars)",
				k, suggest.DidYouMean(k, "", known))
		}
	}
	return nil
}

// varRead matches a bench.var call with a literal key: a var a test reads
// only when it runs is known from the source.
var varRead = regexp.MustCompile(`bench\.var(?:_[a-z]+)?\s*\(?\s*["']([^"'\n]+)["']`)

// varsInSource lists the var keys a scenario file reads by name anywhere,
// inside test functions too.
func varsInSource(file string) []string {
	src, err := capread.ReadFile(file, capread.ScenarioBytes)
	if err != nil {
		return nil
	}
	var keys []string
	for _, m := range varRead.FindAllStringSubmatch(string(src), -1) {
		keys = append(keys, m[1])
	}
	return keys
}

// loadMessage is a load error as `check` prints it: file:line: message.
func loadMessage(file string, err error) string {
	var le *engine.LoadError
	if errors.As(err, &le) {
		return le.Error()
	}
	return file + ": " + err.Error()
}

func uniqueSorted(s []string) []string {
	s = slices.Clone(s)
	sort.Strings(s)
	return slices.Compact(s)
}

func orNone(s []string) string {
	if len(s) == 0 {
		return "none"
	}
	return strings.Join(s, ", ")
}
