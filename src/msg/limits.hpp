// Size limits of heartbeat's messages (clplumbing/ipc.h and ha_msg.h); every codec enforces them.
#pragma once

#include <cstddef>

namespace hb {

inline constexpr std::size_t kMaxWireBytes = 256 * 1024;          // MAXMSG: largest encoded message
inline constexpr std::size_t kMaxUncompressedBytes = 2048 * 1024;  // MAXUNCOMPRESSED: in memory
inline constexpr int kMaxDepth = 16;                               // MAXDEPTH: nested struct levels
inline constexpr std::size_t kMaxFields = 8192;                    // ours: heartbeat has none
inline constexpr std::size_t kMaxNameBytes = 256;                  // ours: heartbeat names are short
// Ours: the largest message (as a client encodes it) that goes in one UDP datagram (65,507 bytes at
// most over IPv4) as it is, with room for the fields the daemon adds (src, seq, hg, ts, ld, ttl,
// srcuuid, from_id, to_id, client_gen, auth, the trailer). Larger ones go compressed, or in
// fragments between our nodes (core/carriage.hpp), or are refused with the reason.
inline constexpr std::size_t kMaxOneDatagramBytes = 63 * 1024;
// The largest packet the daemon sends in one datagram, a little under UDP's 65,507 bytes.
inline constexpr std::size_t kMaxDatagramBytes = 65400;

}  // namespace hb
