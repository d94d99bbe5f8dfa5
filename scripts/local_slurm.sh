#!/usr/bin/env bash
# A real single-node SLURM cluster on localhost, for testing the cluster path (needs root and
# Debian's slurm-wlm and munge):
#
#   eval "$(bash scripts/local_slurm.sh start DIR)"   # prints: export SLURM_CONF=DIR/slurm.conf
#   sbatch --wrap hostname; sinfo
#   bash scripts/local_slurm.sh stop DIR              # stops only the daemons it started
#
# Everything lives under DIR (config, state, spool, logs, pid files); nothing in /etc is
# changed except creating /etc/munge/munge.key when there is none.
set -euo pipefail

cmd=${1:?usage: local_slurm.sh start|stop DIR}
dir=${2:?usage: local_slurm.sh start|stop DIR}
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)

stop() {
  for f in slurmd slurmctld munged; do
    if [[ -f "$dir/$f.pid" ]]; then
      pid=$(cat "$dir/$f.pid")
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -9 "$pid" 2>/dev/null || true
      rm -f "$dir/$f.pid"
    fi
  done
}

if [[ $cmd == stop ]]; then
  stop
  exit 0
fi
[[ $cmd == start ]] || { echo "usage: local_slurm.sh start|stop DIR" >&2; exit 2; }

for b in munged slurmctld slurmd sbatch sinfo; do
  command -v "$b" >/dev/null || { echo "error: $b not found (install slurm-wlm and munge)" >&2; exit 2; }
done
[[ $(id -u) -eq 0 ]] || { echo "error: the local cluster needs root (SlurmUser=root)" >&2; exit 2; }

host=$(hostname -s)
cpus=$(nproc)
mem=$(awk '/MemTotal/ {print int($2 / 1024 * 0.9)}' /proc/meminfo)
mkdir -p "$dir/state" "$dir/spool" "$dir/log" "$dir/munge"

# munge: our own daemon on our own socket
if [[ ! -s /etc/munge/munge.key ]]; then
  mkdir -p /etc/munge
  dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 status=none
  chmod 400 /etc/munge/munge.key
fi
sock="$dir/munge/munge.socket"
munged --force --socket="$sock" --pid-file="$dir/munged.pid" --log-file="$dir/log/munged.log" \
  --seed-file="$dir/munge/seed" --key-file=/etc/munge/munge.key

cat >"$dir/slurm.conf" <<EOF
ClusterName=local
SlurmctldHost=$host
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$sock
CredType=cred/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/backfill
MpiDefault=none
ReturnToService=2
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
SlurmctldTimeout=30
SlurmdTimeout=30
InactiveLimit=0
MinJobAge=300
KillWait=5
NodeName=$host CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP OverSubscribe=NO
EOF
export SLURM_CONF="$dir/slurm.conf"
slurmctld -f "$SLURM_CONF"
slurmd -f "$SLURM_CONF"
for _ in $(seq 100); do
  if sinfo -h -o %T 2>/dev/null | grep -qE '^(idle|mixed|allocated)'; then
    echo "export SLURM_CONF=$SLURM_CONF"
    exit 0
  fi
  sleep 0.2
done
echo "error: the local cluster did not come up; see $dir/log/" >&2
stop
exit 1
