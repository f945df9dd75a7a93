// Command gen writes results.schema.json from the result model; it is what
// `go generate ./result/schema` (and `make schema`) runs, in that directory.
package main

import (
	"fmt"
	"os"

	"github.com/benchctl/benchctl/result/schema"
)

func main() {
	if err := schema.Write(schema.File); err != nil {
		fmt.Fprintln(os.Stderr, "schema:", err)
		os.Exit(1)
	}
}
