// The daemon as a process: detaching from the terminal, realtime scheduling, telling systemd.
#pragma once

#include <string>
#include <string_view>

namespace hb::daemon {

// fork, setsid, stdio to /dev/null; returns in the daemon child only.
void detach();

// heartbeat's `realtime on`: SCHED_RR and locked memory when permitted; the reason when not.
std::string enable_realtime();

// The API socket's directory when it does not exist yet (/var/run/heartbeat on a fresh boot),
// as heartbeat's package makes it: mode 750, owned by hacluster:haclient, so that only root, that
// user and that group reach the socket (apiauth decides among them). Where those accounts do not
// exist, mode 755 and root's. An existing directory is left as it is.
void make_socket_dir(const std::string& dir);

// sd_notify without libsystemd: one datagram to $NOTIFY_SOCKET; nothing when it is unset.
void notify_systemd(std::string_view state);

}  // namespace hb::daemon
