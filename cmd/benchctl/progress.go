package main

import (
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/benchctl/benchctl/engine"
	"github.com/benchctl/benchctl/internal/format"
)

// progressLine keeps one live status line (suite, test, stage, elapsed) on
// stderr, on a terminal only.
type progressLine struct {
	mu      sync.Mutex
	cur     engine.Progress
	done    chan struct{}
	once    sync.Once
	enabled bool
}

func newProgressLine(disabled bool) *progressLine {
	p := &progressLine{done: make(chan struct{}), enabled: !disabled && isTerminal(os.Stderr)}
	if p.enabled {
		go p.loop()
	}
	return p
}

func (p *progressLine) set(pr engine.Progress) {
	p.mu.Lock()
	p.cur = pr
	p.mu.Unlock()
}

func (p *progressLine) loop() {
	t := time.NewTicker(250 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-p.done:
			fmt.Fprint(os.Stderr, "\r\033[K")
			return
		case <-t.C:
			p.mu.Lock()
			pr := p.cur
			p.mu.Unlock()
			if pr.Test == "" {
				continue
			}
			line := fmt.Sprintf("%s › %s", pr.Suite, pr.Test)
			if pr.Stage != "" {
				line += " › " + pr.Stage
			}
			fmt.Fprintf(os.Stderr, "\r\033[K%s  %s", line, format.Duration(time.Since(pr.Started).Seconds()))
		}
	}
}

func (p *progressLine) stop() {
	p.once.Do(func() {
		close(p.done)
		if p.enabled {
			time.Sleep(10 * time.Millisecond)
		}
	})
}
