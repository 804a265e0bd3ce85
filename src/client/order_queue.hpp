// Ordered delivery for send_ordered_clustermsg/send_ordered_nodemsg (spec §3.5): the sending
// library numbers messages (`oseq`, hex; one counter for cluster sends, one per destination), the
// receiving library hands them out in that order. Each (sender node, cluster-or-node) stream keeps
// a window of kWindow messages; a gap that the window outgrows is given up on, so that a message
// lost for good delays the others but never stops them.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <string>

#include "heartbeat/message.hpp"

namespace hb::client {

class OrderQueue {
public:
    static constexpr std::size_t kWindow = 500;  // heartbeat's MAXMSGHIST

    // A message from the daemon: appends to `ready`, in order, whatever may now be handed out
    // (this one at once when it carries no `oseq`).
    void push(Message msg, std::deque<Message>& ready);
    // Messages held back in all streams (for tests and counters).
    std::size_t held() const;

private:
    struct Stream {
        std::uint64_t generation = 0;  // the sender daemon's `hg`
        std::uint64_t client_gen = 0;  // the sending client's incarnation
        std::uint64_t next = 0;        // the oseq due next
        std::map<std::uint64_t, Message> held;
    };
    static void release(Stream& s, std::deque<Message>& ready);
    // Everything a stream holds goes out in oseq order, and the stream forgets its place.
    static void flush(Stream& s, std::deque<Message>& ready);
    void flush_node(const std::string& node, std::deque<Message>& ready);

    std::map<std::string, Stream> streams_;  // by "<node>/cluster" or "<node>/node"
};

}  // namespace hb::client
