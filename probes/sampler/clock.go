package sampler

import "time"

// Clock is the sampler's source of time, injected so that tests drive it with
// a FakeClock instead of sleeping.
type Clock interface {
	// Now returns the current time.
	Now() time.Time
	// NewTicker returns a ticker that delivers the time every d (d > 0).
	NewTicker(d time.Duration) Ticker
}

// Ticker delivers ticks on a channel until it is stopped.
type Ticker interface {
	// C is the channel the ticks arrive on; the value is the tick's time, and
	// the sampler stamps the sample it takes on that tick with it.
	C() <-chan time.Time
	// Stop turns the ticker off. No tick is delivered after it returns; the
	// channel is not closed.
	Stop()
}

// RealClock returns the clock of the time package.
func RealClock() Clock { return realClock{} }

type realClock struct{}

var _ Clock = realClock{}

func (realClock) Now() time.Time { return time.Now() }

func (realClock) NewTicker(d time.Duration) Ticker { return realTicker{time.NewTicker(d)} }

type realTicker struct{ t *time.Ticker }

var _ Ticker = realTicker{}

func (r realTicker) C() <-chan time.Time { return r.t.C }

func (r realTicker) Stop() { r.t.Stop() }
