// Package suggest finds the known name closest to a mistyped one, for
// "did you mean" hints in error messages.
package suggest

import "strings"

// Closest returns the candidate nearest to word by edit distance (letters
// swapped count as one edit), or "" when none is near enough to be a typo:
// at most a third of the word's length, and at least one edit, allowed.
// Case is ignored; on a tie the first candidate wins.
func Closest(word string, candidates []string) string {
	w := strings.ToLower(word)
	best, bestD := "", -1
	limit := max(1, len([]rune(w))/3)
	for _, c := range candidates {
		if c == "" {
			continue
		}
		d := distance(w, strings.ToLower(c))
		if d <= limit && (bestD < 0 || d < bestD) {
			best, bestD = c, d
		}
	}
	return best
}

// DidYouMean is "; did you mean X?" for the closest candidate, or "".
// prefix is put before the name (such as "--").
func DidYouMean(word, prefix string, candidates []string) string {
	if c := Closest(word, candidates); c != "" && c != word {
		return "; did you mean " + prefix + c + "?"
	}
	return ""
}

// distance is the optimal string alignment distance between a and b:
// insertions, deletions, substitutions and swaps of adjacent letters.
func distance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev2 := make([]int, len(rb)+1)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(rb)]
}
