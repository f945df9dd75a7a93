package engine

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/benchctl/benchctl/internal/format"
	"github.com/benchctl/benchctl/result"
)

// TestLuaFormatsAsReports checks that bench.format_bytes and
// bench.format_seconds print what the reports print (internal/format).
func TestLuaFormatsAsReports(t *testing.T) {
	tests := []struct {
		name, call, want string
	}{
		{"bytes in GiB", "bench.format_bytes(1610612736)", format.SignedBytes(1610612736)},
		{"bytes below a KiB", "bench.format_bytes(512)", format.SignedBytes(512)},
		{"negative bytes", "bench.format_bytes(-3 * 2^20)", format.SignedBytes(-3 << 20)},
		{"seconds in minutes", "bench.format_seconds(192)", format.Duration(192)},
		{"seconds in hours", "bench.format_seconds(7500)", format.Duration(7500)},
		{"fractional seconds", "bench.format_seconds(1.25)", format.Duration(1.25)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := `local bench = require("bench")
bench.test("format", function(t)
  local got = ` + tt.call + `
  if got ~= bench.var("want") then t:fail("got " .. got) end
end)
`
			file := filepath.Join(t.TempDir(), "format.lua")
			if err := os.WriteFile(file, []byte(src), 0o644); err != nil {
				t.Fatal(err)
			}
			rep, err := runFiles(t, map[string]string{"want": tt.want}, file)
			if err != nil {
				t.Fatal(err)
			}
			if c := caseByName(t, rep.Suites[0], "format"); c.Status != result.Passed {
				t.Errorf("%s, want %q: %+v", tt.call, tt.want, c.Failures)
			}
		})
	}
}
