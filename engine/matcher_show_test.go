package engine

import (
	"os"
	"path/filepath"
	"testing"
)

// TestCheckShowsBooleans: a boolean or nil checked value is written as such in
// the check and in the failure message, never as an empty string.
func TestCheckShowsBooleans(t *testing.T) {
	path := filepath.Join(t.TempDir(), "bools.lua")
	src := `local bench = require("bench")
bench.suite { name = "bools" }
bench.test("bools", function(t)
  t:expect(1 < 2, "inside"):eq(true)
  t:expect(1 > 2, "outside"):eq(true)
  t:expect(nil, "nothing"):eq(false)
end)`
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	rep, err := runFiles(t, nil, path)
	if err != nil {
		t.Fatal(err)
	}
	c := rep.Suites[0].Cases[0]
	want := []string{"inside: true", "outside: false", "nothing: nil"}
	if len(c.Checks) != len(want) {
		t.Fatalf("%d checks, want %d", len(c.Checks), len(want))
	}
	for i, ch := range c.Checks {
		if got := ch.Label + ": " + ch.Value; got != want[i] {
			t.Errorf("check %d = %q, want %q", i, got, want[i])
		}
		if ch.Bound == "" {
			t.Errorf("check %d has an empty bound", i)
		}
	}
	if len(c.Failures) != 2 || c.Failures[0].Message != "outside: got false, want == true" {
		t.Errorf("failures %+v", c.Failures)
	}
}
