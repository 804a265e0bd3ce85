// Size limits of heartbeat's messages (clplumbing/ipc.h and ha_msg.h); every codec enforces them.
#pragma once

#include <cstddef>
#include <string>

namespace hb {

inline constexpr std::size_t kMaxWireBytes = 256 * 1024;          // MAXMSG: largest encoded message
inline constexpr std::size_t kMaxUncompressedBytes = 2048 * 1024;  // MAXUNCOMPRESSED: in memory
inline constexpr int kMaxDepth = 16;                               // MAXDEPTH: nested struct levels
inline constexpr std::size_t kMaxFields = 8192;                    // ours: heartbeat has none
inline constexpr std::size_t kMaxNameBytes = 256;                  // ours: heartbeat names are short
// Ours: the largest client message (as encoded by the client) that is sent at all. Every message
// travels in one UDP datagram (65,507 bytes at most over IPv4), and the daemon adds its fields
// (src, seq, hg, ts, ld, ttl, srcuuid, from_id, to_id, client_gen, auth, the trailer) to it. Larger
// ones are refused, with the reason, by the client library and by the core, instead of being
// accepted and then lost: there is no compression and no fragmentation yet.
inline constexpr std::size_t kMaxOneDatagramBytes = 63 * 1024;
// Why such a message is refused, in the same words from the library and the daemon.
inline std::string too_big_for_one_datagram(std::size_t size) {
    return "a message of " + std::to_string(size) + " bytes does not fit in one datagram (at most " +
           std::to_string(kMaxOneDatagramBytes) + "; messages are neither compressed nor fragmented yet)";
}

}  // namespace hb
