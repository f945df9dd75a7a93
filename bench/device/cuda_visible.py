"""Prints the UUID PyTorch gives each CUDA device under the current
CUDA_VISIBLE_DEVICES, to check benchctl's CUDA-to-NVML mapping against it."""
import torch

for i in range(torch.cuda.device_count()):
    print(f"cuda:{i} GPU-{torch.cuda.get_device_properties(i).uuid}")
