package luapattern

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/yuin/gopher-lua/pm"
)

// TestSameAsGopherLua: unbounded, the matcher finds what gopher-lua's finds.
func TestSameAsGopherLua(t *testing.T) {
	tests := []struct{ pattern, src string }{
		{"ESM%-2", "Stage: ESM-2 features"},
		{"^Stage: (%a+)", "Stage: Loading models"},
		{"(%d+)%.(%d+)", "v1.25 and 3.4"},
		{"%bxy", "axxyyb"},
		{"%f[%w]%w+", "  hello world"},
		{"(a)%1", "baab"},
		{"[^%s]+$", "a b c"},
		{".-b", "aaab"},
		{"()a()", "bab"},
		{"x*", ""},
	}
	for _, tt := range tests {
		t.Run(tt.pattern, func(t *testing.T) {
			want, werr := pm.Find(tt.pattern, []byte(tt.src), 0, -1)
			got, gerr := Find(tt.pattern, []byte(tt.src), 0, -1, Limits{})
			if (werr == nil) != (gerr == nil) {
				t.Fatalf("errors differ: %v, gopher-lua %v", gerr, werr)
			}
			if len(got) != len(want) {
				t.Fatalf("%d matches, gopher-lua %d", len(got), len(want))
			}
			for i := range got {
				var g, w []int
				for k := 0; k < got[i].CaptureLength(); k++ {
					g = append(g, got[i].Capture(k))
				}
				for k := 0; k < want[i].CaptureLength(); k++ {
					w = append(w, want[i].Capture(k))
				}
				if !reflect.DeepEqual(g, w) {
					t.Errorf("match %d captures %v, gopher-lua %v", i, g, w)
				}
			}
		})
	}
}

// TestLimitsEndBacktracking: patterns that backtrack for hours on a few
// kilobytes end at once with the budget's error, or with the check's.
func TestLimitsEndBacktracking(t *testing.T) {
	expired, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		name    string
		pattern string
		src     string
		lim     Limits
		want    error
	}{
		{"budget, lazy", ".-.-.-.-b", strings.Repeat("a", 5000), Limits{Steps: 1e6}, ErrTooComplex},
		{"budget, greedy", ".*ESM.*done", strings.Repeat("ESM ", 50000), Limits{Steps: 1e6}, ErrTooComplex},
		{"context", ".-.-.-.-b", strings.Repeat("a", 5000), Limits{Check: expired.Err}, context.Canceled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start := time.Now()
			_, err := Find(tt.pattern, []byte(tt.src), 0, 1, tt.lim)
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			if d := time.Since(start); d > 5*time.Second {
				t.Errorf("took %s to give up", d)
			}
		})
	}
}
