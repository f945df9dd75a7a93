package text

import (
	"strings"
	"testing"
	"unicode/utf8"

	_ "github.com/benchctl/benchctl/internal/golden" // defines -update for go test ./reporters/... -update
)

func TestClean(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"ascii unchanged", "peak memory: 12 GiB", "peak memory: 12 GiB"},
		{"tab newline return kept", "a\tb\nc\r", "a\tb\nc\r"},
		{"unicode kept", "µs ± 2 — 日本 \U0001F600 \uFFFD", "µs ± 2 — 日本 \U0001F600 \uFFFD"},
		{"each invalid byte replaced", "a\xff\xfeb", "a\uFFFD\uFFFDb"},
		{"truncated rune", "a\xe2\x82", "a\uFFFD\uFFFD"},
		{"encoded surrogate", "\xed\xa0\x80", "\uFFFD\uFFFD\uFFFD"},
		{"NUL and bell", "a\x00b\ac", "a\uFFFDb\uFFFDc"},
		{"DEL and C1", "a\x7fb\u0085c\u009b", "a\uFFFDb\uFFFDc\uFFFD"},
		{"noncharacters", "\uFFFE\uFFFF", "\uFFFD\uFFFD"},
		{"CSI colours removed", "\x1b[1;31mred\x1b[0m", "red"},
		{"CSI cursor moves removed", "\x1b[2K\x1b[1Adone", "done"},
		{"OSC title with BEL removed", "\x1b]0;title\x07text", "text"},
		{"OSC title with ST removed", "\x1b]0;title\x1b\\text", "text"},
		{"unterminated CSI", "\x1b[31", "\uFFFD[31"},
		{"lone ESC", "a\x1bb", "a\uFFFDb"},
		{"ESC at end", "a\x1b", "a\uFFFD"},
		{"empty", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Clean(tt.in)
			if got != tt.want {
				t.Errorf("Clean(%q) = %q, want %q", tt.in, got, tt.want)
			}
			if !utf8.ValidString(got) {
				t.Errorf("Clean(%q) is not valid UTF-8", tt.in)
			}
			if Clean(got) != got {
				t.Errorf("Clean is not idempotent on %q", tt.in)
			}
		})
	}
}

func TestOneLine(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"crlf is one space", "a\r\nb", "a b"},
		{"tabs and newlines", "a\tb\nc\rd", "a b c d"},
		{"cleaned", "\x1b[1mx\x00", "x\uFFFD"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := OneLine(tt.in); got != tt.want {
				t.Errorf("OneLine(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestTerminal(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"no carriage return", "plain", "plain"},
		{"progress bar", " 10%|#  \r 50%|#####\r100%|##########", "100%|##########"},
		{"trailing carriage returns", "50%\r100%\r\r", "100%"},
		{"only a carriage return", "\r", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Terminal(tt.in); got != tt.want {
				t.Errorf("Terminal(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestTruncate(t *testing.T) {
	tests := []struct {
		name, in string
		n        int
		want     string
	}{
		{"short", "abc", 10, "abc"},
		{"exact", "abcde", 5, "abcde"},
		{"cut", "abcdefghij", 8, "abcde..."},
		{"runes not bytes", strings.Repeat("日", 10), 5, "日日..."},
		{"tiny limit leaves it", "abcdef", 3, "abcdef"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Truncate(tt.in, tt.n); got != tt.want {
				t.Errorf("Truncate(%q, %d) = %q, want %q", tt.in, tt.n, got, tt.want)
			}
		})
	}
}
