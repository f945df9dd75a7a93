package schema

import (
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strings"
)

// node is the part of a JSON Schema that Fields follows.
type node struct {
	Ref                  string           `json:"$ref"`
	Defs                 map[string]*node `json:"$defs"`
	Properties           map[string]*node `json:"properties"`
	AdditionalProperties json.RawMessage  `json:"additionalProperties"`
	Items                *node            `json:"items"`
	AnyOf                []*node          `json:"anyOf"`
	OneOf                []*node          `json:"oneOf"`
	Const                any              `json:"const"`
}

// Fields returns the path of every value a document of schema doc may hold,
// sorted: "suites[].cases[].name", "environment.gpus[].uuid", an array's
// elements as "[]" and a map's values as "{}":
// "suites[].cases[].runs[].gpu.gpus[].stats{}.p50", "invocation.vars{}".
func Fields(doc []byte) ([]string, error) {
	var root node
	if err := json.Unmarshal(doc, &root); err != nil {
		return nil, fmt.Errorf("read schema: %w", err)
	}
	var out []string
	var walk func(n *node, path string, depth int)
	walk = func(n *node, path string, depth int) {
		if n == nil || depth > 32 { // the model has no cycles; this bounds a bad file
			return
		}
		if name, ok := strings.CutPrefix(n.Ref, "#/$defs/"); ok {
			walk(root.Defs[name], path, depth+1)
		}
		for k, p := range n.Properties {
			out = append(out, join(path, k))
			walk(p, join(path, k), depth+1)
		}
		var values node // additionalProperties: false or a schema
		if json.Unmarshal(n.AdditionalProperties, &values) == nil {
			out = append(out, path+"{}")
			walk(&values, path+"{}", depth+1)
		}
		if n.Items != nil {
			out = append(out, path+"[]")
			walk(n.Items, path+"[]", depth+1)
		}
		for _, a := range append(n.AnyOf, n.OneOf...) {
			walk(a, path, depth+1)
		}
	}
	walk(&root, "", 0)
	slices.Sort(out)
	return slices.Compact(out), nil
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// Version returns the schema_version a schema document pins.
func Version(doc []byte) (int, error) {
	var root node
	if err := json.Unmarshal(doc, &root); err != nil {
		return 0, fmt.Errorf("read schema: %w", err)
	}
	name, _ := strings.CutPrefix(root.Ref, "#/$defs/")
	if def := root.Defs[name]; def != nil {
		if v, ok := def.Properties["schema_version"]; ok {
			if f, ok := v.Const.(float64); ok {
				return int(f), nil
			}
		}
	}
	return 0, fmt.Errorf("schema pins no schema_version")
}

// Removed returns the fields of old that next no longer has when both pin the
// same schema_version: a field removed or renamed without a version bump, which
// breaks every reader of the old reports. It is empty when the version changed.
func Removed(old, next []byte) ([]string, error) {
	ov, err := Version(old)
	if err != nil {
		return nil, err
	}
	nv, err := Version(next)
	if err != nil {
		return nil, err
	}
	if ov != nv {
		return nil, nil
	}
	of, err := Fields(old)
	if err != nil {
		return nil, err
	}
	nf, err := Fields(next)
	if err != nil {
		return nil, err
	}
	var gone []string
	for _, f := range of {
		if _, found := slices.BinarySearch(nf, f); !found {
			gone = append(gone, f)
		}
	}
	return gone, nil
}

// Write generates the schema and writes it to path, unless the schema there
// pins the same schema_version and has fields the new one lacks.
func Write(path string) error {
	next, err := Generate()
	if err != nil {
		return err
	}
	if old, err := os.ReadFile(path); err == nil {
		gone, err := Removed(old, next)
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		if len(gone) > 0 {
			return fmt.Errorf("%s: fields removed or renamed without a schema_version bump (bump result.SchemaVersion): %s",
				path, strings.Join(gone, ", "))
		}
	} else if !os.IsNotExist(err) {
		return err
	}
	return os.WriteFile(path, next, 0o644)
}
