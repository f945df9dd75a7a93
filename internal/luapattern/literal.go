package luapattern

import "strings"

// Literal returns the longest run of plain characters that every match of
// the pattern contains, "" when it has none: single characters that are not
// quantified, read across captures (which take no characters of their own)
// and broken by anything else (a class, a set, a quantified item, a
// back-reference, a balance). Lua patterns have no alternation, so a subject
// without the literal cannot match, and a search may skip it.
func (p *Pattern) Literal() string {
	var best, run []byte
	var walk func(sp *seqPattern)
	walk = func(sp *seqPattern) {
		for _, it := range sp.Patterns {
			switch it := it.(type) {
			case *singlePattern:
				if c, ok := plainChar(it.Class); ok {
					run = append(run, c)
					continue
				}
			case *capPattern:
				if sub, ok := it.Pattern.(*seqPattern); ok {
					walk(sub)
					continue
				}
			case *posCapPattern:
				continue
			}
			if len(run) > len(best) {
				best = append(best[:0], run...)
			}
			run = run[:0]
		}
	}
	walk(p.pat)
	if len(run) > len(best) {
		best = run
	}
	return string(best)
}

// plainChar reports the one character a class matches, where it matches
// exactly one: a plain character, or an escaped one that names no class
// (%-, %%, %.).
func plainChar(c class) (byte, bool) {
	switch c := c.(type) {
	case *charClass:
		return byte(c.Ch), true
	case *singleClass:
		if !strings.ContainsRune("acdlpsuwxzACDLPSUWXZ", rune(c.Class)) {
			return byte(c.Class), true
		}
	}
	return 0, false
}
