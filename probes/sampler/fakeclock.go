package sampler

import (
	"sync"
	"time"
)

// FakeClock is a Clock for tests: its time moves only when Advance is called,
// and its tickers fire from Advance, in time order, one tick at a time.
//
// Unlike a time.Ticker, whose channel holds one tick and drops the ones a slow
// receiver misses, a fake ticker's channel is unbuffered and Advance waits
// until each tick is received (or the ticker is stopped). A consumer that
// handles its ticks in a loop has therefore finished with every tick but the
// last one when Advance returns, and no tick is ever dropped: a test knows
// exactly how many ticks were handled.
type FakeClock struct {
	advancing sync.Mutex // one Advance at a time
	mu        sync.Mutex // guards now and tickers
	now       time.Time
	tickers   []*fakeTicker
}

var _ Clock = (*FakeClock)(nil)

// NewFakeClock returns a fake clock whose time is start.
func NewFakeClock(start time.Time) *FakeClock { return &FakeClock{now: start} }

// Now returns the fake time.
func (c *FakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// NewTicker returns a ticker that first fires d after the current fake time.
// It panics when d is not positive, as time.NewTicker does.
func (c *FakeClock) NewTicker(d time.Duration) Ticker {
	if d <= 0 {
		panic("sampler: non-positive interval for FakeClock.NewTicker")
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	t := &fakeTicker{
		clock:   c,
		period:  d,
		next:    c.now.Add(d),
		ch:      make(chan time.Time),
		stopped: make(chan struct{}),
	}
	c.tickers = append(c.tickers, t)
	return t
}

// Advance moves the fake time forward by d, firing every tick that falls due
// on the way: the time is set to the tick's time, the tick is sent, and
// Advance waits for it to be received before it goes on. Ticks due at the same
// time fire in the order the tickers were made. The time ends at now+d.
func (c *FakeClock) Advance(d time.Duration) {
	c.advancing.Lock()
	defer c.advancing.Unlock()
	c.mu.Lock()
	end := c.now.Add(d)
	c.mu.Unlock()
	for {
		c.mu.Lock()
		var due *fakeTicker
		for _, t := range c.tickers {
			if !t.next.After(end) && (due == nil || t.next.Before(due.next)) {
				due = t
			}
		}
		if due == nil {
			if end.After(c.now) {
				c.now = end
			}
			c.mu.Unlock()
			return
		}
		at := due.next
		c.now = at
		due.next = at.Add(due.period)
		c.mu.Unlock()
		select {
		case due.ch <- at:
		case <-due.stopped:
		}
	}
}

// fakeTicker is a ticker of a FakeClock.
type fakeTicker struct {
	clock    *FakeClock
	period   time.Duration
	next     time.Time // guarded by clock.mu
	ch       chan time.Time
	stopped  chan struct{}
	stopOnce sync.Once
}

var _ Ticker = (*fakeTicker)(nil)

func (t *fakeTicker) C() <-chan time.Time { return t.ch }

// Stop removes the ticker from its clock and releases an Advance waiting to
// deliver to it.
func (t *fakeTicker) Stop() {
	t.stopOnce.Do(func() {
		close(t.stopped)
		c := t.clock
		c.mu.Lock()
		defer c.mu.Unlock()
		for i, x := range c.tickers {
			if x == t {
				c.tickers = append(c.tickers[:i], c.tickers[i+1:]...)
				break
			}
		}
	})
}
