package junit

import (
	"strconv"
	"strings"

	"github.com/benchctl/benchctl/internal/text"
)

// xmlWriter writes the document by hand rather than with encoding/xml, which
// escapes every newline in character data as &#xA; and so would turn the
// output in <system-out> into one unreadable line.
type xmlWriter struct{ strings.Builder }

func (w *xmlWriter) raw(s string) { w.WriteString(s) }

// open writes an element's start tag with its attributes, given as name/value
// pairs in order; empty closes it at once.
func (w *xmlWriter) open(indent, name string, empty bool, attrs ...string) {
	w.WriteString(indent + "<" + name)
	for i := 0; i+1 < len(attrs); i += 2 {
		w.WriteString(" " + attrs[i] + `="` + escape(attrs[i+1], true) + `"`)
	}
	if empty {
		w.WriteString("/>\n")
	} else {
		w.WriteString(">")
	}
}

// element writes <name attrs>text</name> on one line of its own.
func (w *xmlWriter) element(indent, name, body string, attrs ...string) {
	w.open(indent, name, false, attrs...)
	w.WriteString(escape(body, false))
	w.WriteString("</" + name + ">\n")
}

func (s suite) write(w *xmlWriter) {
	w.open("  ", "testsuite", false,
		"name", s.name,
		"tests", strconv.Itoa(s.counts.Total()),
		"failures", strconv.Itoa(s.counts.Failed),
		"errors", strconv.Itoa(s.counts.Errors+s.counts.Interrupted),
		"skipped", strconv.Itoa(s.counts.Skipped),
		"time", decimal(s.seconds),
		"timestamp", s.timestamp,
		"hostname", s.hostname,
		"id", strconv.Itoa(s.id),
		"package", s.pkg)
	w.raw("\n")
	if len(s.properties) == 0 {
		w.raw("    <properties/>\n")
	} else {
		w.raw("    <properties>\n")
		for _, p := range s.properties {
			w.open("      ", "property", true, "name", p.name, "value", p.value)
		}
		w.raw("    </properties>\n")
	}
	for _, c := range s.cases {
		attrs := []string{"name", c.name, "classname", c.classname, "time", decimal(c.seconds)}
		if c.result == nil {
			w.open("    ", "testcase", true, attrs...)
			continue
		}
		w.open("    ", "testcase", false, attrs...)
		w.raw("\n")
		r := c.result
		attrs = []string{"message", text.OneLine(r.message)}
		if r.element != "skipped" {
			attrs = append(attrs, "type", r.typ)
		}
		if r.body == "" {
			w.open("      ", r.element, true, attrs...)
		} else {
			w.element("      ", r.element, r.body, attrs...)
		}
		w.raw("    </testcase>\n")
	}
	w.element("    ", "system-out", s.stdout)
	w.element("    ", "system-err", "")
	w.raw("  </testsuite>\n")
}

// escape cleans s (text.Clean) and escapes it for character data or, with attr,
// for an attribute value in double quotes. Tabs and line breaks in attributes
// and carriage returns anywhere become character references, which a parser
// keeps instead of normalising them away.
func escape(s string, attr bool) string {
	s = text.Clean(s)
	if !strings.ContainsAny(s, "&<>\"\t\n\r") {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '&':
			b.WriteString("&amp;")
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '"':
			if attr {
				b.WriteString("&quot;")
			} else {
				b.WriteRune(r)
			}
		case '\r':
			b.WriteString("&#xD;")
		case '\t', '\n':
			if attr {
				b.WriteString("&#x" + strconv.FormatInt(int64(r), 16) + ";")
			} else {
				b.WriteRune(r)
			}
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// token cleans s and collapses its XML whitespace as the schema's xs:token does.
func token(s string) string {
	return strings.Join(strings.FieldsFunc(text.Clean(s), func(r rune) bool {
		return r == ' ' || r == '\t' || r == '\n' || r == '\r'
	}), " ")
}

// firstToken returns the first of names that is a non-empty token; the schema
// wants testsuite name, hostname and property names of at least one character.
func firstToken(names ...string) string {
	for _, n := range names {
		if t := token(n); t != "" {
			return t
		}
	}
	return "unnamed"
}

// terminalLine is a captured output line as a terminal shows it, cleaned.
func terminalLine(line string) string {
	return text.Clean(text.Terminal(line))
}
