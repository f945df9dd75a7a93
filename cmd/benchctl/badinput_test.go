package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"unicode/utf8"

	reportjson "github.com/benchctl/benchctl/reporters/json"
	"github.com/benchctl/benchctl/result"
	"github.com/benchctl/benchctl/result/schema"
)

// badInput is one thing a user can get wrong, or one pipeline that behaves
// badly, and what benchctl must answer: an exit code and one line that says
// what went wrong, never a panic or a Go stack trace.
type badInput struct {
	name string
	// args are benchctl's arguments; DIR is the case's own temporary dir and
	// FAKEPIPE the fake pipeline's binary.
	args  []string
	setup func(t *testing.T, dir string) // prepares files in DIR
	code  int
	// want is the line: with exit 2, the one "benchctl: ..." line on stderr
	// holds it; otherwise the first failure or error of the first case that
	// did not pass does, or, when class is set, the error of its first run.
	want  string
	class result.ExitClass // the class of the case's first pipeline run
	// peakRSS, when set, bounds the memory benchctl may have held at its
	// peak, in bytes.
	peakRSS int64
	check   func(t *testing.T, dir string, rep *result.Report)
}

// run is `benchctl run -q` with no GPU, its reports in DIR and JUnit in
// DIR/junit.xml, and the arguments given.
func run(args ...string) []string {
	return append([]string{"run", "-q", "--gpu-backend", "none", "--results-dir", "DIR", "--out", "junit=DIR/junit.xml"}, args...)
}

// badTest runs one test of testdata/bad/tests.lua, by its tag.
func badTest(tag string, extra ...string) []string {
	return run(append(extra, "--tags", tag, "testdata/bad/tests.lua")...)
}

// badPipeline runs testdata/bad/pipeline.lua on the command cmd, which gets
// fakepipe's arguments when predict is set, and expects the class want.
func badPipeline(cmd string, predict bool, want string, extra ...string) []string {
	args := append([]string{"--var", "cmd=" + cmd, "--var", "want=" + want}, extra...)
	if predict {
		args = append(args, "--var", "predict=true")
	}
	return run(append(args, "testdata/bad/pipeline.lua")...)
}

// fastPipe is fakepipe without its start-up and model-load times.
const fastPipe = "FAKEPIPE --startup 0 --load-time 0 --time-per-seq 1ms"

var badInputs = []badInput{
	// Scenario files.
	{name: "missing scenario file", args: run("nope.lua"), code: 2, want: "nope.lua: no such scenario file"},
	{name: "a directory", args: run("testdata/bad"), code: 2,
		want: "testdata/bad: is a directory, not a scenario file (use a glob: testdata/bad/*.lua)"},
	{name: "a binary file", args: run("DIR/binary.lua"), setup: writeFile("binary.lua", "\x7fELF\x02\x01\x01\x00\x00\xff\xfe"), code: 2,
		want: "binary.lua: not a Lua text file (binary content)"},
	{name: "an empty file", args: run("DIR/empty.lua"), setup: writeFile("empty.lua", ""), code: 2,
		want: "empty.lua: declares no tests (call bench.test)"},
	{name: "a suite without tests", args: run("testdata/bad/no_tests.lua"), code: 2, want: "no_tests.lua: declares no tests"},
	{name: "Lua syntax error", args: run("testdata/broken.lua"), code: 2, want: "testdata/broken.lua:4: syntax error near ')'"},
	{name: "runtime error in the suite header", args: run("testdata/bad/header.lua"), code: 2,
		want: "testdata/bad/header.lua:4: attempt to index a non-table object(nil) with key 'description'"},
	{name: "a header --var that does not parse", args: run("--var", "count=many", "testdata/bad/header_var.lua"), code: 2,
		want: `testdata/bad/header_var.lua:4: --var count="many": not a number`},
	{name: "a test declared twice", args: run("testdata/bad/duplicate.lua"), code: 2, want: `a test named "twice" is already declared`},
	{name: "a test timeout that does not parse", args: run("testdata/bad/bad_timeout.lua"), code: 2, want: `invalid duration "soon"`},
	{name: "side effects at the top level", args: run("testdata/bad/toplevel.lua"), code: 2,
		want: "testdata/bad/toplevel.lua:3: bench.data.fasta may only be called inside a bench.test function"},
	{name: "a glob that matches nothing", args: run("testdata/nothing*.lua"), code: 2, want: "testdata/nothing*.lua: no scenario matches"},
	{name: "no scenario", args: []string{"run"}, code: 2, want: "no scenario given"},
	{name: "a bad scenario beside a good one", args: run("testdata/bad/no_tests.lua", "testdata/outcomes.lua"), code: 2,
		want: "no_tests.lua: declares no tests", check: func(t *testing.T, _ string, rep *result.Report) {
			if len(rep.Suites) != 2 || rep.Suites[0].Error == "" || len(rep.Suites[1].Cases) != 4 {
				t.Errorf("the good scenario did not run: %+v", rep.Suites)
			}
		}},

	// Tests that go wrong.
	{name: "a test that errors", args: badTest("errors"), code: 1, want: "testdata/bad/tests.lua:12: boom"},
	{name: "a test that loops forever", args: badTest("loops"), code: 1, want: "test exceeded its timeout of 300ms"},
	{name: "a string.find that backtracks for hours", args: badTest("find_bomb"), code: 1, want: "test exceeded its timeout of 1s"},
	{name: "a string.gsub that backtracks for hours", args: badTest("gsub_bomb"), code: 1, want: "test exceeded its timeout of 1s"},
	{name: "a coroutine made at load time that loops in a test", args: badTest("coroutine_from_load"), code: 1,
		want: "test exceeded its timeout of 1s"},
	{name: "a coroutine made at load time that runs a pipeline in a test", args: badTest("coroutine_pipeline"), code: 1,
		want: "test exceeded its timeout of 1s"},
	{name: "bench.data.fasta past the test's timeout", args: badTest("fasta_deadline"), code: 1, want: "test exceeded its timeout of 1s"},
	{name: "bench.data.fasta of a billion reads", args: badTest("fasta_too_big"), code: 1,
		want: "bench.data.fasta: 1000000000 sequences of up to 1000 bases are over the limit of 8589934592 bases in all"},
	{name: "a scenario that loops at the top level", args: run("--load-timeout", "1s", "testdata/bad/toplevel_loop.lua"), code: 2,
		want: "testdata/bad/toplevel_loop.lua:4: its top-level code ran past the load timeout of 1s (--load-timeout)"},
	{name: "check of a scenario that loops at the top level", args: []string{"check", "--load-timeout", "1s", "testdata/bad/toplevel_loop.lua"},
		code: 2, want: "testdata/bad/toplevel_loop.lua:4: its top-level code ran past the load timeout of 1s"},
	{name: "list of a scenario that loops at the top level", args: []string{"list", "--load-timeout", "1s", "testdata/bad/toplevel_loop.lua"},
		code: 2, want: "testdata/bad/toplevel_loop.lua:4: its top-level code ran past the load timeout of 1s"},
	{name: "a load timeout that does not parse", args: []string{"check", "--load-timeout", "-1s", "testdata/outcomes.lua"},
		code: 2, want: `--load-timeout "-1s": want a positive duration`},
	{name: "os.execute", args: badTest("os_execute"), code: 1, want: "os.execute is not available to scenarios: reach the machine through bench",
		check: func(t *testing.T, _ string, _ *result.Report) {
			if _, err := os.Stat("/tmp/benchctl-escaped"); err == nil {
				t.Error("the scenario escaped its sandbox")
			}
		}},
	{name: "io.popen", args: badTest("io_popen"), code: 1, want: "io.popen is not available to scenarios"},
	{name: "io.open", args: badTest("io_open"), code: 1, want: "io.open is not available to scenarios"},
	{name: "require of a path", args: badTest("require_path"), code: 1, want: `require "../../etc/passwd": not a module name`},
	{name: "string.rep of a terabyte", args: badTest("huge_rep"), code: 1,
		want: "string.rep: a result of 1000000000000 x 1 bytes is over the 64 MiB limit"},
	{name: "unbounded recursion", args: badTest("recursion"), code: 1, want: "stack overflow"},
	{name: "a NaN metric", args: badTest("nan_metric"), code: 1, want: `metric "ratio" is not a finite number`},
	{name: "a duration that does not parse", args: badTest("bad_duration"), code: 1, want: `timeout: invalid duration "forever"`},
	{name: "a size that does not parse", args: badTest("bad_size"), code: 1, want: `invalid size "lots"`},
	{name: "a --var duration that does not parse", args: badTest("bad_var_duration", "--var", "wait=soon"), code: 1,
		want: `--var wait="soon": invalid duration "soon"`},
	{name: "a preset that does not exist", args: badTest("bad_preset"), code: 1, want: `bench.data.fasta: unknown preset "huge" (known: tiny,`},
	{name: "an unterminated quote in a command", args: badTest("bad_quote"), code: 1, want: `cmd: unterminated ' quote`},
	{name: "an error that is a table", args: badTest("error_table"), code: 1, want: "table: 0x"},
	{name: "invalid UTF-8 and control characters from Lua", args: badTest("bad_utf8_error"), code: 1,
		want: "error with \ufffd invalid bytes and \x01 a control character"},
	{name: "a metric direction that does not exist", args: badTest("bad_metric_direction"), code: 1,
		want: `better must be "lower" or "higher", got "sideways"`},
	{name: "a test declared inside a test", args: badTest("nested_test"), code: 1,
		want: "bench.test must be called at the top level of the scenario, not inside a test"},

	// Values that should not be accepted.
	{name: "a timeout of -1", args: badTest("timeout_negative"), code: 1, want: "timeout: invalid duration -1: negative (-1)"},
	{name: "a timeout of NaN", args: badTest("timeout_nan"), code: 1, want: "timeout: invalid duration NaN: must be a finite number of seconds"},
	{name: "a timeout of 1e300", args: badTest("timeout_huge"), code: 1, want: "timeout: invalid duration 1e+300: over the limit of 100 years"},
	{name: "a grace of NaN", args: badTest("grace_nan"), code: 1, want: "grace: invalid duration NaN"},
	{name: "runs of 1e300", args: badTest("runs_huge"), code: 1, want: "runs: want a whole number from 1 to 10000, got 1e+300"},
	{name: "repeat of 1e300", args: badTest("repeat_huge"), code: 1, want: "repeat: want a whole number from 1 to 10000, got 1e+300"},
	{name: "runs of 2.5", args: badTest("runs_fraction"), code: 1, want: "runs: want a whole number from 1 to 10000, got 2.5"},
	{name: "tail_lines of 1e9", args: badTest("tail_lines_huge"), code: 1, want: "tail_lines: want a whole number from 1 to 10000, got 1000000000"},
	{name: "sample_every of 1ns", args: badTest("sample_every_1ns"), code: 1, want: "sample_every: 1ns is under the shortest sampling interval, 1ms"},
	{name: "a cwd that does not exist", args: badTest("cwd_missing"), code: 1, want: `cwd "/nonexistent": working directory not found`},
	{name: "t:expect of a table", args: badTest("expect_table"), code: 1, want: "t:expect: value is a table: expect a number, a string, a boolean or nil"},
	{name: "bench.data.fasta with reads of 1e11 bp", args: badTest("fasta_huge_len"), code: 1,
		want: "min_len: want a whole number from 0 to 67108864, got 100000000000"},
	{name: "bench.data.fasta with gc NaN", args: badTest("fasta_gc_nan"), code: 1, want: "gc must be between 0 and 1 exclusive, got NaN"},
	{name: "a test timeout of 1e300", args: run("DIR/t.lua"), code: 2, want: `invalid duration "1e+300": over the limit of 100 years`,
		setup: writeFile("t.lua", "local bench = require('bench')\nbench.test('x', function(t) end, { timeout = 1e300 })\n")},
	{name: "--sample-interval 1ns", args: run("--sample-interval", "1ns", "testdata/outcomes.lua"), code: 2,
		want: `--sample-interval "1ns": under the shortest sampling interval, 1ms`},
	{name: "data fasta --gc NaN", args: []string{"data", "fasta", "--preset", "tiny", "--gc", "NaN", "-o", "DIR/x.fa"}, code: 2,
		want: "data fasta: gc must be between 0 and 1 exclusive, got NaN"},
	{name: "data fasta --progress-interval 0", args: []string{"data", "fasta", "--preset", "tiny", "--progress-interval", "0", "-o", "DIR/x.fa"}, code: 2,
		want: "data fasta: --progress-interval must be positive, got 0s"},
	{name: "data fasta --progress-interval of -1s", args: []string{"data", "fasta", "--preset", "tiny", "--progress-interval", "-1s"}, code: 2,
		want: "data fasta: --progress-interval must be positive, got -1s"},
	{name: "data fasta with reads of 1e11 bp", args: []string{"data", "fasta", "--sequences", "1", "--min-len", "100000000000", "--max-len", "100000000000"},
		code: 2, want: "data fasta: max_len 100000000000 is over the limit of 67108864 bases"},

	// Memory and sizes: each bomb ends its test with an error, never benchctl.
	{name: "table.concat of 200 references to 64 MiB", args: badTest("concat_bomb", "--lua-memory", "256MiB"), code: 1,
		want: "table.concat: a result over the 64 MiB limit"},
	{name: "string.gsub amplification", args: badTest("gsub_amplify", "--lua-memory", "256MiB"), code: 1,
		want: "string.gsub: a result over the 64 MiB limit (1000000 matches)"},
	{name: "a table of a billion entries", args: badTest("table_bomb", "--lua-memory", "256MiB"), code: 1,
		want: "the test went over the scenario memory budget of 256 MiB and was ended (--lua-memory to change it)"},
	{name: "two million coroutines", args: badTest("coroutine_bomb", "--lua-memory", "256MiB"), code: 1,
		want: "the test went over the scenario memory budget of 256 MiB"},
	{name: "recursive coroutine.wrap", args: badTest("wrap_recursion", "--lua-memory", "256MiB"), code: 1, want: "coroutines nested over 200 deep"},
	{name: "a string doubled without end", args: badTest("string_doubling", "--lua-memory", "256MiB"), code: 1,
		want: "..: a result of 134217728 bytes is over the 64 MiB limit", peakRSS: 512 << 20},
	{name: "a string tripled in one expression", args: badTest("string_tripling", "--lua-memory", "256MiB"), code: 1,
		want: "..: a result of 129140163 bytes is over the 64 MiB limit", peakRSS: 512 << 20},
	{name: "string.format doubling a string", args: badTest("format_doubling", "--lua-memory", "256MiB"), code: 1,
		want: "string.format: a result over the 64 MiB limit", peakRSS: 512 << 20},
	{name: "string.format of a gigabyte wide", args: badTest("format_width"), code: 1,
		want: "string.format: a result over the 64 MiB limit", peakRSS: 512 << 20},
	{name: "64 MiB strings kept in a table", args: badTest("strings_kept", "--lua-memory", "256MiB"), code: 1,
		want: "the test went over the scenario memory budget of 256 MiB"},
	{name: "bench.stats.compare of 200,000 times a side", args: badTest("stats_compare_huge"), code: 1,
		want: "bench.stats.compare: too many times to compare: 200000 baseline and 200000 candidate times make 40000000000 pairs, over 16777216"},
	{name: "--lua-memory too small", args: run("--lua-memory", "1KiB", "testdata/outcomes.lua"), code: 2, want: "--lua-memory 1KiB: want from 64MiB to 1PiB"},
	{name: "report --from /dev/zero", args: []string{"report", "--from", "/dev/zero"}, code: 2, want: "report: /dev/zero: too large: over 256 MiB"},
	{name: "history import /dev/zero", args: []string{"history", "import", "/dev/zero"}, code: 2,
		want: "history import: /dev/zero: too large: over 256 MiB"},
	{name: "merge of /dev/zero", args: []string{"merge", "--out", "json=DIR/m.json", "/dev/zero"}, code: 2,
		want: "merge: /dev/zero: too large: over 256 MiB"},
	{name: "a lib module that is a link to /dev/zero", args: run("DIR/s.lua"), setup: zeroLib, code: 2,
		want: `DIR/s.lua:2: require "lib.zero": DIR/lib/zero.lua: too large: over 16 MiB`},
	{name: "--sim-gpus 100000000", args: []string{"run", "-q", "--gpu-backend", "sim", "--sim-gpus", "100000000", "--results-dir", "DIR", "testdata/outcomes.lua"},
		code: 2, want: "sim: 100000000 gpus: at most 1024"},

	// Results never overwritten, never outside the results dir.
	{name: "a fresh run into a dir that holds a run", args: []string{"run", "-q", "--gpu-backend", "none", "--results-dir", "DIR/a", "DIR/s.lua"},
		setup: finishedRun, code: 2, want: "--results-dir DIR/a holds an earlier run (results.json): take it up with --resume DIR/a, replace it with --force"},
	{name: "--out onto the scenario", args: run("--out", "markdown=DIR/s.lua", "DIR/s.lua"), setup: writeFile("s.lua", "local bench = require('bench')\nbench.test('x', function(t) end)\n"),
		code: 2, want: "--out markdown=DIR/s.lua: that is a scenario of the run; write the report elsewhere"},
	{name: "--out onto the run's record", args: run("--out", "json=DIR/invocation.json", "testdata/outcomes.lua"), code: 2,
		want: "--out json=DIR/invocation.json: that is the run's record, which --resume reads"},
	{name: "--out onto the run's results.json", args: run("--out", "json=DIR/results.json", "testdata/outcomes.lua"), code: 2,
		want: "--out json=DIR/results.json: that is the run's own results.json"},
	{name: "--out onto a named pipe nobody reads", args: run("--out", "markdown=DIR/fifo", "testdata/outcomes.lua"), setup: mkfifo("fifo"), code: 2,
		want: "DIR/fifo is a named pipe that no process reads"},
	{name: "--out onto a named pipe whose reader never reads", args: run("--out", "json=DIR/fifo", "--var", "n=300", "testdata/many.lua"),
		setup: fifoReader("fifo"), code: 2, want: "json report DIR/fifo not written: no reader took the report within 10s",
		check: func(t *testing.T, _ string, rep *result.Report) {
			if rep.Partial || len(rep.Suites) != 1 || len(rep.Suites[0].Cases) != 300 {
				t.Errorf("results.json is not whole: partial=%v, %d suites", rep.Partial, len(rep.Suites))
			}
		}},
	{name: "tests whose work dirs would collide", args: run("testdata/collide.lua"), code: 0, check: func(t *testing.T, dir string, rep *result.Report) {
		seen := map[string]string{}
		for _, c := range rep.Suites[0].Cases {
			rel, err := filepath.Rel(dir, c.Workdir)
			if err != nil || strings.HasPrefix(rel, "..") || filepath.IsAbs(rel) {
				t.Errorf("case %q: work dir %s is outside the results dir %s", c.Name, c.Workdir, dir)
			}
			if other, ok := seen[c.Workdir]; ok {
				t.Errorf("cases %q and %q share the work dir %s", other, c.Name, c.Workdir)
			}
			seen[c.Workdir] = c.Name
			data, err := os.ReadFile(filepath.Join(c.Workdir, "name"))
			if err != nil || string(data) != c.Name+"\n" {
				t.Errorf("case %q: its work dir holds %q (%v)", c.Name, data, err)
			}
		}
		if len(seen) != 6 {
			t.Errorf("%d work dirs, want 6", len(seen))
		}
	}},

	// Flags.
	{name: "--var without =", args: run("--var", "novalue", "testdata/outcomes.lua"), code: 2, want: `--var "novalue": want KEY=VALUE`},
	{name: "--var without a key", args: run("--var", "=x", "testdata/outcomes.lua"), code: 2, want: `--var "=x": want KEY=VALUE`},
	{name: "unknown --out format", args: run("--out", "pdf=DIR/x.pdf", "testdata/outcomes.lua"), code: 2, want: `--out "pdf=DIR/x.pdf": unknown report format "pdf"`},
	{name: "--out without a path", args: run("--out", "junit", "testdata/outcomes.lua"), code: 2, want: `--out "junit": want FORMAT=PATH`},
	{name: "unwritable --out", args: run("--out", "junit=/proc/nope/junit.xml", "testdata/outcomes.lua"), code: 2,
		want: "cannot create /proc/nope: no such file or directory"},
	{name: "--out is a directory", args: run("--out", "markdown=DIR", "testdata/outcomes.lua"), code: 2, want: "is a directory"},
	{name: "--out on a full device", args: run("--out", "markdown=/dev/full", "testdata/outcomes.lua"), setup: needDevFull, code: 2,
		want: "markdown report /dev/full not written: no space left on device", check: func(t *testing.T, dir string, rep *result.Report) {
			if rep.Partial || len(rep.Suites) != 1 || len(rep.Suites[0].Cases) != 4 {
				t.Errorf("the other reports are not whole: partial=%v %+v", rep.Partial, rep.Suites)
			}
			if fi, err := os.Stat("/dev/full"); err != nil || fi.Mode()&os.ModeCharDevice == 0 {
				t.Fatalf("/dev/full is no longer a device: %v %v", fi.Mode(), err)
			}
		}},
	{name: "--results-dir under a file", args: []string{"run", "-q", "--results-dir", "/dev/null/x", "testdata/outcomes.lua"}, code: 2,
		want: "--results-dir /dev/null/x: not a directory"},
	{name: "--results-dir is a file", args: []string{"run", "-q", "--results-dir", "DIR/file", "testdata/outcomes.lua"},
		setup: writeFile("file", "x"), code: 2, want: "not a directory"},
	{name: "unknown --gpu-backend", args: []string{"run", "-q", "--gpu-backend", "cuda", "--results-dir", "DIR", "testdata/outcomes.lua"}, code: 2,
		want: `--gpu-backend "cuda": want one of auto, none, nvml, sim`},
	{name: "--sample-interval that does not parse", args: run("--sample-interval", "fast", "testdata/outcomes.lua"), code: 2,
		want: `--sample-interval "fast": want a positive duration such as 10ms`},
	{name: "--sample-interval 0", args: run("--sample-interval", "0", "testdata/outcomes.lua"), code: 2, want: `--sample-interval "0": want a positive duration`},
	{name: "--sim-memory that does not parse", args: run("--sim-memory", "lots", "testdata/outcomes.lua"), code: 2,
		want: `--sim-memory: invalid size "lots" (want e.g. 512, 100MB, 2GiB)`},
	{name: "--sim-gpus below zero", args: []string{"run", "-q", "--gpu-backend", "sim", "--sim-gpus", "-1", "--results-dir", "DIR", "testdata/outcomes.lua"},
		code: 2, want: "gpu backend sim: sim: -1 gpus: the count must be positive"},
	{name: "--gpus names a GPU that is not there", args: []string{"run", "-q", "--gpu-backend", "sim", "--gpus", "7", "--results-dir", "DIR", "testdata/outcomes.lua"},
		code: 2, want: `gpu "7": unknown simulated gpu`},
	{name: "--log-level that does not exist", args: run("--log-level", "loud", "testdata/outcomes.lua"), code: 2, want: `--log-level "loud": want debug, info, warn or error`},
	{name: "--log-format that does not exist", args: run("--log-format", "xml", "testdata/outcomes.lua"), code: 2, want: `--log-format "xml": want console or json`},
	{name: "unknown flag", args: run("--frobnicate", "testdata/outcomes.lua"), code: 2, want: "unknown flag --frobnicate"},
	{name: "unknown command", args: []string{"frob"}, code: 2, want: `unknown command "frob"`},

	// Pipelines that behave badly.
	{name: "a pipeline that does not exist", args: badPipeline("/nonexistent/pipeline", false, "ok"), code: 1,
		class: result.ExitNotStartable, want: `pipeline command "/nonexistent/pipeline" not found`},
	{name: "a pipeline that is not executable", args: badPipeline("DIR/pipe.sh", false, "ok"), setup: writeFile("pipe.sh", "#!/bin/sh\necho hi\n"),
		code: 1, class: result.ExitNotStartable, want: `pipeline command "DIR/pipe.sh" is not executable`},
	{name: "a pipeline that closes stdout early", args: badPipeline(`sh -c "exec 1>&-; sleep 0.1; echo after >&2"`, false, "ok"),
		code: 0, class: result.ExitOK, check: func(t *testing.T, _ string, rep *result.Report) {
			if r := firstRun(t, rep); strings.Join(r.StderrTail, "|") != "after" {
				t.Errorf("stderr after stdout closed was lost: %q", r.StderrTail)
			}
		}},
	{name: "a pipeline that floods its output", args: badPipeline(fastPipe+" --flood 50000", true, "ok"), code: 0, class: result.ExitOK,
		check: func(t *testing.T, _ string, rep *result.Report) {
			r := firstRun(t, rep)
			if len(r.StdoutTail) > 40 {
				t.Errorf("stdout tail has %d lines, want at most 40", len(r.StdoutTail))
			}
			if data, err := os.ReadFile(r.StdoutLog); err != nil || bytes.Count(data, []byte("Processing batches")) != 50000 {
				t.Errorf("the stdout log does not hold every line: %v", err)
			}
		}},
	{name: "a pipeline that prints a megabyte without a newline", args: badPipeline(`sh -c "yes aaaaaaaa | tr -d '\\n' | head -c 1000000"`, false, "ok"),
		code: 0, class: result.ExitOK, check: func(t *testing.T, _ string, rep *result.Report) {
			tail := firstRun(t, rep).StdoutTail
			total := 0
			for _, l := range tail {
				total += len(l)
				if len(l) > 64<<10 || strings.Trim(l, "a") != "" {
					t.Errorf("a tail line of %d bytes: %.20q", len(l), l)
				}
			}
			if total != 1000000 {
				t.Errorf("the tail holds %d bytes of the line, want 1000000", total)
			}
		}},
	{name: "a pipeline that prints invalid UTF-8 and control characters", args: badPipeline(fastPipe+" --bad-utf8", true, "ok"),
		code: 0, class: result.ExitOK, check: func(t *testing.T, _ string, rep *result.Report) {
			tail := strings.Join(firstRun(t, rep).StderrTail, "\n")
			if !utf8.ValidString(tail) || !strings.Contains(tail, `\x1b[31mred\x1b[0m`) || !strings.Contains(tail, "\ufffd") {
				t.Errorf("stderr tail not cleaned: %q", tail)
			}
		}},
	{name: "a pipeline that ignores SIGTERM and hangs", args: badPipeline(fastPipe+" --ignore-sigterm --hang-after esm", true, "timeout", "--var", "timeout=1s"),
		code: 0, class: result.ExitTimeout, want: "timed out after 1s and was ended", check: func(t *testing.T, _ string, rep *result.Report) {
			if r := firstRun(t, rep); r.Signal != "SIGKILL" || alive(r.PID) {
				t.Errorf("signal %q, alive %v", r.Signal, alive(r.PID))
			}
		}},
	{name: "a pipeline that forks a daemon holding its output", args: badPipeline(`sh -c "setsid sleep 300 & echo started"`, false, "ok"),
		code: 0, class: result.ExitOK, want: "1 process(es) of the pipeline outlived it and were ended", check: noSurvivor},
	{name: "a pipeline that leaves an orphan holding GPU memory",
		args: append([]string{"run", "-q", "--gpu-backend", "sim", "--sim-gpus", "1", "--results-dir", "DIR", "--out", "junit=DIR/junit.xml",
			"--var", "cmd=" + fastPipe + " --orphan 1GiB", "--var", "predict=true"}, "testdata/bad/pipeline.lua"),
		code: 0, class: result.ExitOK, want: "1 process(es) of the pipeline outlived it and were ended", check: func(t *testing.T, dir string, rep *result.Report) {
			noSurvivor(t, dir, rep)
			if g := firstRun(t, rep).GPU; g == nil || len(g.Orphans) != 1 || !g.Orphans[0].Killed || g.Orphans[0].Bytes != 1<<30 {
				t.Errorf("orphan not reported: %+v", g)
			}
		}},
	{name: "a pipeline that dies by a signal", args: badPipeline(fastPipe+" --crash-after esm", true, "killed"),
		code: 0, class: result.ExitKilled, want: "killed by SIGABRT", check: func(t *testing.T, _ string, rep *result.Report) {
			if r := firstRun(t, rep); r.ExitCode != 134 || r.Signal != "SIGABRT" {
				t.Errorf("exit code %d signal %q", r.ExitCode, r.Signal)
			}
		}},
	{name: "a pipeline killed by SIGKILL", args: badPipeline(`sh -c "kill -9 $$"`, false, "ok"), code: 1,
		class: result.ExitKilled, want: "killed by SIGKILL"},
	{name: "a pipeline that fails", args: badPipeline(fastPipe+" --fail-after esm", true, "ok"), code: 1, class: result.ExitFailed,
		want: `pipeline exit class: got "failed", want == "ok"`},
	{name: "a pipeline out of GPU memory", args: badPipeline(fastPipe+" --oom-above 1", true, "oom"), code: 0, class: result.ExitOOM},

	// compare, report, data.
	{name: "compare on reports of different schema versions", args: []string{"compare", "testdata/compare/base.json", "testdata/compare/v2.json"},
		code: 2, want: "compare: testdata/compare/v2.json: unsupported report: schema version 2, want 1"},
	{name: "compare on a file that is not JSON", args: []string{"compare", "testdata/compare/base.json", "testdata/compare/notjson.txt"},
		code: 2, want: "not a JSON report: invalid character '<' looking for beginning of value at byte 1 (it looks like XML: a JUnit report?)"},
	{name: "compare on one file", args: []string{"compare", "testdata/compare/base.json"}, code: 2, want: "compare: want BASE.json NEW.json, got 1 file"},
	{name: "compare on a missing file", args: []string{"compare", "nope.json", "testdata/compare/base.json"}, code: 2,
		want: "compare: nope.json: no such file or directory"},
	{name: "report from a file that is not JSON", args: []string{"report", "--from", "testdata/compare/notjson.txt", "--out", "json=-"}, code: 2,
		want: "report: testdata/compare/notjson.txt: not a JSON report"},
	{name: "data with a preset that does not exist", args: []string{"data", "fasta", "--preset", "huge"}, code: 2, want: `unknown preset "huge"`},
	{name: "data with a seed that does not parse", args: []string{"data", "fasta", "--seed", "abc"}, code: 2, want: `invalid value "abc" for flag -seed`},
	{name: "data to an unwritable file", args: []string{"data", "fasta", "--preset", "tiny", "-o", "/proc/nope/x.fa"}, code: 2,
		want: "data fasta: cannot create /proc/nope: no such file or directory"},

	// --resume.
	{name: "--resume on a dir from another run", args: []string{"run", "-q", "--resume", "DIR/a"}, setup: mixedRuns, code: 2,
		want: "--resume DIR/a: results.json is of another run than invocation.json"},
	{name: "--resume with a scenario that changed", args: []string{"run", "-q", "--resume", "DIR/a"}, setup: changedScenario, code: 2,
		want: "--resume DIR/a: refusing to resume: what was asked differs from the run recorded there:"},
	{name: "--resume with other vars", args: []string{"run", "-q", "--resume", "DIR/a", "--var", "x=2"}, setup: finishedRun, code: 2,
		want: "--resume DIR/a: refusing to resume"},
	{name: "--resume on a dir that does not exist", args: []string{"run", "-q", "--resume", "DIR/none"}, code: 2,
		want: "--resume DIR/none: no such file or directory"},
	{name: "--resume on a dir without results", args: []string{"run", "-q", "--resume", "DIR"}, code: 2,
		want: "--resume DIR: no results.json: not the results dir of a benchctl run"},
}

// TestBadInputs runs every bad input. Each must exit with its code and say
// what went wrong in one line; none may panic or print a Go stack trace;
// whatever results.json and JUnit it leaves must be valid.
func TestBadInputs(t *testing.T) {
	if len(badInputs) < 30 {
		t.Fatalf("only %d bad inputs", len(badInputs))
	}
	pipe := fakepipeBin(t)
	for _, tt := range badInputs {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			if tt.setup != nil {
				tt.setup(t, dir)
			}
			expand := strings.NewReplacer("DIR", dir, "FAKEPIPE", pipe)
			args := make([]string, len(tt.args))
			for i, a := range tt.args {
				args[i] = expand.Replace(a)
			}
			r := benchctl(t, args...)
			if r.code != tt.code {
				t.Errorf("exit %d, want %d\n%s", r.code, tt.code, r.stderr)
			}
			if tt.peakRSS > 0 && r.peakRSS > tt.peakRSS {
				t.Errorf("benchctl held %d MiB at its peak, want at most %d MiB", r.peakRSS>>20, tt.peakRSS>>20)
			}
			for _, s := range []string{"panic:", "goroutine ", "runtime/", ".go:"} {
				if strings.Contains(r.stderr, s) {
					t.Fatalf("stack trace on stderr:\n%s", r.stderr)
				}
			}
			want := expand.Replace(tt.want)
			var lines []string
			for _, l := range strings.Split(r.stderr, "\n") {
				if strings.HasPrefix(l, "benchctl: ") {
					lines = append(lines, l)
				}
			}
			switch {
			case tt.code == 2 && (len(lines) != 1 || !strings.Contains(r.stderr, want)):
				t.Errorf("stderr lines %q, want one with %q\n%s", lines, want, r.stderr)
			case tt.code != 2 && len(lines) > 0:
				t.Errorf("unexpected error lines %q", lines)
			}
			rep := checkLeftReports(t, dir)
			if tt.code != 2 {
				if rep == nil {
					t.Fatal("no results.json")
				}
				checkOutcome(t, rep, tt.class, want)
			}
			if tt.check != nil {
				if rep == nil {
					t.Fatal("no results.json")
				}
				tt.check(t, dir, rep)
			}
		})
	}
}

// checkLeftReports checks that the reports left in dir, if any, are valid (the
// JSON one against result/schema's checked-in schema), and returns the JSON one.
func checkLeftReports(t *testing.T, dir string) *result.Report {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, "results.json"))
	if err != nil {
		return nil
	}
	rep, err := reportjson.Decode(data)
	if err != nil {
		t.Fatalf("results.json: %v", err)
	}
	if err := schema.Validate(data); err != nil {
		t.Errorf("results.json: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "junit.xml")); err == nil {
		xmllint(t, filepath.Join(dir, "junit.xml"))
	}
	return rep
}

// checkOutcome checks the first case that did not pass (or the first case)
// and its first pipeline run against the expected class and line.
func checkOutcome(t *testing.T, rep *result.Report, class result.ExitClass, want string) {
	t.Helper()
	var c *result.Case
	for si := range rep.Suites {
		for ci := range rep.Suites[si].Cases {
			if cc := &rep.Suites[si].Cases[ci]; c == nil || (c.Status == result.Passed && cc.Status != result.Passed) {
				c = cc
			}
		}
	}
	if c == nil {
		t.Fatal("no case in the report")
	}
	if class != "" {
		if len(c.Runs) == 0 {
			t.Fatalf("case %q has no run", c.Name)
		}
		if c.Runs[0].Class != class {
			t.Errorf("run class %s (%s), want %s", c.Runs[0].Class, c.Runs[0].Error, class)
		}
		if want != "" && !strings.Contains(c.Runs[0].Error, want) && !strings.Contains(caseMessage(c), want) {
			t.Errorf("run error %q, case %q, want %q", c.Runs[0].Error, caseMessage(c), want)
		}
		return
	}
	if got := caseMessage(c); !strings.Contains(got, want) || strings.Contains(got, "\n") {
		t.Errorf("case %q: message %q, want one line with %q", c.Name, got, want)
	}
}

// caseMessage is the first failure or error of a case.
func caseMessage(c *result.Case) string {
	switch {
	case len(c.Failures) > 0:
		return c.Failures[0].Message
	case c.Error != nil:
		return c.Error.Message
	}
	return ""
}

func firstRun(t *testing.T, rep *result.Report) result.Run {
	t.Helper()
	if len(rep.Suites) == 0 || len(rep.Suites[0].Cases) == 0 || len(rep.Suites[0].Cases[0].Runs) == 0 {
		t.Fatal("no pipeline run in the report")
	}
	return rep.Suites[0].Cases[0].Runs[0]
}

// noSurvivor checks that no process the first run left behind is alive: the
// pids its error names as ended.
func noSurvivor(t *testing.T, _ string, rep *result.Report) {
	t.Helper()
	r := firstRun(t, rep)
	_, list, ok := strings.Cut(r.Error, "were ended: [")
	if !ok {
		t.Fatalf("run error %q names no process", r.Error)
	}
	for _, f := range strings.Fields(strings.TrimSuffix(list, "]")) {
		if pid, err := strconv.Atoi(strings.Trim(f, ",")); err == nil && alive(pid) {
			t.Errorf("process %d survived", pid)
		}
	}
}

func writeFile(name, content string) func(*testing.T, string) {
	return func(t *testing.T, dir string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// mkfifo makes the named pipe DIR/name.
func mkfifo(name string) func(*testing.T, string) {
	return func(t *testing.T, dir string) {
		if err := syscall.Mkfifo(filepath.Join(dir, name), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// zeroLib writes DIR/s.lua, which requires lib.zero, a link to /dev/zero.
func zeroLib(t *testing.T, dir string) {
	writeFile("s.lua", "local bench = require('bench')\nlocal z = require('lib.zero')\nbench.test('x', function(t) end)\n")(t, dir)
	if err := os.Mkdir(filepath.Join(dir, "lib"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("/dev/zero", filepath.Join(dir, "lib", "zero.lua")); err != nil {
		t.Fatal(err)
	}
}

// fifoReader makes the named pipe DIR/name and holds it open for reading,
// never reading, until the test ends: a reader that stopped reading.
func fifoReader(name string) func(*testing.T, string) {
	return func(t *testing.T, dir string) {
		mkfifo(name)(t, dir)
		f, err := os.OpenFile(filepath.Join(dir, name), os.O_RDONLY|syscall.O_NONBLOCK, 0)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { f.Close() })
	}
}

// needDevFull skips where /dev/full is not the full device (a container
// without it).
func needDevFull(t *testing.T, _ string) {
	if fi, err := os.Stat("/dev/full"); err != nil || fi.Mode()&os.ModeCharDevice == 0 {
		t.Skip("/dev/full is not a character device here")
	}
}
