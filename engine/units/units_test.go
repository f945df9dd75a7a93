package units

import (
	"testing"
	"time"
)

func TestParseDuration(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
		bad  bool
	}{
		{"2h", 2 * time.Hour, false},
		{"500ms", 500 * time.Millisecond, false},
		{"1h30m", 90 * time.Minute, false},
		{"90", 90 * time.Second, false},
		{"0.5", 500 * time.Millisecond, false},
		{"1d", 24 * time.Hour, false},
		{"", 0, true},
		{"soon", 0, true},
		{"-1s", 0, true},
		{"-5", 0, true},
		{"10 parsecs", 0, true},
		{"NaN", 0, true},
		{"1e300", 0, true},
		{"Infd", 0, true},
		{"1e300d", 0, true},
		{"200000000h", 0, true},
		{"36500d", 36500 * 24 * time.Hour, false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseDuration(tt.in)
			if (err != nil) != tt.bad {
				t.Fatalf("ParseDuration(%q) error = %v, want error %v", tt.in, err, tt.bad)
			}
			if !tt.bad && got != tt.want {
				t.Errorf("ParseDuration(%q) = %v, want %v", tt.in, got, tt.want)
			}
		})
	}
}

func TestParseSize(t *testing.T) {
	tests := []struct {
		in   string
		want uint64
		bad  bool
	}{
		{"512", 512, false},
		{"100MB", 100e6, false},
		{"100 mb", 100e6, false},
		{"2GiB", 2 << 30, false},
		{"1.5GiB", 3 << 29, false},
		{"1KiB", 1024, false},
		{"", 0, true},
		{"MB", 0, true},
		{"12XB", 0, true},
		{"-3MB", 0, true},
		{"1e30TiB", 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseSize(tt.in)
			if (err != nil) != tt.bad {
				t.Fatalf("ParseSize(%q) error = %v, want error %v", tt.in, err, tt.bad)
			}
			if !tt.bad && got != tt.want {
				t.Errorf("ParseSize(%q) = %d, want %d", tt.in, got, tt.want)
			}
		})
	}
}
