// Package all registers every GPU backend; the CLI imports it once, blank, to
// make them all available through probes.Open and their flags through
// probes.Flags. The none backend is part of probes itself.
package all

import (
	_ "github.com/benchctl/benchctl/probes/nvml" // nvml
	_ "github.com/benchctl/benchctl/probes/sim"  // sim
)
