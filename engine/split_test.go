package engine

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// splitRows are taken from the quoting rules of the POSIX shell, XCU 2.2
// (https://pubs.opengroup.org/onlinepubs/9799919799/utilities/V3_chap02.html#tag_19_02).
// notShell marks rows where a real shell would differ on purpose, because
// SplitCommand expands nothing and knows no operators.
var splitRows = []struct {
	rule     string
	in       string
	want     []string
	bad      bool
	notShell bool
}{
	{"2.3: unquoted blanks separate words", "python -m  virnucpro", []string{"python", "-m", "virnucpro"}, false, false},
	{"2.3: tabs separate words too", "a\tb", []string{"a", "b"}, false, false},
	{"2.3: an unquoted newline separates words (a shell would end the command)", "a\nb", []string{"a", "b"}, false, true},
	{"2.3: leading and trailing blanks make no word", "  a  ", []string{"a"}, false, false},
	{"2.3: an empty line has no words", " \t ", nil, false, false},
	{"2.2.1: backslash keeps a blank literal", `f\ g`, []string{"f g"}, false, false},
	{"2.2.1: backslash keeps a quote literal", `a\"b\'c`, []string{`a"b'c`}, false, false},
	{"2.2.1: backslash before an ordinary character is removed", `C:\dir\file`, []string{"C:dirfile"}, false, false},
	{"2.2.1: an escaped backslash is one backslash", `a\\b`, []string{`a\b`}, false, false},
	{"2.2.1: backslash-newline is removed and does not end the word", "ab\\\ncd", []string{"abcd"}, false, false},
	{"2.2.1: backslash-newline between words makes no word", "a \\\n b", []string{"a", "b"}, false, false},
	{"2.2.1: a backslash with nothing after it is an error", `trailing\`, nil, true, false},
	{"2.2.2: single quotes keep blanks", `'d e'`, []string{"d e"}, false, false},
	{"2.2.2: inside single quotes a backslash is literal", `'C:\dir\file'`, []string{`C:\dir\file`}, false, false},
	{"2.2.2: inside single quotes backslash-newline is literal", "'a\\\nb'", []string{"a\\\nb"}, false, false},
	{"2.2.2: inside single quotes a double quote is literal", `'say "hi"'`, []string{`say "hi"`}, false, false},
	{"2.2.2: a single quote cannot occur inside single quotes", `'it'\''s'`, []string{"it's"}, false, false},
	{"2.2.2: an unterminated single quote is an error", `'open`, nil, true, false},
	{"2.2.3: double quotes keep blanks", `"b c"`, []string{"b c"}, false, false},
	{"2.2.3: a backslash before an ordinary character stays", `"C:\dir\file"`, []string{`C:\dir\file`}, false, false},
	{"2.2.3: backslash escapes a double quote", `"a\"b"`, []string{`a"b`}, false, false},
	{"2.2.3: backslash escapes a backslash", `"a\\b"`, []string{`a\b`}, false, false},
	{"2.2.3: backslash escapes a dollar sign", `"\$HOME"`, []string{"$HOME"}, false, false},
	{"2.2.3: backslash escapes a backquote", "\"\\`x\\`\"", []string{"`x`"}, false, false},
	{"2.2.3: backslash-newline inside double quotes is removed", "\"a\\\nb\"", []string{"ab"}, false, false},
	{"2.2.3: a newline inside double quotes is kept", "\"a\nb\"", []string{"a\nb"}, false, false},
	{"2.2.3: inside double quotes a single quote is literal", `"it's"`, []string{"it's"}, false, false},
	{"2.2.3: an unterminated double quote is an error", `"unterminated`, nil, true, false},
	{"2.2.3: a backslash-escaped closing quote does not close", `"abc\"`, nil, true, false},
	{"2.2: empty quotes are an empty word", `x "" ''`, []string{"x", "", ""}, false, false},
	{"2.2: quoted and unquoted parts join into one word", `a"b c"'d e'\ f`, []string{"ab cd e f"}, false, false},
	{"2.6: nothing is expanded", `"$HOME" '*' ~`, []string{"$HOME", "*", "~"}, false, true},
	{"2.3: operators and # are not recognized", `a|b;c #d`, []string{"a|b;c", "#d"}, false, true},
}

func TestSplitCommand(t *testing.T) {
	for _, tt := range splitRows {
		t.Run(tt.rule, func(t *testing.T) {
			got, err := SplitCommand(tt.in)
			if tt.bad {
				if err == nil {
					t.Fatalf("SplitCommand(%q) = %q, want an error", tt.in, got)
				}
				return
			}
			if err != nil || !slices.Equal(got, tt.want) {
				t.Errorf("SplitCommand(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
			}
		})
	}
}

// TestSplitCommandAgreesWithSh has /bin/sh split each valid row, as proof that
// the rows say what a POSIX shell does.
func TestSplitCommandAgreesWithSh(t *testing.T) {
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh on PATH")
	}
	for _, tt := range splitRows {
		if tt.bad || tt.notShell {
			continue
		}
		t.Run(tt.rule, func(t *testing.T) {
			out, err := exec.Command(sh, "-c", "set -- "+tt.in+"\nfor w; do printf '%s\\0' \"$w\"; done").Output()
			if err != nil {
				t.Fatalf("sh: %v", err)
			}
			var shWords []string
			if len(out) > 0 {
				shWords = strings.Split(strings.TrimSuffix(string(out), "\x00"), "\x00")
			}
			if !slices.Equal(shWords, tt.want) {
				t.Errorf("sh splits %q into %q; the row says %q", tt.in, shWords, tt.want)
			}
		})
	}
}
