// Package scenarios holds the scenarios shipped with benchctl. Its lib folder is
// embedded so that any scenario, wherever it lives, can require the shipped
// helpers ("lib.projection", "lib.compare").
package scenarios

import "embed"

// Lib holds scenarios/lib/*.lua.
//
//go:embed lib/*.lua
var Lib embed.FS
