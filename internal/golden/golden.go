// Package golden compares rendered output with files checked in under testdata/
// and rewrites them when the tests run with -update:
//
//	go test ./reporters/... ./compare/... ./internal/... ./result/... -update
//
// Every test package in those trees imports it (a package that has no golden
// file imports it blank), because go test passes -update to every test binary
// and one that does not define the flag fails.
package golden

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// Updating reports whether the tests run with -update.
func Updating() bool { return *update }

// Assert compares got with the file testdata/name, or with -update writes got
// there. A mismatch reports the first line that differs.
func Assert(t testing.TB, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if bytes.Equal(got, want) {
		return
	}
	gl, wl := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
	for i := 0; i < max(len(gl), len(wl)); i++ {
		var g, w string
		if i < len(gl) {
			g = gl[i]
		}
		if i < len(wl) {
			w = wl[i]
		}
		if g != w || i >= len(gl) || i >= len(wl) {
			t.Fatalf("%s differs at line %d (run go test -update if the change is intended)\n got: %q\nwant: %q",
				path, i+1, g, w)
		}
	}
	t.Fatalf("%s differs (run go test -update if the change is intended)", path)
}
