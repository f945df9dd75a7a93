package schema

import (
	"bytes"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/benchctl/benchctl/internal/golden"
)

// TestFileUpToDate regenerates the schema and compares it with the checked-in
// file; with -update it rewrites the file, unless fields were removed or
// renamed without a schema_version bump.
func TestFileUpToDate(t *testing.T) {
	if golden.Updating() {
		if err := Write(File); err != nil {
			t.Fatal(err)
		}
		return
	}
	got, err := Generate()
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile(File)
	if err != nil {
		t.Fatalf("%v (run make schema to create it)", err)
	}
	if bytes.Equal(got, want) {
		return
	}
	gone, err := Removed(want, got)
	if err != nil {
		t.Fatal(err)
	}
	if len(gone) > 0 {
		t.Fatalf("fields removed or renamed without bumping result.SchemaVersion: %s", strings.Join(gone, ", "))
	}
	t.Fatalf("%s is out of date with package result: run make schema and commit it", File)
}

func TestFields(t *testing.T) {
	doc, err := Generate()
	if err != nil {
		t.Fatal(err)
	}
	fields, err := Fields(doc)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"schema_version",
		"environment.gpus[].memory_total_bytes",
		"suites[].cases[].metrics[].value",
		"suites[].cases[].tables[].rows[][]",
		"suites[].cases[].runs[].gpu.gpus[].stats{}.p50",
		"suites[].cases[].runs[].gpu.gpus[].stages{}{}.max",
		"suites[].cases[].runs[].gpu.gpus[].timeline[].min{}",
		"invocation.vars{}",
	} {
		t.Run(want, func(t *testing.T) {
			if _, ok := slices.BinarySearch(fields, want); !ok {
				t.Errorf("schema does not declare %s", want)
			}
		})
	}
}

// schemaDoc is a tiny schema of one object with the given keys, pinning version.
func schemaDoc(version string, keys ...string) []byte {
	var props []string
	for _, k := range keys {
		props = append(props, `"`+k+`": {"type": "string"}`)
	}
	return []byte(`{"$ref": "#/$defs/Report", "$defs": {"Report": {"properties": {
		"schema_version": {"type": "integer", "const": ` + version + `},
		"tool": {"$ref": "#/$defs/Tool"}}},
		"Tool": {"properties": {` + strings.Join(props, ",") + `}}}}`)
}

func TestRemoved(t *testing.T) {
	tests := []struct {
		name      string
		old, next []byte
		want      []string
	}{
		{"unchanged", schemaDoc("1", "name", "version"), schemaDoc("1", "name", "version"), nil},
		{"field added", schemaDoc("1", "name"), schemaDoc("1", "name", "version"), nil},
		{"field renamed, same version", schemaDoc("1", "name", "version"), schemaDoc("1", "name", "release"), []string{"tool.version"}},
		{"field removed, same version", schemaDoc("1", "name", "version"), schemaDoc("1", "name"), []string{"tool.version"}},
		{"field renamed, version bumped", schemaDoc("1", "name", "version"), schemaDoc("2", "name", "release"), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Removed(tt.old, tt.next)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("Removed = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestRemovedNeedsVersion(t *testing.T) {
	if _, err := Removed([]byte(`{"type": "object"}`), schemaDoc("1", "name")); err == nil {
		t.Error("a schema without schema_version compares")
	}
}

// TestWriteRefusesBreakingChange writes over a schema that has a field the
// model lacks under the same version: Write must refuse and leave it alone.
func TestWriteRefusesBreakingChange(t *testing.T) {
	doc, err := Generate()
	if err != nil {
		t.Fatal(err)
	}
	old := bytes.Replace(doc, []byte(`"hostname"`), []byte(`"host_name"`), 1)
	if bytes.Equal(old, doc) {
		t.Fatal("schema has no hostname field to rename")
	}
	path := t.TempDir() + "/" + File
	if err := os.WriteFile(path, old, 0o644); err != nil {
		t.Fatal(err)
	}
	err = Write(path)
	if err == nil || !strings.Contains(err.Error(), "environment.host_name") {
		t.Errorf("Write = %v, want a refusal naming environment.host_name", err)
	}
	if now, _ := os.ReadFile(path); !bytes.Equal(now, old) {
		t.Error("Write replaced the schema it refused")
	}
}

func TestUndeclared(t *testing.T) {
	doc, err := Generate()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, report string
		want         []string
	}{
		{"declared fields and map values", `{"schema_version": 1, "invocation": {"vars": {"any_name": "x"}},
			"suites": [{"name": "s", "cases": [{"runs": [{"gpu": {"gpus": [{"stats": {"memory_used": {"p50": 1}}}]}}]}]}]}`, nil},
		{"null where a list was nil", `{"suites": [{"name": "s", "cases": null}]}`, nil},
		{"unknown top-level key", `{"schema_version": 1, "schema": 2}`, []string{"schema"}},
		{"renamed nested key", `{"suites": [{"cases": [{"runs": [{"gpu": {"gpus": [{"stats": {"m": {"median": 1}}}]}}]}]}]}`,
			[]string{"suites[].cases[].runs[].gpu.gpus[].stats{}.median"}},
		{"key inside a list of strings", `{"suites": [{"tags": [{"k": 1}]}]}`, []string{"suites[].tags[].k"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Undeclared(doc, []byte(tt.report))
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("Undeclared = %q, want %q", got, tt.want)
			}
		})
	}
}
