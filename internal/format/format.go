// Package format writes numbers for humans: bytes in binary units, durations in
// the largest units that matter, and metric values with their units. Every
// human-facing reporter uses it, so a figure reads the same in all of them.
package format

import (
	"math"
	"strconv"
	"strings"
)

var byteUnits = []string{"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"}

// Bytes returns n in binary units with three significant digits: "0 B",
// "512 B", "1.5 GiB", "80 GiB".
func Bytes(n uint64) string {
	if n < 1024 {
		return strconv.FormatUint(n, 10) + " B"
	}
	v := float64(n)
	u := 0
	for v >= 1024 && u < len(byteUnits)-1 {
		v /= 1024
		u++
	}
	s := significant(v, 3)
	if s == "1024" && u < len(byteUnits)-1 { // rounding reached the next unit
		s, u = "1", u+1
	}
	return s + " " + byteUnits[u]
}

// SignedBytes is Bytes for a value that may be negative or fractional, such as a
// memory increase; NaN and infinities are spelled out.
func SignedBytes(v float64) string {
	switch {
	case math.IsNaN(v) || math.IsInf(v, 0):
		return Number(v) + " B"
	case v < 0:
		return "-" + Bytes(uint64(math.Round(-v)))
	case v >= math.MaxUint64:
		return Number(v) + " B"
	}
	return Bytes(uint64(math.Round(v)))
}

// Duration returns a duration given in seconds as people read it: "12us",
// "450ms", "1.5s", "12.3s", "3m12s", "2h05m00s". Negative values carry a sign;
// NaN and infinities are spelled out.
func Duration(seconds float64) string {
	switch {
	case math.IsNaN(seconds):
		return "NaN"
	case math.IsInf(seconds, 1):
		return "+Inf"
	case math.IsInf(seconds, -1):
		return "-Inf"
	case seconds < 0:
		return "-" + Duration(-seconds)
	case seconds == 0:
		return "0s"
	}
	if us := math.Round(seconds * 1e6); us < 1000 {
		return strconv.FormatFloat(us, 'f', 0, 64) + "us"
	}
	if ms := math.Round(seconds * 1e3); ms < 1000 {
		return strconv.FormatFloat(ms, 'f', 0, 64) + "ms"
	}
	if seconds < 10 {
		if s := trimZeros(strconv.FormatFloat(seconds, 'f', 2, 64)); s != "10" {
			return s + "s"
		}
	}
	if seconds < 60 {
		if s := trimZeros(strconv.FormatFloat(seconds, 'f', 1, 64)); s != "60" {
			return s + "s"
		}
	}
	total := math.Round(seconds)
	if total >= 1<<53 {
		return strconv.FormatFloat(seconds, 'g', 4, 64) + "s"
	}
	t := int64(total)
	h, m, s := t/3600, t/60%60, t%60
	if h == 0 {
		return strconv.FormatInt(m, 10) + "m" + pad2(s) + "s"
	}
	return strconv.FormatInt(h, 10) + "h" + pad2(m) + "m" + pad2(s) + "s"
}

// Number returns v with four significant digits and no exponent between 1e-4
// and 1e15 ("4500", "12.35", "0.01234"), with an exponent outside that range,
// and "NaN", "+Inf" or "-Inf" for the values JSON cannot hold.
func Number(v float64) string {
	switch {
	case math.IsNaN(v):
		return "NaN"
	case math.IsInf(v, 1):
		return "+Inf"
	case math.IsInf(v, -1):
		return "-Inf"
	case v == 0:
		return "0"
	}
	a := math.Abs(v)
	if a < 1e-4 || a >= 1e15 {
		return strconv.FormatFloat(v, 'g', 4, 64)
	}
	if a >= 1000 {
		return strconv.FormatFloat(v, 'f', 0, 64)
	}
	return significant(v, 4)
}

// Value returns a metric value with its unit: bytes ("B", "bytes") in binary
// units, seconds ("s") as a duration, percent glued to the number, and any
// other unit after a space ("12.5 MB", "4500 seq/h").
func Value(v float64, unit string) string {
	switch unit {
	case "":
		return Number(v)
	case "B", "bytes":
		return SignedBytes(v)
	case "s":
		return Duration(v)
	case "%":
		return Percent(v)
	}
	return Number(v) + " " + unit
}

// Percent returns a percentage with the precision it deserves: at most one
// decimal from 10% on ("14.2%", "85%", "100%"), two significant digits
// below ("5.7%", "0.47%"), and Number's form for what is smaller still.
func Percent(v float64) string {
	a := math.Abs(v)
	switch {
	case math.IsNaN(v) || math.IsInf(v, 0) || v == 0 || a < 1e-4:
		return Number(v) + "%"
	case a >= 10:
		return trimZeros(strconv.FormatFloat(v, 'f', 1, 64)) + "%"
	}
	return significant(v, 2) + "%"
}

// Spread returns a value and its spread (a standard deviation) with the unit:
// "4500 seq/h ± 120 seq/h". A zero spread is left out.
//
// A plain number's spread has two significant digits and the value as many
// decimals: "1.24 x ± 0.20 x", not "1.241 x ± 0.1961 x".
func Spread(v, spread float64, unit string) string {
	if spread == 0 {
		return Value(v, unit)
	}
	switch unit {
	case "B", "bytes", "s":
	default:
		a := math.Abs(spread)
		if finite(v) && finite(spread) && a >= 1e-4 && a < 1e15 && math.Abs(v) < 1e15 {
			d := min(max(1-int(math.Floor(math.Log10(a))), 0), 6)
			sep := " "
			if unit == "%" || unit == "" {
				sep = ""
			}
			with := func(x float64) string {
				s := strconv.FormatFloat(x, 'f', d, 64)
				if unit != "" {
					s += sep + unit
				}
				return s
			}
			return with(v) + " ± " + with(spread)
		}
	}
	return Value(v, unit) + " ± " + Value(spread, unit)
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// significant formats v with digits significant digits, trailing zeros removed.
func significant(v float64, digits int) string {
	a := math.Abs(v)
	decimals := 0
	if a > 0 {
		decimals = digits - 1 - int(math.Floor(math.Log10(a)))
	}
	if decimals < 0 {
		decimals = 0
	}
	return trimZeros(strconv.FormatFloat(v, 'f', decimals, 64))
}

func trimZeros(s string) string {
	if !strings.Contains(s, ".") {
		return s
	}
	s = strings.TrimRight(s, "0")
	return strings.TrimSuffix(s, ".")
}

func pad2(n int64) string {
	if n < 10 {
		return "0" + strconv.FormatInt(n, 10)
	}
	return strconv.FormatInt(n, 10)
}
