"""A GPU load of one kind for a few seconds, to hold NVML's utilization against
GPM's SM activity: "tiny" launches one-element kernels back to back (the GPU
is "utilized" while its SMs idle), "matmul" runs bf16 8192^3 matrix products
(the SMs and tensor cores busy). Usage: python3 gpm_load.py tiny|matmul SECONDS"""
import sys
import time

import torch

kind, seconds = sys.argv[1], float(sys.argv[2])
dev = torch.device("cuda:0")
if kind == "tiny":
    x = torch.zeros(1, device=dev)
    step = lambda: x.add_(1)
else:
    a = torch.randn(8192, 8192, device=dev, dtype=torch.bfloat16)
    b = torch.randn(8192, 8192, device=dev, dtype=torch.bfloat16)
    step = lambda: torch.mm(a, b)
torch.cuda.synchronize()
end = time.monotonic() + seconds
n = 0
while time.monotonic() < end:
    for _ in range(100):
        step()
    n += 100
    torch.cuda.synchronize()
print(f"{kind}: {n} launches in {seconds:.0f} s")
