// Package table renders the small tables of the console and Markdown reports and
// of benchctl compare from one description, so every format lines up the same
// columns the same way.
package table

import (
	"strings"
	"unicode/utf8"

	"github.com/benchctl/benchctl/internal/text"
)

// Align is where a column's cells sit.
type Align int

// The alignments of a column.
const (
	Left Align = iota
	Right
)

// Table is a header, rows of cells and the alignment of each column. Rows may be
// shorter or longer than the header: missing cells are empty and extra cells
// are dropped. Cells are raw text; each renderer makes them safe for its format.
type Table struct {
	Header []string
	Rows   [][]string
	Align  []Align
	// Strong, when set, picks the rows whose first cell the Markdown form sets
	// in bold, so a regression stands out in a long table. It sees the raw row.
	Strong func(row []string) bool
}

// Text renders the table as plain text for a terminal: columns separated by two
// spaces, each line starting with indent, no trailing spaces. Cells are put on
// one line and cleaned of control characters and escape sequences. Widths count
// runes, so wide (East Asian) characters can misalign a column.
func (t Table) Text(indent string) string {
	cells := t.grid(text.OneLine)
	widths := widths(cells)
	var b strings.Builder
	for _, row := range cells {
		var line strings.Builder
		line.WriteString(indent)
		for i, c := range row {
			if i > 0 {
				line.WriteString("  ")
			}
			line.WriteString(t.pad(i, c, widths[i]))
		}
		b.WriteString(strings.TrimRight(line.String(), " "))
		b.WriteByte('\n')
	}
	return b.String()
}

// Markdown renders the table as a GitHub-flavoured Markdown table, padded so the
// source reads as a table too. Cells are escaped with Escape.
func (t Table) Markdown() string {
	cells := t.grid(Escape)
	for i, row := range cells[1:] {
		if t.Strong != nil && len(row) > 0 && row[0] != "" && t.Strong(t.Rows[i]) {
			row[0] = "**" + row[0] + "**"
		}
	}
	widths := widths(cells)
	for i := range widths {
		widths[i] = max(widths[i], 3)
	}
	var b strings.Builder
	line := func(row []string) {
		b.WriteString("|")
		for i, c := range row {
			b.WriteString(" ")
			b.WriteString(t.pad(i, c, widths[i]))
			b.WriteString(" |")
		}
		b.WriteString("\n")
	}
	line(cells[0])
	t.rule(&b, widths)
	for _, row := range cells[1:] {
		line(row)
	}
	return b.String()
}

// rule writes the Markdown separator line under the header, with a colon on
// the right of each right-aligned column.
func (t Table) rule(b *strings.Builder, widths []int) {
	b.WriteString("|")
	for i, w := range widths {
		if t.align(i) == Right {
			b.WriteString(" " + strings.Repeat("-", w-1) + ": |")
		} else {
			b.WriteString(" " + strings.Repeat("-", w) + " |")
		}
	}
	b.WriteString("\n")
}

// Escape makes s safe inside a Markdown table cell or a line of Markdown text:
// cleaned of control characters, Markdown and HTML punctuation backslash-escaped
// or written as entities, pipes escaped, and line breaks turned into <br>.
func Escape(s string) string {
	s = text.Clean(s)
	s = strings.ReplaceAll(s, "\r\n", "\n")
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '\\', '`', '*', '_', '[', ']', '|', '~':
			b.WriteByte('\\')
			b.WriteRune(r)
		case '&':
			b.WriteString("&amp;")
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '\n', '\r':
			b.WriteString("<br>")
		case '\t':
			b.WriteByte(' ')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// grid returns the header and rows, each exactly as wide as the header, with
// every cell passed through clean.
func (t Table) grid(clean func(string) string) [][]string {
	n := len(t.Header)
	out := make([][]string, 0, len(t.Rows)+1)
	for _, row := range append([][]string{t.Header}, t.Rows...) {
		cells := make([]string, n)
		for i := 0; i < n && i < len(row); i++ {
			cells[i] = clean(row[i])
		}
		out = append(out, cells)
	}
	return out
}

func widths(cells [][]string) []int {
	w := make([]int, len(cells[0]))
	for _, row := range cells {
		for i, c := range row {
			w[i] = max(w[i], utf8.RuneCountInString(c))
		}
	}
	return w
}

func (t Table) align(i int) Align {
	if i < len(t.Align) {
		return t.Align[i]
	}
	return Left
}

func (t Table) pad(i int, c string, width int) string {
	fill := strings.Repeat(" ", width-utf8.RuneCountInString(c))
	if t.align(i) == Right {
		return fill + c
	}
	return c + fill
}
