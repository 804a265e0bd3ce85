#include "msg/wire_format.hpp"

#include "msg/netstring_codec.hpp"
#include "msg/text_codec.hpp"

namespace hb {

bool must_use_netstring(const Message& msg) {
    for (const Field& f : msg.fields()) {
        if (f.type == FieldType::structure || f.type == FieldType::compress ||
            f.type == FieldType::uncompress) {
            return true;
        }
    }
    return false;
}

WireFormat choose_format(const Message& msg, WireFormat preferred) {
    return must_use_netstring(msg) ? WireFormat::netstring : preferred;
}

Result<std::string> encode(const Message& msg, WireFormat format) {
    return choose_format(msg, format) == WireFormat::netstring ? encode_netstring(msg) : encode_text(msg);
}

Result<Message> decode(std::string_view bytes) {
    if (bytes.substr(0, 4) == ">>>\n") return decode_text(bytes);
    if (bytes.substr(0, 4) == "###\n") {
        auto decoded = decode_netstring(bytes);
        if (!decoded) return make_error(decoded.error());
        return std::move(decoded->message);
    }
    return make_error("neither a text ('>>>') nor a netstring ('###') message");
}

}  // namespace hb
