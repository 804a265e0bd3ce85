// Waiting for a message on a client session in the integration tests: bounded, by message type.
#pragma once

#include <optional>
#include <string>

#include "session.hpp"

namespace hb::test {

// The next message of type `t` within about 10 s (others are skipped).
inline std::optional<Message> next_of(client::Session& s, const std::string& t) {
    for (int i = 0; i < 200; ++i) {
        auto m = s.receive(50);
        if (!m.ok()) return std::nullopt;
        if (*m && (*m)->get("t") == std::optional<std::string_view>(t)) return std::move(**m);
    }
    return std::nullopt;
}

}  // namespace hb::test
