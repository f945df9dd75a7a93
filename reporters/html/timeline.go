package html

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/benchctl/benchctl/internal/format"
	"github.com/benchctl/benchctl/internal/text"
	"github.com/benchctl/benchctl/result"
)

// Geometry of a timeline chart, in SVG user units; the SVG scales to its box.
const (
	chartW    = 640
	chartH    = 230
	plotLeft  = 64
	plotRight = 624
	stripTop  = 12 // stage names sit in a strip above the plot
	plotTop   = 32
	plotBot   = 196
	charPx    = 6.4 // the width of a character of the 11-unit chart font, about
)

// timeChart is one metric of one GPU over a run: the min-max band of each
// timeline bucket, the max as a line, the stages behind and the peak marked.
type timeChart struct {
	Kind    string // "memory" or "utilization"
	GPU     int
	Caption string
	Points  int // buckets that hold the metric, one .pt each
	YTicks  []tickMark
	XTicks  []tickMark
	Stages  []stageBand
	Band    string // path data of the min-max envelope
	Line    string // path data of the max
	Pts     []point
	Peak    *peakMark
	Limit   *tickMark // the GPU's memory size, when the axis reaches it
}

// tickMark is a labelled position on an axis.
type tickMark struct {
	Pos, Label string
}

// stageBand is a pipeline stage drawn behind the series.
type stageBand struct {
	Name, X, W, LabelX, Title string
	Shade                     int  // which of the stage colours
	Labelled                  bool // the band is wide enough for its name
}

// point is one timeline bucket: an invisible column that carries the bucket's
// figures as a tooltip, and that the tests count.
type point struct {
	X, W, Title string
}

// peakMark is the highest max of the timeline, with its label.
type peakMark struct {
	X, Y, LabelX, LabelY, Anchor, Label, Title string
}

// series is what a chart draws of one metric: the buckets that hold it.
type series struct {
	start, end, min, max []float64
}

// seriesOf collects metric from a timeline, skipping buckets without it and
// values that are not finite; a bucket without a min uses its max.
func seriesOf(tl []result.Bucket, metric string) series {
	var s series
	for _, b := range tl {
		hi, ok := b.Max[metric]
		if !ok || !finite(hi) || !finite(b.Start) || !finite(b.End) {
			continue
		}
		lo, ok := b.Min[metric]
		if !ok || !finite(lo) || lo > hi {
			lo = hi
		}
		s.start = append(s.start, b.Start)
		s.end = append(s.end, max(b.End, b.Start))
		s.min = append(s.min, lo)
		s.max = append(s.max, hi)
	}
	return s
}

// gpuCharts returns the memory and utilization charts of one GPU of a run, or
// none when its timeline is empty. span is the run's time axis.
func gpuCharts(g result.GPURun, stages []result.Stage, span float64) []timeChart {
	var charts []timeChart
	if s := seriesOf(g.Timeline, result.MemUsed); len(s.max) > 0 {
		top := maxOf(s.max)
		var limit float64
		if total := float64(g.MemoryTotal); total > 0 && top >= total/2 {
			top, limit = max(top, total), total
		}
		y := bytesAxis(top)
		c := newTimeChart("memory", g.Index, s, stages, timeAxis(span), y, func(v float64) string { return format.SignedBytes(v) })
		c.Caption = fmt.Sprintf("GPU%d memory used: peak %s", g.Index, format.SignedBytes(top0(s.max)))
		if g.MemoryTotal > 0 {
			c.Caption += " of " + format.Bytes(g.MemoryTotal)
		}
		if limit > 0 {
			c.Limit = &tickMark{Pos: px(yPos(limit, y.Max)), Label: "total " + format.Bytes(g.MemoryTotal)}
		}
		charts = append(charts, c)
	}
	if s := seriesOf(g.Timeline, result.UtilGPU); len(s.max) > 0 {
		c := newTimeChart("utilization", g.Index, s, stages, timeAxis(span), percentAxis(maxOf(s.max)),
			func(v float64) string { return format.Value(v, "%") })
		c.Caption = fmt.Sprintf("GPU%d utilization", g.Index)
		if st, ok := g.Stats[result.UtilGPU]; ok && st.Count > 0 {
			c.Caption += ": mean " + format.Value(st.Mean, "%")
		}
		charts = append(charts, c)
	}
	return charts
}

func newTimeChart(kind string, gpu int, s series, stages []result.Stage, x, y axis, val func(float64) string) timeChart {
	c := timeChart{Kind: kind, GPU: gpu, Points: len(s.max)}
	for _, t := range y.Ticks {
		c.YTicks = append(c.YTicks, tickMark{Pos: px(yPos(t, y.Max)), Label: y.label(t)})
	}
	for _, t := range x.Ticks {
		c.XTicks = append(c.XTicks, tickMark{Pos: px(xPos(t, x.Max)), Label: x.label(t)})
	}
	c.Stages = stageBands(stages, x.Max)
	c.Band, c.Line = paths(s, x.Max, y.Max)
	for i := range s.max {
		x0, x1 := xPos(s.start[i], x.Max), xPos(s.end[i], x.Max)
		title := fmt.Sprintf("%s to %s: min %s, max %s", format.Duration(s.start[i]), format.Duration(s.end[i]), val(s.min[i]), val(s.max[i]))
		c.Pts = append(c.Pts, point{X: px(x0), W: px(max(x1-x0, 0.5)), Title: title})
	}
	c.Peak = peak(s, x.Max, y.Max, val)
	return c
}

// paths draws the buckets as steps: each bucket is flat from its start to its
// end at its max (the line) and spans its min to its max (the band). A gap in
// the timeline starts a new piece instead of bridging it.
func paths(s series, xMax, yMax float64) (band, line string) {
	var bb, lb strings.Builder
	for lo := 0; lo < len(s.max); {
		hi := lo + 1
		for hi < len(s.max) && s.start[hi]-s.end[hi-1] <= xMax/2000 {
			hi++
		}
		var up, down []string
		for i := lo; i < hi; i++ {
			x0, x1 := px(xPos(s.start[i], xMax)), px(xPos(s.end[i], xMax))
			ymax, ymin := px(yPos(s.max[i], yMax)), px(yPos(s.min[i], yMax))
			up = append(up, x0+","+ymax, x1+","+ymax)
			down = append(down, x1+","+ymin, x0+","+ymin)
		}
		for i, j := 0, len(down)-2; i < j; i, j = i+2, j-2 { // walk the bottom back, pairs kept in order
			down[i], down[i+1], down[j], down[j+1] = down[j], down[j+1], down[i], down[i+1]
		}
		lb.WriteString("M" + strings.Join(up, "L"))
		bb.WriteString("M" + strings.Join(up, "L") + "L" + strings.Join(down, "L") + "Z")
		lo = hi
	}
	return bb.String(), lb.String()
}

// peak marks the first bucket with the highest max.
func peak(s series, xMax, yMax float64, val func(float64) string) *peakMark {
	best := 0
	for i, v := range s.max {
		if v > s.max[best] {
			best = i
		}
	}
	x := (xPos(s.start[best], xMax) + xPos(s.end[best], xMax)) / 2
	y := yPos(s.max[best], yMax)
	label := "peak " + val(s.max[best])
	m := &peakMark{X: px(x), Y: px(y), Label: label, Anchor: "start",
		Title: fmt.Sprintf("%s between %s and %s", label, format.Duration(s.start[best]), format.Duration(s.end[best]))}
	lx, ly := x+7, y-7
	if x+7+charPx*float64(len(label)) > plotRight {
		lx, m.Anchor = x-7, "end"
	}
	if ly < plotTop+8 { // no room above the dot: put the label under it
		ly = y + 16
	}
	m.LabelX, m.LabelY = px(lx), px(ly)
	return m
}

// stageBands places the stages on a time axis of span seconds; a stage outside
// the axis is clipped to it, and one without a positive length is dropped.
func stageBands(stages []result.Stage, span float64) []stageBand {
	var bands []stageBand
	shade := stageShades(stages)
	for _, st := range stages {
		start, end := clamp(st.Start, 0, span), clamp(st.End, 0, span)
		if !finite(st.Start) || !finite(st.End) || end <= start {
			continue
		}
		x0, x1 := xPos(start, span), xPos(end, span)
		name := text.OneLine(st.Name)
		bands = append(bands, stageBand{
			Name:     name,
			X:        px(x0),
			W:        px(x1 - x0),
			LabelX:   px(x0 + 4),
			Title:    fmt.Sprintf("%s: %s to %s (%s)", name, format.Duration(st.Start), format.Duration(st.End), format.Duration(st.End-st.Start)),
			Shade:    shade[st.Name],
			Labelled: x1-x0 >= charPx*float64(len([]rune(name)))+8,
		})
	}
	return bands
}

// stageColours is how many stage colours the style sheet has (.shade0...).
const stageColours = 8

// stageShades gives each stage name its colour, in the order the stages
// first start: every window of a stage has the stage's colour.
func stageShades(stages []result.Stage) map[string]int {
	shade := map[string]int{}
	for _, st := range stages {
		if _, ok := shade[st.Name]; !ok {
			shade[st.Name] = len(shade) % stageColours
		}
	}
	return shade
}

// stageGroup is one stage name with all its windows.
type stageGroup struct {
	Name                 string
	Windows              int
	First, Last, Seconds float64 // the first start, the last end, the sum of the windows
}

// groupStages gathers the windows of each stage, in the order the stages
// first start.
func groupStages(stages []result.Stage) []stageGroup {
	var groups []stageGroup
	at := map[string]int{}
	for _, st := range stages {
		i, ok := at[st.Name]
		if !ok {
			i = len(groups)
			at[st.Name] = i
			groups = append(groups, stageGroup{Name: st.Name, First: st.Start, Last: st.End})
		}
		g := &groups[i]
		g.Windows++
		g.First, g.Last = min(g.First, st.Start), max(g.Last, st.End)
		if d := st.End - st.Start; finite(d) && d > 0 {
			g.Seconds += d
		}
	}
	return groups
}

// stageKey is one entry of the stage legend: a stage's colour, its name,
// how many windows it had and their total time.
type stageKey struct {
	Name, Title string
	Shade       int
}

// stageLegend is the charts' legend: one entry per stage name.
func stageLegend(stages []result.Stage) []stageKey {
	shade := stageShades(stages)
	var keys []stageKey
	for _, g := range groupStages(stages) {
		title := text.OneLine(g.Name) + " " + format.Duration(g.Seconds)
		if g.Windows > 1 {
			title += fmt.Sprintf(" in %d windows", g.Windows)
		}
		keys = append(keys, stageKey{Name: text.OneLine(g.Name), Title: title, Shade: shade[g.Name]})
	}
	return keys
}

// span is the time axis of a run: its wall time, or as far as its timeline and
// stages reach when that is further.
func span(run result.Run) float64 {
	s := run.Seconds
	if !finite(s) {
		s = 0
	}
	if run.GPU != nil {
		for _, g := range run.GPU.GPUs {
			for _, b := range g.Timeline {
				if finite(b.End) {
					s = max(s, b.End)
				}
			}
		}
	}
	for _, st := range run.Stages {
		if finite(st.End) {
			s = max(s, st.End)
		}
	}
	return s
}

func xPos(v, span float64) float64 {
	return plotLeft + clamp(v/positive(span, 1), 0, 1)*(plotRight-plotLeft)
}

func yPos(v, top float64) float64 {
	return plotBot - clamp(v/positive(top, 1), 0, 1)*(plotBot-plotTop)
}

func clamp(v, lo, hi float64) float64 {
	if math.IsNaN(v) {
		return lo
	}
	return math.Min(math.Max(v, lo), hi)
}

func maxOf(vs []float64) float64 {
	m := math.Inf(-1)
	for _, v := range vs {
		m = math.Max(m, v)
	}
	return m
}

// top0 is maxOf for a caption: never below zero.
func top0(vs []float64) float64 { return math.Max(maxOf(vs), 0) }

// itoa is strconv.Itoa for the template.
func itoa(n int) string { return strconv.Itoa(n) }
