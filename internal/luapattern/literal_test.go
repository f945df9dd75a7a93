package luapattern

import (
	"math/rand/v2"
	"strings"
	"testing"
)

// TestLiteral: the literal is the longest plain run outside quantified
// items, classes and sets, read across captures.
func TestLiteral(t *testing.T) {
	tests := []struct{ pattern, want string }{
		{"ESM%-2", "ESM-2"},
		{".*ESM.*done", "done"},
		{"^Stage: (%a+)", "Stage: "},
		{"done (%d+)", "done "},
		{"a(b)c", "abc"},
		{"ab*c", "a"},
		{"abc?d", "ab"},
		{"x+", ""},
		{"%d+ sequences", " sequences"},
		{"[Ee]rror: out", "rror: out"},
		{"%bxy", ""},
		{"(a)%1bc", "bc"},
		{"(a)*", "a*"},
		{"*lead", "*lead"},
		{"cost $5$", "cost $5"},
		{"%%done", "%done"},
		{".", ""},
		{"", ""},
	}
	for _, tt := range tests {
		t.Run(tt.pattern, func(t *testing.T) {
			p, err := Compile(tt.pattern)
			if err != nil {
				t.Fatal(err)
			}
			if got := p.Literal(); got != tt.want {
				t.Errorf("literal %q, want %q", got, tt.want)
			}
		})
	}
}

// TestLiteralInEveryMatch: over random patterns and subjects from a small
// alphabet, every subject a pattern matches contains the pattern's literal.
func TestLiteralInEveryMatch(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	atoms := []string{"a", "b", "c", ".", "%a", "[ab]", "[^a]", "%-", "(", ")", "()", "*", "+", "-", "?", "%bab", "(a)%1", "$", "^"}
	checked := 0
	for range 20000 {
		var pb strings.Builder
		for range 1 + r.IntN(7) {
			pb.WriteString(atoms[r.IntN(len(atoms))])
		}
		p, err := Compile(pb.String())
		if err != nil {
			continue
		}
		lit := p.Literal()
		for range 5 {
			s := make([]byte, r.IntN(10))
			for i := range s {
				s[i] = "abc-*+?$"[r.IntN(8)]
			}
			ms, err := p.Find(s, 0, 1, Limits{Steps: 1 << 16})
			if err != nil || len(ms) == 0 {
				continue
			}
			checked++
			if !strings.Contains(string(s), lit) {
				t.Fatalf("pattern %q matches %q, which lacks its literal %q", pb.String(), s, lit)
			}
		}
	}
	if checked < 1000 {
		t.Fatalf("only %d matches checked", checked)
	}
}

// TestBackReferenceToOpenCapture: a back-reference to a capture not yet
// closed is Lua's "invalid capture index", not a crash.
func TestBackReferenceToOpenCapture(t *testing.T) {
	for _, pattern := range []string{"(a%1)", "((a)%1)b"} {
		t.Run(pattern, func(t *testing.T) {
			_, err := Find(pattern, []byte("xaab aab"), 0, -1, Limits{})
			if err == nil || !strings.Contains(err.Error(), "invalid capture index") {
				t.Errorf("error %v, want invalid capture index", err)
			}
		})
	}
}
