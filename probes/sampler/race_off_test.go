//go:build !race

package sampler

// raceEnabled: the race detector slows the long simulated runs tenfold.
const raceEnabled = false
