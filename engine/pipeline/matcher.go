package pipeline

import (
	"bytes"
	"slices"
	"time"
)

// literal is a string every line that interests a matcher contains; fold:
// compared without regard to ASCII case (the literal is lower case).
type literal struct {
	s    []byte
	fold bool
}

func (l literal) index(b []byte) int {
	if l.fold {
		return indexFold(b, l.s)
	}
	return bytes.Index(b, l.s)
}

// oomWords: every line oomText matches holds one of them, in any case.
// "_alloc_" (CUBLAS_STATUS_ALLOC_FAILED) is found by its underscore, one
// search with no case to it.
var oomWords = []literal{{[]byte("memory"), true}, {[]byte("_alloc_"), true}}

// hasOOMWord reports whether line may hold out-of-memory text.
func hasOOMWord(line []byte) bool {
	return oomWords[0].index(line) >= 0 || oomWords[1].index(line) >= 0
}

// lineMatcher picks out of a region the lines that something looks at, a
// stage marker, the out-of-memory text or the Line hook, and gives each to
// line, cleaned: a line without any of their literals is never split out.
// A line that cleaning changes is always given, so that what matches is
// decided on the cleaned line (a \xNN escape may complete a literal).
type lineMatcher struct {
	lits      []literal
	everyLine bool // some pattern has no literal: every line is looked at
	line      func(clean string, b []byte, at time.Duration)
	spans     [][2]int
}

// pick appends to dst the lines of region that something looks at, each
// with its newline: the whole region when every line is looked at or the
// region holds bytes that cleaning changes, else the lines that hold a
// literal (found by searching the region, not line by line).
func (m *lineMatcher) pick(dst, region []byte) []byte {
	if m.everyLine || dirty(region) {
		dst = append(dst, region...)
		if region[len(region)-1] != '\n' {
			dst = append(dst, '\n')
		}
		return dst
	}
	spans := m.spans[:0]
	for _, lit := range m.lits {
		for from := 0; from < len(region); {
			h := lit.index(region[from:])
			if h < 0 {
				break
			}
			s, e := lineAt(region, from+h)
			spans = append(spans, [2]int{s, e})
			from = e
		}
	}
	slices.SortFunc(spans, func(a, b [2]int) int { return a[0] - b[0] })
	spans = slices.Compact(spans)
	for _, sp := range spans {
		dst = append(append(dst, region[sp[0]:sp[1]]...), '\n')
	}
	m.spans = spans
	return dst
}

// region gives the lines of region (picked by pick) that something looks
// at to m.line, in order, until stop says to stop; it returns the number
// of lines left when it stopped.
func (m *lineMatcher) region(region []byte, at time.Duration, stop func() bool) (left int64) {
	eachLine(region, func(l []byte) {
		switch {
		case left > 0 || stop():
			left++
		case m.everyLine || changedByClean(l) || m.hasLiteral(l):
			m.give(l, at)
		}
	})
	return left
}

func (m *lineMatcher) hasLiteral(l []byte) bool {
	for _, lit := range m.lits {
		if lit.index(l) >= 0 {
			return true
		}
	}
	return false
}

func (m *lineMatcher) give(raw []byte, at time.Duration) {
	clean := Clean(string(raw))
	b := raw
	if len(clean) != len(raw) || clean != string(raw) {
		b = []byte(clean)
	}
	m.line(clean, b, at)
}

// indexFold is the index of lit (ASCII, lower case) in b regardless of
// ASCII case, or -1: found by the last byte of lit in either case.
func indexFold(b []byte, lit []byte) int {
	n := len(lit)
	if n == 0 {
		return 0
	}
	lc, uc := lit[n-1], lit[n-1]
	if 'a' <= lc && lc <= 'z' {
		uc = lc - 'a' + 'A'
	}
	next := func(from int, c byte) int {
		if i := bytes.IndexByte(b[from:], c); i >= 0 {
			return from + i
		}
		return -1
	}
	pl, pu := -2, -2
	for from := n - 1; from < len(b); {
		if pl != -1 && pl < from {
			pl = next(from, lc)
		}
		if pu != -1 && pu < from {
			pu = next(from, uc)
		}
		k := pl
		if k < 0 || (pu >= 0 && pu < k) {
			k = pu
		}
		if k < 0 {
			return -1
		}
		if bytes.EqualFold(b[k-n+1:k+1], lit) {
			return k - n + 1
		}
		from = k + 1
	}
	return -1
}
