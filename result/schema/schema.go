// Package schema derives the JSON Schema of results.json from the result model
// and keeps the checked-in copy, results.schema.json, honest: Generate reflects
// package result (field names from the json tags, descriptions from the doc
// comments), and Write refuses to replace a schema whose fields were removed or
// renamed while result.SchemaVersion stayed the same.
//
// Regenerate it with `make schema` (go generate ./result/schema) after changing
// the result model; the package's test fails while the file is out of date.
package schema

//go:generate go run ./gen

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"

	"github.com/invopop/jsonschema"

	"github.com/benchctl/benchctl/result"
)

// File is the checked-in schema, relative to this package's directory.
const File = "results.schema.json"

// ID is the schema's $id: where the checked-in file lives in the repository.
const ID = "https://github.com/benchctl/benchctl/result/schema/" + File

// resultPkg is the import path the doc comments are read under; resultDir is
// package result's source, relative to this package's directory (go test and
// go generate both run here).
const (
	resultPkg = "github.com/benchctl/benchctl/result"
	resultDir = ".."
)

// Generate returns the JSON Schema of a results.json written by the json
// reporter, indented, ending with a newline. It reads package result's doc
// comments from resultDir, so it runs in this package's directory.
func Generate() ([]byte, error) {
	r := &jsonschema.Reflector{
		BaseSchemaID: jsonschema.ID(ID),
		Mapper:       nullableFloat,
	}
	if err := r.AddGoComments(resultPkg+"/schema", resultDir); err != nil {
		return nil, fmt.Errorf("read result's doc comments: %w", err)
	}
	s := r.Reflect(&result.Report{})
	s.ID = ID
	s.Title = "benchctl results.json"
	s.Description = fmt.Sprintf("A benchctl run as the json reporter writes it, schema_version %d. "+
		"A float that was NaN or infinite is written as null.", result.SchemaVersion)
	if err := pinVersion(s); err != nil {
		return nil, err
	}
	nullableEmpty(s, reflect.TypeOf(result.Report{}), map[reflect.Type]bool{})
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(s); err != nil {
		return nil, fmt.Errorf("encode schema: %w", err)
	}
	return buf.Bytes(), nil
}

// nullableFloat describes every float64 as a number or null: the json reporter
// writes NaN and infinities as null, JSON having neither.
func nullableFloat(t reflect.Type) *jsonschema.Schema {
	if t.Kind() != reflect.Float64 {
		return nil
	}
	return orNull(&jsonschema.Schema{Type: "number"})
}

// orNull returns p allowing null too: "type": [p's type, "null"] where p has a
// type, an anyOf of p and null where it is a reference.
func orNull(p *jsonschema.Schema) *jsonschema.Schema {
	if p.Type == "" || p.Ref != "" {
		return &jsonschema.Schema{
			Description: p.Description,
			AnyOf:       []*jsonschema.Schema{withoutDescription(p), {Type: "null"}},
		}
	}
	c := *p
	c.Extras = map[string]any{"type": []string{p.Type, "null"}}
	for k, v := range p.Extras {
		c.Extras[k] = v
	}
	c.Type = ""
	return &c
}

// pinVersion makes schema_version a constant: a report of another version is
// not described by this schema.
func pinVersion(s *jsonschema.Schema) error {
	def := s.Definitions[reflect.TypeOf(result.Report{}).Name()]
	if def == nil {
		return fmt.Errorf("schema has no Report definition")
	}
	p, ok := def.Properties.Get("schema_version")
	if !ok {
		return fmt.Errorf("report has no schema_version field")
	}
	p.Const = result.SchemaVersion
	return nil
}

// nullableEmpty lets a slice, map or pointer field without omitempty be null,
// since encoding/json writes its nil value so ("cases": null for a suite that
// did not load). It walks the struct types reachable from t.
func nullableEmpty(s *jsonschema.Schema, t reflect.Type, seen map[reflect.Type]bool) {
	for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Map {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct || seen[t] {
		return
	}
	seen[t] = true
	def := s.Definitions[t.Name()]
	if def == nil { // not an object of the model (time.Time)
		return
	}
	for i := range t.NumField() {
		f := t.Field(i)
		name, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
		if !f.IsExported() || name == "-" {
			continue
		}
		if name == "" {
			name = f.Name
		}
		nullableEmpty(s, f.Type, seen)
		switch f.Type.Kind() {
		case reflect.Slice, reflect.Map, reflect.Pointer:
		default:
			continue
		}
		if strings.Contains(","+opts+",", ",omitempty,") {
			continue
		}
		if p, ok := def.Properties.Get(name); ok {
			def.Properties.Set(name, orNull(p))
		}
	}
}

func withoutDescription(p *jsonschema.Schema) *jsonschema.Schema {
	c := *p
	c.Description = ""
	return &c
}
