package schema

import (
	"encoding/json"
	"fmt"
	"slices"
)

// Undeclared returns the path of every value in the JSON document doc that the
// schema does not declare (see Fields for the path syntax), sorted by key within each object.
// An object key is matched as a field first and as a map's value second.
func Undeclared(schemaDoc, doc []byte) ([]string, error) {
	fields, err := Fields(schemaDoc)
	if err != nil {
		return nil, err
	}
	var v any
	if err := json.Unmarshal(doc, &v); err != nil {
		return nil, fmt.Errorf("read document: %w", err)
	}
	declared := func(p string) bool {
		_, ok := slices.BinarySearch(fields, p)
		return ok
	}
	var out []string
	var walk func(v any, path string)
	walk = func(v any, path string) {
		switch v := v.(type) {
		case map[string]any:
			for _, k := range sortedKeys(v) {
				p := join(path, k)
				if !declared(p) {
					p = path + "{}"
				}
				if !declared(p) {
					out = append(out, join(path, k))
					continue
				}
				walk(v[k], p)
			}
		case []any:
			p := path + "[]"
			if len(v) > 0 && !declared(p) {
				out = append(out, p)
				return
			}
			for _, e := range v {
				walk(e, p)
			}
		}
	}
	walk(v, "")
	return out, nil
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
