// Package supervise enters the supervisor (proctree/supervisor), when this
// process was started as one, before the rest of benchctl initializes.
//
// Go initializes packages in import-path order among those whose imports are
// ready (the language specification, since Go 1.21). This package's path
// sorts before benchctl's other packages and its imports are few, so its
// init runs before the heavy ones (the HTML report's templates, the Lua
// interpreter, SQLite, the CLI's man-page writer): a supervisor, which sits
// between benchctl and every pipeline it starts, does not pay for them. (The
// pipeline itself is started earlier still, before the Go runtime, where cgo
// is built in: see proctree/supervisor.) cmd/benchctl imports it first for
// that alone.
package supervise

import "github.com/benchctl/benchctl/proctree/supervisor"

func init() {
	if supervisor.Requested() {
		supervisor.Main() // does not return
	}
}
