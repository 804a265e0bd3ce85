#include "auth/nonce_sequence.hpp"

#include <openssl/rand.h>

#include <algorithm>
#include <limits>

namespace hb::auth {

std::optional<NoncePrefix> NonceSequence::random_prefix() {
    NoncePrefix p{};
    if (RAND_bytes(p.data(), static_cast<int>(p.size())) != 1) return std::nullopt;
    return p;
}

NonceSequence::NonceSequence(std::function<std::optional<NoncePrefix>()> draw) : draw_(std::move(draw)) {}

std::optional<Nonce> NonceSequence::next() {
    if (!prefix_ || counter_ == std::numeric_limits<std::uint32_t>::max()) {
        prefix_ = draw_();
        counter_ = 0;
        if (!prefix_) return std::nullopt;
    }
    ++counter_;
    Nonce n{};
    std::copy(prefix_->begin(), prefix_->end(), n.begin());
    for (int i = 0; i < 4; ++i) n[8 + static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(counter_ >> (24 - 8 * i));
    return n;
}

NonceParts split_nonce(const Nonce& nonce) {
    NonceParts parts;
    std::copy(nonce.begin(), nonce.begin() + 8, parts.prefix.begin());
    for (std::size_t i = 8; i < nonce.size(); ++i) parts.counter = (parts.counter << 8) | nonce[i];
    return parts;
}

}  // namespace hb::auth
