package main

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestParseFASTA(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    []record
		wantErr string
	}{
		{"two records, wrapped and blank lines", ">r1 first read\nACGT\nac gt\n\n>r2\nNNNN\n",
			[]record{{"r1", "ACGTACGT"}, {"r2", "NNNN"}}, ""},
		{"empty record kept", ">r1\n>r2\nA\n", []record{{"r1", ""}, {"r2", "A"}}, ""},
		{"crlf", ">r1\r\nAC\r\n", []record{{"r1", "AC"}}, ""},
		{"data before header", "AC\n>r1\n", nil, "x.fa:1: expected a '>' header"},
		{"no id", ">  \nAC\n", nil, "x.fa:1: header line has no sequence id"},
		{"digit", ">r\nAC\nA1\n", nil, "x.fa:3: invalid character '1' in sequence (position 2)"},
		{"binary", ">r\nA\xffC\n", nil, "invalid character"},
		{"nothing", "\n \n", nil, "x.fa: no FASTA records found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseFASTA(strings.NewReader(tt.in), "x.fa")
			if tt.wantErr != "" {
				if !errors.Is(err, errFASTA) || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want errFASTA with %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || !reflect.DeepEqual(got, tt.want) {
				t.Errorf("parseFASTA = %+v, %v; want %+v", got, err, tt.want)
			}
		})
	}
}

func TestChunkReads(t *testing.T) {
	recs := []record{{"a", strings.Repeat("A", 650)}, {"b", ""}, {"c", strings.Repeat("C", 300)}}
	got := chunkReads(recs, 300)
	want := []chunk{{"a_chunk_1", "a", 300}, {"a_chunk_2", "a", 300}, {"a_chunk_3", "a", 50}, {"c_chunk_1", "c", 300}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("chunkReads = %+v, want %+v", got, want)
	}
	if d, e := dnaTokens(want[0]), esmTokens(want[0]); d != 62 || e != 102 {
		t.Errorf("tokens of 300 bases: dnabert %d, esm %d; want 62, 102", d, e)
	}
}

func TestPlanBatches(t *testing.T) {
	tests := []struct {
		name    string
		lengths []int
		budget  int
		want    [][]int
	}{
		{"longest first, padded size within budget", []int{10, 30, 20, 30}, 60, [][]int{{1, 3}, {2, 0}}},
		{"one too long alone", []int{100, 10, 10}, 50, [][]int{{0}, {1, 2}}},
		{"padding counts", []int{40, 10, 10}, 100, [][]int{{0, 1}, {2}}},
		{"all fit", []int{5, 5, 5}, 1000, [][]int{{0, 1, 2}}},
		{"none", nil, 10, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := planBatches(tt.lengths, tt.budget); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("planBatches = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestFit(t *testing.T) {
	lengths := []int{10, 30, 20, 30}
	tests := []struct {
		name   string
		batch  []int
		budget int
		want   [][]int
	}{
		{"fits", []int{1, 3}, 60, [][]int{{1, 3}}},
		{"cut", []int{1, 3, 2}, 60, [][]int{{1, 3}, {2}}},
		{"one member never cut", []int{1}, 1, [][]int{{1}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := fit(tt.batch, lengths, tt.budget); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("fit = %v, want %v", got, tt.want)
			}
		})
	}
}
