package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// runWithStdin runs fakepipe with stdin given (nil: closed, as under benchctl).
func runWithStdin(t *testing.T, stdin *string, args ...string) outcome {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), runLimit)
	defer cancel()
	cmd := exec.CommandContext(ctx, binPath, args...)
	cmd.Env = env()
	if stdin != nil {
		cmd.Stdin = strings.NewReader(*stdin)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	o := outcome{stdout: stdout.String(), stderr: stderr.String()}
	if ee, ok := err.(*exec.ExitError); ok {
		o.code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return o
}

// An existing output directory is a prompt, as in the fork: on a closed
// stdin "Prediction failed: " and exit 1; "y" runs; "n" cancels with exit 0;
// --force and --resume skip it.
func TestExistingOutputDir(t *testing.T) {
	input := writeFASTA(t, 3)
	yes, no := "y\n", "n\n"
	tests := []struct {
		name   string
		stdin  *string
		extra  []string
		code   int
		stdout []string
	}{
		{"closed stdin aborts", nil, nil, exitError,
			[]string{"exists. Overwrite? [y/N]: ", " - ERROR - Prediction failed: \n"}},
		{"yes runs", &yes, nil, exitOK, []string{"Overwrite? [y/N]: ", "=== Stage 9: Consensus Scoring ==="}},
		{"no cancels", &no, nil, exitOK, []string{"Overwrite? [y/N]: ", " - INFO - Prediction cancelled by user\n"}},
		{"--force runs", nil, []string{"--force"}, exitOK, []string{"=== Stage 9: Consensus Scoring ==="}},
		{"--resume runs", nil, []string{"--resume"}, exitOK, []string{"=== Stage 9: Consensus Scoring ==="}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := t.TempDir()
			args := append(append([]string{"predict", input, "-o", out}, fast...), tt.extra...)
			o := runWithStdin(t, tt.stdin, args...)
			if o.code != tt.code {
				t.Fatalf("exit %d, want %d:\n%s%s", o.code, tt.code, o.stdout, o.stderr)
			}
			for _, w := range tt.stdout {
				if !strings.Contains(o.stdout, w) {
					t.Errorf("stdout lacks %q:\n%s", w, o.stdout)
				}
			}
			if tt.code == exitOK && len(tt.extra) == 0 && tt.stdin == &no && strings.Contains(o.stdout, "=== Stage") {
				t.Errorf("a cancelled run ran stages:\n%s", o.stdout)
			}
		})
	}
}

// The fork's global options: before predict only; -c sets sequences per
// file; -q silences the log; -l copies it to a file.
func TestGlobalOptions(t *testing.T) {
	dir := t.TempDir()
	input := writeFASTA(t, 12)
	cfg := filepath.Join(dir, "config.yaml")
	os.WriteFile(cfg, []byte("version: \"2.0.0\"\nprediction:\n  batch_size: 256\n  sequences_per_file: 4  # three files\n"), 0o644)
	bad := filepath.Join(dir, "bad.yaml")
	os.WriteFile(bad, []byte("prediction:\n  sequences_per_file: many\n"), 0o644)
	logFile := filepath.Join(dir, "run.log")
	tests := []struct {
		name         string
		args         []string
		code         int
		stdout, errs string // substrings; stdout "-" means empty
	}{
		{"-c sets sequences per file", []string{"-c", cfg, "predict", input}, exitOK, "Protein File Splitting completed in 0.0s [files: 3]", ""},
		{"--config= form", []string{"--config=" + cfg, "predict", input}, exitOK, "Loaded configuration from " + cfg, ""},
		{"-c after predict is unknown", []string{"predict", input, "-c", cfg}, exitUsage, "-", "Error: No such option '-c'."},
		{"-c that does not exist", []string{"-c", "/nonexistent.yaml", "predict", input}, exitUsage, "-",
			"Error: Invalid value for '--config' / '-c': Path '/nonexistent.yaml' does not exist."},
		{"-c that does not parse", []string{"-c", bad, "predict", input}, exitError, "Failed to load configuration: ", ""},
		{"unknown global option", []string{"--bogus", "predict", input}, exitUsage, "-", "Error: No such option '--bogus'."},
		{"unknown command", []string{"train", input}, exitUsage, "-", "Error: No such command 'train'."},
		{"knobs before predict", []string{"--time-per-seq", "0", "--bad-utf8", "predict", input}, exitOK, "\xff\xfe", ""},
		{"-q prints no log", []string{"-q", "predict", input}, exitOK, "-", ""},
		{"-l copies the log", []string{"-l", logFile, "predict", input}, exitOK, "=== Stage 1: Sequence Chunking ===", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append(tt.args, "-o", filepath.Join(t.TempDir(), "out"), "--startup", "0", "--load-time", "0", "--time-per-seq", "0")
			if tt.code == exitUsage || strings.Contains(tt.name, "parse") {
				args = tt.args
			}
			o := runWithStdin(t, nil, args...)
			if o.code != tt.code {
				t.Fatalf("exit %d, want %d:\n%s%s", o.code, tt.code, o.stdout, o.stderr)
			}
			if tt.stdout == "-" && o.stdout != "" {
				t.Errorf("stdout not empty:\n%s", o.stdout)
			} else if tt.stdout != "-" && !strings.Contains(o.stdout, tt.stdout) {
				t.Errorf("stdout lacks %q:\n%s", tt.stdout, o.stdout)
			}
			if !strings.Contains(o.stderr, tt.errs) {
				t.Errorf("stderr lacks %q:\n%s", tt.errs, o.stderr)
			}
		})
	}
	if data, err := os.ReadFile(logFile); err != nil || !strings.Contains(string(data), "=== Stage 9: Consensus Scoring ===") {
		t.Errorf("log file: %v\n%s", err, data)
	}
}

// Out of memory ends the run as the fork's: the banner through logger.error,
// on stdout, and exit 4; nothing about it on stderr in a single process.
func TestOutOfMemoryBannerOnStdout(t *testing.T) {
	b := simGPUs(t, 1, 80<<30)
	o := runPipe(t, b, nil, predictArgs(writeFASTA(t, 10), t.TempDir(), "--oom-above", "500")...)
	if o.code != exitOOM {
		t.Fatalf("exit %d, want 4:\n%s%s", o.code, o.stdout, o.stderr)
	}
	for _, w := range []string{" - ERROR - ====", " - ERROR - OUT OF MEMORY ERROR\n", " - ERROR - Suggestions:\n"} {
		if !strings.Contains(o.stdout, w) {
			t.Errorf("stdout lacks %q:\n%s", w, o.stdout)
		}
	}
	if strings.Contains(strings.ToLower(o.stderr), "out of memory") {
		t.Errorf("out-of-memory text on stderr:\n%s", o.stderr)
	}
}
