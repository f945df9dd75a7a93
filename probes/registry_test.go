package probes

import (
	"errors"
	"strings"
	"testing"
)

func TestFlagCanonical(t *testing.T) {
	double := func(v string) (string, error) {
		if v == "bad" {
			return "", errors.New("bad value")
		}
		return v + v, nil
	}
	tests := []struct {
		name    string
		flag    Flag
		in      string
		want    string
		wantErr bool
	}{
		{"no parser trims", Flag{Name: "x"}, " a ", "a", false},
		{"parser", Flag{Name: "x", Parse: double}, "a", "aa", false},
		{"parser error", Flag{Name: "x", Parse: double}, "bad", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.flag.Canonical(tt.in)
			if (err != nil) != tt.wantErr || got != tt.want {
				t.Errorf("Canonical(%q) = %q, %v; want %q, error %v", tt.in, got, err, tt.want, tt.wantErr)
			}
		})
	}
}

func TestOpenByName(t *testing.T) {
	tests := []struct {
		name     string
		backend  string
		wantName string
		wantErr  string
	}{
		{"none", "none", "none", ""},
		{"auto without an auto backend is none", "auto", "none", ""},
		{"empty is auto", "", "none", ""},
		{"unknown", "cuda", "", `unknown gpu backend "cuda"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := Open(tt.backend, Config{})
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Open(%q): err = %v, want %q", tt.backend, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Open(%q): %v", tt.backend, err)
			}
			if b.Name() != tt.wantName {
				t.Errorf("Open(%q).Name() = %q, want %q", tt.backend, b.Name(), tt.wantName)
			}
		})
	}
}
