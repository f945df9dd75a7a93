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

// tail keeps the last n lines of a stream: the raw text of its last lines
// (n of them at least), split and cleaned only when read.
type tail struct {
	mu  sync.Mutex
	n   int
	buf []byte // whole lines, each ending with a newline
}

func newTail(n int) *tail { return &tail{n: n} }

// addRegion keeps the last lines of region (whole lines, see eachLine): a
// copy of at most their bytes, found by n searches back from its end.
func (t *tail) addRegion(region []byte) {
	if t.n <= 0 || len(region) == 0 {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if s := linesStart(region, t.n); s > 0 {
		t.buf = append(t.buf[:0], region[s:]...)
	} else {
		t.buf = append(t.buf, region...)
		if s := linesStart(t.buf, t.n); s > 0 {
			t.buf = t.buf[:copy(t.buf, t.buf[s:])]
		}
	}
	if region[len(region)-1] != '\n' {
		t.buf = append(t.buf, '\n') // a piece of a long line, or the last
	}
}

// get returns the kept lines, oldest first, cleaned.
func (t *tail) get() []string {
	t.mu.Lock()
	defer t.mu.Unlock()
	var out []string
	for _, l := range lastLines(t.buf, t.n) {
		out = append(out, Clean(string(l)))
	}
	return out
}

// linesStart is where the last n lines of b start (0 when b holds no more
// than n), counting newlines only, so a long line's pieces count once.
func linesStart(b []byte, n int) int {
	end := len(b)
	if end > 0 && b[end-1] == '\n' {
		end--
	}
	for k := 1; ; k++ {
		i := bytes.LastIndexByte(b[:end], '\n')
		if i < 0 {
			return 0
		}
		if k == n {
			return i + 1
		}
		end = i
	}
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
	lo7  = 0x7f7f7f7f7f7f7f7f
	hi   = 0x8080808080808080
	ones = 0x0101010101010101
)

// zeroBytes has the high bit set in each byte of x that is zero, exactly.
func zeroBytes(x uint64) uint64 { return ^(((x & lo7) + lo7) | x | lo7) }

// unclean is non-zero when the eight bytes of w hold one that dirty looks
// for: tabs and newlines are made spaces, then a byte below 0x20, above
// 0x7e or with the high bit set shows as a high bit (a false one only
// beside a true one).
func unclean(w uint64) uint64 {
	w ^= zeroBytes(w^('\n'*ones))>>7*('\n'^' ') | zeroBytes(w^('\t'*ones))>>7*('\t'^' ')
	return ((w-' '*ones)&^w | (w + ones) | w) & hi
}

// dirty reports whether b holds a byte that Clean may change or a carriage
// return: anything but printable ASCII, tab and newline. 32 bytes a step.
func dirty(b []byte) bool {
	for len(b) >= 32 {
		if unclean(binary.LittleEndian.Uint64(b))|unclean(binary.LittleEndian.Uint64(b[8:]))|
			unclean(binary.LittleEndian.Uint64(b[16:]))|unclean(binary.LittleEndian.Uint64(b[24:])) != 0 {
			return true
		}
		b = b[32:]
	}
	for len(b) >= 8 {
		if unclean(binary.LittleEndian.Uint64(b)) != 0 {
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

// changedByClean reports whether Clean changes line: it holds invalid
// UTF-8 or a control character other than tab. Text in other scripts is
// left as it is, and its lines are searched as they were read.
func changedByClean(line []byte) bool {
	if !dirty(line) {
		return false
	}
	for i := 0; i < len(line); {
		r, size := utf8.DecodeRune(line[i:])
		if (r == utf8.RuneError && size <= 1) || (unicode.IsControl(r) && r != '\t') {
			return true
		}
		i += size
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
