package main

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/benchctl/benchctl/engine/units"
)

// sizeFlag is a byte size: "512", "100MB", "2GiB".
type sizeFlag struct{ p *uint64 }

func (f sizeFlag) String() string {
	if f.p == nil || *f.p == 0 {
		return "0"
	}
	for _, u := range []struct {
		name string
		size uint64
	}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"GB", 1e9}, {"MB", 1e6}, {"KiB", 1 << 10}, {"KB", 1e3}} {
		if *f.p%u.size == 0 {
			return strconv.FormatUint(*f.p/u.size, 10) + u.name
		}
	}
	return strconv.FormatUint(*f.p, 10)
}

func (f sizeFlag) Set(s string) error {
	v, err := units.ParseSize(s)
	if err != nil {
		return err
	}
	*f.p = v
	return nil
}

// durationFlag is a duration: "5ms", "1s", or a bare number of unit.
type durationFlag struct {
	p    *time.Duration
	unit time.Duration
}

func (f durationFlag) String() string {
	if f.p == nil {
		return ""
	}
	return f.p.String()
}

func (f durationFlag) Set(s string) error {
	if v, err := strconv.ParseFloat(strings.TrimSpace(s), 64); err == nil {
		if v < 0 {
			return fmt.Errorf("negative duration %q", s)
		}
		*f.p = time.Duration(v * float64(f.unit))
		return nil
	}
	d, err := units.ParseDuration(s)
	if err != nil {
		return err
	}
	*f.p = d
	return nil
}

// percentFlag is a percentage, "30" or "30%", kept as a fraction. Negative
// values are refused unless signed is set.
type percentFlag struct {
	p      *float64
	signed bool
}

func (f percentFlag) String() string {
	if f.p == nil {
		return ""
	}
	return strconv.FormatFloat(*f.p*100, 'g', -1, 64) + "%"
}

func (f percentFlag) Set(s string) error {
	v, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(s), "%"), 64)
	if err != nil || v < -1000 || v > 1000 || (v < 0 && !f.signed) {
		return fmt.Errorf("bad percentage %q", s)
	}
	*f.p = v / 100
	return nil
}

// boolSetter is one of a --x/--no-x pair: given, it stores its value.
type boolSetter struct {
	p *bool
	v bool
}

func (f boolSetter) IsBoolFlag() bool { return true }

func (f boolSetter) String() string { return "" }

func (f boolSetter) Set(s string) error {
	on, err := strconv.ParseBool(s)
	if err != nil {
		return err
	}
	*f.p = f.v == on
	return nil
}

// modelTypeFlag is the fork's -m/--model-type: 300, 500 or custom (a model of
// 500 bp chunks, from -p).
type modelTypeFlag struct{ p *int }

func (f modelTypeFlag) String() string {
	if f.p == nil {
		return "500"
	}
	return strconv.Itoa(*f.p)
}

func (f modelTypeFlag) Set(s string) error {
	switch s {
	case "300":
		*f.p = 300
	case "500", "custom":
		*f.p = 500
	default:
		return fmt.Errorf("'%s' is not one of '300', '500', 'custom'", s)
	}
	return nil
}
