// Package csv writes a report as CSV for pandas and spreadsheets, in two
// formats: "csv", the metrics, one row per test and metric; and
// "csv-timeline", the per-GPU timeline of every pipeline run, one row per
// bucket with the minimum and maximum of each GPU metric. Values are plain
// numbers in base units (bytes, seconds, percent) at full precision; a value
// a report does not have (or NaN) is an empty cell.
package csv

import (
	"bytes"
	"encoding/csv"
	"errors"
	"math"
	"sort"
	"strconv"

	"github.com/benchctl/benchctl/internal/text"
	"github.com/benchctl/benchctl/reporters"
	"github.com/benchctl/benchctl/result"
)

func init() {
	reporters.Register(Metrics{})
	reporters.Register(Timeline{})
}

// Metrics is the "csv" format: one row per test and metric.
type Metrics struct{}

// Timeline is the "csv-timeline" format: one row per run, GPU and timeline
// bucket.
type Timeline struct{}

var (
	_ reporters.Reporter = Metrics{}
	_ reporters.Reporter = Timeline{}
)

// Name returns "csv".
func (Metrics) Name() string { return "csv" }

// Name returns "csv-timeline".
func (Timeline) Name() string { return "csv-timeline" }

// metricsHeader are the columns of the csv format.
var metricsHeader = []string{"suite", "file", "node", "test", "status", "metric", "value", "unit", "better", "spread", "samples"}

// Render implements reporters.Reporter.
func (Metrics) Render(r *result.Report) ([]byte, error) {
	if r == nil {
		return nil, errors.New("render csv: nil report")
	}
	rows := [][]string{metricsHeader}
	for _, s := range r.Suites {
		for _, c := range s.Cases {
			for _, m := range c.Metrics {
				rows = append(rows, []string{
					cell(s.Name), cell(s.File), cell(s.Node), cell(c.Name), string(c.Status), cell(m.Name),
					number(m.Value), cell(m.Unit), string(m.Better), optional(m.Spread), strconv.Itoa(len(m.Samples)),
				})
			}
		}
	}
	return write(rows)
}

// timelineMetrics are the GPU metrics of the timeline, in column order.
var timelineMetrics = []string{result.MemUsed, result.MemReserved, result.UtilGPU, result.UtilMem,
	result.Temperature, result.Power, result.SMClock}

// Render implements reporters.Reporter.
func (Timeline) Render(r *result.Report) ([]byte, error) {
	if r == nil {
		return nil, errors.New("render csv-timeline: nil report")
	}
	header := []string{"suite", "node", "test", "run", "gpu", "uuid", "t0", "t1", "stage"}
	for _, m := range timelineMetrics {
		header = append(header, m+"_min", m+"_max")
	}
	rows := [][]string{header}
	for _, s := range r.Suites {
		for _, c := range s.Cases {
			for _, run := range c.Runs {
				if run.GPU == nil {
					continue
				}
				for _, g := range run.GPU.GPUs {
					for _, b := range g.Timeline {
						row := []string{cell(s.Name), cell(s.Node), cell(c.Name), cell(run.Name), strconv.Itoa(g.Index), cell(g.UUID),
							number(b.Start), number(b.End), cell(stageAt(run.Stages, b.Start))}
						for _, m := range timelineMetrics {
							row = append(row, value(b.Min, m), value(b.Max, m))
						}
						rows = append(rows, row)
					}
				}
			}
		}
	}
	return write(rows)
}

// stageAt is the stage running at t seconds into the run (the latest to
// start by then), or "".
func stageAt(stages []result.Stage, t float64) string {
	s := append([]result.Stage(nil), stages...)
	sort.SliceStable(s, func(i, j int) bool { return s[i].Start < s[j].Start })
	name := ""
	for _, st := range s {
		if st.Start <= t && t < st.End {
			name = st.Name
		}
	}
	return name
}

func write(rows [][]string) ([]byte, error) {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	if err := w.WriteAll(rows); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// cell is report text on one line, without control characters.
func cell(s string) string { return text.OneLine(s) }

// number is v at full precision without an exponent where a spreadsheet
// reads it as typed, or "" for NaN and infinities.
func number(v float64) string {
	switch {
	case math.IsNaN(v) || math.IsInf(v, 0):
		return ""
	case v != 0 && (math.Abs(v) >= 1e21 || math.Abs(v) < 1e-6):
		return strconv.FormatFloat(v, 'g', -1, 64)
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}

// optional is v, or "" for zero (a spread not given).
func optional(v float64) string {
	if v == 0 {
		return ""
	}
	return number(v)
}

func value(m map[string]float64, key string) string {
	v, ok := m[key]
	if !ok {
		return ""
	}
	return number(v)
}
