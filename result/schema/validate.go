package schema

import (
	"bytes"
	_ "embed" // the checked-in schema
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// checkedIn is results.schema.json as committed: what Validate checks against.
//
//go:embed results.schema.json
var checkedIn []byte

// CheckedIn returns the checked-in schema document.
func CheckedIn() []byte { return bytes.Clone(checkedIn) }

var compiled = sync.OnceValues(func() (*jsonschema.Schema, error) {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(checkedIn))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", File, err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource(ID, doc); err != nil {
		return nil, fmt.Errorf("load %s: %w", File, err)
	}
	s, err := c.Compile(ID)
	if err != nil {
		return nil, fmt.Errorf("compile %s: %w", File, err)
	}
	return s, nil
})

// Validate checks a results.json document against the checked-in schema: no
// key the schema does not declare, then full JSON Schema 2020-12 validation
// (types, required fields, schema_version). It is for tests and tools; benchctl
// itself reads reports leniently (reporters/json.Decode).
func Validate(doc []byte) error {
	undeclared, err := Undeclared(checkedIn, doc)
	if err != nil {
		return err
	}
	if len(undeclared) > 0 {
		return fmt.Errorf("keys %s does not declare: %s", File, strings.Join(undeclared, ", "))
	}
	s, err := compiled()
	if err != nil {
		return err
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(doc))
	if err != nil {
		return fmt.Errorf("read document: %w", err)
	}
	if err := s.Validate(inst); err != nil {
		var ve *jsonschema.ValidationError
		if errors.As(err, &ve) {
			return fmt.Errorf("does not match %s: %v", File, ve)
		}
		return err
	}
	return nil
}
