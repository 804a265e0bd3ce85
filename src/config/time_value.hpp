// heartbeat's time values: a number (decimals allowed) of seconds, or with "ms", or "us"/"usec".
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace hb::config {

// Milliseconds, rounded to the nearest; nullopt for anything else ("1s" is not heartbeat syntax).
std::optional<std::int64_t> parse_time_ms(std::string_view text);
std::optional<bool> parse_bool(std::string_view text);

}  // namespace hb::config
