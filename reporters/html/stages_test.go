package html

import (
	"testing"

	"github.com/benchctl/benchctl/result"
)

// windows are stages as a pipeline that alternates them prints: dnabert and
// esm three times each.
var windows = []result.Stage{
	{Name: "translation", Start: 0, End: 1}, {Name: "dnabert", Start: 1, End: 2}, {Name: "esm", Start: 2, End: 4},
	{Name: "dnabert", Start: 4, End: 5}, {Name: "esm", Start: 5, End: 7}, {Name: "dnabert", Start: 7, End: 8},
	{Name: "esm", Start: 8, End: 10}, {Name: "merge", Start: 10, End: 10.5},
}

func TestStageTableGroupsWindows(t *testing.T) {
	g := stageTable(result.Run{Stages: windows})
	want := [][]string{
		{"translation", "1", "0s", "1s", "1s"},
		{"dnabert", "3", "1s", "8s", "3s"},
		{"esm", "3", "2s", "10s", "6s"},
		{"merge", "1", "10s", "10.5s", "500ms"},
	}
	if len(g.Rows) != len(want) {
		t.Fatalf("%d rows, want one per stage (%d)", len(g.Rows), len(want))
	}
	for i, row := range g.Rows {
		for j, w := range want[i] {
			if row[j].Text != w {
				t.Errorf("row %d col %d = %q, want %q", i, j, row[j].Text, w)
			}
		}
	}
}

func TestStageLegendOnePerStage(t *testing.T) {
	keys := stageLegend(windows)
	want := []stageKey{
		{Name: "translation", Title: "translation 1s", Shade: 0},
		{Name: "dnabert", Title: "dnabert 3s in 3 windows", Shade: 1},
		{Name: "esm", Title: "esm 6s in 3 windows", Shade: 2},
		{Name: "merge", Title: "merge 500ms", Shade: 3},
	}
	if len(keys) != len(want) {
		t.Fatalf("legend %+v", keys)
	}
	for i := range want {
		if keys[i] != want[i] {
			t.Errorf("key %d = %+v, want %+v", i, keys[i], want[i])
		}
	}
	for _, b := range stageBands(windows, 10.5) {
		if b.Shade != stageShades(windows)[b.Name] {
			t.Errorf("band %s has shade %d, its stage %d", b.Name, b.Shade, stageShades(windows)[b.Name])
		}
	}
}
