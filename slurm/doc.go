// Package slurm spreads a benchctl campaign over a Slurm cluster with Slurm
// itself: it writes one sbatch job array (one task a scenario, and a
// partition), a dependent job that merges the tasks' results, and reads back
// how each task went from squeue, sacct where accounting is there, and what
// each task recorded in its own folder. There is no scheduler here: Slurm
// places, runs, limits and ends the tasks.
//
// A campaign lives in one folder on a disk every node sees:
//
//	campaign.json      what was asked and every submission (the manifest)
//	campaign.sbatch    the task script, one array task a scenario and partition
//	merge.sbatch       the merge job, run after every task (afterany)
//	tasks/NNN-NAME/    a task's results dir: results.json, invocation.json, task.json
//	logs/JOB_TASK.out  Slurm's output of each task, a file per attempt
//	merged/            the merged result: results.json, junit.xml, report.html
package slurm
