// Command merge writes N synthetic task results (internal/synthetic) into a
// folder, one results dir each, for timing `benchctl merge` at campaign
// scale; bench/merge/run.sh runs it and measures the merge.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/benchctl/benchctl/internal/synthetic"
	"github.com/benchctl/benchctl/reporters"
	_ "github.com/benchctl/benchctl/reporters/json"
)

func main() {
	n := flag.Int("n", 1000, "results to write")
	nodes := flag.Int("nodes", 50, "nodes they are spread over")
	out := flag.String("o", "", "folder to write them into")
	flag.Parse()
	if *out == "" || *n < 1 || *nodes < 1 {
		fmt.Fprintln(os.Stderr, "usage: merge -n 1000 -nodes 50 -o DIR")
		os.Exit(2)
	}
	rep, err := reporters.Get("json")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	for i := range *n {
		data, err := rep.Render(synthetic.Report(i, *nodes))
		if err == nil {
			dir := filepath.Join(*out, fmt.Sprintf("task-%04d", i))
			if err = os.MkdirAll(dir, 0o755); err == nil {
				err = os.WriteFile(filepath.Join(dir, "results.json"), data, 0o644)
			}
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
}
