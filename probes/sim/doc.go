// Package sim is the simulated GPU backend ("sim"): GPUs whose memory and
// utilization are set by the processes that use them, through files in a state
// directory. It lets CI, which has no GPU, run every scenario end to end, the
// failing cases included.
//
// # State-file protocol
//
// The protocol is written out in PROTOCOL.md beside this file; in short:
//
//   - The backend names its state directory in the pipeline's environment as
//     BENCHCTL_SIM_DIR=<dir> (Backend.ChildEnv).
//   - It writes <dir>/gpus.json, the simulated machine:
//     {"gpus":[{"index":0,"uuid":"GPU-…","name":"benchctl simulated GPU","memory_total":85899345920}]}.
//     UUIDs are derived from the index, so they are the same on every run.
//   - A process using simulated GPUs writes <dir>/proc-<pid>.json atomically
//     (a temporary file in the same directory, then rename):
//     {"pid":123,"gpus":{"0":{"used":1073741824,"util":85,"mem_util":40}},"peak":{"0":2147483648}}.
//     "peak" is the process's own running maximum per GPU, what NVML accounting
//     reports. The file is rewritten whenever the usage changes.
//   - As with the driver, a process's memory is freed when it exits: Sample counts
//     only files whose pid is alive (/proc/<pid>/stat exists and its state is not
//     Z or X). Files of ended processes stay for AccountedPeaks.
//   - A process may append lines {"gpu":0,"kind":"xid","data":79,"message":"…"}
//     to <dir>/events.jsonl; WatchEvents tails it.
//   - <dir>/lost-<index> existing makes Sample report that GPU lost (fault
//     injection, Backend.SetLost): no sample for it, and an error wrapping
//     probes.ErrGPULost.
//
// Processes take part through Proc (FromEnv, Set, Event, Close), which keeps
// the running peak and writes the file; MemoryTotal and ReadGPUs read gpus.json.
package sim
