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

    // False for an index out of range, a keyed method without a key, or a key that could not be
    // derived.
    bool add(Key key);
    bool set_signing_index(int index);  // false when no entry has that index
    std::optional<int> signing_index() const { return signing_; }
    const Key* find(int index) const;
    std::size_t size() const;  // entries
    // An encrypting entry's key, derived from its secret when it was added (aead.hpp); empty for
    // signing entries.
    std::string_view aead_key(int index) const;

    // The signing key, or nullptr when none is set.
    const Key* signing_key() const { return signing_ ? find(*signing_) : nullptr; }

    // "N digest" for these bytes with the signing key; empty when no signing key is set or it
    // encrypts (those seal whole datagrams: packet.hpp).
    std::string sign(std::string_view data) const;
    // Checks a "N digest" token (heartbeat parses it with "%d %s") against these bytes; a token
    // naming an encrypting key never matches.
    bool verify(std::string_view data, std::string_view token) const;

private:
    std::array<std::optional<Key>, kMaxIndex + 1> keys_;
    std::array<std::string, kMaxIndex + 1> aead_keys_;
    std::optional<int> signing_;
};

}  // namespace hb::auth
