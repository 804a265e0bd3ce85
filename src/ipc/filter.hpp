// heartbeat's API filter bits (spec §5.3): which treatments of the messages a daemon sees reach a
// client. The library sets them (setfmode -> setfilter), the daemon's API server applies them.
#pragma once

namespace hb::ipc {

inline constexpr unsigned kKeepIt = 0x01;     // for us: client data, status changes (the default)
inline constexpr unsigned kNoChange = 0x02;   // heartbeats that changed nothing
inline constexpr unsigned kDropIt = 0x04;     // packets for other nodes
inline constexpr unsigned kDuplicate = 0x08;  // packets seen before
inline constexpr unsigned kApiCall = 0x10;
inline constexpr unsigned kProtocol = 0x20;
inline constexpr unsigned kAllTreatments = 0x3f;

}  // namespace hb::ipc
