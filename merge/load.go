package merge

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"

	"github.com/benchctl/benchctl/internal/capread"
	reportjson "github.com/benchctl/benchctl/reporters/json"
	"github.com/benchctl/benchctl/result"
)

// ResultsFile is the name of the JSON result in a results dir.
const ResultsFile = "results.json"

// ErrNoResult is returned, wrapped with the path, when a dir holds no result.
var ErrNoResult = errors.New("no results.json")

// ErrSchemaVersion is returned, wrapped with the file and both versions, when a
// result is of another schema version than this build reads.
var ErrSchemaVersion = reportjson.ErrSchemaVersion

// Input is one run to merge: what is known of its task, and its result.
type Input struct {
	// Task says where the result came from and, where a scheduler was asked,
	// how the task ended. ID and Source are set; State may be left empty, and
	// is then read from the report.
	Task result.Task
	// Report is nil when the task left no result.
	Report *result.Report
	// NodeName is the scheduler's name for the node (SLURMD_NODENAME); when
	// empty the report's hostname names the node.
	NodeName string
}

// ReadFile reads one result file, naming the file in any error. A result of
// another schema version is an error wrapping ErrSchemaVersion.
func ReadFile(path string) (*result.Report, error) {
	data, err := capread.ReadFile(path, capread.ReportBytes)
	if errors.Is(err, capread.ErrTooLarge) {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if err != nil {
		return nil, err
	}
	rep, err := reportjson.Decode(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return rep, nil
}

// Load reads the results at path: a results.json file, a results dir, or a
// folder holding results dirs at any depth (results copied from several
// machines). Each result found is one Input, in path order. A folder with no
// result is an error wrapping ErrNoResult; one unreadable result fails the
// whole load, naming it.
func Load(path string) ([]Input, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !fi.IsDir() {
		in, err := loadFile(path)
		if err != nil {
			return nil, err
		}
		return []Input{in}, nil
	}
	var files []string
	err = filepath.WalkDir(path, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && d.Name() == ResultsFile {
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("%s: %w here or below", path, ErrNoResult)
	}
	sort.Strings(files)
	out := make([]Input, 0, len(files))
	for _, f := range files {
		in, err := loadFile(f)
		if err != nil {
			return nil, err
		}
		out = append(out, in)
	}
	return out, nil
}

func loadFile(path string) (Input, error) {
	rep, err := ReadFile(path)
	if err != nil {
		return Input{}, err
	}
	src := path
	if filepath.Base(path) == ResultsFile {
		src = filepath.Dir(path)
	}
	return Input{Task: result.Task{ID: src, Source: src}, Report: rep}, nil
}
