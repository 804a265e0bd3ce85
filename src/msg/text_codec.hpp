// heartbeat's text ("classic") encoding: ">>>\n" name=value lines "<<<\n".
#pragma once

#include <string>
#include <string_view>

#include "common/result.hpp"
#include "msg/message.hpp"

namespace hb {

// The byte that stands for '\n' inside string values (heartbeat's SPECIAL_SYM).
inline constexpr char kTextNewlineSymbol = 0x13;

Result<std::string> encode_text(const Message& msg);
// The fields without the markers and without any "auth" field: what heartbeat's inner packet
// signature (and its old-style authentication) is computed over.
Result<std::string> encode_text_unsigned_body(const Message& msg);

// Decodes one text message. Input may end with NULs (IPC frames carry one) or anything after the
// end marker, which heartbeat ignores too.
Result<Message> decode_text(std::string_view text);

}  // namespace hb
