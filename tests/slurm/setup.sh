#!/usr/bin/env bash
# Single-node Slurm (slurmctld + slurmd + munged on localhost) for kymsim's cluster tests.
# Usage (as root):  tests/slurm/setup.sh [up|down|status]     default: up
# Idempotent: "up" skips install/daemons that are already present/running.
# "down" stops only the daemons this script started (pids in $STATE/*.pid).
set -euo pipefail

STATE=${KYMSIM_SLURM_STATE:-/tmp/kymsim-slurm/run}   # pid files + logs of this script
CONF=/etc/slurm/slurm.conf                        # default path for Debian's slurm tools
SPOOL=/var/spool/kymsim-slurm
mkdir -p "$STATE"

alive() { [[ -s "$STATE/$1.pid" ]] && kill -0 "$(cat "$STATE/$1.pid")" 2>/dev/null; }

down() {
  # reverse start order; only pids this script recorded
  for d in slurmd slurmctld munged; do
    if alive "$d"; then
      pid=$(cat "$STATE/$d.pid"); kill "$pid"
      for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
      kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
      echo "stopped $d (pid $pid)"
    fi
    rm -f "$STATE/$d.pid"
  done
}

status() {
  for d in munged slurmctld slurmd; do
    if alive "$d"; then echo "$d running pid $(cat "$STATE/$d.pid")"; else echo "$d not running"; fi
  done
  sinfo 2>/dev/null || true
}

up() {
  [[ $(id -u) -eq 0 ]] || { echo "must run as root" >&2; exit 1; }
  # 1. packages (no systemd needed; Debian postinst does not start daemons without it)
  if ! command -v slurmctld >/dev/null || ! command -v slurmd >/dev/null \
     || ! command -v sbatch >/dev/null || ! command -v munged >/dev/null; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends slurmctld slurmd slurm-client munge >/dev/null
  fi

  # 2. munge key (package creates one; make sure it exists) + runtime dir
  if [[ ! -s /etc/munge/munge.key ]]; then
    dd if=/dev/urandom of=/etc/munge/munge.key bs=1 count=1024 status=none
  fi
  chown munge:munge /etc/munge/munge.key; chmod 400 /etc/munge/munge.key
  install -d -o munge -g munge -m 755 /run/munge
  install -d -o munge -g munge -m 700 /var/lib/munge /var/log/munge
  install -d -m 755 "$SPOOL/ctld" "$SPOOL/d" /etc/slurm

  # 3. slurm.conf (node line from slurmd -C; NodeAddr=127.0.0.1 avoids DNS)
  node_line=$(slurmd -C | head -1)           # NodeName=<short hostname> CPUs=.. RealMemory=..
  node_name=$(sed -E 's/^NodeName=([^ ]+).*/\1/' <<<"$node_line")
  # trim RealMemory by 5% so small fluctuations never drain the node ("Low RealMemory")
  mem=$(sed -E 's/.*RealMemory=([0-9]+).*/\1/' <<<"$node_line")
  node_line=$(sed -E "s/RealMemory=[0-9]+/RealMemory=$((mem * 95 / 100))/" <<<"$node_line")
  cat > "$CONF.tmp" <<EOF
ClusterName=localcluster
SlurmctldHost=localhost
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
MpiDefault=none
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/backfill
ReturnToService=2
MailProg=/bin/true
StateSaveLocation=$SPOOL/ctld
SlurmdSpoolDir=$SPOOL/d
SlurmctldPidFile=$STATE/slurmctld.daemonpid
SlurmdPidFile=$STATE/slurmd.daemonpid
SlurmctldLogFile=$STATE/slurmctld.log
SlurmdLogFile=$STATE/slurmd.log
SlurmctldPort=6817
SlurmdPort=6818
SlurmctldTimeout=30
SlurmdTimeout=30
InactiveLimit=0
MinJobAge=300
KillWait=5
Waittime=0
$node_line NodeAddr=127.0.0.1 State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
EOF
  mv "$CONF.tmp" "$CONF"

  # 4. daemons in foreground (-F / -D) under nohup so $! is the daemon's own pid
  if ! alive munged; then
    nohup setpriv --reuid=munge --regid=munge --clear-groups \
      /usr/sbin/munged -F --pid-file=/run/munge/munged.pid >"$STATE/munged.log" 2>&1 &
    echo $! > "$STATE/munged.pid"
    for _ in $(seq 50); do munge -n 2>/dev/null | unmunge >/dev/null 2>&1 && break; sleep 0.2; done
    munge -n | unmunge >/dev/null || { cat "$STATE/munged.log"; exit 1; }
  fi
  if ! alive slurmctld; then
    nohup /usr/sbin/slurmctld -D >"$STATE/slurmctld.stdout" 2>&1 &
    echo $! > "$STATE/slurmctld.pid"
  fi
  if ! alive slurmd; then
    nohup /usr/sbin/slurmd -D >"$STATE/slurmd.stdout" 2>&1 &
    echo $! > "$STATE/slurmd.pid"
  fi

  # 5. wait (max 60 s) until the node is idle
  for _ in $(seq 120); do
    st=$(sinfo -h -n "$node_name" -o %t 2>/dev/null || true)
    [[ $st == idle* ]] && { echo "slurm up: node $node_name idle"; sinfo; return 0; }
    [[ $st == drain* || $st == down* ]] && scontrol update NodeName="$node_name" State=RESUME 2>/dev/null || true
    sleep 0.5
  done
  echo "node never became idle (state '${st:-?}')" >&2
  tail -n 20 "$STATE/slurmctld.log" "$STATE/slurmd.log" >&2 || true
  exit 1
}

case "${1:-up}" in
  up) up ;;
  down) down ;;
  status) status ;;
  *) echo "usage: $0 [up|down|status]" >&2; exit 2 ;;
esac
