package proctree

import (
	"errors"
	"testing"
)

func TestParseStat(t *testing.T) {
	tests := []struct {
		name    string
		line    string
		want    Proc
		wantErr bool
	}{
		{
			name: "plain",
			line: "6153 (cat) R 6146 6146 2950 0 -1 4194304 102 0 0 0 7 3 2 1 20 0 1 0 44753 3133440 364 18446744073709551615 0\n",
			want: Proc{PID: 6153, PPID: 6146, Pgrp: 6146, Session: 2950, Start: 44753, State: 'R', Utime: 7, Stime: 3, Cutime: 2, Cstime: 1, RSSPages: 364},
		},
		{
			name: "command with spaces and parentheses",
			line: "42 (a) b (c) S 7 42 9 0 -1 0 0 0 0 0 100 200 0 0 20 0 1 0 1 1 5",
			want: Proc{PID: 42, PPID: 7, Pgrp: 42, Session: 9, Start: 1, State: 'S', Utime: 100, Stime: 200, RSSPages: 5},
		},
		{
			name: "zombie",
			line: "43 (sh) Z 7 42 9 0 -1 0 0 0 0 0 4 5 0 0 20 0 1 0 1 0 0",
			want: Proc{PID: 43, PPID: 7, Pgrp: 42, Session: 9, Start: 1, State: 'Z', Utime: 4, Stime: 5},
		},
		{
			name: "negative cutime is read as zero",
			line: "44 (x) S 1 1 1 0 -1 0 0 0 0 0 1 1 -3 0 20 0 1 0 1 0 2",
			want: Proc{PID: 44, PPID: 1, Pgrp: 1, Session: 1, Start: 1, State: 'S', Utime: 1, Stime: 1, RSSPages: 2},
		},
		{name: "truncated", line: "45 (x) S 1 1 1 0 -1 0", wantErr: true},
		{name: "no command", line: "46 S 1 1 1", wantErr: true},
		{name: "bad pid", line: "x4 (x) S 1 1 1 0 -1 0 0 0 0 0 1 1 0 0 20 0 1 0 1 0 2", wantErr: true},
		{name: "bad number", line: "47 (x) S 1 1 1 0 -1 0 0 0 0 0 1x 1 0 0 20 0 1 0 1 0 2", wantErr: true},
		{name: "empty", line: "", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseStat([]byte(tt.line))
			if tt.wantErr {
				if !errors.Is(err, ErrMalformed) {
					t.Fatalf("parseStat: err = %v, want ErrMalformed", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("parseStat: %v", err)
			}
			if got != tt.want {
				t.Errorf("parseStat =\n %+v, want\n %+v", got, tt.want)
			}
		})
	}
}
