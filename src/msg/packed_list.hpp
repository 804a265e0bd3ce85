// heartbeat's packed string list, the value of a list field in both encodings: "LEN:elem,"
// repeated, LEN in decimal bytes. Elements are never empty.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hb {

std::string pack_list(const std::vector<std::string>& items);
std::optional<std::vector<std::string>> unpack_list(std::string_view packed);

// One netstring "LEN:" at the start of text: the payload and the bytes consumed, or nullopt.
struct Netstring {
    std::string_view payload;
    std::size_t consumed = 0;
};
std::optional<Netstring> read_netstring(std::string_view text);
void append_netstring(std::string& out, std::string_view payload);
// Only "LEN:": the caller appends the payload of that size and the ','.
void append_netstring_head(std::string& out, std::size_t payload_size);

}  // namespace hb
