package fasta

import "testing"

// BenchmarkFill is the work a batch takes, what the workers do: the ns a
// value of the stream costs to compute (two values make a base).
func BenchmarkFill(b *testing.B) {
	bt := new(batch)
	s := stateOf(pcg{hi: 1, lo: 0x62656e6368}, 0)
	for b.Loop() {
		bt.fill(s)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(bt.vals)), "ns/value")
}
