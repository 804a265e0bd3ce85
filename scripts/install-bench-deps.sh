#!/usr/bin/env bash
# Installs (Debian 12, apt-get, noninteractive, only what is missing) what the hbbench side-by-side needs:
# corosync 3.1.7 + libcpg-dev (the CPG agent), heartbeat 3.0.6 + heartbeat-dev + cluster-glue-dev (the
# heartbeat3 agent), pkg-config (bench/agents/cpg.cmake), iproute2/procps/util-linux (ip netns, pkill-free
# process checks, unshare/nsenter) for the drivers in bench/systems/, and for S7's drivers (bench/systems/vip/)
# keepalived, pacemaker + pacemaker-cli-utils and resource-agents (IPaddr2).
#
# corosync's package starts a system corosync service on installation (Debian's sample config, 127.0.0.1).
# The benchmark runs its own corosync nodes in network namespaces and must not share the box with that one, so:
#   - during the installation a policy-rc.d that denies every service start is in place (the one already in
#     /usr/sbin is kept if there is one; a temporary one is removed afterwards),
#   - keepalived's and pacemaker's services are disabled the same way (neither may run outside the benchmark),
#   - afterwards, a system corosync that runs anyway (pid file /run/corosync.pid in the host's /run) is stopped
#     through its init script / systemd unit, and the service is disabled so that it does not come back.
# The bench drivers' corosync nodes have private /run directories, so they are never mistaken for it.
# Idempotent: a second run installs nothing and changes nothing.
set -euo pipefail

packages=(
  corosync libcpg-dev
  heartbeat heartbeat-dev cluster-glue-dev
  pkg-config
  iproute2 procps util-linux
  keepalived pacemaker pacemaker-cli-utils resource-agents
)

sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done

have_systemd() { [ -d /run/systemd/system ]; }

# The system corosync service, if one runs in the host's namespaces (its pid file is in the host's /run).
system_corosync_pid() {
  local f p
  for f in /run/corosync.pid /var/run/corosync.pid; do
    [ -r "$f" ] || continue
    p=$(tr -dc '0-9' <"$f")
    [ -n "$p" ] && [ "$(cat "/proc/$p/comm" 2>/dev/null)" = corosync ] && { echo "$p"; return 0; }
  done
  return 1
}

stop_system_corosync() {
  local p i
  if have_systemd; then
    $sudo systemctl stop corosync.service 2>/dev/null || true
    $sudo systemctl disable corosync.service 2>/dev/null || true
  else
    if [ -x /etc/init.d/corosync ]; then
      $sudo /etc/init.d/corosync stop >/dev/null 2>&1 || true
    fi
    # no systemd: keep the sysv links from starting it at boot
    if command -v update-rc.d >/dev/null 2>&1 && [ -x /etc/init.d/corosync ]; then
      $sudo update-rc.d corosync disable >/dev/null 2>&1 || true
    fi
  fi
  # still there (init script failed, no init system)? stop it by the pid of its own pid file
  if p=$(system_corosync_pid); then
    echo "stopping the system corosync service (pid $p)"
    $sudo kill -TERM "$p" 2>/dev/null || true
    for i in $(seq 1 100); do [ -d "/proc/$p" ] || break; sleep 0.1; done
    [ -d "/proc/$p" ] && $sudo kill -KILL "$p" 2>/dev/null || true
  fi
  if p=$(system_corosync_pid); then
    echo "install-bench-deps: the system corosync service (pid $p) is still running" >&2
    return 1
  fi
}

if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  tmp_policy=""
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    # deny service starts during the installation (invoke-rc.d / deb-systemd-invoke honour it)
    tmp_policy=/usr/sbin/policy-rc.d
    printf '#!/bin/sh\n# temporary, from install-bench-deps.sh\nexit 101\n' | $sudo tee "$tmp_policy" >/dev/null
    $sudo chmod 755 "$tmp_policy"
    trap '$sudo rm -f "$tmp_policy"' EXIT
  fi
  # another apt/dpkg may be running on a shared box: wait for its locks rather than fail
  for i in 1 2 3 4 5; do
    $sudo apt-get -o DPkg::Lock::Timeout=600 update -qq && break
    [ "$i" -eq 5 ] && { echo "install-bench-deps: apt-get update failed" >&2; exit 1; }
    sleep 10
  done
  $sudo apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${missing[@]}"
  if [ -n "$tmp_policy" ]; then
    $sudo rm -f "$tmp_policy"
    trap - EXIT
  fi
fi

# whether it was just installed or was already there: no system corosync may keep running
if system_corosync_pid >/dev/null || { have_systemd && systemctl is-active --quiet corosync.service 2>/dev/null; }; then
  stop_system_corosync
fi
# and not at the next boot either (systemd units, or the sysv rc links the packages install)
for service in corosync pacemaker keepalived; do
  if have_systemd; then
    if systemctl is-enabled --quiet "$service.service" 2>/dev/null; then
      $sudo systemctl stop "$service.service" 2>/dev/null || true
      $sudo systemctl disable "$service.service" 2>/dev/null || true
    fi
  elif compgen -G "/etc/rc[2-5].d/S*$service" >/dev/null && command -v update-rc.d >/dev/null 2>&1; then
    $sudo update-rc.d "$service" disable >/dev/null 2>&1 || true
  fi
done
exit 0
