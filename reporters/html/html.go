// Package html renders a report as one self-contained HTML file: no network,
// no external script, font or style sheet. It shows the totals and the machine,
// every suite and test with its failures, errors, skips, logs, metrics and
// tables, and every pipeline run with its stages, per-GPU figures, process
// peaks, events and output tails.
//
// Charts are inline SVG drawn here, in Go: per run and per GPU, memory used
// and utilization over the run's timeline (each bucket's min-max as a band and
// its max as the line, so peaks survive downsampling), the pipeline stages as
// shaded bands and the peak marked; and horizontal bar charts of speed-ups
// (metrics named speedup_*) and of the optimization and persistent-models
// tables. The page computes nothing in JavaScript; its one inline script only
// counts, after load, the charts and points the browser laid out and writes
// the counts into <meta name="benchctl-rendered">, for the browser test.
//
// Every piece of report text goes through html/template, cleaned of control
// characters first; the output is deterministic.
package html

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"html/template"
	"sync"

	"github.com/benchctl/benchctl/reporters"
	"github.com/benchctl/benchctl/result"
)

func init() {
	reporters.Register(New())
}

var (
	//go:embed page.html.tmpl
	pageTemplate string
	//go:embed style.css
	style string
	//go:embed rendered.js
	script string
)

// page is the report's template, parsed at its first use and not at start-up:
// parsing takes half a millisecond, which every benchctl process (and every
// supervisor between benchctl and a pipeline) would otherwise pay.
var page = sync.OnceValue(func() *template.Template {
	return template.Must(template.New("page").Funcs(template.FuncMap{"geo": func() geo { return geometry }}).Parse(pageTemplate))
})

// Reporter writes the HTML report.
type Reporter struct{}

var _ reporters.Reporter = (*Reporter)(nil)

// New returns the HTML reporter.
func New() *Reporter { return &Reporter{} }

// Name returns "html".
func (*Reporter) Name() string { return "html" }

// Render returns the report as one HTML page.
func (*Reporter) Render(r *result.Report) ([]byte, error) {
	if r == nil {
		return nil, errors.New("render html: nil report")
	}
	v := buildPage(r)
	v.Style = template.CSS(style)
	v.Script = template.JS(script)
	var buf bytes.Buffer
	if err := page().Execute(&buf, v); err != nil {
		return nil, fmt.Errorf("render html: %w", err)
	}
	return buf.Bytes(), nil
}
