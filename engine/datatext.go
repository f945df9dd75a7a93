package engine

import (
	"fmt"
	"os"
	"path/filepath"

	lua "github.com/yuin/gopher-lua"
)

// maxTextBytes bounds what bench.data.text writes: a configuration file, not a
// data set (bench.data.fasta makes those).
const maxTextBytes = 1 << 20

// dataText implements bench.data.text{name=, content=}: it writes content to
// a file of that name in the test's work directory and returns its path. A
// scenario has no io library; this is how it hands a pipeline a small
// configuration file (VirNucPro's -c CONFIG.yaml). name is a plain file name.
func (rt *runtime) dataText(L *lua.LState) int {
	st := rt.inTest(L, "bench.data.text")
	opts := L.CheckTable(1)
	name := lua.LVAsString(opts.RawGetString("name"))
	content, ok := opts.RawGetString("content").(lua.LString)
	switch {
	case name == "" || name != filepath.Base(name) || name == "." || name == "..":
		L.ArgError(1, fmt.Sprintf("name %q: want a plain file name", name))
	case !ok:
		L.ArgError(1, "content must be a string")
	case len(content) > maxTextBytes:
		L.ArgError(1, fmt.Sprintf("content of %d bytes: at most %d", len(content), maxTextBytes))
	}
	path := filepath.Join(st.c.Workdir, name)
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		L.RaiseError("bench.data.text: %v", err)
	}
	L.Push(lua.LString(path))
	return 1
}
