package outcome

import (
	"strconv"

	"github.com/benchctl/benchctl/internal/text"
	"github.com/benchctl/benchctl/result"
)

// opSymbols writes a check's operator as the check lines read it.
var opSymbols = map[string]string{
	"eq": "==", "ne": "~=", "lt": "<", "le": "<=", "gt": ">", "ge": ">=",
	"between": "between", "near": "within",
}

// OpSymbol is a check's operator as written in check lines: "<=" for le.
// An unknown operator is written as it is.
func OpSymbol(op string) string {
	if s, ok := opSymbols[op]; ok {
		return s
	}
	return op
}

// CheckMark is "✓" for a passed check and "✗" for any other.
func CheckMark(c result.Check) string {
	if c.Outcome == result.Passed {
		return "✓"
	}
	return "✗"
}

// CheckText is one check as every report lists it, without its mark, on one
// line: a passed check as "memory increase: 12 MB <= 100 MB", a failed one
// as "memory increase: 150 MB, want <= 100 MB".
func CheckText(c result.Check) string {
	want := OpSymbol(c.Op)
	if c.Bound != "" {
		want += " " + c.Bound
	}
	if c.Outcome != result.Passed {
		return text.OneLine(c.Label + ": " + c.Value + ", want " + want)
	}
	return text.OneLine(c.Label + ": " + c.Value + " " + want)
}

// ChecksFailed is "N of M checks failed", or "" when none failed.
func ChecksFailed(cs []result.Check) string {
	_, failed := CheckCounts(cs)
	if failed == 0 {
		return ""
	}
	return strconv.Itoa(failed) + " of " + strconv.Itoa(len(cs)) + " checks failed"
}

// CheckCounts counts a case's checks by outcome.
func CheckCounts(cs []result.Check) (passed, failed int) {
	for _, c := range cs {
		if c.Outcome == result.Passed {
			passed++
		} else {
			failed++
		}
	}
	return passed, failed
}
