#include "config/time_value.hpp"

#include <cctype>
#include <cmath>
#include <string>

namespace hb::config {

std::optional<std::int64_t> parse_time_ms(std::string_view text) {
    std::size_t i = 0;
    bool digits = false, dot = false;
    for (; i < text.size(); ++i) {
        const char c = text[i];
        if (std::isdigit(static_cast<unsigned char>(c))) {
            digits = true;
        } else if (c == '.' && !dot) {
            dot = true;
        } else {
            break;
        }
    }
    if (!digits || i > 15) return std::nullopt;
    const double number = std::stod(std::string(text.substr(0, i)));
    std::string_view unit = text.substr(i);
    while (!unit.empty() && (unit.front() == ' ' || unit.front() == '\t')) unit.remove_prefix(1);
    double ms = 0;
    if (unit.empty()) {
        ms = number * 1000.0;
    } else if (unit == "ms") {
        ms = number;
    } else if (unit == "us" || unit == "usec") {
        ms = number / 1000.0;
    } else {
        return std::nullopt;
    }
    if (ms > 1e12) return std::nullopt;
    return static_cast<std::int64_t>(std::llround(ms));
}

std::optional<bool> parse_bool(std::string_view text) {
    std::string t;
    for (char c : text) t += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (t == "true" || t == "on" || t == "yes" || t == "y" || t == "1") return true;
    if (t == "false" || t == "off" || t == "no" || t == "n" || t == "0") return false;
    return std::nullopt;
}

}  // namespace hb::config
