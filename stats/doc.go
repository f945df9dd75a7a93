// Package stats decides whether one configuration of a pipeline is faster
// than another from repeated timings, and says how sure it is.
//
// Compare takes two samples of times (a baseline and a candidate) and gives
// the ratio of candidate to baseline time with a confidence interval, the
// name of the method that produced it, and a verdict: faster, slower, no
// difference (the whole interval lies within a stated band around 1) or
// inconclusive. Interleave runs configurations in a shuffled, seeded order
// and repeats them until every comparison is decided or a budget is spent.
//
// The scenarios (bench.stats in Lua) and benchctl compare use this package,
// so a speed-up means the same thing everywhere.
package stats
