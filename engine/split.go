package engine

import (
	"fmt"
	"strings"
)

// SplitCommand splits a command line into words by the quoting rules of the
// POSIX shell (XCU 2.2), with no expansion:
//
//   - outside quotes a backslash keeps the next character literal, and a
//     backslash-newline is a line continuation: both are removed, and they do
//     not end the word (2.2.1);
//   - inside single quotes every character is literal (2.2.2);
//   - inside double quotes a backslash escapes only $, `, ", \ and newline
//     (the pair becomes that character, or nothing for a newline); before any
//     other character it stays a backslash (2.2.3).
//
// Unquoted blanks and newlines separate words. Nothing is expanded, and
// operators (|, ;, &, <, >) and # are ordinary characters: a command that
// needs them runs through the shell (bench.pipeline.run's shell=true). An
// unterminated quote or a backslash at the very end is an error.
func SplitCommand(s string) ([]string, error) {
	var (
		words  []string
		cur    strings.Builder
		inWord bool // "" is a word, so a word is not the same as cur.Len() > 0
	)
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case ' ', '\t', '\n':
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
		case '\\':
			if i+1 == len(s) {
				return nil, fmt.Errorf("trailing backslash in %q", s)
			}
			i++
			if s[i] != '\n' { // a line continuation is removed, word or not
				cur.WriteByte(s[i])
				inWord = true
			}
		case '\'':
			end := strings.IndexByte(s[i+1:], '\'')
			if end < 0 {
				return nil, fmt.Errorf("unterminated ' quote in %q", s)
			}
			cur.WriteString(s[i+1 : i+1+end])
			i += end + 1
			inWord = true
		case '"':
			n, ok := doubleQuoted(&cur, s[i+1:])
			if !ok {
				return nil, fmt.Errorf(`unterminated " quote in %q`, s)
			}
			i += n
			inWord = true
		default:
			cur.WriteByte(c)
			inWord = true
		}
	}
	if inWord {
		words = append(words, cur.String())
	}
	return words, nil
}

// doubleQuoted writes the text of a double-quoted string to w: s starts just
// after the opening quote. It returns how many bytes of s it used, the closing
// quote included, and false when there is no closing quote.
func doubleQuoted(w *strings.Builder, s string) (int, bool) {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"':
			return i + 1, true
		case c == '\\' && i+1 < len(s) && strings.IndexByte("$`\"\\\n", s[i+1]) >= 0:
			i++
			if s[i] != '\n' {
				w.WriteByte(s[i])
			}
		default:
			w.WriteByte(c)
		}
	}
	return len(s), false
}
