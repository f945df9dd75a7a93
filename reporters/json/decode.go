package json

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"

	"github.com/benchctl/benchctl/result"
)

// ErrNotJSON is returned, wrapped with the position and a hint, when Decode is
// given something that is not a JSON object: a JUnit file, a log, an empty file.
var ErrNotJSON = errors.New("not a JSON report")

// ErrSchemaVersion is returned, wrapped with both versions, when a report has no
// schema_version or one this build does not read.
var ErrSchemaVersion = errors.New("unsupported report")

// Decode reads a report written by the json reporter. It checks schema_version
// first: a report without one, or of another version than result.SchemaVersion,
// is an error wrapping ErrSchemaVersion ("schema version 2, want 1"); input that
// is not a JSON object is an error wrapping ErrNotJSON. Unknown fields are
// ignored, so a report from a newer build of the same version reads. A null
// metric value or sample (NaN or an infinity when written) reads as NaN, "no
// value", so that compare never takes it for 0; other null numbers read as 0.
func Decode(data []byte) (*result.Report, error) {
	version, ok := leadingVersion(data)
	if !ok {
		var head struct {
			SchemaVersion json.RawMessage `json:"schema_version"`
		}
		if err := json.Unmarshal(data, &head); err != nil {
			return nil, notJSON(data, err)
		}
		version = head.SchemaVersion
	}
	if err := checkVersion(version); err != nil {
		return nil, err
	}
	var r result.Report
	if err := json.Unmarshal(data, &r); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) { // broken after a well-formed schema_version
			return nil, notJSON(data, err)
		}
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return nil, fmt.Errorf("decode report: field %s: %s where the schema has %s", te.Field, te.Value, te.Type)
		}
		return nil, fmt.Errorf("decode report: %w", err)
	}
	if err := nullMetrics(data, &r); err != nil {
		return nil, fmt.Errorf("decode report: %w", err)
	}
	return &r, nil
}

// leadingVersion reads schema_version when it is the object's first key, as
// the json reporter writes it, without parsing the rest: reading a whole
// report once more only to find its version doubled the cost of reading
// many (benchctl merge). ok is false for any other input, which is then
// read whole.
func leadingVersion(data []byte) (json.RawMessage, bool) {
	dec := json.NewDecoder(bytes.NewReader(data))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, false
	}
	if key, err := dec.Token(); err != nil || key != "schema_version" {
		return nil, false
	}
	var raw json.RawMessage
	if err := dec.Decode(&raw); err != nil {
		return nil, false
	}
	return raw, true
}

// metricShape is where a report holds metrics, with their numbers as
// pointers: nil where the JSON has null.
type metricShape struct {
	Suites []struct {
		Cases []struct {
			Metrics []struct {
				Value   *float64   `json:"value"`
				Samples []*float64 `json:"samples"`
			} `json:"metrics"`
		} `json:"cases"`
	} `json:"suites"`
}

// nullMetrics sets to NaN the metric values and samples of r that are null
// in data, which encoding/json leaves at 0. A report without any null (the
// common case) is not read again.
func nullMetrics(data []byte, r *result.Report) error {
	if !bytes.Contains(data, []byte("null")) {
		return nil
	}
	var shape metricShape
	if err := json.Unmarshal(data, &shape); err != nil {
		return err
	}
	for si, s := range shape.Suites {
		for ci, c := range s.Cases {
			for mi, m := range c.Metrics {
				got := &r.Suites[si].Cases[ci].Metrics[mi]
				if m.Value == nil {
					got.Value = math.NaN()
				}
				for k, v := range m.Samples {
					if v == nil {
						got.Samples[k] = math.NaN()
					}
				}
			}
		}
	}
	return nil
}

func checkVersion(raw json.RawMessage) error {
	got := string(bytes.TrimSpace(raw))
	if got == "" || got == "null" {
		return fmt.Errorf("%w: schema version missing, want %d", ErrSchemaVersion, result.SchemaVersion)
	}
	if v, err := strconv.ParseInt(got, 10, 64); err != nil || v != result.SchemaVersion {
		return fmt.Errorf("%w: schema version %s, want %d", ErrSchemaVersion, got, result.SchemaVersion)
	}
	return nil
}

// notJSON explains why data is not a JSON report, naming the byte where the
// JSON broke and what the input looks like instead.
func notJSON(data []byte, err error) error {
	trimmed := bytes.TrimSpace(data)
	var hint string
	switch {
	case len(trimmed) == 0:
		return fmt.Errorf("%w: the input is empty", ErrNotJSON)
	case trimmed[0] == '<':
		hint = " (it looks like XML: a JUnit report?)"
	case trimmed[0] == '#' || trimmed[0] == '|':
		hint = " (it looks like Markdown or a console summary)"
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Errorf("%w: %v at byte %d%s", ErrNotJSON, se, se.Offset, hint)
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) && te.Field == "" {
		return fmt.Errorf("%w: the input is a JSON %s, not an object%s", ErrNotJSON, te.Value, hint)
	}
	return fmt.Errorf("%w: %v", ErrNotJSON, err)
}
