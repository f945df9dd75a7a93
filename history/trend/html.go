package trend

import (
	"bytes"
	"fmt"
	"html/template"
	"math"
	"sync"

	"github.com/benchctl/benchctl/internal/format"
)

// maxDots is the most runs drawn as dots with their own tooltip; a longer
// series is drawn as its line only (the page stays small and quick).
const maxDots = 1000

// Chart geometry, in SVG user units.
const (
	chartW, chartH         = 760.0, 220.0
	padL, padR, padT, padB = 70.0, 20.0, 16.0, 28.0
)

// HTML renders the trend as a self-contained page: per series an SVG chart
// of its runs, the median of each segment between changes as a level line,
// and each change marked at the run where it starts (red for a regression,
// green for an improvement), with its table below. No script, no network.
func HTML(t *Trend) ([]byte, error) {
	page := htmlPage{Trend: t}
	for _, l := range t.Lines {
		page.Charts = append(page.Charts, chartOf(l))
	}
	var b bytes.Buffer
	if err := pageTmpl().Execute(&b, page); err != nil {
		return nil, fmt.Errorf("render trend page: %w", err)
	}
	return b.Bytes(), nil
}

type htmlPage struct {
	Trend  *Trend
	Charts []chart
}

type chart struct {
	Line                Line
	Summary             string
	Path                string
	Dots                []dot
	Levels              []level
	Marks               []mark
	YTicks              []tick
	FirstDate, LastDate string
	Rows                [][]string
	Header              []string
	W, H, Left, Right   float64
	Top, Bottom, DateY  float64
}

type dot struct {
	X, Y  float64
	Title string
}

type level struct{ X1, X2, Y float64 }

type mark struct {
	X     float64
	Class string
	Label string
	Title string
}

type tick struct {
	Y     float64
	Label string
}

func chartOf(l Line) chart {
	c := chart{Line: l, W: chartW, H: chartH, Left: padL, Right: chartW - padR, Top: padT, Bottom: chartH - padB,
		DateY: chartH - 8}
	n := len(l.Points)
	lo, hi := l.Min, l.Max
	if hi == lo {
		lo, hi = lo-math.Max(1, math.Abs(lo))*0.05, hi+math.Max(1, math.Abs(hi))*0.05
	}
	span := hi - lo
	lo, hi = lo-span*0.05, hi+span*0.05
	x := func(i int) float64 {
		if n == 1 {
			return (padL + chartW - padR) / 2
		}
		return padL + float64(i)/float64(n-1)*(chartW-padL-padR)
	}
	y := func(v float64) float64 { return padT + (hi-v)/(hi-lo)*(chartH-padT-padB) }
	var path bytes.Buffer
	for i, p := range l.Points {
		cmd := "L"
		if i == 0 {
			cmd = "M"
		}
		fmt.Fprintf(&path, "%s%.1f,%.1f ", cmd, x(i), y(p.Value))
		if n > maxDots {
			continue
		}
		c.Dots = append(c.Dots, dot{X: x(i), Y: y(p.Value), Title: fmt.Sprintf("run %d, %s: %s", p.RunID,
			p.StartedAt.UTC().Format("2006-01-02 15:04"), format.Value(p.Value, l.Unit))})
	}
	c.Path = path.String()
	for k := range 5 {
		v := lo + (hi-lo)*float64(k)/4
		c.YTicks = append(c.YTicks, tick{Y: y(v), Label: format.Value(v, l.Unit)})
	}
	c.Levels, c.Marks = levels(l, x, y)
	c.FirstDate = l.Points[0].StartedAt.UTC().Format("2006-01-02")
	c.LastDate = l.Points[n-1].StartedAt.UTC().Format("2006-01-02")
	ct := changeTable(l)
	c.Header, c.Rows = ct.Header, ct.Rows
	return c
}

// levels draws the median of each segment between changes, and a mark at
// each change.
func levels(l Line, x func(int) float64, y func(float64) float64) ([]level, []mark) {
	var lv []level
	var mk []mark
	start := 0
	for _, c := range l.Changes {
		lv = append(lv, level{X1: x(start), X2: x(c.Index - 1), Y: y(c.Before)})
		v := Verdict(c, l.Better)
		mk = append(mk, mark{X: (x(c.Index-1) + x(c.Index)) / 2, Class: v, Label: signedPercent(c.Relative()),
			Title: fmt.Sprintf("%s from run %d: %s to %s (%s, p=%.2g)", v, l.Points[c.Index].RunID,
				format.Value(c.Before, l.Unit), format.Value(c.After, l.Unit), signedPercent(c.Relative()), c.PValue)})
		start = c.Index
	}
	if len(l.Changes) > 0 {
		last := l.Changes[len(l.Changes)-1]
		lv = append(lv, level{X1: x(start), X2: x(len(l.Points) - 1), Y: y(last.After)})
	}
	return lv, mk
}

// pageTmpl is parsed at its first use, not at start-up.
var pageTmpl = sync.OnceValue(func() *template.Template {
	return template.Must(template.New("trend").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>benchctl trend: {{.Trend.Metric}}</title>
<style>
body{font-family:system-ui,sans-serif;margin:2em;color:#222;max-width:820px}
h1{font-size:1.4em} h2{font-size:1.1em;margin-top:2em;word-break:break-all}
p.meta{color:#555;font-size:.9em}
svg{background:#fafafa;border:1px solid #ddd}
.line{fill:none;stroke:#3465a4;stroke-width:1.5}
.dot{fill:#3465a4}
.level{stroke:#888;stroke-width:1;stroke-dasharray:4 3}
.axis{stroke:#ccc} .tick{font-size:10px;fill:#555}
.regression line{stroke:#c00;stroke-width:2} .regression text{fill:#c00}
.improvement line{stroke:#080;stroke-width:2} .improvement text{fill:#080}
.change line{stroke:#666;stroke-width:2} .change text{fill:#666}
.mark text{font-size:11px;font-weight:bold}
table{border-collapse:collapse;margin-top:.5em;font-size:.9em}
td,th{border:1px solid #ddd;padding:2px 8px;text-align:right}
tr.regression td{color:#c00;font-weight:bold}
</style></head><body>
<h1>Trend of {{.Trend.Metric}}</h1>
<p class="meta">{{if .Trend.Selection}}{{.Trend.Selection}}. {{end}}{{len .Trend.Lines}} series. Changes by {{.Trend.Method}}.
Generated {{.Trend.Generated.UTC.Format "2006-01-02 15:04 UTC"}}.</p>
{{range $c := .Charts}}
<section class="series">
<h2>{{.Line.Key}}</h2>
<p class="meta">{{len .Line.Points}} runs, {{if .Line.Better}}{{.Line.Better}} is better{{else}}no direction{{end}}{{if not .Line.Changes}}; no change detected{{end}}</p>
<svg viewBox="0 0 {{.W}} {{.H}}" width="{{.W}}" height="{{.H}}" role="img" aria-label="{{.Line.Key}} over {{len .Line.Points}} runs">
{{range .YTicks}}<line class="axis" x1="{{$c.Left}}" x2="{{$c.Right}}" y1="{{.Y}}" y2="{{.Y}}"/><text class="tick" x="{{$c.Left}}" dx="-4" y="{{.Y}}" dy="3" text-anchor="end">{{.Label}}</text>
{{end}}<text class="tick" x="{{.Left}}" y="{{.DateY}}">{{.FirstDate}}</text><text class="tick" x="{{.Right}}" y="{{.DateY}}" text-anchor="end">{{.LastDate}}</text>
{{range .Levels}}<line class="level" x1="{{.X1}}" x2="{{.X2}}" y1="{{.Y}}" y2="{{.Y}}"/>
{{end}}<path class="line" d="{{.Path}}"/>
{{range .Dots}}<circle class="dot" cx="{{.X}}" cy="{{.Y}}" r="2"><title>{{.Title}}</title></circle>
{{end}}{{range .Marks}}<g class="mark {{.Class}}"><title>{{.Title}}</title><line x1="{{.X}}" x2="{{.X}}" y1="{{$c.Top}}" y2="{{$c.Bottom}}"/><text x="{{.X}}" dx="3" y="{{$c.Top}}" dy="10">{{.Label}}</text></g>
{{end}}</svg>
{{if .Rows}}<table><tr>{{range .Header}}<th>{{.}}</th>{{end}}</tr>
{{range .Rows}}<tr class="{{index . 6}}">{{range .}}<td>{{.}}</td>{{end}}</tr>
{{end}}</table>{{end}}
</section>
{{end}}</body></html>
`))
})
