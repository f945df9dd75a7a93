package html

import (
	"math"
	"strconv"
	"strings"
	"unicode"

	"github.com/benchctl/benchctl/internal/format"
	"github.com/benchctl/benchctl/internal/text"
	"github.com/benchctl/benchctl/result"
)

// Geometry of a bar chart: names on the left, bars in the middle, values right.
const (
	barW      = 720
	barLeft   = 190
	barRight  = 540
	barTop    = 22
	barRow    = 28
	barHeight = 18
	barBottom = 26 // under the last bar, for the axis labels
	barLabel  = 28 // characters of a name shown before it is cut
)

// SpeedupPrefix starts the name of a metric that is a speed-up: every such
// metric of a case goes into one bar chart with a 1.0x reference line.
const SpeedupPrefix = "speedup_"

// barChart is a horizontal bar chart: speed-ups, or a column of a table.
type barChart struct {
	Kind    string // "speedup" (with a 1.0x line) or "values"
	Source  string // "metrics" or "table"
	Caption string
	H       int
	Points  int // one .bar each
	Bars    []bar
	XTicks  []tickMark
	Ref     *tickMark // the 1.0x line of speed-ups
	Bottom  string    // where the bars end
	AxisY   string    // where the axis labels sit
}

type bar struct {
	Name, Y, TextY, W, Value, ValueX, Title string
	Slower                                  bool // a speed-up below 1
	Whisker                                 *whisker
}

// whisker is the spread of a bar: value ± spread.
type whisker struct {
	X1, X2, Y, Top, Bot string
}

type barValue struct {
	name          string
	value, spread float64
}

// speedupChart draws a case's speedup_ metrics, or returns nil when it has none.
func speedupChart(ms []result.Metric) *barChart {
	var vals []barValue
	unit := ""
	for _, m := range ms {
		if !strings.HasPrefix(m.Name, SpeedupPrefix) || !finite(m.Value) {
			continue
		}
		name := strings.TrimPrefix(m.Name, SpeedupPrefix)
		if name == "" {
			name = m.Name
		}
		vals = append(vals, barValue{name: name, value: m.Value, spread: m.Spread})
		if unit == "" {
			unit = m.Unit
		}
	}
	if len(vals) == 0 {
		return nil
	}
	c := newBarChart("metrics", vals, unit, true)
	c.Caption = "Speed-ups (1.0x: as fast as the reference)"
	return c
}

// ChartsTable reports whether a recorded table gets a bar chart: the tables of
// the optimization and persistent-models scenarios.
func ChartsTable(name string) bool {
	n := strings.ToLower(name)
	return strings.Contains(n, "optimization") || strings.Contains(n, "persistent")
}

// tableChart draws one numeric column of a table against its first column:
// the speed-up column when there is one (with its spread column as whiskers),
// else the first column whose every filled cell is a number. It returns nil
// when no column is numeric.
func tableChart(tb result.Table) *barChart {
	col, speed := valueColumn(tb)
	if col < 0 {
		return nil
	}
	spreadCol := -1
	for i, h := range tb.Columns {
		if h := strings.ToLower(h); i != col && (strings.Contains(h, "spread") || strings.Contains(h, "stddev")) {
			spreadCol = i
			break
		}
	}
	var vals []barValue
	for _, row := range tb.Rows {
		v, ok := number(cellAt(row, col))
		if !ok {
			continue
		}
		s, _ := number(cellAt(row, spreadCol))
		vals = append(vals, barValue{name: cellAt(row, 0), value: v, spread: math.Abs(s)})
	}
	unit := ""
	if speed {
		unit = "x"
	}
	c := newBarChart("table", vals, unit, speed)
	c.Caption = text.OneLine(tb.Name) + ": " + text.OneLine(tb.Columns[col])
	return c
}

// valueColumn picks the column tableChart draws, and says whether it holds
// speed-ups; -1 when none past the first is numeric.
func valueColumn(tb result.Table) (int, bool) {
	numeric := func(i int) bool {
		n := 0
		for _, row := range tb.Rows {
			c := strings.TrimSpace(cellAt(row, i))
			if c == "" {
				continue
			}
			if _, ok := number(c); !ok {
				return false
			}
			n++
		}
		return n > 0
	}
	for i := 1; i < len(tb.Columns); i++ {
		if h := strings.ToLower(tb.Columns[i]); (strings.Contains(h, "speed") || strings.Contains(h, "ratio")) && numeric(i) {
			return i, true
		}
	}
	for i := 1; i < len(tb.Columns); i++ {
		if numeric(i) {
			return i, false
		}
	}
	return -1, false
}

func newBarChart(source string, vals []barValue, unit string, speedup bool) *barChart {
	kind := "values"
	if speedup {
		kind = "speedup"
	}
	top := 0.0
	for _, v := range vals {
		top = math.Max(top, v.value+v.spread)
	}
	if speedup {
		top = math.Max(top, 1)
	}
	suffix := unit
	if suffix != "" && suffix != "x" && suffix != "%" {
		suffix = " " + suffix
	}
	ax := linearAxis(top, suffix)
	bottom := barTop + barRow*len(vals)
	c := &barChart{Kind: kind, Source: source, H: bottom + barBottom, Points: len(vals), Bottom: px(float64(bottom)), AxisY: px(float64(bottom) + 16)}
	x := func(v float64) float64 { return barLeft + clamp(v/ax.Max, 0, 1)*(barRight-barLeft) }
	for _, t := range ax.Ticks {
		c.XTicks = append(c.XTicks, tickMark{Pos: px(x(t)), Label: ax.label(t)})
	}
	if speedup {
		c.Ref = &tickMark{Pos: px(x(1)), Label: "1.0x"}
	}
	for i, v := range vals {
		y := float64(barTop + barRow*i)
		name := text.OneLine(v.name)
		value := format.Spread(v.value, v.spread, unit)
		b := bar{
			Name: text.Truncate(name, barLabel), Y: px(y), TextY: px(y + barHeight/2 + 4),
			W: px(x(v.value) - barLeft), Value: value, Title: name + ": " + value,
			Slower: speedup && v.value < 1,
		}
		end := x(v.value)
		if v.spread > 0 {
			mid := y + barHeight/2
			lo, hi := x(v.value-v.spread), x(v.value+v.spread)
			b.Whisker = &whisker{X1: px(lo), X2: px(hi), Y: px(mid), Top: px(mid - 5), Bot: px(mid + 5)}
			end = hi
		}
		b.ValueX = px(end + 6)
		c.Bars = append(c.Bars, b)
	}
	return c
}

func cellAt(row []string, i int) string {
	if i < 0 || i >= len(row) {
		return ""
	}
	return row[i]
}

// number reads the number a table cell starts with: "1.25x", "± 0.05",
// "4500 seq/h", "12%". Cells that are not numbers ("41.2 GiB" is one, in GiB).
func number(cell string) (float64, bool) {
	s := strings.TrimSpace(cell)
	s = strings.TrimSpace(strings.TrimPrefix(strings.TrimPrefix(s, "±"), "+-"))
	end := strings.IndexFunc(s, func(r rune) bool {
		return !(unicode.IsDigit(r) || r == '.' || r == '-' || r == '+' || r == 'e' || r == 'E')
	})
	if end == 0 {
		return 0, false
	}
	if end > 0 {
		rest := strings.TrimSpace(s[end:])
		if rest != "" && unicode.IsDigit([]rune(rest)[0]) {
			return 0, false
		}
		s = s[:end]
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || !finite(v) {
		return 0, false
	}
	return v, true
}
