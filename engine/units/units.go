// Package units parses the readable durations and sizes that scenarios and
// flags use: "2h", "1h30m", "500ms", "1.5s"; "100MB", "2GiB", "512". Writing
// them for people is internal/format's job, so every output agrees.
package units

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// ParseDuration reads a duration: Go syntax ("1h30m", "500ms"), a plain number
// of seconds ("90", "0.5"), or days ("2d"). Negative durations are refused.
func ParseDuration(s string) (time.Duration, error) {
	in := strings.TrimSpace(s)
	if in == "" {
		return 0, fmt.Errorf("empty duration")
	}
	if f, err := strconv.ParseFloat(in, 64); err == nil {
		d, err := Seconds(f)
		if err != nil {
			return 0, fmt.Errorf("invalid duration %q: %w", s, err)
		}
		return d, nil
	}
	if strings.HasSuffix(in, "d") {
		f, err := strconv.ParseFloat(strings.TrimSuffix(in, "d"), 64)
		if err == nil {
			d, err := Seconds(f * 24 * 3600)
			if err != nil {
				return 0, fmt.Errorf("invalid duration %q: %w", s, err)
			}
			return d, nil
		}
	}
	d, err := time.ParseDuration(in)
	if err != nil {
		return 0, fmt.Errorf("invalid duration %q (want e.g. 500ms, 2h, 1h30m, 90)", s)
	}
	if d < 0 {
		return 0, fmt.Errorf("invalid duration %q: negative", s)
	}
	if d > MaxDuration {
		return 0, fmt.Errorf("invalid duration %q: over the limit of 100 years", s)
	}
	return d, nil
}

// MaxDuration is the longest duration ParseDuration and Seconds accept: a
// hundred years. A longer one (a timeout of 1e300) is a mistake, and past
// about 292 years it no longer fits a time.Duration and would turn negative.
const MaxDuration = 100 * 365 * 24 * time.Hour

// Seconds is f seconds as a duration; NaN, infinities, negative numbers and
// durations over MaxDuration are errors.
func Seconds(f float64) (time.Duration, error) {
	switch {
	case math.IsNaN(f) || math.IsInf(f, 0):
		return 0, fmt.Errorf("must be a finite number of seconds >= 0, got %v", f)
	case f < 0:
		return 0, fmt.Errorf("negative (%v)", f)
	case f > MaxDuration.Seconds():
		return 0, fmt.Errorf("over the limit of 100 years")
	}
	return time.Duration(f * float64(time.Second)), nil
}

var sizeUnits = map[string]float64{
	"": 1, "b": 1,
	"k": 1e3, "kb": 1e3, "m": 1e6, "mb": 1e6, "g": 1e9, "gb": 1e9, "t": 1e12, "tb": 1e12,
	"kib": 1 << 10, "mib": 1 << 20, "gib": 1 << 30, "tib": 1 << 40,
}

// ParseSize reads a size in bytes: "512", "100MB" (decimal, 10^6), "2GiB"
// (binary, 2^30), "1.5GB". Units are case-insensitive.
func ParseSize(s string) (uint64, error) {
	in := strings.TrimSpace(s)
	i := strings.IndexFunc(in, func(r rune) bool { return !(unicode.IsDigit(r) || r == '.') })
	num, unit := in, ""
	if i >= 0 {
		num, unit = in[:i], strings.ToLower(strings.TrimSpace(in[i:]))
	}
	mult, ok := sizeUnits[unit]
	f, err := strconv.ParseFloat(num, 64)
	if !ok || err != nil || f < 0 || math.IsInf(f, 0) || math.IsNaN(f) {
		return 0, fmt.Errorf("invalid size %q (want e.g. 512, 100MB, 2GiB)", s)
	}
	v := f * mult
	if v >= math.MaxUint64 {
		return 0, fmt.Errorf("invalid size %q: too large", s)
	}
	return uint64(v), nil
}
