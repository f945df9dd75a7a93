package main

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// logger writes log records as VirNucPro's logging setup does
// (core/logging_setup.py): "%(asctime)s - %(name)s - %(levelname)s - %(message)s"
// with the date as 2006-01-02 15:04:05. The main process logs to stdout; GPU
// workers log to stderr, their messages prefixed "[gpu N] ". Each record is
// one write, atomic on a pipe. A logger with no writer (-q) prints nothing.
type logger struct {
	w      io.Writer
	file   io.Writer // -l FILE: a copy of every record, or nil
	name   string    // the Python logger's name, e.g. virnucpro.pipeline.prediction
	prefix string
}

func (l logger) record(level, format string, a ...any) {
	msg := fmt.Sprintf(format, a...)
	stamp := time.Now().Format("2006-01-02 15:04:05")
	var b strings.Builder
	for _, line := range strings.Split(msg, "\n") {
		fmt.Fprintf(&b, "%s - %s - %s - %s%s\n", stamp, l.name, level, l.prefix, line)
	}
	if l.w != nil {
		io.WriteString(l.w, b.String())
	}
	if l.file != nil {
		io.WriteString(l.file, b.String())
	}
}

func (l logger) line(format string, a ...any)  { l.record("INFO", format, a...) }
func (l logger) warn(format string, a ...any)  { l.record("WARNING", format, a...) }
func (l logger) error(format string, a ...any) { l.record("ERROR", format, a...) }

// named returns the logger under another Python logger name.
func (l logger) named(name string) logger { l.name = name; return l }

// oomBanner is what the fork's prediction.py logs, through logger.error, when
// an out-of-memory RuntimeError reaches the top; the run then exits 4.
func (l logger) oomBanner(detail string) {
	bar := strings.Repeat("=", 60)
	l.error("%s", bar)
	l.error("OUT OF MEMORY ERROR")
	l.error("%s", bar)
	if detail != "" {
		l.error("%s", detail)
	}
	l.error("\nSuggestions:")
	l.error("  1. Reduce batch size: --esm-batch-size 1024 or --dnabert-batch-size 1024")
	l.error("  2. Enable expandable segments: --expandable-segments")
	l.error("  3. Increase cache clearing: --cache-clear-interval 50")
	l.error("  4. Use fewer GPUs or process files sequentially")
	l.error("%s", bar)
}

// The fork's nine stages, in order, as pipeline_telemetry.py names them.
const (
	tsChunking    = "Sequence Chunking"
	tsTranslation = "Six-Frame Translation"
	tsNucSplit    = "Nucleotide File Splitting"
	tsProtSplit   = "Protein File Splitting"
	tsDNABERT     = "DNABERT-S Feature Extraction"
	tsESM         = "ESM-2 Feature Extraction"
	tsMerge       = "Feature Merging"
	tsPredict     = "Model Prediction"
	tsConsensus   = "Consensus Scoring"
)

// telemetry is the fork's PipelineTelemetry: "=== Stage N: NAME ===" when a
// stage starts, "  NAME completed in X.Xs [extra]" when it ends (each with
// the model's time, "(t=UNIX SECONDS)", which the fork's lines lack), and the
// PIPELINE SUMMARY block at the end, all logged by the main process.
type telemetry struct {
	log    logger
	start  time.Time
	order  []string
	began  map[string]time.Time
	took   map[string]time.Duration
	seqs   int
	inited bool
}

func newTelemetry(log logger) *telemetry {
	return &telemetry{log: log.named("virnucpro.pipeline.telemetry"), began: map[string]time.Time{}, took: map[string]time.Duration{}}
}

// Stage times and the total are the model clock's, as the Done line's: what
// the knobs fix, not what a busy machine makes of them.
func (t *telemetry) begin(name string) {
	now := clock.now()
	if !t.inited {
		t.start, t.inited = now, true
	}
	t.order = append(t.order, name)
	t.began[name] = now
	// The model's time of the stage's start, after the fork's line: the
	// scenarios' profile reads it (line_time), so that the stage's window,
	// and the GPU readings given to it, follow the model, not when a busy
	// machine delivered the line.
	t.log.line("=== Stage %d: %s === (t=%.6f)", len(t.order), name, unixSeconds(now))
}

// end closes a stage; extra is its bracketed figures ("sequences: 20").
// The line ends with the model's time, as the stage lines do: the profile
// ends the stage there (stages_end), so that the last stage ends at the
// model's time, not when a busy machine got round to writing the results
// and exiting.
func (t *telemetry) end(name, extra string) {
	now := clock.now()
	d := now.Sub(t.began[name])
	t.took[name] = d
	if extra != "" {
		extra = " [" + extra + "]"
	}
	t.log.line("  %s completed in %.1fs%s (t=%.6f)", name, d.Seconds(), extra, unixSeconds(now))
}

// summary logs the PIPELINE SUMMARY block.
func (t *telemetry) summary() {
	total := clock.now().Sub(t.start).Seconds()
	bar := strings.Repeat("=", 80)
	lines := []string{"", bar, "PIPELINE SUMMARY", bar,
		fmt.Sprintf("Total wall time: %s (%.1fs)", hms(total), total), "", "Stages:"}
	width := 20
	for _, n := range t.order {
		width = max(width, len(n))
	}
	for i, n := range t.order {
		s := t.took[n].Seconds()
		pct := 0.0
		if total > 0 {
			pct = s / total * 100
		}
		lines = append(lines, fmt.Sprintf("  %d. %s %s  %6.1fs (%5.1f%%)", i+1, n, strings.Repeat(".", width-len(n)+4), s, pct))
	}
	lines = append(lines, "", "Key metrics:")
	if t.seqs > 0 {
		lines = append(lines, fmt.Sprintf("  Sequences processed: %s", commas(t.seqs)))
	}
	lines = append(lines, bar)
	for _, l := range lines {
		t.log.line("%s", l)
	}
}

func hms(s float64) string {
	n := int(s)
	return fmt.Sprintf("%02d:%02d:%02d", n/3600, n%3600/60, n%60)
}

// commas formats n as Python's {n:,}.
func commas(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0 && s[i-1] != '-'; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
