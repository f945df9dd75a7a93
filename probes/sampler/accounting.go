package sampler

import (
	"errors"
	"fmt"

	"github.com/benchctl/benchctl/probes"
	"github.com/benchctl/benchctl/result"
)

// startAccounting turns accounting on when the backend has it; why it could
// not is kept for AccountingErr.
func (s *Sampler) startAccounting() {
	a, ok := s.b.(probes.Accounting)
	if !ok {
		return
	}
	restore, err := a.StartAccounting()
	switch {
	case err != nil:
		s.accErr = fmt.Errorf("start accounting: %w", err)
	case restore == nil:
		s.acct, s.restore = a, func() error { return nil }
	default:
		s.acct, s.restore = a, restore
	}
}

// stopAccounting reads the exact peaks of the tree's pids and restores the
// accounting mode.
func (s *Sampler) stopAccounting() []result.ProcessPeak {
	if s.acct == nil {
		return nil
	}
	exact, err := s.acct.AccountedPeaks(s.TreePIDs())
	if err != nil {
		err = fmt.Errorf("accounted peaks: %w", err)
	}
	if rerr := s.restore(); rerr != nil {
		err = errors.Join(err, fmt.Errorf("restore accounting: %w", rerr))
	}
	if err != nil {
		s.mu.Lock()
		s.accErr = err
		s.mu.Unlock()
	}
	return exact
}

// AccountingErr returns why accounting could not be used (StartAccounting,
// AccountedPeaks or the restore failed), or nil. The result model has no
// place for it; the engine logs it.
func (s *Sampler) AccountingErr() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.accErr
}
