package proctree

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/benchctl/benchctl/internal/capread"
)

// Running is what is kept of a pipeline while it runs, in a file beside its
// results, so that a later look (a resumed run) can tell whether its tree
// outlived the benchctl that started it.
type Running struct {
	Pipeline   Identity `json:"pipeline"`
	Supervisor Identity `json:"supervisor"`
	Argv       []string `json:"argv,omitempty"`
}

// WriteRunning writes r to path, whole or not at all (a temporary file renamed
// over it).
func WriteRunning(path string, r Running) error {
	data, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".running-*")
	if err != nil {
		return err
	}
	_, err = tmp.Write(append(data, '\n'))
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		os.Remove(tmp.Name())
	}
	return err
}

// maxRunningBytes bounds what ReadRunning reads: a results dir is the user's,
// and its pipeline.json may be anything, a link to /dev/zero.
const maxRunningBytes = 1 << 20

// ReadRunning reads what WriteRunning wrote. The error wraps os.ErrNotExist
// when there is no file: no pipeline was running.
func ReadRunning(path string) (Running, error) {
	var r Running
	data, err := capread.ReadFile(path, maxRunningBytes)
	if err != nil {
		return r, err
	}
	if err := json.Unmarshal(data, &r); err != nil {
		return r, fmt.Errorf("%s: %w", path, err)
	}
	return r, nil
}

// Survivors lists the processes of r's tree still alive: the pipeline and
// its supervisor, by identity, and the members of the pipeline's process
// group. The group is looked at only while its number names no other
// process: the kernel gives no pid a number a live group holds, so a group of
// that number, started after the pipeline, is the pipeline's.
func (r Running) Survivors() []Identity {
	var out []Identity
	for _, id := range []Identity{r.Pipeline, r.Supervisor} {
		if id.Alive() {
			out = append(out, id)
		}
	}
	if r.Pipeline.PID <= 1 {
		return out
	}
	if p, err := NewWalker().Stat(r.Pipeline.PID); err == nil && p.Start != r.Pipeline.Start {
		return out // the number is another process's now
	}
	w := NewWalker()
	if err := w.scan(0); err != nil {
		return out
	}
	for _, p := range w.procs {
		id := Identity{PID: p.PID, Start: p.Start}
		if p.Pgrp == r.Pipeline.PID && p.Alive() && p.Start >= r.Pipeline.Start && id != r.Pipeline {
			out = append(out, id)
		}
	}
	return out
}
