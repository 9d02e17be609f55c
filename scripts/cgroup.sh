#!/usr/bin/env bash
# Per-service CPU/memory limits for local benchmarks, like docker compose's
# deploy.resources.limits: sourced by scripts/bench.sh. Detects at run time cgroup v2
# (cpu.max, memory.max) or v1 (cpu.cfs_quota_us, memory.limit_in_bytes, cpuacct), creates
# one group per service under rinha-bench-<pid>/, moves processes in and reads back CPU seconds,
# peak memory and throttling. Without usable cgroups (CG_MODE=none) it only measures, from
# /proc. Functions: cg_detect, cg_create NAME CPUS MEM_MB, cg_add NAME PID..., cg_stats NAME
# PID..., cg_usage_ns NAME PID..., cg_remove NAME, proc_stats PID...

CG_PARENT=${CG_PARENT:-rinha-bench-$$}  # per bench run: two benches at once must not share groups
CG_MODE=none
CG_WHY=""
CG_V1_CPU=/sys/fs/cgroup/cpu
CG_V1_ACCT=/sys/fs/cgroup/cpuacct
CG_V1_MEM=/sys/fs/cgroup/memory
CG_V2=/sys/fs/cgroup
CG_CLK_TCK=$(getconf CLK_TCK)

cg_detect() {
  if [ "${NO_CGROUPS:-0}" = 1 ]; then CG_MODE=none; CG_WHY="NO_CGROUPS=1"; return; fi
  if [ "$(id -u)" -ne 0 ]; then CG_MODE=none; CG_WHY="not root"; return; fi
  if [ -f $CG_V2/cgroup.controllers ] && grep -qw cpu $CG_V2/cgroup.controllers \
     && grep -qw memory $CG_V2/cgroup.controllers; then
    grep -qw cpu $CG_V2/cgroup.subtree_control 2>/dev/null && grep -qw memory $CG_V2/cgroup.subtree_control \
      || echo "+cpu +memory" > $CG_V2/cgroup.subtree_control 2>/dev/null || true
    if mkdir -p $CG_V2/$CG_PARENT 2>/dev/null \
       && echo "+cpu +memory" > $CG_V2/$CG_PARENT/cgroup.subtree_control 2>/dev/null; then
      CG_MODE=v2; return
    fi
    CG_WHY="cgroup v2 present but $CG_V2 is not writable with cpu+memory controllers"
  elif [ -f $CG_V1_CPU/cpu.cfs_quota_us ] && [ -f $CG_V1_MEM/memory.limit_in_bytes ]; then
    if mkdir -p $CG_V1_CPU/$CG_PARENT $CG_V1_MEM/$CG_PARENT 2>/dev/null; then
      [ -f $CG_V1_CPU/cpuacct.usage ] && CG_V1_ACCT=$CG_V1_CPU   # cpu,cpuacct co-mounted
      mkdir -p $CG_V1_ACCT/$CG_PARENT 2>/dev/null || true
      CG_MODE=v1; return
    fi
    CG_WHY="cgroup v1 present but not writable"
  else
    CG_WHY="no cgroup cpu/memory controller found"
  fi
  CG_MODE=none
}

# cg_create NAME CPUS MEM_MB   (CPUS "-" = unlimited, MEM_MB 0 = unlimited)
cg_create() {
  local name=$1 cpus=$2 mem_mb=$3 quota=-1
  [ "$cpus" != "-" ] && quota=$(awk -v c="$cpus" 'BEGIN { printf "%d", c * 100000 }')
  case $CG_MODE in
    v2)
      local d=$CG_V2/$CG_PARENT/$name
      mkdir -p "$d"
      if [ "$quota" -gt 0 ]; then echo "$quota 100000" > "$d/cpu.max"; else echo "max 100000" > "$d/cpu.max"; fi
      if [ "$mem_mb" -gt 0 ]; then echo $((mem_mb * 1024 * 1024)) > "$d/memory.max"; else echo max > "$d/memory.max"; fi
      [ -f "$d/memory.swap.max" ] && echo 0 > "$d/memory.swap.max" 2>/dev/null || true
      ;;
    v1)
      mkdir -p "$CG_V1_CPU/$CG_PARENT/$name" "$CG_V1_MEM/$CG_PARENT/$name" "$CG_V1_ACCT/$CG_PARENT/$name"
      echo 100000 > "$CG_V1_CPU/$CG_PARENT/$name/cpu.cfs_period_us"
      echo "$quota" > "$CG_V1_CPU/$CG_PARENT/$name/cpu.cfs_quota_us"
      local m=$CG_V1_MEM/$CG_PARENT/$name
      echo 3 > "$m/memory.move_charge_at_immigrate" 2>/dev/null || true
      if [ "$mem_mb" -gt 0 ]; then
        echo $((mem_mb * 1024 * 1024)) > "$m/memory.limit_in_bytes"
        [ -f "$m/memory.memsw.limit_in_bytes" ] && echo $((mem_mb * 1024 * 1024)) > "$m/memory.memsw.limit_in_bytes" 2>/dev/null || true
      fi
      ;;
  esac
  return 0
}

# cg_add NAME PID...  (whole processes: every thread moves with cgroup.procs)
cg_add() {
  local name=$1; shift
  local p
  for p in "$@"; do
    case $CG_MODE in
      v2) echo "$p" > "$CG_V2/$CG_PARENT/$name/cgroup.procs" ;;
      v1) for h in "$CG_V1_CPU" "$CG_V1_ACCT" "$CG_V1_MEM"; do echo "$p" > "$h/$CG_PARENT/$name/cgroup.procs"; done ;;
    esac
  done
}

# proc_stats PID...: "cpu_s peak_mb" summed over live processes (the fallback without cgroups).
proc_stats() {
  local tck cpu=0 peak=0 p t h
  tck=$(getconf CLK_TCK)
  for p in "$@"; do
    [ -r "/proc/$p/stat" ] || continue
    t=$(awk '{ print $14 + $15 }' "/proc/$p/stat" 2>/dev/null || echo 0)
    h=$(awk '/VmHWM/ { print $2 }' "/proc/$p/status" 2>/dev/null || echo 0)
    cpu=$((cpu + t)); peak=$((peak + ${h:-0}))
  done
  awk -v c="$cpu" -v t="$tck" -v k="$peak" 'BEGIN { printf "%.2f %.1f", c / t, k / 1024 }'
}

# cg_stats NAME PID...: one line "cpu_s=.. peak_mb=.. periods=.. throttled_periods=.. throttled_s=..
# oom_kills=.." (periods: the CFS periods in which the group ran; n/a without cgroups)
cg_stats() {
  local name=$1; shift
  case $CG_MODE in
    v2)
      local d=$CG_V2/$CG_PARENT/$name peak="n/a"
      [ -f "$d/memory.peak" ] && peak=$(awk '{ printf "%.1f", $1 / 1048576 }' "$d/memory.peak")
      awk -v peak="$peak" -v oom="$(awk '/^oom_kill / { print $2 }' "$d/memory.events" 2>/dev/null)" '
        /^usage_usec/ { u = $2 } /^nr_periods/ { p = $2 } /^nr_throttled/ { n = $2 } /^throttled_usec/ { t = $2 }
        END { printf "cpu_s=%.2f peak_mb=%s periods=%d throttled_periods=%d throttled_s=%.2f oom_kills=%d\n", u / 1e6, peak, p, n, t / 1e6, oom + 0 }' \
        "$d/cpu.stat"
      ;;
    v1)
      local usage peak oom
      usage=$(cat "$CG_V1_ACCT/$CG_PARENT/$name/cpuacct.usage")
      peak=$(cat "$CG_V1_MEM/$CG_PARENT/$name/memory.max_usage_in_bytes")
      oom=$(awk '/^oom_kill / { print $2 }' "$CG_V1_MEM/$CG_PARENT/$name/memory.oom_control" 2>/dev/null)
      awk -v u="$usage" -v p="$peak" -v oom="${oom:-0}" '
        /^nr_periods/ { np = $2 } /^nr_throttled/ { n = $2 } /^throttled_time/ { t = $2 }
        END { printf "cpu_s=%.2f peak_mb=%.1f periods=%d throttled_periods=%d throttled_s=%.2f oom_kills=%d\n", u / 1e9, p / 1048576, np, n, t / 1e9, oom }' \
        "$CG_V1_CPU/$CG_PARENT/$name/cpu.stat"
      ;;
    *)
      local s
      s=$(proc_stats "$@")
      echo "cpu_s=${s% *} peak_mb=${s#* } periods=n/a throttled_periods=n/a throttled_s=n/a oom_kills=n/a"
      ;;
  esac
}

# cg_usage_ns NAME PID...: CPU time the group (without cgroups: the live PIDs) used so far,
# in ns. Sampled every second during a run, so it reads with builtins only.
cg_usage_ns() {
  local name=$1 u k v p line
  shift
  case $CG_MODE in
    v1) read -r u <"$CG_V1_ACCT/$CG_PARENT/$name/cpuacct.usage"; echo "$u";;
    v2)
      while read -r k v; do [ "$k" = usage_usec ] && { echo $((v * 1000)); return; }; done <"$CG_V2/$CG_PARENT/$name/cpu.stat"
      echo 0;;
    *)
      local ticks=0 f
      for p in "$@"; do
        { read -r line <"/proc/$p/stat"; } 2>/dev/null || continue
        read -r -a f <<<"${line##*) }"   # fields after "(comm)": state=0 ... utime=11 stime=12
        ticks=$((ticks + f[11] + f[12]))
      done
      echo $((ticks * 1000000000 / CG_CLK_TCK));;
  esac
}

# cg_remove NAME: processes still inside go back to the root group first.
cg_remove() {
  local name=$1 p h
  case $CG_MODE in
    v2)
      local d=$CG_V2/$CG_PARENT/$name
      [ -d "$d" ] || return 0
      for p in $(cat "$d/cgroup.procs" 2>/dev/null); do echo "$p" > $CG_V2/cgroup.procs 2>/dev/null || true; done
      rmdir "$d" 2>/dev/null || true
      ;;
    v1)
      for h in "$CG_V1_CPU" "$CG_V1_ACCT" "$CG_V1_MEM"; do
        [ -d "$h/$CG_PARENT/$name" ] || continue
        for p in $(cat "$h/$CG_PARENT/$name/cgroup.procs" 2>/dev/null); do echo "$p" > "$h/cgroup.procs" 2>/dev/null || true; done
        rmdir "$h/$CG_PARENT/$name" 2>/dev/null || true
      done
      ;;
  esac
  return 0
}
