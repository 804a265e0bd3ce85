// A message too large for one datagram, sent between our nodes in fragments (a wire extension;
// only to nodes whose heartbeats say "frag", see capabilities.hpp). The sender cuts the message's
// encoding (usually its compressed wrapper) into pieces of kFragmentBytes; each piece travels as a
// packet of its own (t=hbfrag) with its own sequence number, so it is ordered, acknowledged and
// retransmitted like any packet. Fragments of one message have consecutive sequence numbers, and the
// core releases a peer's packets in sequence order, so a receiver reassembles them in arrival order
// with one buffer per peer.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "msg/message.hpp"

namespace hb::core {

inline constexpr std::string_view kFragmentType = "hbfrag";
// A fragment's data, at most: with its packet's fields about 6 IP fragments on a 1500-byte MTU, so
// that a loss costs one small packet's retransmission, not the whole message's.
inline constexpr std::size_t kFragmentBytes = 8192;

// The fragment packets (unstamped) that carry `encoded`; `dest`, when set, is copied into each so
// that other nodes drop them as not theirs.
std::vector<Message> make_fragments(std::string_view encoded, std::optional<std::string_view> dest,
                                    std::size_t piece = kFragmentBytes);

// One peer's message being reassembled.
class Reassembly {
public:
    // Takes the next fragment released by the receive window. Returns the whole encoding when this
    // was the last piece, nullopt while more are due, or an error (the partial message is dropped)
    // when the fragment does not continue what was started.
    std::optional<Result<std::string>> add(const Message& fragment);
    void clear();
    bool in_progress() const { return expected_ != 0; }

private:
    std::string data_;
    std::size_t next_ = 0;
    std::size_t expected_ = 0;
};

}  // namespace hb::core
