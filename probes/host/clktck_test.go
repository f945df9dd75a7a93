package host

import (
	"encoding/binary"
	"testing"
	"unsafe"
)

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
