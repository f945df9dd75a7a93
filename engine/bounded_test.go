package engine

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// TestStringBuildersBounded runs Lua code in the sandbox: what builds a
// string in one step (the `..` instruction, string.format) refuses a result
// over 64 MiB before allocating it, and the same code on small strings gives
// Lua's answers.
func TestStringBuildersBounded(t *testing.T) {
	tests := []struct {
		name, code string
		want       string // the value of the chunk's return, or ...
		err        string // ... the error it raises
	}{
		{name: "concat of strings and numbers", code: `return "ab" .. 1 .. "c" .. 2.5`, want: "ab1c2.5"},
		{name: "concat in a loop under the limit", code: `local s = "x" for i = 1, 20 do s = s .. s end return #s`, want: "1048576"},
		{name: "concat up to the limit with a number", code: `return #(string.rep("x", 64 * 2^20 - 3) .. 123)`, want: "67108864"},
		{name: "concat doubling past the limit", code: `local s = "x" while true do s = s .. s end`,
			err: "..: a result of 134217728 bytes is over the 64 MiB limit"},
		{name: "concat of a global past the limit", code: `g = string.rep("x", 40 * 2^20) return g .. g`,
			err: "..: a result of 83886080 bytes"},
		{name: "concat of many operands past the limit", code: `local s = string.rep("x", 10 * 2^20) return s .. s .. s .. s .. s .. s .. s`,
			err: "..: a result of 73400320 bytes"},
		{name: "concat after a call with several results", code: `local function two(x) return x, x end
			local s = string.rep("x", 40 * 2^20) local a, b = two(s) return a .. b`, err: "..: a result of 83886080 bytes"},
		{name: "format of small values", code: `return string.format("%5.2f|%-4s|%d%%|%q", 1.5, "ab", 7, "x")`, want: ` 1.50|ab  |7%|"x"`},
		{name: "format doubling past the limit", code: `local s = string.rep("x", 40 * 2^20) return string.format("%s%s", s, s)`,
			err: "string.format: a result over the 64 MiB limit"},
		{name: "format of a huge width", code: `return string.format("%999999999d", 1)`, err: "string.format: a result over the 64 MiB limit"},
		{name: "format of a huge precision", code: `return string.format("%.99999999999999999999f", 1)`, err: "string.format: a result over the 64 MiB limit"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			L := newSandbox(t.TempDir(), nil)
			defer L.Close()
			err := L.DoString(tt.code)
			switch {
			case tt.err != "":
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Errorf("error %v, want %q", err, tt.err)
				}
			case err != nil:
				t.Errorf("error %v, want %q", err, tt.want)
			case L.Get(-1).String() != tt.want:
				t.Errorf("got %q, want %q", L.Get(-1).String(), tt.want)
			}
		})
	}
}

// TestReportTextBounded: every string a test hands its report (a log line,
// print, a failure, an error, a skip reason, a check's label and value, a
// metric, a table) is kept to 64 KiB, cut at a character and saying how much
// was cut, and a test's log lines to 16 MiB together.
func TestReportTextBounded(t *testing.T) {
	rep, err := runFiles(t, nil, "testdata/bigtext.lua")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range rep.Suites[0].Cases {
		t.Run(c.Name, func(t *testing.T) {
			texts := []string{c.SkipReason}
			logBytes := 0
			for _, l := range c.Logs {
				texts = append(texts, l.Message)
				logBytes += len(l.Message)
			}
			for _, f := range c.Failures {
				texts = append(texts, f.Label, f.Value, f.Bound, f.Message)
			}
			if c.Error != nil {
				texts = append(texts, c.Error.Message)
			}
			for _, m := range c.Metrics {
				texts = append(texts, m.Name, m.Unit)
			}
			for _, tb := range c.Tables {
				texts = append(append(texts, tb.Name), tb.Columns...)
				for _, row := range tb.Rows {
					texts = append(texts, row...)
				}
			}
			cut := 0
			for _, s := range texts {
				if len(s) > maxReportText+200 || !utf8.ValidString(s) {
					t.Errorf("a string of %d bytes (valid UTF-8: %v) in the report", len(s), utf8.ValidString(s))
				}
				if strings.Contains(s, "bytes cut)") {
					cut++
				}
			}
			if cut == 0 {
				t.Errorf("no string says it was cut: %d strings", len(texts))
			}
			if logBytes > maxLogBytes+maxReportText {
				t.Errorf("the log holds %d bytes, over %d", logBytes, maxLogBytes)
			}
		})
	}
}
