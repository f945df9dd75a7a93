package suggest

import "testing"

func TestClosest(t *testing.T) {
	names := []string{"run", "list", "check", "report", "compare", "monitor"}
	for _, tc := range []struct {
		word, want string
	}{
		{"rnu", "run"},
		{"chekc", "check"},
		{"reprot", "report"},
		{"monitr", "monitor"},
		{"run", "run"},
		{"RUN", "run"},
		{"zzzzzz", ""},
		{"", ""},
	} {
		t.Run(tc.word, func(t *testing.T) {
			if got := Closest(tc.word, names); got != tc.want {
				t.Errorf("Closest(%q) = %q, want %q", tc.word, got, tc.want)
			}
		})
	}
}

func TestDidYouMean(t *testing.T) {
	for _, tc := range []struct {
		word, prefix string
		cands        []string
		want         string
	}{
		{"otu", "--", []string{"out", "var", "tags"}, "; did you mean --out?"},
		{"dealy", "", []string{"delay", "pipeline"}, "; did you mean delay?"},
		{"tset", "bench.", []string{"test", "suite"}, "; did you mean bench.test?"},
		{"out", "--", []string{"out"}, ""},
		{"xyzzy", "--", []string{"out"}, ""},
	} {
		t.Run(tc.word, func(t *testing.T) {
			if got := DidYouMean(tc.word, tc.prefix, tc.cands); got != tc.want {
				t.Errorf("DidYouMean(%q) = %q, want %q", tc.word, got, tc.want)
			}
		})
	}
}
