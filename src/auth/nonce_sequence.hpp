// The nonces a daemon seals its datagrams with: 8 bytes drawn from OpenSSL's CSPRNG for the first
// datagram of the run, then a 4-byte counter. Every node of a cluster shares the key, so the nonce must be
// unique across nodes and across restarts; a counter alone (or the generation, which a clock-based
// `hbgenmethod` can repeat) is not. A new random prefix is drawn before the counter wraps.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <optional>

#include "auth/aead.hpp"

namespace hb::auth {

using NoncePrefix = std::array<std::uint8_t, 8>;

class NonceSequence {
public:
    // `draw` gives a fresh random prefix, nullopt if it has none (tests pass their own); the
    // default reads OpenSSL's CSPRNG.
    explicit NonceSequence(std::function<std::optional<NoncePrefix>()> draw = random_prefix);

    // nullopt when no random prefix could be drawn: then nothing may be sealed.
    std::optional<Nonce> next();

    static std::optional<NoncePrefix> random_prefix();

private:
    std::function<std::optional<NoncePrefix>()> draw_;
    std::optional<NoncePrefix> prefix_;
    std::uint32_t counter_ = 0;
};

// The two halves of a nonce read back from a datagram.
struct NonceParts {
    NoncePrefix prefix{};
    std::uint32_t counter = 0;
};
NonceParts split_nonce(const Nonce& nonce);

}  // namespace hb::auth
