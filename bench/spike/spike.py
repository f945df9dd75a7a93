"""GPU memory spikes of known size and timing, to test how well a probe sees them.

It holds a floor (a 2 GiB tensor by default), then makes short spikes: each allocates
an extra tensor (8 GiB by default) and writes it so the memory is really resident,
holds it ~20 ms, frees it and empties PyTorch's cache so the memory goes back to the
driver, then waits ~200 ms. stdout gets one line per spike with its wall-clock start
and end (time.time(), seconds since the epoch) and, at the end, the true peak
(torch.cuda.max_memory_reserved) and the floor, as key=value pairs:

    floor_bytes=2147483648 start=1712345678.101234
    spike=1 start=1712345678.312345 end=1712345678.345678 bytes=8589934592
    ...
    true_peak_bytes=10737418240
    floor_bytes=2147483648

device_used_peak_bytes is what the whole GPU held (cudaMemGetInfo) at the highest
spike: subtract the idle GPU's used memory to get the process's true peak as NVML
accounting counts it, the CUDA context included.
A spike's start is taken just before the allocation, its end just after the cache is
emptied. NVML also counts the CUDA context (a few hundred MiB) that these figures
leave out.

Usage: python3 bench/spike/spike.py [--floor-gb 2] [--spike-gb 8] [--spikes 10]
       [--spike-ms 20] [--gap-ms 200] [--device cuda:0]
"""

import argparse
import sys
import time

GIB = 1 << 30


def parse_args(argv=None):
    """Command-line flags; sizes in GiB, times in milliseconds."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--floor-gb", type=float, default=2.0, help="memory held throughout (GiB)")
    parser.add_argument("--spike-gb", type=float, default=8.0, help="extra memory of each spike (GiB)")
    parser.add_argument("--spikes", type=int, default=10, help="number of spikes")
    parser.add_argument("--spike-ms", type=float, default=20.0, help="how long a spike is held (ms)")
    parser.add_argument("--gap-ms", type=float, default=200.0, help="pause between spikes (ms)")
    parser.add_argument("--device", default="cuda", help="CUDA device, e.g. cuda:1 (default cuda)")
    return parser.parse_args(argv)


def allocate(torch, gib, device):
    """A uint8 tensor of `gib` GiB, written so that every page is really resident."""
    tensor = torch.empty(int(gib * GIB), dtype=torch.uint8, device=device)
    tensor.fill_(1)
    return tensor


def spike(torch, index, args, device):
    """One spike; returns its line."""
    start = time.time()
    extra = allocate(torch, args.spike_gb, device)
    torch.cuda.synchronize(device)
    free, total = torch.cuda.mem_get_info(device)
    spike.device_used_peak = max(getattr(spike, "device_used_peak", 0), total - free)
    time.sleep(args.spike_ms / 1000.0)
    size = extra.numel()
    del extra
    torch.cuda.empty_cache()
    torch.cuda.synchronize(device)
    end = time.time()
    return f"spike={index} start={start:.6f} end={end:.6f} bytes={size}"


def main(argv=None):
    """Floor, spikes, summary; returns the exit code."""
    args = parse_args(argv)
    import torch

    if not torch.cuda.is_available():
        print("Error: CUDA is not available", file=sys.stderr)
        return 1
    device = torch.device(args.device)
    if device.index is not None:
        torch.cuda.set_device(device)
    floor = allocate(torch, args.floor_gb, device)
    torch.cuda.synchronize(device)
    floor_bytes = floor.numel()
    print(f"floor_bytes={floor_bytes} start={time.time():.6f}", flush=True)
    for index in range(1, args.spikes + 1):
        print(spike(torch, index, args, device), flush=True)
        time.sleep(args.gap_ms / 1000.0)
    print(f"true_peak_bytes={torch.cuda.max_memory_reserved(device)}")
    # What the whole device held at the highest spike (context included, as
    # NVML counts it); minus the idle GPU's memory this is the process's peak.
    print(f"device_used_peak_bytes={getattr(spike, 'device_used_peak', 0)}")
    print(f"floor_bytes={floor_bytes}", flush=True)
    del floor
    return 0


if __name__ == "__main__":
    sys.exit(main())
