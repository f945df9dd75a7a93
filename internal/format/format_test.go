package format

import (
	"math"
	"testing"

	_ "github.com/benchctl/benchctl/internal/golden" // defines -update for go test ./reporters/... -update
)

func TestBytes(t *testing.T) {
	tests := []struct {
		in   uint64
		want string
	}{
		{0, "0 B"},
		{1023, "1023 B"},
		{1024, "1 KiB"},
		{1536, "1.5 KiB"},
		{1610612736, "1.5 GiB"},
		{64424509440, "60 GiB"},
		{85520809984, "79.6 GiB"},
		{1<<40 - 1, "1 TiB"}, // rounds up into the next unit
		{123456789, "118 MiB"},
		{math.MaxUint64, "16 EiB"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			if got := Bytes(tt.in); got != tt.want {
				t.Errorf("Bytes(%d) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestDuration(t *testing.T) {
	tests := []struct {
		in   float64
		want string
	}{
		{0, "0s"},
		{0.000012, "12us"},
		{0.0009996, "1ms"},
		{0.45, "450ms"},
		{0.9996, "1s"},
		{1.5, "1.5s"},
		{9.996, "10s"},
		{12.34, "12.3s"},
		{59.96, "1m00s"},
		{192, "3m12s"},
		{3600, "1h00m00s"},
		{7500, "2h05m00s"},
		{-1.5, "-1.5s"},
		{math.NaN(), "NaN"},
		{math.Inf(1), "+Inf"},
		{math.Inf(-1), "-Inf"},
		{1e300, "1e+300s"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			if got := Duration(tt.in); got != tt.want {
				t.Errorf("Duration(%v) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestValue(t *testing.T) {
	tests := []struct {
		name string
		v    float64
		unit string
		want string
	}{
		{"plain", 45000, "", "45000"},
		{"megabytes stay as given", 12.5, "MB", "12.5 MB"},
		{"bytes in binary units", 64424509440, "B", "60 GiB"},
		{"bytes spelled out", 1536, "bytes", "1.5 KiB"},
		{"negative bytes", -1536, "B", "-1.5 KiB"},
		{"seconds as a duration", 192, "s", "3m12s"},
		{"percent", 87.5, "%", "87.5%"},
		{"percent to one decimal", 14.1666, "%", "14.2%"},
		{"small percent, two digits", 0.4667, "%", "0.47%"},
		{"whole percent", 100, "%", "100%"},
		{"rate", 4500.25, "seq/h", "4500 seq/h"},
		{"four significant digits", 12.3456, "ms", "12.35 ms"},
		{"small", 0.012345, "J", "0.01235 J"},
		{"tiny", 0.0000123, "J", "1.23e-05 J"},
		{"huge", 2.5e18, "FLOP", "2.5e+18 FLOP"},
		{"NaN", math.NaN(), "MB", "NaN MB"},
		{"NaN bytes", math.NaN(), "B", "NaN B"},
		{"infinite", math.Inf(-1), "%", "-Inf%"},
		{"negative zero", math.Copysign(0, -1), "", "0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Value(tt.v, tt.unit); got != tt.want {
				t.Errorf("Value(%v, %q) = %q, want %q", tt.v, tt.unit, got, tt.want)
			}
		})
	}
}

func TestSpread(t *testing.T) {
	tests := []struct {
		name      string
		v, spread float64
		unit      string
		want      string
	}{
		{"no spread", 4500, 0, "seq/h", "4500 seq/h"},
		{"spread to two significant digits", 4500, 120.5, "seq/h", "4500 seq/h ± 120 seq/h"},
		{"speed-up", 1.241, 0.1961, "x", "1.24 x ± 0.20 x"},
		{"value as precise as its spread", 12.3456, 0.0123, "MB", "12.346 MB ± 0.012 MB"},
		{"percent", 87.46, 1.234, "%", "87.5% ± 1.2%"},
		{"duration spread", 2.77, 0.62, "s", "2.77s ± 620ms"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Spread(tt.v, tt.spread, tt.unit); got != tt.want {
				t.Errorf("Spread(%v, %v, %q) = %q, want %q", tt.v, tt.spread, tt.unit, got, tt.want)
			}
		})
	}
}
