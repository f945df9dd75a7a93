// Package text makes arbitrary strings from a report safe to print: captured
// process output and scenario-chosen names can hold invalid UTF-8, terminal
// escape sequences and control characters, and every output format has to carry
// them without breaking (XML 1.0 forbids most control characters outright).
package text

import (
	"strings"
	"unicode/utf8"
)

// Replacement stands in for every byte or character that Clean removes.
const Replacement = '\uFFFD'

// Clean returns s as valid UTF-8 holding only characters that XML 1.0 allows and
// that are harmless on a terminal: each invalid byte becomes U+FFFD, ANSI escape
// sequences (CSI colour codes, OSC titles) are removed, and every other control
// character except tab, newline and carriage return, plus U+FFFE and U+FFFF,
// becomes U+FFFD so the reader sees that something was there.
func Clean(s string) string {
	if isClean(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		if s[i] == 0x1b {
			if n := escapeLen(s[i:]); n > 0 {
				i += n
				continue
			}
		}
		r, w := utf8.DecodeRuneInString(s[i:])
		i += w
		if r == utf8.RuneError && w == 1 || !allowed(r) {
			r = Replacement
		}
		b.WriteRune(r)
	}
	return b.String()
}

// OneLine returns Clean(s) on one line: each line break or tab becomes a space,
// so the text fits in a table cell or an attribute read by a human.
func OneLine(s string) string {
	s = Clean(s)
	if !strings.ContainsAny(s, "\t\n\r") {
		return s
	}
	s = strings.ReplaceAll(s, "\r\n", "\n")
	return strings.Map(func(r rune) rune {
		switch r {
		case '\t', '\n', '\r':
			return ' '
		}
		return r
	}, s)
}

// Terminal returns what a terminal would show of one captured output line that
// holds carriage returns: progress bars (tqdm) rewrite their line with "\r", and
// only the last rewrite is worth keeping. A trailing "\r" is dropped.
func Terminal(line string) string {
	line = strings.TrimRight(line, "\r")
	if i := strings.LastIndexByte(line, '\r'); i >= 0 {
		return line[i+1:]
	}
	return line
}

// Truncate shortens s to at most n runes, ending it with "..." when it cut.
func Truncate(s string, n int) string {
	if n <= 3 || utf8.RuneCountInString(s) <= n {
		return s
	}
	runes := []rune(s)
	return string(runes[:n-3]) + "..."
}

// isClean reports whether Clean would return s unchanged; it is the fast path
// for the common all-printable-ASCII string.
func isClean(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= utf8.RuneSelf || c < 0x20 && c != '\t' && c != '\n' && c != '\r' || c == 0x7f {
			return cleanSlow(s[i:])
		}
	}
	return true
}

func cleanSlow(s string) bool {
	for i := 0; i < len(s); {
		r, w := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && w == 1 || !allowed(r) {
			return false
		}
		i += w
	}
	return true
}

// allowed reports whether r may appear in the output: XML 1.0's Char production
// without the C0 and C1 control characters and DEL, which a terminal could act on.
func allowed(r rune) bool {
	switch {
	case r == '\t' || r == '\n' || r == '\r':
		return true
	case r < 0x20 || r >= 0x7f && r <= 0x9f:
		return false
	case r >= 0xd800 && r <= 0xdfff, r == 0xfffe, r == 0xffff:
		return false
	}
	return r <= utf8.MaxRune
}

// escapeLen returns the length of the ANSI escape sequence at the start of s
// (which starts with ESC), or 0 when it is not a complete CSI or OSC sequence.
func escapeLen(s string) int {
	if len(s) < 2 {
		return 0
	}
	switch s[1] {
	case '[': // CSI: parameters 0x30-0x3F, intermediates 0x20-0x2F, final 0x40-0x7E
		for i := 2; i < len(s); i++ {
			c := s[i]
			switch {
			case c >= 0x20 && c <= 0x3f:
				continue
			case c >= 0x40 && c <= 0x7e:
				return i + 1
			default:
				return 0
			}
		}
	case ']': // OSC: ends with BEL or ESC \
		for i := 2; i < len(s); i++ {
			switch s[i] {
			case 0x07:
				return i + 1
			case 0x1b:
				if i+1 < len(s) && s[i+1] == '\\' {
					return i + 2
				}
				return 0
			}
		}
	}
	return 0
}
