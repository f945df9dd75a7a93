package table

import (
	"testing"

	"github.com/benchctl/benchctl/internal/golden"
)

func sample() Table {
	return Table{
		Header: []string{"Test", "Status", "Time"},
		Align:  []Align{Left, Left, Right},
		Rows: [][]string{
			{"memory returns to baseline", "PASS", "2m12s"},
			{"a | b\nc", "FAIL", "3.1s"},
			{"short row"},
			{"long row", "SKIP", "0s", "dropped"},
			{"<b>*bold*</b> & `code` \\ _x_ [l](u) ~s~", "ERROR", "4ms"},
			{"\x1b[31mred\x1b[0m\ttab\x00", "日本語", "1ms"},
		},
	}
}

func TestRender(t *testing.T) {
	tests := []struct {
		name, golden string
		render       func(Table) string
	}{
		{"text", "sample.txt", func(t Table) string { return t.Text("  ") }},
		{"markdown", "sample.md", func(t Table) string { return t.Markdown() }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			golden.Assert(t, tt.golden, []byte(tt.render(sample())))
		})
	}
}

func TestEscape(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"plain", "peak memory", "peak memory"},
		{"pipe", "a|b", `a\|b`},
		{"newlines", "a\nb\r\nc\rd", "a<br>b<br>c<br>d"},
		{"html", "<script>&", "&lt;script&gt;&amp;"},
		{"emphasis", "*a* _b_ ~c~ `d`", `\*a\* \_b\_ \~c\~ \` + "`d\\`"},
		{"links", "[a](b)", `\[a\](b)`},
		{"backslash", `a\b`, `a\\b`},
		{"control characters", "a\x00\x1b[1mb", "a\uFFFDb"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Escape(tt.in); got != tt.want {
				t.Errorf("Escape(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestStrong(t *testing.T) {
	tb := Table{
		Header: []string{"Verdict", "Name"},
		Rows:   [][]string{{"regressed", "a*"}, {"unchanged", "b"}, {}},
		Strong: func(row []string) bool { return row[0] == "regressed" },
	}
	tests := []struct {
		name, got, want string
	}{
		{"markdown bolds the chosen rows, columns still aligned", tb.Markdown(),
			"| Verdict       | Name |\n| ------------- | ---- |\n| **regressed** | a\\*  |\n| unchanged     | b    |\n|               |      |\n"},
		{"text has no bold", tb.Text(""), "Verdict    Name\nregressed  a*\nunchanged  b\n\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got != tt.want {
				t.Errorf("got\n%q\nwant\n%q", tt.got, tt.want)
			}
		})
	}
}
