package testfixture

import (
	"strings"
	"testing"

	"github.com/benchctl/benchctl/result"
)

// Fragments is one row of a reporter's render table: an edit of the fixture
// report (nil for the fixture as it is), and the text that its output must and
// must not hold.
type Fragments struct {
	Name    string
	Edit    func(r *result.Report)
	Want    []string
	WantNot []string
}

// CheckFragments renders an edited fixture report for each row, as a subtest,
// and checks the output for its fragments.
func CheckFragments(t *testing.T, render func(t *testing.T, r *result.Report) string, rows []Fragments) {
	t.Helper()
	for _, row := range rows {
		t.Run(row.Name, func(t *testing.T) {
			r := Report()
			if row.Edit != nil {
				row.Edit(r)
			}
			out := render(t, r)
			shown := out
			if len(shown) > 4000 { // an HTML page: too long to read in a failure
				shown = shown[:4000] + "..."
			}
			for _, w := range row.Want {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q:\n%s", w, shown)
				}
			}
			for _, w := range row.WantNot {
				if strings.Contains(out, w) {
					t.Errorf("output holds %q:\n%s", w, shown)
				}
			}
		})
	}
}
