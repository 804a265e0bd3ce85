// Text decoder: never crashes, and what it accepts survives encode -> decode unchanged.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "msg/text_codec.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view input(reinterpret_cast<const char*>(data), size);
    auto msg = hb::decode_text(input);
    if (!msg) return 0;
    auto text = hb::encode_text(*msg);
    if (!text) return 0;  // e.g. a nested string holding its depth's newline byte
    auto again = hb::decode_text(*text);
    if (!again || !(*again == *msg)) __builtin_trap();
    return 0;
}
