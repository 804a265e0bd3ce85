#include "msg/packed_list.hpp"

#include <charconv>

#include "msg/limits.hpp"

namespace hb {

void append_netstring_head(std::string& out, std::size_t payload_size) {
    char digits[24];
    auto [end, ec] = std::to_chars(digits, digits + sizeof digits, payload_size);
    (void)ec;  // a size_t always fits
    out.append(digits, end);
    out += ':';
}

void append_netstring(std::string& out, std::string_view payload) {
    append_netstring_head(out, payload.size());
    out += payload;
    out += ',';
}

std::optional<Netstring> read_netstring(std::string_view text) {
    std::size_t colon = text.find(':');
    // Lengths are decimal digits only; 7 digits exceed any message we accept.
    if (colon == std::string_view::npos || colon == 0 || colon > 7) return std::nullopt;
    // No leading zeros: heartbeat never writes them, and one message must have one encoding.
    if (text[0] == '0' && colon > 1) return std::nullopt;
    std::size_t len = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + colon, len, 10);
    if (ec != std::errc() || end != text.data() + colon || len > kMaxUncompressedBytes) {
        return std::nullopt;
    }
    if (text.size() - colon - 1 < len + 1 || text[colon + 1 + len] != ',') return std::nullopt;
    return Netstring{text.substr(colon + 1, len), colon + len + 2};
}

std::string pack_list(const std::vector<std::string>& items) {
    std::string out;
    for (const auto& item : items) append_netstring(out, item);
    return out;
}

std::optional<std::vector<std::string>> unpack_list(std::string_view packed) {
    std::vector<std::string> items;
    while (!packed.empty()) {
        auto ns = read_netstring(packed);
        if (!ns || ns->payload.empty() || items.size() >= kMaxFields) return std::nullopt;
        items.emplace_back(ns->payload);
        packed.remove_prefix(ns->consumed);
    }
    if (items.empty()) return std::nullopt;
    return items;
}

}  // namespace hb
