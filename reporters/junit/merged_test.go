package junit

import (
	"strings"
	"testing"

	"github.com/benchctl/benchctl/result"
)

func TestMergedSuitesNameTheirNode(t *testing.T) {
	env := func(host string) result.Environment {
		return result.Environment{Hostname: host, CPUs: 8, GPUs: []result.GPUInfo{{Index: 0, UUID: "GPU-" + host}}}
	}
	r := &result.Report{
		SchemaVersion: result.SchemaVersion,
		Environment:   result.Environment{Hostname: "2 nodes: n1, n2"},
		Nodes:         []result.Node{{ID: "n1", Name: "n1", Environment: env("vm")}, {ID: "n2", Name: "n2", Environment: env("vm2")}},
		Suites: []result.Suite{
			{Name: "scaling @ n1", Node: "n1", Status: result.Passed, Cases: []result.Case{{Name: "c", Status: result.Passed}}},
			{Name: "scaling @ n2", Node: "n2", Status: result.Passed, Cases: []result.Case{{Name: "c", Status: result.Passed}}},
		},
	}
	out, err := New().Render(r)
	if err != nil {
		t.Fatal(err)
	}
	doc := string(out)
	for _, want := range []string{
		`name="scaling @ n1"`, `hostname="n1"`, `hostname="n2"`, `<property name="node" value="n2"`,
		`<property name="env.gpu.0.uuid" value="GPU-vm2"`, `<property name="env.hostname" value="vm"`,
	} {
		if !strings.Contains(doc, want) {
			t.Errorf("junit lacks %s", want)
		}
	}
	if strings.Contains(doc, `2 nodes`) {
		t.Errorf("a suite took the merged report's own environment")
	}
	validate(t, out)
}
