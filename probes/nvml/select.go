package nvml

import (
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/benchctl/benchctl/result"
)

// selectDevices sets b.sel and b.infos from the selection, or from
// CUDA_VISIBLE_DEVICES when the selection is empty, or to every GPU.
func (b *Backend) selectDevices(sel []string) error {
	var idx []int
	switch cuda := strings.TrimSpace(os.Getenv("CUDA_VISIBLE_DEVICES")); {
	case len(sel) > 0:
		var err error
		if idx, err = b.resolve(sel); err != nil {
			return err
		}
	case cuda != "":
		var err error
		if idx, err = MapCUDAVisible(b.AllDevices(), cuda); err != nil {
			return fmt.Errorf("select gpus from CUDA_VISIBLE_DEVICES: %w", err)
		}
		if len(idx) == 0 {
			return fmt.Errorf("select gpus from CUDA_VISIBLE_DEVICES=%q: it names no whole gpu", cuda)
		}
	default:
		for _, d := range b.all {
			idx = append(idx, d.info.Index)
		}
	}
	slices.Sort(idx)
	idx = slices.Compact(idx)
	for _, d := range b.all {
		if slices.Contains(idx, d.info.Index) {
			b.sel = append(b.sel, d)
			b.infos = append(b.infos, d.info)
		}
	}
	return nil
}

// resolve turns selection entries (NVML indexes, UUIDs, "GPU-" UUID
// prefixes) into NVML indexes of opened GPUs.
func (b *Backend) resolve(sel []string) ([]int, error) {
	all := b.AllDevices()
	out := make([]int, 0, len(sel))
	for _, s := range sel {
		s = strings.TrimSpace(s)
		if n, err := strconv.Atoi(s); err == nil {
			i := slices.IndexFunc(all, func(g result.GPUInfo) bool { return g.Index == n })
			if i < 0 {
				return nil, fmt.Errorf("select gpu %q: no gpu with nvml index %d (%s)", s, n, b.listing())
			}
			out = append(out, n)
			continue
		}
		i, err := matchUUID(all, s)
		if err != nil {
			return nil, fmt.Errorf("select gpu %q: %w (%s)", s, err, b.listing())
		}
		out = append(out, all[i].Index)
	}
	return out, nil
}

// listing names the GPUs that can be selected, for error messages.
func (b *Backend) listing() string {
	parts := make([]string, 0, len(b.all)+len(b.skipped))
	for _, d := range b.all {
		parts = append(parts, fmt.Sprintf("%d=%s", d.info.Index, d.info.UUID))
	}
	for _, s := range b.skipped {
		parts = append(parts, "unopened "+s)
	}
	return "gpus: " + strings.Join(parts, ", ")
}

// matchUUID finds the one GPU whose UUID is s or starts with s, a string of
// the form "GPU-...". Case does not matter.
func matchUUID(devices []result.GPUInfo, s string) (int, error) {
	ls := strings.ToLower(s)
	switch {
	case strings.HasPrefix(ls, "mig-"):
		return -1, fmt.Errorf("mig instances cannot be selected")
	case !strings.HasPrefix(ls, "gpu-") || len(ls) == len("gpu-"):
		return -1, fmt.Errorf("not an index or a GPU- uuid")
	}
	found := -1
	for i, g := range devices {
		u := strings.ToLower(g.UUID)
		if u == ls {
			return i, nil
		}
		if strings.HasPrefix(u, ls) {
			if found >= 0 {
				return -1, fmt.Errorf("uuid prefix matches more than one gpu")
			}
			found = i
		}
	}
	if found < 0 {
		return -1, fmt.Errorf("no gpu with this uuid")
	}
	return found, nil
}

// MapCUDAVisible maps a CUDA_VISIBLE_DEVICES value to NVML indexes: element k
// of the result is the NVML index of the GPU that CUDA numbers k. devices is
// every GPU NVML sees (Backend.AllDevices), in any order.
//
// An entry is a CUDA ordinal, a UUID or a unique "GPU-" UUID prefix. Ordinals
// are taken in NVML (PCI bus) order, which is CUDA's order when
// CUDA_DEVICE_ORDER=PCI_BUS_ID and, on a machine of one GPU model, in practice
// also under CUDA's default FASTEST_FIRST. MIG entries ("MIG-...") are
// ignored. As in CUDA, an invalid or repeated entry hides itself and every
// entry after it: the GPUs before it are returned with an error that names
// it. An empty value names no GPU.
func MapCUDAVisible(devices []result.GPUInfo, cudaVisible string) ([]int, error) {
	byIndex := slices.Clone(devices)
	slices.SortFunc(byIndex, func(a, b result.GPUInfo) int { return a.Index - b.Index })
	out := []int{}
	if strings.TrimSpace(cudaVisible) == "" {
		return out, nil
	}
	for _, e := range strings.Split(cudaVisible, ",") {
		e = strings.TrimSpace(e)
		if strings.HasPrefix(strings.ToLower(e), "mig-") {
			continue
		}
		idx, err := cudaEntry(byIndex, e)
		if err == nil && slices.Contains(out, idx) {
			err = fmt.Errorf("gpu named twice")
		}
		if err != nil {
			return out, fmt.Errorf("CUDA_VISIBLE_DEVICES entry %q: %w; cuda sees only the gpus before it", e, err)
		}
		out = append(out, idx)
	}
	return out, nil
}

// cudaEntry maps one CUDA_VISIBLE_DEVICES entry to an NVML index.
func cudaEntry(byIndex []result.GPUInfo, e string) (int, error) {
	if n, err := strconv.Atoi(e); err == nil {
		if n < 0 || n >= len(byIndex) {
			return -1, fmt.Errorf("no gpu with cuda ordinal %d (%d gpus)", n, len(byIndex))
		}
		return byIndex[n].Index, nil
	}
	i, err := matchUUID(byIndex, e)
	if err != nil {
		return -1, err
	}
	return byIndex[i].Index, nil
}
