package nvml

import (
	"fmt"

	"github.com/NVIDIA/go-nvml/pkg/nvml"

	"github.com/benchctl/benchctl/probes"
)

// field is one NVML reading of a GPU, as a bit so a device can remember the
// set of readings it does not support.
type field uint16

// The readings; the names are those errors carry.
const (
	fMemV2 field = 1 << iota
	fMem
	fUtil
	fTemp
	fPower
	fEnergy
	fClock
	fThrottle
	fProcs
	fUtilSamples
	fPowerSamples
	fGPM
)

var fieldNames = map[field]string{
	fMemV2:        "memory info v2",
	fMem:          "memory info",
	fUtil:         "utilization",
	fTemp:         "temperature",
	fPower:        "power usage",
	fEnergy:       "total energy consumption",
	fClock:        "sm clock",
	fThrottle:     "clocks event reasons",
	fProcs:        "compute running processes",
	fUtilSamples:  "utilization samples",
	fPowerSamples: "power samples",
	fGPM:          "gpm metrics",
}

func (f field) String() string {
	if n, ok := fieldNames[f]; ok {
		return n
	}
	return fmt.Sprintf("field %#x", uint16(f))
}

// check sorts the outcome of reading field f of d. It returns true when the
// value can be used. NOT_SUPPORTED (and FUNCTION_NOT_FOUND, an older driver)
// is silent and remembered, so the field is not read again; NO_PERMISSION is
// reported once and remembered; GPU_IS_LOST marks the device lost, for the
// caller to report; anything else is appended to errs and retried next time.
func check(d *device, f field, ret nvml.Return, errs *[]error) bool {
	switch ret {
	case nvml.SUCCESS:
		return true
	case nvml.ERROR_NOT_SUPPORTED, nvml.ERROR_FUNCTION_NOT_FOUND:
		d.skip |= f
	case nvml.ERROR_NO_PERMISSION:
		d.skip |= f
		*errs = append(*errs, gpuErrorf(d.info.Index, "%s: %w (not read again)", f, ret))
	case nvml.ERROR_GPU_IS_LOST:
		d.lost = true
	default:
		*errs = append(*errs, gpuErrorf(d.info.Index, "%s: %w", f, ret))
	}
	return false
}

// lostError is the error reported, once, for a GPU that stopped answering.
func lostError(d *device) error {
	return gpuErrorf(d.info.Index, "%w (%s): %w", probes.ErrGPULost, d.info.UUID, nvml.ERROR_GPU_IS_LOST)
}

// wrapRet wraps an NVML return code with what was being done. nvml.Return
// implements error, so errors.Is(err, nvml.ERROR_...) works on the result.
func wrapRet(what string, ret nvml.Return) error {
	return fmt.Errorf("%s: %w", what, ret)
}

// gpuError is an error about one GPU. Its GPUIndex method lets the sampler
// (probes/sampler.GPUError) file the error under that GPU.
type gpuError struct {
	index int
	err   error
}

func (e *gpuError) Error() string { return e.err.Error() }
func (e *gpuError) Unwrap() error { return e.err }

// GPUIndex is the NVML index of the GPU the error concerns.
func (e *gpuError) GPUIndex() int { return e.index }

// gpuErrorf is fmt.Errorf for an error about GPU index; the message starts
// "gpu N: ".
func gpuErrorf(index int, format string, args ...any) error {
	return &gpuError{index: index, err: fmt.Errorf("gpu %d: "+format, append([]any{index}, args...)...)}
}
