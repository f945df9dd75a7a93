package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
)

// errFASTA marks input that is not FASTA the pipeline can read.
var errFASTA = errors.New("bad fasta")

// record is one FASTA record: the header's first word and the bases, upper case.
type record struct {
	id  string
	seq string
}

// readFASTA reads every record of the FASTA file at path. As the real
// pipeline, it refuses sequence data before a header, a header without an id
// and characters other than letters; a record without bases is kept (it gives
// no chunks). Errors name the file and line and wrap errFASTA.
func readFASTA(path string) ([]record, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w: %s: no such file", errFASTA, path)
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %w", errFASTA, err)
	}
	defer f.Close()
	return parseFASTA(f, path)
}

func parseFASTA(r io.Reader, name string) ([]record, error) {
	var recs []record
	var seq strings.Builder
	flush := func() {
		if len(recs) > 0 {
			recs[len(recs)-1].seq = seq.String()
		}
		seq.Reset()
	}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 256<<20)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "":
		case line[0] == '>':
			flush()
			words := strings.Fields(line[1:])
			if len(words) == 0 {
				return nil, fmt.Errorf("%w: %s:%d: header line has no sequence id", errFASTA, name, n)
			}
			recs = append(recs, record{id: words[0]})
		case len(recs) == 0:
			return nil, fmt.Errorf("%w: %s:%d: expected a '>' header line before sequence data", errFASTA, name, n)
		default:
			for i, c := range strings.Join(strings.Fields(line), "") {
				if !('A' <= c && c <= 'Z' || 'a' <= c && c <= 'z') {
					return nil, fmt.Errorf("%w: %s:%d: invalid character %q in sequence (position %d)", errFASTA, name, n, c, i+1)
				}
			}
			seq.WriteString(strings.ToUpper(strings.Join(strings.Fields(line), "")))
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%w: %s: %w", errFASTA, name, err)
	}
	flush()
	if len(recs) == 0 {
		return nil, fmt.Errorf("%w: %s: no FASTA records found", errFASTA, name)
	}
	return recs, nil
}
