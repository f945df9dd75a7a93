#!/usr/bin/env bash
# Starts a Slurm cluster on this one machine for the tests: munged, slurmctld
# and one slurmd per node name (Slurm's multiple-slurmd: every node is
# localhost on its own port), GPUs as GRES without device files, no cgroup
# plugins, no accounting database. Installs Debian's packages when they are
# missing. Idempotent: a cluster already answering is left as it is.
#
#   .ci/slurm-up.sh            start (or check) the cluster
#   .ci/slurm-up.sh down       stop it
#
# Everything lives under $BENCHCTL_SLURM_DIR (default /var/tmp/benchctl-slurm);
# the tests find the cluster through the slurm.conf there, which this script
# prints as SLURM_CONF=... on its last line.
set -euo pipefail

dir=${BENCHCTL_SLURM_DIR:-/var/tmp/benchctl-slurm}
nodes=${BENCHCTL_SLURM_NODES:-2}
gpus=${BENCHCTL_SLURM_GPUS:-4}
conf=$dir/slurm.conf
export SLURM_CONF=$conf

say() { echo "slurm-up: $*" >&2; }

# stop ends the daemons this script started, by the pids they wrote, and
# waits for them to go.
stop() {
	local pids=()
	for f in "$dir"/*.pid; do
		[ -f "$f" ] || continue
		pids+=("$(cat "$f")")
		rm -f "$f"
	done
	[ ${#pids[@]} -gt 0 ] || return 0
	kill "${pids[@]}" 2>/dev/null || true
	for _ in $(seq 50); do
		kill -0 "${pids[@]}" 2>/dev/null || return 0
		sleep 0.1
	done
	kill -9 "${pids[@]}" 2>/dev/null || true
}

if [ "${1:-}" = down ]; then
	stop
	exit 0
fi

if [ "$(id -u)" != 0 ]; then
	say "must run as root (it installs packages and starts daemons)"
	exit 1
fi

if ! command -v slurmctld >/dev/null || ! command -v slurmd >/dev/null || ! command -v munged >/dev/null || ! command -v sbatch >/dev/null; then
	say "installing slurmctld, slurmd, slurm-client and munge"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq </dev/null
	apt-get install -y -qq --no-install-recommends slurmctld slurmd slurm-client munge </dev/null >/dev/null
fi

mkdir -p "$dir/state" "$dir/spool" "$dir/log"

# munge: a key, its run dir, the daemon as its own user.
if [ ! -s /etc/munge/munge.key ]; then
	dd if=/dev/urandom bs=1 count=1024 of=/etc/munge/munge.key 2>/dev/null
fi
chown munge:munge /etc/munge/munge.key
chmod 0400 /etc/munge/munge.key
mkdir -p /run/munge /var/log/munge /var/lib/munge
chown munge:munge /run/munge /var/log/munge /var/lib/munge
if ! munge -n </dev/null >/dev/null 2>&1; then
	runuser -u munge -- /usr/sbin/munged --force
	for _ in $(seq 50); do munge -n </dev/null >/dev/null 2>&1 && break; sleep 0.1; done
fi
munge -n </dev/null | unmunge >/dev/null

cpus=$(nproc)
node_names=()
{
	cat <<CONF
# Written by .ci/slurm-up.sh: a test cluster on one machine.
ClusterName=benchctl
SlurmctldHost=localhost
SlurmctldPort=16817
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool/%n
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd-%n.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd-%n.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
MpiDefault=none
ReturnToService=2
GresTypes=gpu
# Finished jobs stay visible to squeue for an hour: with no accounting
# database, that is where their final state is read.
MinJobAge=3600
KillWait=5
SchedulerParameters=batch_sched_delay=0,sched_min_interval=100000
CONF
	for i in $(seq "$nodes"); do
		echo "NodeName=n$i NodeHostname=localhost NodeAddr=127.0.0.1 Port=$((17000 + i)) CPUs=$cpus Gres=gpu:$gpus State=UNKNOWN"
		node_names+=("n$i")
	done
	all=$(IFS=,; echo "${node_names[*]}")
	echo "PartitionName=main Nodes=$all Default=YES MaxTime=INFINITE State=UP"
	echo "PartitionName=first Nodes=n1 MaxTime=INFINITE State=UP"
	echo "PartitionName=last Nodes=n$nodes MaxTime=INFINITE State=UP"
} >"$conf.new"

# A cluster already running this very configuration, every node answering,
# is left as it is (jobs and all).
if [ -f "$conf" ] && cmp -s "$conf" "$conf.new" && [ -f "$dir/gres.conf" ] &&
	states=$(timeout 10 sinfo -h -N -p main -o '%T' 2>/dev/null) && [ -n "$states" ] &&
	! grep -qvE '^(idle|mixed|allocated|completing)$' <<<"$states"; then
	rm -f "$conf.new"
	say "already up"
	echo "SLURM_CONF=$conf"
	exit 0
fi
stop
mv "$conf.new" "$conf"
# GPUs with stand-in device files: Slurm 22.05 drops a GPU that has no File=
# ("Removing file-less GPU"), so each is a twin of /dev/null (or, where mknod
# is refused, a plain file, which slurmd logs as an error and still counts).
# Slurm allocates them and sets CUDA_VISIBLE_DEVICES; benchctl's sim backend
# plays the GPUs themselves.
mkdir -p "$dir/dev"
for i in $(seq 0 $((gpus - 1))); do
	[ -e "$dir/dev/gpu$i" ] || mknod "$dir/dev/gpu$i" c 1 3 2>/dev/null || touch "$dir/dev/gpu$i"
done
echo "Name=gpu File=$dir/dev/gpu[0-$((gpus - 1))]" >"$dir/gres.conf"
# No cgroup.conf: with proctrack/linuxproc and task/none no cgroup is made.
rm -f "$dir/cgroup.conf"

/usr/sbin/slurmctld -f "$conf"
for n in "${node_names[@]}"; do
	mkdir -p "$dir/spool/$n"
	/usr/sbin/slurmd -f "$conf" -N "$n"
done

for _ in $(seq 100); do
	idle=$(sinfo -h -N -p main -o '%N %T' 2>/dev/null | grep -c idle || true)
	[ "$idle" -ge "$nodes" ] && break
	sleep 0.2
done
if [ "${idle:-0}" -lt "$nodes" ]; then
	say "the nodes did not come up:"
	sinfo -N -l >&2 || true
	tail -n 20 "$dir"/log/*.log >&2 || true
	exit 1
fi
say "up: ${nodes} nodes (${node_names[*]}), $gpus GPUs each, partitions main (all), first (n1) and last (n$nodes)"
echo "SLURM_CONF=$conf"
