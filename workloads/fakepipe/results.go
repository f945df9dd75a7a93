package main

import (
	"bufio"
	"fmt"
	"hash/fnv"
	"os"
	"path/filepath"
	"sort"
)

// The result files, named and laid out as VirNucPro's (tab-separated, the .csv
// included, as the original writes it with pandas sep="\t").
const (
	predictionsFile  = "prediction_results.txt"
	highestScoreFile = "prediction_results_highestscore.csv"
)

// scores returns a frame's deterministic fake probabilities of "others" and
// "virus", from a hash of its id.
func scores(frameID string) (others, virus float64) {
	h := fnv.New64a()
	h.Write([]byte(frameID))
	virus = float64(h.Sum64()%1000000) / 1000000
	return 1 - virus, virus
}

// writeResults writes the per-frame predictions and the per-chunk consensus
// (the highest score of each class over the chunk's frames, sorted by chunk id).
func writeResults(dir string, chunks []chunk) error {
	type best struct{ others, virus float64 }
	perChunk := make(map[string]best, len(chunks))
	err := writeTable(filepath.Join(dir, predictionsFile), "Sequence_ID\tPrediction\tscore1\tscore2", func(w *bufio.Writer) {
		for _, c := range chunks {
			b := best{}
			for _, suffix := range frameSuffixes {
				others, virus := scores(c.id + suffix)
				label := "others"
				if virus > others {
					label = "virus"
				}
				fmt.Fprintf(w, "%s%s\t%s\t%.6f\t%.6f\n", c.id, suffix, label, others, virus)
				b.others, b.virus = max(b.others, others), max(b.virus, virus)
			}
			perChunk[c.id] = b
		}
	})
	if err != nil {
		return err
	}
	ids := make([]string, 0, len(perChunk))
	for id := range perChunk {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return writeTable(filepath.Join(dir, highestScoreFile), "Modified_ID\tIs_Virus\tmax_score_0\tmax_score_1", func(w *bufio.Writer) {
		for _, id := range ids {
			b := perChunk[id]
			isVirus := "False"
			if b.virus >= b.others {
				isVirus = "True"
			}
			fmt.Fprintf(w, "%s\t%s\t%.6f\t%.6f\n", id, isVirus, b.others, b.virus)
		}
	})
}

// writeTable writes a header and rows to path through a temporary file, so a
// reader never sees half a table.
func writeTable(path, header string, rows func(*bufio.Writer)) error {
	tmp := path + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return fmt.Errorf("write results: %w", err)
	}
	w := bufio.NewWriter(f)
	fmt.Fprintln(w, header)
	rows(w)
	err = w.Flush()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("write results: %w", err)
	}
	return nil
}
