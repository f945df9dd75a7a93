package nvml

import (
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/NVIDIA/go-nvml/pkg/nvml"

	"github.com/benchctl/benchctl/probes"
	"github.com/benchctl/benchctl/result"
)

// geteuid is os.Geteuid; tests replace it to play root or not.
var geteuid = os.Geteuid

// NewWithLib opens a backend over lib: it initialises NVML, opens every GPU,
// reads each one's static description and selects the GPUs of cfg.Select (NVML
// indexes, UUIDs or "GPU-" UUID prefixes). With no selection, and
// CUDA_VISIBLE_DEVICES set and not empty, it selects the GPUs that variable
// names (see MapCUDAVisible); otherwise every GPU.
//
// It returns an error wrapping probes.ErrUnavailable, with the reason, when
// NVML cannot be used here: no library, no driver, no permission, no GPU. An
// unknown GPU in the selection is a plain error.
func NewWithLib(lib nvml.Interface, cfg probes.Config) (*Backend, error) {
	if lib == nil {
		return nil, fmt.Errorf("%w: no nvml library", probes.ErrUnavailable)
	}
	if ret := lib.Init(); ret != nvml.SUCCESS {
		return nil, fmt.Errorf("%w: nvml init: %s: %w", probes.ErrUnavailable, initReason(ret), ret)
	}
	b := &Backend{lib: lib, now: time.Now, closing: make(chan struct{}), cost: newCosts()}
	if err := b.open(cfg); err != nil {
		lib.Shutdown()
		return nil, err
	}
	return b, nil
}

// initReason says in words why nvml.Init failed.
func initReason(ret nvml.Return) string {
	switch ret {
	case nvml.ERROR_LIBRARY_NOT_FOUND:
		return "libnvidia-ml.so.1 not found (no nvidia driver installed)"
	case nvml.ERROR_DRIVER_NOT_LOADED:
		return "nvidia driver not loaded"
	case nvml.ERROR_NO_PERMISSION:
		return "no permission to talk to the nvidia driver"
	case nvml.ERROR_LIB_RM_VERSION_MISMATCH:
		return "nvml library and kernel driver versions differ (reload the driver or reboot)"
	}
	return "nvml could not start"
}

func (b *Backend) open(cfg probes.Config) error {
	count, ret := b.lib.DeviceGetCount()
	if ret != nvml.SUCCESS {
		return fmt.Errorf("%w: count gpus: %w", probes.ErrUnavailable, ret)
	}
	if count == 0 {
		return fmt.Errorf("%w: nvml sees no gpu", probes.ErrUnavailable)
	}
	if v, ret := b.lib.SystemGetDriverVersion(); ret == nvml.SUCCESS {
		b.driver = v
	}
	if v, ret := b.lib.SystemGetCudaDriverVersion(); ret == nvml.SUCCESS {
		b.cuda = cudaVersion(v)
	}
	for i := range count {
		d, err := b.openDevice(i)
		if err != nil {
			b.skipped = append(b.skipped, err.Error())
			continue
		}
		b.all = append(b.all, d)
	}
	if len(b.all) == 0 {
		return fmt.Errorf("%w: no gpu could be opened: %s", probes.ErrUnavailable, strings.Join(b.skipped, "; "))
	}
	if err := b.selectDevices(cfg.Select); err != nil {
		return err
	}
	b.memV2 = hasSymbol(b.lib, "nvmlDeviceGetMemoryInfo_v2")
	b.eventReasons = hasSymbol(b.lib, "nvmlDeviceGetCurrentClocksEventReasons")
	b.openGPM()
	return nil
}

// openDevice reads the static description of the GPU at NVML index i. A GPU
// without a handle or a UUID cannot be selected or mapped, so it is an error.
func (b *Backend) openDevice(i int) (*device, error) {
	h, ret := b.lib.DeviceGetHandleByIndex(i)
	if ret != nvml.SUCCESS {
		return nil, fmt.Errorf("gpu %d: get handle: %w", i, ret)
	}
	uuid, ret := h.GetUUID()
	if ret != nvml.SUCCESS {
		return nil, fmt.Errorf("gpu %d: get uuid: %w", i, ret)
	}
	d := &device{h: h, info: result.GPUInfo{Index: i, UUID: uuid, Driver: b.driver, CUDA: b.cuda}, held: newHeld()}
	if name, ret := h.GetName(); ret == nvml.SUCCESS {
		d.info.Name = name
	}
	if m, ret := h.GetMemoryInfo(); ret == nvml.SUCCESS {
		d.info.MemoryTotal = m.Total
	}
	// The enforced limit is the one in force, whoever set it: the history
	// does not compare runs made under different limits.
	if mw, ret := h.GetEnforcedPowerLimit(); ret == nvml.SUCCESS && mw > 0 {
		d.info.PowerLimitW = float64(mw) / 1000
	}
	d.info.AccountingOK, d.info.AccountingWhy = accountingUsable(h)
	return d, nil
}

// accountingUsable says whether StartAccounting can give exact peaks on h: the
// mode can be read and is already on, or can be switched on because we are
// root. When it cannot, the note says why.
func accountingUsable(h nvml.Device) (bool, string) {
	mode, ret := h.GetAccountingMode()
	switch {
	case ret == nvml.ERROR_NOT_SUPPORTED:
		return false, "accounting mode not supported on this gpu"
	case ret != nvml.SUCCESS:
		return false, "accounting mode unreadable: " + ret.Error()
	case mode == nvml.FEATURE_ENABLED:
		return true, ""
	case geteuid() == 0:
		return true, ""
	}
	return false, "accounting mode is off and switching it on needs root"
}

// cudaVersion turns NVML's 1000*major + 10*minor into "major.minor".
func cudaVersion(v int) string {
	if v <= 0 {
		return ""
	}
	return fmt.Sprintf("%d.%d", v/1000, v%1000/10)
}

// hasSymbol reports whether the loaded NVML library exports name. A library
// that offers no extensions (a test double) is taken to have everything.
func hasSymbol(lib nvml.Interface, name string) bool {
	ext := lib.Extensions()
	if ext == nil {
		return true
	}
	return ext.LookupSymbol(name) == nil
}
