package host

import (
	"encoding/binary"
	"errors"
	"testing"
	"unsafe"
)

func TestParseStat(t *testing.T) {
	tests := []struct {
		name    string
		line    string
		want    procStat
		wantErr bool
	}{
		{
			name: "plain",
			line: "6153 (cat) R 6146 6146 2950 0 -1 4194304 102 0 0 0 7 3 2 1 20 0 1 0 44753 3133440 364 18446744073709551615 0\n",
			want: procStat{pid: 6153, ppid: 6146, session: 2950, state: 'R', utime: 7, stime: 3, cutime: 2, cstime: 1, rssPages: 364},
		},
		{
			name: "command with spaces and parentheses",
			line: "42 (a) b (c) S 7 42 9 0 -1 0 0 0 0 0 100 200 0 0 20 0 1 0 1 1 5",
			want: procStat{pid: 42, ppid: 7, session: 9, state: 'S', utime: 100, stime: 200, rssPages: 5},
		},
		{
			name: "zombie",
			line: "43 (sh) Z 7 42 9 0 -1 0 0 0 0 0 4 5 0 0 20 0 1 0 1 0 0",
			want: procStat{pid: 43, ppid: 7, session: 9, state: 'Z', utime: 4, stime: 5},
		},
		{
			name: "negative cutime is read as zero",
			line: "44 (x) S 1 1 1 0 -1 0 0 0 0 0 1 1 -3 0 20 0 1 0 1 0 2",
			want: procStat{pid: 44, ppid: 1, session: 1, state: 'S', utime: 1, stime: 1, rssPages: 2},
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
				if !errors.Is(err, errMalformed) {
					t.Fatalf("parseStat: err = %v, want errMalformed", err)
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

func TestAuxvValue(t *testing.T) {
	word := int(unsafe.Sizeof(uintptr(0)))
	vec := func(pairs ...uint64) []byte {
		b := make([]byte, len(pairs)*word)
		for i, v := range pairs {
			if word == 4 {
				binary.NativeEndian.PutUint32(b[i*word:], uint32(v))
			} else {
				binary.NativeEndian.PutUint64(b[i*word:], v)
			}
		}
		return b
	}
	tests := []struct {
		name string
		b    []byte
		want uint64
	}{
		{"present", vec(6, 4096, atClkTck, 250, 0, 0), 250},
		{"absent", vec(6, 4096, 0, 0), 0},
		{"after AT_NULL", vec(0, 0, atClkTck, 250), 0},
		{"truncated", vec(6, 4096, atClkTck)[:3*word], 0},
		{"empty", nil, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := auxvValue(tt.b, atClkTck); got != tt.want {
				t.Errorf("auxvValue = %d, want %d", got, tt.want)
			}
		})
	}
	if hz := clockTicks(); hz <= 0 {
		t.Errorf("clockTicks() = %v, want > 0", hz)
	}
}
