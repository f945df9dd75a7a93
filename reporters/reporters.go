// Package reporters turns a result.Report into bytes: one file per format, each a
// pure function of the report, registered in init with one line. The engine and
// the CLI own the files; reporters never do I/O.
package reporters

import (
	"fmt"
	"sort"
	"sync"

	"github.com/benchctl/benchctl/result"
)

// Reporter renders a report in one format.
//
// Render is pure: the same report gives the same bytes, and it neither reads nor
// writes files. It may be called many times during a run (reports are rewritten
// after every test, so a partial report is always on disk) and from one goroutine
// at a time.
type Reporter interface {
	// Name is the format name used in --out FORMAT=PATH.
	Name() string
	// Render returns the report in this format.
	Render(r *result.Report) ([]byte, error)
}

var (
	mu       sync.Mutex
	registry = map[string]Reporter{}
)

// Register makes a reporter available under its name. Formats call it from init.
func Register(r Reporter) {
	mu.Lock()
	defer mu.Unlock()
	if _, dup := registry[r.Name()]; dup {
		panic("reporters: format registered twice: " + r.Name())
	}
	registry[r.Name()] = r
}

// Get returns the reporter for a format, or an error naming the known formats.
func Get(name string) (Reporter, error) {
	mu.Lock()
	defer mu.Unlock()
	r, ok := registry[name]
	if !ok {
		return nil, fmt.Errorf("unknown report format %q (known: %v)", name, namesLocked())
	}
	return r, nil
}

// Names lists the registered formats, sorted.
func Names() []string {
	mu.Lock()
	defer mu.Unlock()
	return namesLocked()
}

func namesLocked() []string {
	names := make([]string, 0, len(registry))
	for n := range registry {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}
