package main

import (
	"sort"
	"strconv"
)

// Token counts of the two models, as the PyTorch stand-in counts them: DNABERT-S
// about one token per 5 bases plus [CLS] and [SEP], at most 512; ESM-2 one token
// per residue plus <cls> and <eos>, at most 1024 residues.
const (
	dnaKmer       = 5
	dnaMaxTokens  = 512
	esmMaxResidue = 1024
	framesPerRead = 6
)

// frameSuffixes name the six frames of a chunk.
var frameSuffixes = [framesPerRead]string{"F1", "F2", "F3", "R1", "R2", "R3"}

// chunk is a window of a read, the unit of the models.
type chunk struct {
	id     string // <read id>_chunk_<k>, k from 1
	readID string
	length int // bases
}

// chunkReads cuts each read into windows of size bases (the last may be
// shorter); an empty read gives none.
func chunkReads(recs []record, size int) []chunk {
	var out []chunk
	for _, r := range recs {
		for k, start := 1, 0; start < len(r.seq); k, start = k+1, start+size {
			out = append(out, chunk{
				id:     r.id + "_chunk_" + strconv.Itoa(k),
				readID: r.id,
				length: min(size, len(r.seq)-start),
			})
		}
	}
	return out
}

// dnaTokens is the DNABERT-S length of a chunk.
func dnaTokens(c chunk) int {
	return min((c.length+dnaKmer-1)/dnaKmer+2, dnaMaxTokens)
}

// esmTokens is the ESM-2 length of each of a chunk's frames.
func esmTokens(c chunk) int {
	return min(c.length/3, esmMaxResidue) + 2
}

// paddedTokens is what a batch costs: its size times its longest member.
func paddedTokens(lengths []int, batch []int) int {
	longest := 0
	for _, i := range batch {
		longest = max(longest, lengths[i])
	}
	return len(batch) * longest
}

// planBatches groups indexes of lengths into batches of at most budget padded
// tokens, longest first (so the largest batch, and any out of memory, comes
// early); a member longer than the budget is a batch of its own.
func planBatches(lengths []int, budget int) [][]int {
	order := make([]int, len(lengths))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return lengths[order[a]] > lengths[order[b]] })
	var batches [][]int
	var cur []int
	longest := 0
	for _, i := range order {
		width := max(longest, lengths[i])
		if len(cur) > 0 && (len(cur)+1)*width > budget {
			batches = append(batches, cur)
			cur, width = nil, lengths[i]
		}
		cur = append(cur, i)
		longest = width
	}
	if len(cur) > 0 {
		batches = append(batches, cur)
	}
	return batches
}

// fit cuts a planned batch down to a smaller budget.
func fit(batch []int, lengths []int, budget int) [][]int {
	if len(batch) <= 1 || paddedTokens(lengths, batch) <= budget {
		return [][]int{batch}
	}
	sub := make([]int, len(batch))
	for j, i := range batch {
		sub[j] = lengths[i]
	}
	parts := planBatches(sub, budget)
	for _, p := range parts {
		for j := range p {
			p[j] = batch[p[j]]
		}
	}
	return parts
}
