package pipeline

import (
	"bufio"
	"io"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// maxLine is the longest line handled as one; longer ones are cut into pieces so
// a pipeline that never prints a newline cannot grow memory.
const maxLine = 64 << 10

// tail keeps the last n lines of a stream.
type tail struct {
	mu    sync.Mutex
	lines []string
	next  int
	full  bool
	total int64
}

func newTail(n int) *tail { return &tail{lines: make([]string, n)} }

func (t *tail) add(s string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.total++
	if len(t.lines) == 0 {
		return
	}
	t.lines[t.next] = s
	t.next = (t.next + 1) % len(t.lines)
	if t.next == 0 {
		t.full = true
	}
}

func (t *tail) get() []string {
	t.mu.Lock()
	defer t.mu.Unlock()
	if !t.full {
		return append([]string(nil), t.lines[:t.next]...)
	}
	return append(append([]string(nil), t.lines[t.next:]...), t.lines[:t.next]...)
}

// Clean makes a line of process output safe for any report: invalid UTF-8
// becomes U+FFFD and control characters other than tab are written as \xNN.
func Clean(s string) string {
	clean := true
	for _, r := range s {
		if r == utf8.RuneError || (unicode.IsControl(r) && r != '\t') {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size <= 1:
			b.WriteRune(utf8.RuneError)
		case unicode.IsControl(r) && r != '\t':
			if r < 0x100 {
				b.WriteString(`\x`)
				b.WriteByte("0123456789abcdef"[r>>4])
				b.WriteByte("0123456789abcdef"[r&0xf])
			} else {
				b.WriteRune(utf8.RuneError)
			}
		default:
			b.WriteRune(r)
		}
		i += size
	}
	return b.String()
}

// pump copies a stream to its log (raw) and hands every cleaned line to onLine.
// It returns when the stream ends; log write errors are reported once.
func pump(r io.Reader, log io.Writer, onLine func(string)) error {
	br := bufio.NewReaderSize(r, maxLine)
	var logErr error
	for {
		chunk, err := br.ReadSlice('\n')
		if len(chunk) > 0 {
			if log != nil && logErr == nil {
				_, logErr = log.Write(chunk)
			}
			end := len(chunk)
			for end > 0 && (chunk[end-1] == '\n' || chunk[end-1] == '\r') {
				end--
			}
			line := string(chunk[:end]) // one allocation a line, trimmed first
			onLine(Clean(line))
		}
		switch err {
		case nil, bufio.ErrBufferFull:
			continue
		case io.EOF:
			return logErr
		default:
			// A closed pipe after the process ends is the normal end.
			return logErr
		}
	}
}
