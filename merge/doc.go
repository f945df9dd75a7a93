// Package merge combines the results of several benchctl runs (the tasks of a
// Slurm campaign, or results copied from machines without Slurm) into one
// result.Report: every suite keyed by the node and GPUs it ran on, each node's
// environment kept, each task's outcome recorded (also a task that left no
// result), and the figures measured on several nodes side by side.
//
// Load reads results; Merge is pure and does no I/O, so the same merge serves
// Slurm (package slurm reads a campaign into Inputs) and anything else that can
// put one results dir per task on a shared disk.
package merge
