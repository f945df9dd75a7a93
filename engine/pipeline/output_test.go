package pipeline

import (
	"bytes"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestDirty: dirty finds exactly the bytes other than printable ASCII, tab
// and newline, at every position of a word and of the tail.
func TestDirty(t *testing.T) {
	ref := func(b []byte) bool {
		return slices.ContainsFunc(b, func(c byte) bool { return c >= 0x7f || (c < 0x20 && c != '\t' && c != '\n') })
	}
	base := []byte(strings.Repeat("ab\tc\nxyz ~", 5))
	for c := range 256 {
		for pos := range base {
			b := slices.Clone(base)
			b[pos] = byte(c)
			if got, want := dirty(b), ref(b); got != want {
				t.Fatalf("byte %#x at %d: dirty %v, want %v", c, pos, got, want)
			}
		}
	}
	if dirty(base) {
		t.Error("clean text found dirty")
	}
}

// TestChangedByClean: changedByClean says exactly whether Clean changes a
// line: controls, invalid UTF-8 and C1 controls do; other scripts do not.
func TestChangedByClean(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	pieces := []string{"a", " ", "\t", "\r", "\x00", "\x7f", "\xff", "é", "█", "\u0085", "\uFFFD", "\xe2\x96", "Stage"}
	for range 20000 {
		var b strings.Builder
		for range r.IntN(6) {
			b.WriteString(pieces[r.IntN(len(pieces))])
		}
		line := b.String()
		if got, want := changedByClean([]byte(line)), Clean(line) != line; got != want {
			t.Fatalf("changedByClean(%q) = %v, Clean changes it: %v", line, got, want)
		}
	}
}

// TestLinesOfRegion: eachLine and lastLines cut a region into the same
// lines (long ones in maxLine pieces, carriage returns trimmed), and
// lineAt finds the line of any byte.
func TestLinesOfRegion(t *testing.T) {
	long := strings.Repeat("x", 2*maxLine+10)
	tests := []struct {
		name   string
		region string
		want   []string
	}{
		{"plain", "a\nbb\nccc\n", []string{"a", "bb", "ccc"}},
		{"no final newline", "a\nb", []string{"a", "b"}},
		{"empty lines", "\n\na\n", []string{"", "", "a"}},
		{"crlf", "a\r\nb\r\r\n", []string{"a", "b"}},
		{"long line", "s\n" + long + "\nt\n", []string{"s", long[:maxLine], long[maxLine : 2*maxLine], long[2*maxLine:], "t"}},
		{"a line of exactly two pieces", strings.Repeat("y", 2*maxLine) + "\n", []string{strings.Repeat("y", maxLine), strings.Repeat("y", maxLine)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			eachLine([]byte(tt.region), func(l []byte) { got = append(got, string(l)) })
			if !slices.Equal(got, tt.want) {
				t.Fatalf("eachLine: %d lines %q, want %d", len(got), short(got), len(tt.want))
			}
			for n := 1; n <= len(tt.want)+1; n++ {
				var last []string
				for _, l := range lastLines([]byte(tt.region), n) {
					last = append(last, string(l))
				}
				if want := tt.want[max(0, len(tt.want)-n):]; !slices.Equal(last, want) {
					t.Errorf("lastLines(%d) = %q, want %q", n, short(last), short(want))
				}
			}
			region := []byte(tt.region)
			for i := range region {
				if region[i] == '\n' || (len(region) > 200 && i%509 != 0 && (i-2)%maxLine > 4 && (i-2)%maxLine < maxLine-4) {
					continue // a long region: a sample, and the bytes about its pieces' ends
				}
				s, e := lineAt(region, i)
				if l := string(trimCR(region[s:e])); !slices.Contains(tt.want, l) || s > i || e <= i {
					t.Fatalf("lineAt(%d) = [%d,%d) %q, not a line holding it", i, s, e, short([]string{l}))
				}
			}
		})
	}
}

func short(ls []string) []string {
	out := make([]string, len(ls))
	for i, l := range ls {
		if len(l) > 20 {
			l = l[:20] + "..."
		}
		out[i] = l
	}
	return out
}

// TestIndexFold finds a literal in any ASCII case, as a lower-cased search
// would.
func TestIndexFold(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for range 5000 {
		b := make([]byte, r.IntN(40))
		for i := range b {
			b[i] = "moryMORYalcALC_ x"[r.IntN(17)]
		}
		for _, lit := range []string{"memory", "_alloc_", "y", "my"} {
			want := bytes.Index(bytes.ToLower(b), []byte(lit))
			if got := indexFold(b, []byte(lit)); got != want {
				t.Fatalf("indexFold(%q, %q) = %d, want %d", b, lit, got, want)
			}
		}
	}
}

// TestOOMWords: every alternative of the out-of-memory text holds one of
// the words its lines are picked by, in the case frameworks print it.
func TestOOMWords(t *testing.T) {
	alts := strings.Split(strings.TrimSuffix(strings.TrimPrefix(oomText.String(), "(?i)("), ")"), "|")
	if len(alts) < 5 {
		t.Fatalf("alternatives %q: the test no longer reads oomText", alts)
	}
	for _, alt := range alts {
		for _, s := range []string{alt, strings.ToUpper(alt), strings.ToLower(alt)} {
			if !hasOOMWord([]byte("x " + s + " y")) {
				t.Errorf("%q holds no out-of-memory word", s)
			}
		}
	}
	if hasOOMWord([]byte("memor y, allocation")) {
		t.Error("a line without the words picked")
	}
}

// TestTailOfRegions: whatever regions the lines come in, the tail is the
// last n lines, cleaned.
func TestTailOfRegions(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for _, n := range []int{1, 3, 40} {
		t.Run(strings.Repeat("n", n%7+1), func(t *testing.T) {
			tl := newTail(n)
			var all []string
			for i := range 2000 {
				var region []byte
				for range r.IntN(5) {
					line := strings.Repeat("ab\x01", r.IntN(4)) + string(rune('a'+i%26))
					region = append(append(region, line...), '\n')
					all = append(all, Clean(line))
				}
				tl.addRegion(region)
				want := all[max(0, len(all)-n):]
				if got := tl.get(); !slices.Equal(got, want) && !(len(got) == 0 && len(want) == 0) {
					t.Fatalf("after region %d: tail %q, want %q", i, got, want)
				}
			}
		})
	}
}

// TestPatternLiteral: the filter of a progress or stage pattern is a string
// every line it matches holds, or none.
func TestPatternLiteral(t *testing.T) {
	tests := []struct{ pattern, want string }{
		{"done (%d+)", "done "},
		{"^Stage: ESM%-2", "Stage: ESM-2"},
		{"%d+/%d+", "/"},
		{"(%d+)", ""},
		{"re:batch (\\d+) done", "batch "},
		{"re:^batch (\\d+) done", ""}, // Go gives no prefix past an anchor
		{"re:(?i)done (\\d+)", ""},
		{"re:(", ""},
		{"[a", ""},
		{"a\nb", ""}, // no line holds a newline: every line is tried
	}
	for _, tt := range tests {
		t.Run(tt.pattern, func(t *testing.T) {
			if got := PatternLiteral(tt.pattern); got != tt.want {
				t.Errorf("literal %q, want %q", got, tt.want)
			}
		})
	}
}

// TestLineMatcherPicks: the matcher gives the lines that hold a literal,
// those that cleaning changes (an escape may complete a literal) and, with
// no literal, every line; never the others.
func TestLineMatcherPicks(t *testing.T) {
	tests := []struct {
		name   string
		lits   []string
		every  bool
		region string
		want   []string
	}{
		{"a literal", []string{"done"}, false, "a\nbatch done\nb\ndone again\n", []string{"batch done", "done again"}},
		{"other scripts", []string{"done"}, false, "█ 3%\nétape done\n", []string{"étape done"}},
		{"an escape", []string{"done"}, false, "ok\n\x1done\n", []string{`\x1done`}},
		{"no final newline", []string{"done"}, false, "x\nnot done", []string{"not done"}},
		{"every line", nil, true, "a\nb\n", []string{"a", "b"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			m := &lineMatcher{everyLine: tt.every, line: func(clean string, _ []byte, _ time.Duration) { got = append(got, clean) }}
			for _, l := range tt.lits {
				m.lits = append(m.lits, literal{s: []byte(l)})
			}
			picked := m.pick(nil, []byte(tt.region))
			if left := m.region(picked, 0, func() bool { return false }); left != 0 {
				t.Errorf("%d lines left", left)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("lines %q, want %q", got, tt.want)
			}
		})
	}
}
