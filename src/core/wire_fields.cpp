#include "core/wire_fields.hpp"

#include <charconv>

namespace hb::core {

std::string hex(std::uint64_t value) {
    char buf[20];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value, 16);
    (void)ec;
    return std::string(buf, end);
}

bool is_nosequence_type(std::string_view type) { return type.substr(0, 3) == "NS_"; }

void stamp(Message& msg, const Stamp& s) {
    msg.set("src", s.node);
    msg.set_binary("srcuuid", s.uuid);
    if (s.seq) msg.set("seq", hex(*s.seq));
    msg.set("hg", hex(s.generation));
    msg.set("ts", hex(static_cast<std::uint64_t>(s.wall_seconds)));
    if (!s.load.empty()) msg.set("ld", s.load);
    msg.set("ttl", std::to_string(s.ttl));
}

}  // namespace hb::core
