// Size limits of heartbeat's messages (clplumbing/ipc.h and ha_msg.h); every codec enforces them.
#pragma once

#include <cstddef>

namespace hb {

inline constexpr std::size_t kMaxWireBytes = 256 * 1024;          // MAXMSG: largest encoded message
inline constexpr std::size_t kMaxUncompressedBytes = 2048 * 1024;  // MAXUNCOMPRESSED: in memory
inline constexpr int kMaxDepth = 16;                               // MAXDEPTH: nested struct levels
inline constexpr std::size_t kMaxFields = 8192;                    // ours: heartbeat has none
inline constexpr std::size_t kMaxNameBytes = 256;                  // ours: heartbeat names are short

}  // namespace hb
