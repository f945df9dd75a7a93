package main

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/sys/unix"

	"github.com/benchctl/benchctl/engine"
	"github.com/benchctl/benchctl/internal/format"
	"github.com/benchctl/benchctl/internal/text"
)

// progressLine keeps one live status line on stderr, on a terminal only:
// scenario, test, pipeline run i of N, stage, the test's elapsed time and,
// where the executions so far tell, how long the run has left.
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
			if line := progressText(pr, time.Now(), terminalWidth(os.Stderr)); line != "" {
				fmt.Fprint(os.Stderr, "\r\033[K"+line)
			}
		}
	}
}

// progressText is the status line for pr at now, at most width-1 columns
// (the last column left free so the terminal does not wrap), without
// control characters from scenario or stage names. "" before a test starts.
func progressText(pr engine.Progress, now time.Time, width int) string {
	if pr.Test == "" {
		return ""
	}
	parts := []string{text.OneLine(pr.Suite), text.OneLine(pr.Test)}
	if pr.Runs > 1 {
		parts = append(parts, "run "+strconv.Itoa(pr.RunIndex)+"/"+strconv.Itoa(pr.Runs))
	} else if pr.Run != "" {
		parts = append(parts, text.OneLine(pr.Run))
	}
	if pr.Stage != "" {
		parts = append(parts, text.OneLine(pr.Stage))
	}
	tail := "  " + format.Duration(now.Sub(pr.Started).Seconds())
	if pr.RunLeftEstimated > 0 {
		left := pr.RunLeftEstimated - now.Sub(pr.RunStarted)
		if left > 0 {
			tail += "  ~" + format.Duration(left.Seconds()) + " left"
		}
	}
	head := strings.Join(parts, " › ")
	room := width - 1 - len([]rune(tail))
	if room < 8 {
		return text.Truncate(head+tail, max(width-1, 4))
	}
	return text.Truncate(head, room) + tail
}

// terminalWidth is f's width in columns, $COLUMNS, or 80.
func terminalWidth(f *os.File) int {
	if ws, err := unix.IoctlGetWinsize(int(f.Fd()), unix.TIOCGWINSZ); err == nil && ws.Col > 0 {
		return int(ws.Col)
	}
	if n, err := strconv.Atoi(os.Getenv("COLUMNS")); err == nil && n > 0 {
		return n
	}
	return 80
}

func (p *progressLine) stop() {
	p.once.Do(func() {
		close(p.done)
		if p.enabled {
			time.Sleep(10 * time.Millisecond)
		}
	})
}
