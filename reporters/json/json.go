// Package json renders a report as indented JSON, the documented and versioned
// schema that `benchctl report` and `benchctl compare` read back with Decode.
//
// JSON has no NaN or infinity. A float that is NaN or infinite is written as
// null (and left out where its field is omitempty), never as a made-up number:
// a NaN metric is "no value", not 0. Decode reads such a null back as 0, the
// only value a float64 field can hold for it.
//
// Strings are written as encoding/json writes them: each invalid UTF-8 byte
// becomes U+FFFD and control characters are escaped, so any process output
// yields valid JSON; characters such as < and & are left as they are.
package json

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/benchctl/benchctl/reporters"
	"github.com/benchctl/benchctl/result"
)

func init() {
	reporters.Register(New())
}

// Reporter writes the JSON format.
type Reporter struct{}

var _ reporters.Reporter = (*Reporter)(nil)

// New returns the JSON reporter.
func New() *Reporter { return &Reporter{} }

// Name returns "json".
func (*Reporter) Name() string { return "json" }

// Render returns the whole report as JSON indented by two spaces, ending with a
// newline, with schema_version set to result.SchemaVersion: the version of the
// schema this code writes, whatever the report held.
func (*Reporter) Render(r *result.Report) ([]byte, error) {
	if r == nil {
		return nil, errors.New("render json: nil report")
	}
	rep := *r // a shallow copy: the caller's report is not touched
	rep.SchemaVersion = result.SchemaVersion
	var v any = &rep
	if hasNonFinite(v) {
		v = finite(v)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return nil, fmt.Errorf("render json: %w", err)
	}
	return buf.Bytes(), nil
}
