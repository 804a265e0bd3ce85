// heartbeat's netstring encoding: "###\n" then "LEN:(T)name=value," per field, then "%%%\n".
// On the cluster wire an authentication netstring follows the end marker (see src/auth).
#pragma once

#include <string>
#include <string_view>

#include "common/result.hpp"
#include "msg/message.hpp"

namespace hb {

Result<std::string> encode_netstring(const Message& msg);

struct NetstringDecoded {
    Message message;
    std::size_t consumed = 0;  // bytes up to and including "%%%\n"; what follows is the trailer
};
Result<NetstringDecoded> decode_netstring(std::string_view bytes);

}  // namespace hb
