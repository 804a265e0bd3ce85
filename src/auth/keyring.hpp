// The keys of an authkeys file: up to 16 indexed entries, one of which signs what we send.
// Any entry verifies what we receive, so keys can be rotated by adding the new entry first.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>

#include "auth/method.hpp"

namespace hb::auth {

struct Key {
    int index = 0;
    Method method = Method::sha1;
    std::string secret;  // empty for crc
};

class Keyring {
public:
    static constexpr int kMaxIndex = 15;

    // False for an index out of range or a keyed method without a key.
    bool add(Key key);
    bool set_signing_index(int index);  // false when no entry has that index
    std::optional<int> signing_index() const { return signing_; }
    const Key* find(int index) const;

    // "N digest" for these bytes with the signing key; empty when no signing key is set.
    std::string sign(std::string_view data) const;
    // Checks a "N digest" token (heartbeat parses it with "%d %s") against these bytes.
    bool verify(std::string_view data, std::string_view token) const;

private:
    std::array<std::optional<Key>, kMaxIndex + 1> keys_;
    std::optional<int> signing_;
};

}  // namespace hb::auth
