package engine

import (
	"strings"
	"testing"

	"github.com/benchctl/benchctl/result"
)

func TestDataText(t *testing.T) {
	rep, err := runFiles(t, nil, "testdata/datatext.lua")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		status result.Status
		err    string
	}{
		{"writes and a pipeline reads it", result.Passed, ""},
		{"a path is refused", result.Errored, `name "../escape.yaml": want a plain file name`},
		{"content must be a string", result.Errored, "content must be a string"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := caseByName(t, rep.Suites[0], tt.name)
			if c.Status != tt.status {
				t.Fatalf("status %s, want %s (failures %+v, error %+v)", c.Status, tt.status, c.Failures, c.Error)
			}
			if tt.err != "" && (c.Error == nil || !strings.Contains(c.Error.Message, tt.err)) {
				t.Fatalf("error %+v, want %q", c.Error, tt.err)
			}
		})
	}
}
