// Flood protection before any MAC or decryption: which datagrams are worth authenticating, judged
// by the sender's address alone. An address that has sent an authenticated datagram (a member, or
// someone spoofing one) is always checked, so a member is never shut out. Any other address is a
// stranger: strangers share a budget of kStrangerChecksPerSecond checks per link, and a stranger
// whose kStrikes datagrams in a row failed is not checked at all for kPenalty. A flood from
// outside then costs a recvfrom and a table lookup per datagram, not a MAC.
// Pure: the time comes in, nothing is read from the clock; every table is bounded.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

namespace hb::auth {

class StrangerGate {
public:
    using Micros = std::int64_t;
    static constexpr double kStrangerChecksPerSecond = 200;
    static constexpr int kStrikes = 16;
    static constexpr Micros kPenalty = 10'000'000;  // 10 s
    static constexpr std::size_t kMaxKnown = 1024;     // member addresses remembered
    static constexpr std::size_t kMaxStrangers = 4096;  // strangers' strikes remembered

    // Whether a datagram from `address` (raw in_addr or in6_addr bytes) should be authenticated.
    bool admit(Micros now, std::string_view address);
    // What its authentication said.
    void authenticated(Micros now, std::string_view address);
    void failed(Micros now, std::string_view address);

    std::size_t known() const { return known_.size(); }

private:
    struct Stranger {
        int strikes = 0;
        Micros penalized_until = 0;
        Micros last = 0;
    };
    std::map<std::string, Micros, std::less<>> known_;  // address -> last authenticated
    std::map<std::string, Stranger, std::less<>> strangers_;
    double tokens_ = kStrangerChecksPerSecond;
    Micros refilled_at_ = 0;
};

}  // namespace hb::auth
