package pipeline

import (
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/yuin/gopher-lua/pm"
)

// Marker recognises the output line that starts a pipeline stage.
type Marker struct {
	Name    string
	Pattern string
	match   func(line string) bool
}

// Matches reports whether line starts the marker's stage.
func (m Marker) Matches(line string) bool { return m.match(line) }

// NewMarker compiles a stage marker. A pattern that starts with "re:" is a Go
// regular expression; any other is a Lua pattern, as in string.find.
func NewMarker(name, pattern string) (Marker, error) {
	if expr, ok := strings.CutPrefix(pattern, "re:"); ok {
		re, err := regexp.Compile(expr)
		if err != nil {
			return Marker{}, fmt.Errorf("stage %q: bad regular expression: %w", name, err)
		}
		return Marker{Name: name, Pattern: pattern, match: re.MatchString}, nil
	}
	// Validate the Lua pattern once, on a line that cannot match by accident.
	if _, err := pm.Find(pattern, []byte("\x00"), 0, 1); err != nil {
		return Marker{}, fmt.Errorf("stage %q: bad Lua pattern %q: %w", name, pattern, err)
	}
	return Marker{Name: name, Pattern: pattern, match: func(line string) bool {
		m, err := pm.Find(pattern, []byte(line), 0, 1)
		return err == nil && len(m) > 0
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
