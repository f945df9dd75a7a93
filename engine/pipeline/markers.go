package pipeline

import (
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/benchctl/benchctl/internal/luapattern"
)

// Bounds on matching a stage pattern, which runs on the goroutine that reads
// the pipeline's output: a Lua pattern backtracks, and ".*ESM.*done" on a
// 200 KB progress bar without a newline would otherwise hold that goroutine,
// and so the pipeline (its output pipe full) and every timeout, for hours.
const (
	// markerBytes is how much of a line a pattern sees: its start, where
	// stage messages are.
	markerBytes = 4 << 10
	// MatchSteps is the most steps a Lua pattern read from a scenario may
	// take on one output line (about a millisecond); past it the line does
	// not match. Stage markers and progress patterns both keep to it.
	MatchSteps = 1 << 20
)

// Marker recognises the output line that starts a pipeline stage.
type Marker struct {
	Name    string
	Pattern string
	lit     []byte // in every line the pattern matches; nil when none is known
	match   func(line string) (bool, error)
}

// Matches reports whether line starts the marker's stage. A line on which
// the pattern needs more than its step budget does not match.
func (m Marker) Matches(line string) bool {
	ok, _ := m.match(line)
	return ok
}

// NewMarker compiles a stage marker. A pattern that starts with "re:" is a Go
// regular expression; any other is a Lua pattern, as in string.find, matched
// within a step budget on the first 4 KiB of each line.
func NewMarker(name, pattern string) (Marker, error) {
	if expr, ok := strings.CutPrefix(pattern, "re:"); ok {
		re, err := regexp.Compile(expr)
		if err != nil {
			return Marker{}, fmt.Errorf("stage %q: bad regular expression: %w", name, err)
		}
		return Marker{Name: name, Pattern: pattern, lit: literalOf(regexpLiteral(re)), match: func(line string) (bool, error) {
			return re.MatchString(line), nil // RE2: linear in the line
		}}, nil
	}
	pat, err := luapattern.Compile(pattern)
	if err != nil {
		return Marker{}, fmt.Errorf("stage %q: bad Lua pattern %q: %w", name, pattern, err)
	}
	return Marker{Name: name, Pattern: pattern, lit: literalOf(pat.Literal()), match: func(line string) (bool, error) {
		if len(line) > markerBytes {
			line = line[:markerBytes]
		}
		m, err := pat.Find([]byte(line), 0, 1, luapattern.Limits{Steps: MatchSteps})
		return err == nil && len(m) > 0, err
	}}, nil
}

// NewMarkers compiles a name -> pattern map into markers, in name order so the
// first match of a line is deterministic.
func NewMarkers(stages map[string]string) ([]Marker, error) {
	names := make([]string, 0, len(stages))
	for n := range stages {
		names = append(names, n)
	}
	sort.Strings(names)
	out := make([]Marker, 0, len(names))
	for _, n := range names {
		m, err := NewMarker(n, stages[n])
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, nil
}

// PatternLiteral returns a string that every line a stage or progress
// pattern ("re:" and a Go regular expression, or a Lua pattern) matches
// contains, "" when none is known or the pattern is bad. A line without it
// need not be matched.
func PatternLiteral(pattern string) string {
	if expr, ok := strings.CutPrefix(pattern, "re:"); ok {
		re, err := regexp.Compile(expr)
		if err != nil {
			return ""
		}
		return string(literalOf(regexpLiteral(re)))
	}
	pat, err := luapattern.Compile(pattern)
	if err != nil {
		return ""
	}
	return string(literalOf(pat.Literal()))
}

// regexpLiteral is the literal every match of re starts with (case folded
// prefixes are not literal).
func regexpLiteral(re *regexp.Regexp) string {
	prefix, _ := re.LiteralPrefix()
	return prefix
}

// literalOf is s as a line filter: nil for none, and for one holding a
// newline, which no line does.
func literalOf(s string) []byte {
	if s == "" || strings.Contains(s, "\n") {
		return nil
	}
	return []byte(s)
}
