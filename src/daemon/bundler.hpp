// Several packets of one reactor round, for every link, in one datagram: a busy sender pays the
// kernel's per-datagram cost (most of its CPU, hbbench S2) once per bundle instead of per message.
// Only between nodes that said in their heartbeats that they read bundles (hbcaps has "bundle",
// core/capabilities.hpp);
// heartbeat 3.0.6 peers never say so, and while one is alive every packet goes out on its own.
// Each packet keeps its own seq inside the bundle, so ordering, repair and duplicates are the
// core's business as before; the bundle is signed (and checked) as a whole.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "msg/message.hpp"

namespace hb::daemon {

class Bundler {
public:
    static constexpr const char* kType = "NS_bundle";
    // Encoded packets per bundle, at most: a few IP fragments on a 1500-byte MTU.
    static constexpr std::size_t kMaxBytes = 8192;

    // A verified packet from a peer: whether its sender reads bundles, as its status says.
    // True when that changed what we know.
    bool heard(const Message& packet);
    bool reads_bundles(const std::string& node) const;

    // Packets wait here (encoded as they come) until take() hands them out in order, consecutive
    // ones packed into bundles (a packet alone stays itself).
    // `encoded`: the packet's netstring if the caller has it (core::Send::encoded); `to`: the one
    // node that needs it (core::Send::to), or empty for every node.
    void queue(Message packet, std::shared_ptr<const std::string> encoded = nullptr, std::string to = {});
    bool has_queued() const { return !queued_.empty(); }
    std::size_t queued_packets() const { return queued_.size(); }
    std::size_t queued_bytes() const { return queued_bytes_; }
    struct Outgoing {
        Message packet;  // a bundle or a packet alone
        std::string to;  // the one node all of it is for, or empty
    };
    std::vector<Outgoing> take(const std::string& self);
    // queue() then take() for a list of packets.
    static std::vector<Message> pack(const std::string& self, std::vector<Message> packets);
    // The packets a bundle carries (the bundle was authenticated); an error if it is malformed or
    // carries a packet of another node.
    static Result<std::vector<Message>> unpack(const Message& bundle);

private:
    std::map<std::string, bool, std::less<>> reads_;
    struct Queued {
        Message packet;
        std::shared_ptr<const std::string> encoded;  // null: cannot be packed, goes out alone
        std::string to;
    };
    std::vector<Queued> queued_;
    std::size_t queued_bytes_ = 0;
};

}  // namespace hb::daemon
