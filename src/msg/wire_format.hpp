// Choosing between the two encodings, as heartbeat's msg2wirefmt does, and decoding either.
#pragma once

#include <string>
#include <string_view>

#include "common/result.hpp"
#include "msg/message.hpp"

namespace hb {

enum class WireFormat { text, netstring };

// Struct and compressed fields cannot be carried in text: such messages always go as netstring.
bool must_use_netstring(const Message& msg);
WireFormat choose_format(const Message& msg, WireFormat preferred);

Result<std::string> encode(const Message& msg, WireFormat format);

// Decodes text (">>>") or netstring ("###") by the leading marker. For netstring, bytes after the
// end marker (the UDP authentication trailer) are ignored here; see auth/packet_signer.
Result<Message> decode(std::string_view bytes);

}  // namespace hb
