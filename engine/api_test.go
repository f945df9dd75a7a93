package engine

import (
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	lua "github.com/yuin/gopher-lua"

	"github.com/benchctl/benchctl/result"
)

// apiSections are the README's Lua API tables: the heading of each, and how a
// name in the first column of its rows reads. Every code span in a first
// column must match, so a row cannot name something the test does not check.
var apiSections = []struct {
	heading string
	name    *regexp.Regexp // submatch 1: the name; for bench, its dotted path
	ns      func(name string) (namespace, short string)
}{
	{"### Module `bench`", regexp.MustCompile(`^(bench(?:\.[a-z_]+)+)`), splitPath},
	{"### The test handle `t`", regexp.MustCompile(`^t[:.]([a-z_]+)`), in("t")},
	{"### Matchers", regexp.MustCompile(`^:([a-z_]+)\(`), in("matcher")},
	{"### `bench.pipeline.run{...}`", regexp.MustCompile(`^([a-z_]+)`), in("bench.pipeline.run result")},
}

func splitPath(path string) (string, string) {
	i := strings.LastIndexByte(path, '.')
	return path[:i], path[i+1:]
}

func in(ns string) func(string) (string, string) {
	return func(name string) (string, string) { return ns, name }
}

// TestREADMEListsTheAPI holds the README's API tables to the registered
// names: every registered name is documented, and every documented name is
// registered.
func TestREADMEListsTheAPI(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	documented := readmeAPI(t, string(readme))
	registered := API()
	registered["bench.pipeline.run result"] = runResultFields()
	for _, ns := range names(registered) {
		t.Run(ns, func(t *testing.T) {
			doc := documented[ns]
			for _, name := range registered[ns] {
				if !slices.Contains(doc, name) {
					t.Errorf("%s: %q is registered but not in the README", ns, name)
				}
			}
			for _, name := range doc {
				if !slices.Contains(registered[ns], name) {
					t.Errorf("%s: the README lists %q, which is not registered", ns, name)
				}
			}
		})
	}
	for ns := range documented {
		if _, ok := registered[ns]; !ok {
			t.Errorf("the README documents namespace %s, which has nothing registered", ns)
		}
	}
}

// TestScenarioSeesTheAPI walks, from Lua, what require("bench"), t and
// t:expect give a scenario, and checks that it is exactly API(): nothing is
// reachable that the list does not name.
func TestScenarioSeesTheAPI(t *testing.T) {
	src := `local bench = require("bench")
local rows = {}
local function walk(ns, tb)
  for k, v in pairs(tb) do
    if type(v) == "table" then walk(ns .. "." .. k, v) else rows[#rows + 1] = { ns, k } end
  end
end
bench.test("walk", function(t)
  walk("bench", bench)
  for k in pairs(t) do rows[#rows + 1] = { "t", k } end
  for k in pairs(t:expect(1)) do rows[#rows + 1] = { "matcher", k } end
  t:table("api", { "namespace", "name" }, rows)
end)
`
	file := filepath.Join(t.TempDir(), "walk.lua")
	if err := os.WriteFile(file, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	rep, err := runFiles(t, nil, file)
	if err != nil {
		t.Fatal(err)
	}
	c := caseByName(t, rep.Suites[0], "walk")
	if c.Status != result.Passed || len(c.Tables) != 1 {
		t.Fatalf("walk: %s %+v %+v", c.Status, c.Error, c.Failures)
	}
	seen := map[string][]string{}
	for _, row := range c.Tables[0].Rows {
		seen[row[0]] = append(seen[row[0]], row[1])
	}
	want := API()
	for _, ns := range names(want) {
		t.Run(ns, func(t *testing.T) {
			if got := slices.Sorted(slices.Values(seen[ns])); !slices.Equal(got, want[ns]) {
				t.Errorf("a scenario sees %q, API() says %q", got, want[ns])
			}
		})
	}
	for ns := range seen {
		if _, ok := want[ns]; !ok {
			t.Errorf("a scenario sees %s %q, which API() does not name", ns, seen[ns])
		}
	}
}

// readmeAPI returns the names in the first column of the README's API tables,
// by namespace.
func readmeAPI(t *testing.T, readme string) map[string][]string {
	_, section, ok := strings.Cut(readme, "\n## Writing scenarios: the Lua API\n")
	if !ok {
		t.Fatal(`the README has no "Writing scenarios: the Lua API" section`)
	}
	section, _, _ = strings.Cut(section, "\n## ")
	span := regexp.MustCompile("`([^`]+)`")
	doc := map[string][]string{}
	for _, s := range apiSections {
		_, body, ok := strings.Cut(section, "\n"+s.heading+"\n")
		if !ok {
			t.Fatalf("the README's Lua API has no %q", s.heading)
		}
		body, _, _ = strings.Cut(body, "\n### ")
		rows := tableRows(body)
		if len(rows) == 0 {
			t.Fatalf("%s: no table", s.heading)
		}
		for _, first := range rows {
			for _, m := range span.FindAllStringSubmatch(first, -1) {
				n := s.name.FindStringSubmatch(m[1])
				if n == nil {
					t.Errorf("%s: %q does not name an API entry (want %s)", s.heading, m[1], s.name)
					continue
				}
				ns, short := s.ns(n[1])
				if !slices.Contains(doc[ns], short) {
					doc[ns] = append(doc[ns], short)
				}
			}
		}
	}
	return doc
}

// tableRows returns the first cell of each body row of the first Markdown
// table in text; \| inside a cell is not a separator.
func tableRows(text string) []string {
	var rows []string
	inTable := false
	for line := range strings.Lines(text) {
		line = strings.TrimSpace(line)
		if !strings.HasPrefix(line, "|") {
			if inTable {
				break
			}
			continue
		}
		if !inTable { // the header row
			inTable = true
			continue
		}
		if first := firstCell(line); !strings.HasPrefix(first, "---") {
			rows = append(rows, first)
		}
	}
	return rows
}

// firstCell is the text between a table row's first two unescaped bars.
func firstCell(row string) string {
	cell := row[1:]
	for i := 0; i < len(cell); i++ {
		switch cell[i] {
		case '\\':
			i++
		case '|':
			return strings.TrimSpace(cell[:i])
		}
	}
	return strings.TrimSpace(cell)
}

// runResultFields are the top-level fields of what bench.pipeline.run
// returns: the JSON names of result.Run and the conveniences runTable adds.
func runResultFields() []string {
	var fields []string
	rt := reflect.TypeFor[result.Run]()
	for i := range rt.NumField() {
		if name, _, _ := strings.Cut(rt.Field(i).Tag.Get("json"), ","); name != "" && name != "-" {
			if lname, ok := luaNames[name]; ok {
				name = lname
			}
			fields = append(fields, name)
		}
	}
	L := lua.NewState()
	defer L.Close()
	util := map[string]result.Stat{result.UtilGPU: {Count: 1, Mean: 50}}
	run := result.Run{Class: result.ExitOK, GPU: &result.GPUSummary{GPUs: []result.GPURun{{Stats: util}}}}
	(&runtime{}).runTable(L, &run).ForEach(func(k, _ lua.LValue) {
		if !slices.Contains(fields, k.String()) {
			fields = append(fields, k.String())
		}
	})
	fields = append(fields, progressField) // set by pipelineRun when the progress option asks
	slices.Sort(fields)
	return fields
}
