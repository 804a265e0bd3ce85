// How a client message gets onto the wire: as it is; compressed into heartbeat's wrapper
// (msg/compression.hpp), which every 3.0.6 node reads; or compressed and cut into fragments
// (fragments.hpp), which only our nodes read. heartbeat 3.0.6 compresses a message when its
// encoding reaches MAXMSG (or, with traditional_compression, when it is above the threshold) and
// otherwise sends it as it is, so that anything above one datagram was lost there; we compress
// whatever does not fit one datagram, and fragment what still does not.
#pragma once

#include <cstddef>
#include <string>

#include "common/result.hpp"
#include "msg/compression.hpp"
#include "msg/message.hpp"

namespace hb::core {

enum class Carriage { plain, compressed, fragments };

struct CarriageRules {
    std::size_t packet_bytes;  // the largest encoded packet that goes out as one
    Compression compression = Compression::zlib;
    bool traditional = false;  // compress everything above `threshold`
    std::size_t threshold = 2 * 1024;
};

// Room left in a datagram for what is added after the decision: the core's fields when a client's
// message is judged before it is stamped, the driver's signature (inner auth field and trailer)
// when it is judged stamped.
inline constexpr std::size_t kStampAllowance = 512;
inline constexpr std::size_t kSignatureAllowance = 256;

struct Packed {
    Carriage how = Carriage::plain;
    Message packet;       // plain: the message; compressed: its wrapper; fragments: the wrapper cut below
    std::string encoded;  // the packet's netstring
};

// The form of `msg` on the wire, or an error when it cannot travel at all (its compressed form is
// MAXMSG or more).
Result<Packed> pack_for_wire(const Message& msg, const CarriageRules& rules);

}  // namespace hb::core
