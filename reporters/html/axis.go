package html

import (
	"math"
	"strconv"
	"strings"
)

// axis is a value range starting at 0 and the values where it is labelled.
type axis struct {
	Max   float64
	Ticks []float64
	label func(float64) string
}

// maxTicks bounds the labels on an axis, so a 10-hour run gets hours and a
// 2-second run half seconds, never a crowd.
const maxTicks = 8

// timeSteps are the tick steps of a time axis from one second up: round
// seconds, minutes and hours. Below a second and above a day, niceStep decides.
var timeSteps = []float64{1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400}

// timeAxis labels 0..span seconds in seconds, minutes or hours.
func timeAxis(span float64) axis {
	span = positive(span, 1)
	step := 0.0
	switch {
	case span/maxTicks < 1:
		step = niceStep(span, maxTicks)
	case span/maxTicks > 86400:
		step = niceStep(span/86400, maxTicks) * 86400
	default:
		for _, s := range timeSteps {
			if span/s <= maxTicks {
				step = s
				break
			}
		}
	}
	return axis{Max: span, Ticks: ticksUpTo(span, step), label: func(v float64) string { return timeLabel(v, step) }}
}

// timeLabel writes a tick of a time axis compactly: "0s", "0.5s", "45s",
// "1m30s", "2h", "1h30m".
func timeLabel(v, step float64) string {
	if step < 1 {
		return trimZeros(strconv.FormatFloat(v, 'f', decimals(step), 64)) + "s"
	}
	t := int64(math.Round(v))
	if t == 0 {
		return "0s"
	}
	h, m, s := t/3600, t/60%60, t%60
	var b strings.Builder
	if h > 0 {
		b.WriteString(strconv.FormatInt(h, 10) + "h")
	}
	if m > 0 || h > 0 && s > 0 {
		b.WriteString(strconv.FormatInt(m, 10) + "m")
	}
	if s > 0 {
		b.WriteString(strconv.FormatInt(s, 10) + "s")
	}
	return b.String()
}

var byteUnits = []string{"B", "KiB", "MiB", "GiB", "TiB", "PiB"}

// bytesAxis labels 0..top bytes in the binary unit that suits the largest value,
// ending at the first tick at or above top.
func bytesAxis(top float64) axis {
	top = positive(top, 1)
	k := 0
	for k < len(byteUnits)-1 && top >= math.Pow(1024, float64(k+1)) {
		k++
	}
	unit := math.Pow(1024, float64(k))
	stepU := niceStep(top/unit, 5)
	if k == 0 {
		stepU = max(stepU, 1) // no fractions of a byte
	}
	end := math.Ceil(top/unit/stepU-1e-9) * stepU
	label := func(v float64) string {
		return trimZeros(strconv.FormatFloat(v/unit, 'f', decimals(stepU), 64)) + " " + byteUnits[k]
	}
	return axis{Max: end * unit, Ticks: ticksUpTo(end*unit, stepU*unit), label: label}
}

// percentAxis labels 0..100% every 25%, or further when a value passed 100.
func percentAxis(top float64) axis {
	end, step := 100.0, 25.0
	if top > 100 {
		step = niceStep(top, 5)
		end = math.Ceil(top/step-1e-9) * step
	}
	return axis{Max: end, Ticks: ticksUpTo(end, step), label: func(v float64) string {
		return trimZeros(strconv.FormatFloat(v, 'f', decimals(step), 64)) + "%"
	}}
}

// linearAxis labels 0..top, ending at the first nice tick at or above it, with
// suffix after each number ("1.5x").
func linearAxis(top float64, suffix string) axis {
	top = positive(top, 1)
	step := niceStep(top, 5)
	end := math.Ceil(top/step-1e-9) * step
	return axis{Max: end, Ticks: ticksUpTo(end, step), label: func(v float64) string {
		return trimZeros(strconv.FormatFloat(v, 'f', decimals(step), 64)) + suffix
	}}
}

// niceStep is 1, 2 or 5 times a power of ten, the smallest such step that cuts
// span into at most n parts.
func niceStep(span float64, n int) float64 {
	raw := span / float64(n)
	p := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 5} {
		if m*p >= raw*(1-1e-9) {
			return m * p
		}
	}
	return 10 * p
}

// ticksUpTo returns 0, step, 2*step, ... up to top (within rounding).
func ticksUpTo(top, step float64) []float64 {
	var ticks []float64
	for i := 0; ; i++ {
		v := float64(i) * step
		if v > top*(1+1e-9) || i > 1000 {
			return ticks
		}
		ticks = append(ticks, v)
	}
}

// decimals is how many decimals a multiple of step needs: 0 for 5, 1 for 0.5.
func decimals(step float64) int {
	if step >= 1 {
		return 0
	}
	return int(math.Ceil(-math.Log10(step) - 1e-9))
}

// positive returns v when it is a positive finite number, else fallback.
func positive(v, fallback float64) float64 {
	if v > 0 && !math.IsInf(v, 0) {
		return v
	}
	return fallback
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

func trimZeros(s string) string {
	if !strings.Contains(s, ".") {
		return s
	}
	return strings.TrimSuffix(strings.TrimRight(s, "0"), ".")
}

// px writes a coordinate with one decimal: enough for a screen, and stable.
func px(v float64) string {
	return trimZeros(strconv.FormatFloat(v, 'f', 1, 64))
}

// geo is the chart geometry for the template, so the numbers live in one place.
type geo struct {
	ChartW, ChartH, PlotLeft, PlotRight, PlotTop, PlotBot, PlotH, TickEnd, XLabelY, YLabelX string
	StripTop, StripH, StageLabelY                                                           string
	BarW, BarLeft, BarNameX, BarHeight, BarTop, RefTop                                      string
}

var geometry = geo{
	ChartW: itoa(chartW), ChartH: itoa(chartH),
	PlotLeft: itoa(plotLeft), PlotRight: itoa(plotRight), PlotTop: itoa(plotTop), PlotBot: itoa(plotBot),
	PlotH: itoa(plotBot - plotTop), TickEnd: itoa(plotBot + 5), XLabelY: itoa(plotBot + 18),
	YLabelX:  itoa(plotLeft - 6),
	StripTop: itoa(stripTop), StripH: itoa(plotBot - stripTop), StageLabelY: itoa(stripTop + 13),
	BarW: itoa(barW), BarLeft: itoa(barLeft), BarNameX: itoa(barLeft - 8), BarHeight: itoa(barHeight),
	BarTop: itoa(barTop - 8), RefTop: itoa(barTop - 10),
}
