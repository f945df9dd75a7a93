// Package all registers every report format; the CLI imports it once, blank, to
// make them all available through reporters.Get.
package all

import (
	_ "github.com/benchctl/benchctl/reporters/console"  // console
	_ "github.com/benchctl/benchctl/reporters/csv"      // csv, csv-timeline
	_ "github.com/benchctl/benchctl/reporters/html"     // html
	_ "github.com/benchctl/benchctl/reporters/json"     // json
	_ "github.com/benchctl/benchctl/reporters/junit"    // junit
	_ "github.com/benchctl/benchctl/reporters/markdown" // markdown
)
