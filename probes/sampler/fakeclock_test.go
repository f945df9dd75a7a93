package sampler

import (
	"fmt"
	"slices"
	"testing"
	"time"
)

func TestFakeClockFiresInOrder(t *testing.T) {
	const ms = time.Millisecond
	tests := []struct {
		name    string
		periods []time.Duration
		advance []time.Duration
		want    []string // "ticker@ms"
	}{
		{"one ticker", []time.Duration{10 * ms}, []time.Duration{35 * ms}, []string{"0@10", "0@20", "0@30"}},
		{"short steps", []time.Duration{10 * ms}, []time.Duration{4 * ms, 4 * ms, 4 * ms, 10 * ms}, []string{"0@10", "0@20"}},
		{"two tickers interleave", []time.Duration{10 * ms, 25 * ms}, []time.Duration{50 * ms},
			[]string{"0@10", "0@20", "1@25", "0@30", "0@40", "0@50", "1@50"}},
		{"no time passes", []time.Duration{10 * ms}, []time.Duration{0}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := NewFakeClock(t0)
			var tickers []Ticker
			for _, p := range tt.periods {
				tickers = append(tickers, c.NewTicker(p))
			}
			// One receiver for every ticker (at most two here), so the order
			// it sees is the order Advance delivered.
			var chans [2]<-chan time.Time
			for i, tk := range tickers {
				chans[i] = tk.C()
			}
			got := make(chan []string)
			quit := make(chan struct{})
			go func() {
				var seen []string
				record := func(i int, at time.Time) { seen = append(seen, fmt.Sprintf("%d@%d", i, at.Sub(t0)/ms)) }
				for {
					select {
					case at := <-chans[0]:
						record(0, at)
					case at := <-chans[1]:
						record(1, at)
					case <-quit: // Advance has returned: every tick was received
						got <- seen
						return
					}
				}
			}()
			var total time.Duration
			for _, d := range tt.advance {
				c.Advance(d)
				total += d
			}
			close(quit)
			if seen := <-got; !slices.Equal(seen, tt.want) {
				t.Errorf("ticks = %v, want %v", seen, tt.want)
			}
			if now := c.Now(); !now.Equal(t0.Add(total)) {
				t.Errorf("Now = %v after advancing %v", now.Sub(t0), total)
			}
			for _, tk := range tickers {
				tk.Stop()
			}
		})
	}
}

func TestFakeClockStop(t *testing.T) {
	c := NewFakeClock(t0)
	tk := c.NewTicker(time.Second)
	tk.Stop()
	tk.Stop()                  // twice is fine
	c.Advance(5 * time.Second) // nobody receives: returns because the ticker is stopped
	if !c.Now().Equal(t0.Add(5 * time.Second)) {
		t.Errorf("Now = %v", c.Now())
	}

	late := c.NewTicker(time.Second) // starts from the current fake time
	done := make(chan time.Time)
	go func() { done <- <-late.C() }()
	c.Advance(time.Second)
	if at := <-done; !at.Equal(t0.Add(6 * time.Second)) {
		t.Errorf("late ticker fired at %v, want 6s", at.Sub(t0))
	}
	late.Stop()

	defer func() {
		if recover() == nil {
			t.Error("NewTicker(0) did not panic")
		}
	}()
	c.NewTicker(0)
}
