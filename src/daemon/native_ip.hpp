// Floating addresses carried out inside the daemon (ha.cf `native_ipaddr on`, ours), as keepalived
// does it: the address added and removed over rtnetlink (libmnl), and the new holder announced by
// gratuitous ARP as IPaddr2's send_arp announces it (ten frames, 100 ms apart, request and reply
// alternating, sender = target = the address). No fork, no shell: a start is done when the
// kernel acknowledges the address, and the announcements follow from the reactor's clock.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "agents/command.hpp"
#include "agents/native_address.hpp"
#include "core/types.hpp"
#include "daemon/logger.hpp"

struct mnl_socket;

namespace hb::daemon {

class NativeIp {
public:
    static constexpr int kAnnouncements = 10;                       // IPaddr2: send_arp -r 5, both kinds
    static constexpr core::Micros kAnnounceInterval = 100 * core::kMillis;

    explicit NativeIp(Logger& log);
    ~NativeIp();
    NativeIp(const NativeIp&) = delete;
    NativeIp& operator=(const NativeIp&) = delete;

    struct Outcome {
        bool ok = false;       // start/stop done (status: the query worked)
        bool running = false;  // status: the address is on the interface
        std::string detail;    // why not, for the log
    };
    // start: add the address unless it is there, then announce it; stop: remove it if there;
    // status: is it there. Each is one netlink request answered by the kernel at once.
    Outcome run(core::Micros now, agents::Action action, const agents::NativeAddress& address);

    core::Micros next_deadline() const;
    void tick(core::Micros now);  // sends the announcements that are due

private:
    struct Announcement {
        int ifindex = 0;
        std::array<std::uint8_t, 6> mac{};
        std::uint32_t address = 0;
        int sent = 0;
        core::Micros next = 0;
    };
    bool open_netlink(std::string& why);
    // One request and its acknowledgement (or, `dump`, its replies, looking for `match`): 0 or
    // the errno the kernel answered.
    int request(void* nlh, std::string& why, bool dump = false, const agents::NativeAddress* match = nullptr,
                int ifindex = 0, bool* found = nullptr, std::uint32_t* subnet_broadcast = nullptr);
    bool send_arp(const Announcement& a, bool reply);

    Logger& log_;
    mnl_socket* nl_ = nullptr;
    std::uint32_t seq_ = 0;
    int arp_fd_ = -1;
    std::vector<Announcement> pending_;
};

}  // namespace hb::daemon
