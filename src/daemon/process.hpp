// The daemon as a process: detaching from the terminal, realtime scheduling, telling systemd.
#pragma once

#include <string>
#include <string_view>

namespace hb::daemon {

// fork, setsid, stdio to /dev/null; returns in the daemon child only.
void detach();

// heartbeat's `realtime on`: SCHED_RR and locked memory when permitted; the reason when not.
std::string enable_realtime();

// sd_notify without libsystemd: one datagram to $NOTIFY_SOCKET; nothing when it is unset.
void notify_systemd(std::string_view state);

}  // namespace hb::daemon
