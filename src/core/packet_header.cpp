#include "core/packet_header.hpp"

#include <charconv>

namespace hb::core {

namespace {

void take_string(const Field& f, std::optional<std::string_view>& slot) {
    if (!slot && f.type == FieldType::string) slot = f.bytes;
}

void take_binary(const Field& f, std::optional<std::string_view>& slot) {
    if (!slot && f.type == FieldType::binary) slot = f.bytes;
}

void take_hex(const Field& f, std::optional<std::uint64_t>& slot, bool& seen, bool& bad) {
    if (seen) return;
    seen = true;
    std::uint64_t v = 0;
    const char* end = f.bytes.data() + f.bytes.size();
    auto [p, ec] = std::from_chars(f.bytes.data(), end, v, 16);
    if (f.type != FieldType::string || f.bytes.empty() || ec != std::errc() || p != end) {
        bad = true;
        return;
    }
    slot = v;
}

}  // namespace

PacketHeader PacketHeader::read(const Message& msg) {
    PacketHeader h;
    bool seen_ts = false, seen_hg = false, seen_seq = false, seen_dt = false;
    for (const Field& f : msg.fields()) {
        const std::string& n = f.name;
        switch (n.size()) {
            case 1:
                if (n[0] == 't') take_string(f, h.type);
                break;
            case 2:
                if (n == "st") take_string(f, h.status);
                else if (n == "ts") take_hex(f, h.ts, seen_ts, h.bad_number);
                else if (n == "hg") take_hex(f, h.generation, seen_hg, h.bad_number);
                else if (n == "dt") take_hex(f, h.deadtime_ms, seen_dt, h.bad_number);
                break;
            case 3:
                if (n == "src") take_string(f, h.src);
                else if (n == "seq") take_hex(f, h.seq, seen_seq, h.bad_number);
                break;
            case 4:
                if (n == "dest") take_string(f, h.dest);
                break;
            case 7:
                if (n == "srcuuid") take_binary(f, h.srcuuid);
                break;
            case 8:
                if (n == "destuuid") take_binary(f, h.destuuid);
                break;
            default:
                break;
        }
    }
    return h;
}

}  // namespace hb::core
