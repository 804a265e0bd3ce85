#include "auth/keyring.hpp"

#include <openssl/crypto.h>

#include <charconv>

#include "auth/aead.hpp"
#include "auth/digest.hpp"

namespace hb::auth {

bool Keyring::add(Key key) {
    if (key.index < 0 || key.index > kMaxIndex) return false;
    if (method_needs_key(key.method) == key.secret.empty()) return false;
    const auto slot = static_cast<std::size_t>(key.index);
    aead_keys_[slot].clear();
    if (method_is_aead(key.method)) {
        aead_keys_[slot] = derive_aead_key(key.method, key.index, key.secret);
        if (aead_keys_[slot].size() != kAeadKeyBytes) return false;
    }
    keys_[slot] = std::move(key);
    return true;
}

bool Keyring::set_signing_index(int index) {
    if (!find(index)) return false;
    signing_ = index;
    return true;
}

const Key* Keyring::find(int index) const {
    if (index < 0 || index > kMaxIndex || !keys_[static_cast<std::size_t>(index)]) return nullptr;
    return &*keys_[static_cast<std::size_t>(index)];
}

std::size_t Keyring::size() const {
    std::size_t n = 0;
    for (const auto& k : keys_) n += k.has_value();
    return n;
}

std::string_view Keyring::aead_key(int index) const {
    return find(index) ? std::string_view(aead_keys_[static_cast<std::size_t>(index)]) : std::string_view();
}

std::string Keyring::sign(std::string_view data) const {
    if (!signing_) return {};
    const Key& key = *find(*signing_);
    if (method_is_aead(key.method)) return {};
    return std::to_string(key.index) + ' ' + compute_digest(key.method, key.secret, data);
}

bool Keyring::verify(std::string_view data, std::string_view token) const {
    std::size_t space = token.find(' ');
    if (space == std::string_view::npos || space == 0) return false;
    int index = -1;
    auto [end, ec] = std::from_chars(token.data(), token.data() + space, index);
    if (ec != std::errc() || end != token.data() + space) return false;
    const Key* key = find(index);
    if (!key || method_is_aead(key->method)) return false;
    std::string_view given = token.substr(space + 1);
    std::string expected = compute_digest(key->method, key->secret, data);
    return given.size() == expected.size() && CRYPTO_memcmp(given.data(), expected.data(), given.size()) == 0;
}

}  // namespace hb::auth
