package pipeline

import (
	"bytes"
	"encoding/binary"
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// maxLine is the longest line handled as one; longer ones are cut into pieces so
// a pipeline that never prints a newline cannot grow memory.
const maxLine = 64 << 10

// tail keeps the last n lines of a stream, raw; they are cleaned when read.
type tail struct {
	mu    sync.Mutex
	lines []string
	next  int
	full  bool
}

func newTail(n int) *tail { return &tail{lines: make([]string, n)} }

// addRegion keeps the last lines of region (whole lines, see eachLine): the
// work is in the tail's length, not in the region's lines.
func (t *tail) addRegion(region []byte) {
	if len(t.lines) == 0 || len(region) == 0 {
		return
	}
	last := lastLines(region, len(t.lines))
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, l := range last {
		t.lines[t.next] = string(l)
		t.next = (t.next + 1) % len(t.lines)
		if t.next == 0 {
			t.full = true
		}
	}
}

// get returns the kept lines, oldest first, cleaned.
func (t *tail) get() []string {
	t.mu.Lock()
	defer t.mu.Unlock()
	var out []string
	if t.full {
		out = append(append(out, t.lines[t.next:]...), t.lines[:t.next]...)
	} else {
		out = append(out, t.lines[:t.next]...)
	}
	for i, l := range out {
		out[i] = Clean(l)
	}
	return out
}

// A region is a run of whole lines read from a stream: lines end at a
// newline, and the region's last line may end without one (the stream
// ended, or a line reached maxLine). A line longer than maxLine is taken as
// pieces of maxLine bytes; trailing carriage returns are trimmed.

// eachLine calls fn with each line of region, in order.
func eachLine(region []byte, fn func(line []byte)) {
	for len(region) > 0 {
		var line []byte
		if i := bytes.IndexByte(region, '\n'); i >= 0 {
			line, region = region[:i], region[i+1:]
		} else {
			line, region = region, nil
		}
		for len(line) > maxLine {
			fn(line[:maxLine])
			line = line[maxLine:]
		}
		fn(trimCR(line))
	}
}

// lastLines returns the last n lines of region, in order, as eachLine would
// give them.
func lastLines(region []byte, n int) [][]byte {
	if len(region) == 0 || n <= 0 {
		return nil
	}
	out := make([][]byte, 0, n)
	end := len(region)
	if region[end-1] == '\n' {
		end--
	}
	for {
		start := bytes.LastIndexByte(region[:end], '\n') + 1
		line := region[start:end]
		for i := (max(len(line), 1) - 1) / maxLine; i >= 0 && len(out) < n; i-- {
			piece := line[i*maxLine : min((i+1)*maxLine, len(line))]
			if (i+1)*maxLine >= len(line) {
				piece = trimCR(piece)
			}
			out = append(out, piece)
		}
		if start == 0 || len(out) == n {
			break
		}
		end = start - 1
	}
	slices.Reverse(out)
	return out
}

// lineAt returns the bounds of the line (or piece of a long line) of region
// that holds byte i.
func lineAt(region []byte, i int) (start, end int) {
	start = bytes.LastIndexByte(region[:i], '\n') + 1
	end = len(region)
	if j := bytes.IndexByte(region[i:], '\n'); j >= 0 {
		end = i + j
	}
	if end-start > maxLine {
		start += (i - start) / maxLine * maxLine
		end = min(start+maxLine, end)
	}
	return start, end
}

func trimCR(line []byte) []byte {
	for len(line) > 0 && line[len(line)-1] == '\r' {
		line = line[:len(line)-1]
	}
	return line
}

const (
	lo7   = 0x7f7f7f7f7f7f7f7f
	hi    = 0x8080808080808080
	ones  = 0x0101010101010101
	ctlHi = 0x6060606060606060
)

// zeroBytes has the high bit set in each byte of x that is zero, exactly.
func zeroBytes(x uint64) uint64 { return ^(((x & lo7) + lo7) | x | lo7) }

// dirty reports whether b holds a byte that Clean may change or a carriage
// return: anything but printable ASCII, tab and newline. Eight bytes a step.
func dirty(b []byte) bool {
	for len(b) >= 8 {
		w := binary.LittleEndian.Uint64(b)
		ctl := zeroBytes(w & ctlHi) // below 0x20 (or 0x80-0x9f, caught by hi)
		ok := zeroBytes(w^('\n'*ones)) | zeroBytes(w^('\t'*ones))
		if w&hi != 0 || ctl&^ok != 0 || zeroBytes(w^(0x7f*ones)) != 0 {
			return true
		}
		b = b[8:]
	}
	for _, c := range b {
		if c >= 0x7f || (c < 0x20 && c != '\t' && c != '\n') {
			return true
		}
	}
	return false
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
