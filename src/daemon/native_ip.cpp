#include "daemon/native_ip.hpp"

#include <arpa/inet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <netpacket/packet.h>
#include <sys/ioctl.h>
// After the glibc network headers: linux/rtnetlink.h pulls in linux/if.h, which clashes otherwise.
#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace hb::daemon {

namespace {

struct DumpMatch {
    std::uint32_t address = 0;
    std::uint32_t mask = 0;  // network byte order
    int ifindex = 0;
    bool found = false;
    std::uint32_t subnet_broadcast = 0;  // of another address of the interface in the same subnet
};

int on_address(const nlmsghdr* nlh, void* data) {
    auto* m = static_cast<DumpMatch*>(data);
    const auto* ifa = static_cast<const ifaddrmsg*>(mnl_nlmsg_get_payload(nlh));
    if (ifa->ifa_family != AF_INET || static_cast<int>(ifa->ifa_index) != m->ifindex) return MNL_CB_OK;
    // mnl_attr_for_each is a C macro (void* to nlattr*): the same walk with the library's calls.
    const auto* attr = static_cast<const nlattr*>(mnl_nlmsg_get_payload_offset(nlh, sizeof(*ifa)));
    const char* tail = static_cast<const char*>(mnl_nlmsg_get_payload_tail(nlh));
    std::uint32_t local = 0, broadcast = 0;
    for (int n = 0; n < 64 && mnl_attr_ok(attr, static_cast<int>(tail - reinterpret_cast<const char*>(attr))); ++n) {
        if (mnl_attr_get_payload_len(attr) == 4) {
            if (mnl_attr_get_type(attr) == IFA_LOCAL) local = mnl_attr_get_u32(attr);
            if (mnl_attr_get_type(attr) == IFA_BROADCAST) broadcast = mnl_attr_get_u32(attr);
        }
        attr = mnl_attr_next(attr);
    }
    if (local == m->address) {
        m->found = true;
    } else if (broadcast && (local & m->mask) == (m->address & m->mask) && !m->subnet_broadcast) {
        m->subnet_broadcast = broadcast;
    }
    return MNL_CB_OK;
}

bool mac_of(int ifindex, std::array<std::uint8_t, 6>& mac) {
    char name[IF_NAMESIZE] = {};
    if (!if_indextoname(static_cast<unsigned>(ifindex), name)) return false;
    const int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return false;
    ifreq ifr{};
    std::memcpy(ifr.ifr_name, name, std::strlen(name));
    const bool ok = ioctl(fd, SIOCGIFHWADDR, &ifr) == 0 && ifr.ifr_hwaddr.sa_family == ARPHRD_ETHER;
    close(fd);
    if (ok) std::memcpy(mac.data(), ifr.ifr_hwaddr.sa_data, 6);
    return ok;
}

}  // namespace

NativeIp::NativeIp(Logger& log) : log_(log) {}

NativeIp::~NativeIp() {
    if (nl_) mnl_socket_close(nl_);
    if (arp_fd_ >= 0) close(arp_fd_);
}

bool NativeIp::open_netlink(std::string& why) {
    if (nl_) return true;
    nl_ = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
    if (!nl_ || mnl_socket_bind(nl_, 0, MNL_SOCKET_AUTOPID) < 0) {
        why = std::string("netlink: ") + std::strerror(errno);
        if (nl_) mnl_socket_close(nl_);
        nl_ = nullptr;
        return false;
    }
    // The kernel answers address requests at once; a bound keeps a wedged kernel from blocking us.
    timeval tv{1, 0};
    setsockopt(mnl_socket_get_fd(nl_), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    return true;
}

int NativeIp::request(void* header, std::string& why, bool dump, const agents::NativeAddress* match, int ifindex,
                      bool* found, std::uint32_t* subnet_broadcast) {
    auto* nlh = static_cast<nlmsghdr*>(header);
    const unsigned portid = mnl_socket_get_portid(nl_);
    if (mnl_socket_sendto(nl_, nlh, nlh->nlmsg_len) < 0) {
        why = std::string("netlink send: ") + std::strerror(errno);
        return errno;
    }
    DumpMatch m;
    if (match) {
        m.address = match->address;
        m.mask = htonl(~std::uint32_t{0} << (32 - match->prefix));
        m.ifindex = ifindex;
    }
    std::vector<char> buf(MNL_SOCKET_BUFFER_SIZE);
    int ret = 0;
    // Bounded: a dump of a host's addresses is a few messages; an ack is one.
    for (int round = 0; round < 1024; ++round) {
        const ssize_t n = mnl_socket_recvfrom(nl_, buf.data(), buf.size());
        if (n < 0) {
            why = std::string("netlink receive: ") + std::strerror(errno);
            return errno;
        }
        ret = mnl_cb_run(buf.data(), static_cast<size_t>(n), nlh->nlmsg_seq, portid, dump ? on_address : nullptr, &m);
        if (ret <= MNL_CB_STOP) break;
    }
    if (ret < 0) {
        why = std::strerror(errno);
        return errno;
    }
    if (found) *found = m.found;
    if (subnet_broadcast) *subnet_broadcast = m.subnet_broadcast;
    return 0;
}

NativeIp::Outcome NativeIp::run(core::Micros now, agents::Action action, const agents::NativeAddress& a) {
    Outcome out;
    const int ifindex = static_cast<int>(if_nametoindex(a.nic.c_str()));
    if (ifindex == 0) {
        out.detail = "no interface " + a.nic;
        // A status of an address on a missing interface is a clean "not running".
        out.ok = action != agents::Action::start;
        return out;
    }
    if (!open_netlink(out.detail)) return out;
    std::vector<char> buf(MNL_SOCKET_BUFFER_SIZE);
    // The interface's IPv4 addresses: is ours there, and the broadcast of its subnet.
    auto query = [&](bool& found, std::uint32_t& subnet_broadcast) {
        nlmsghdr* q = mnl_nlmsg_put_header(buf.data());
        q->nlmsg_seq = ++seq_;
        q->nlmsg_type = RTM_GETADDR;
        q->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
        static_cast<ifaddrmsg*>(mnl_nlmsg_put_extra_header(q, sizeof(ifaddrmsg)))->ifa_family = AF_INET;
        return request(q, out.detail, true, &a, ifindex, &found, &subnet_broadcast) == 0;
    };
    bool found = false;
    std::uint32_t subnet_broadcast = 0;
    if (action == agents::Action::status) {
        out.ok = query(found, subnet_broadcast);
        out.running = found;
        return out;
    }
    std::uint32_t broadcast = a.broadcast;
    if (action == agents::Action::start && !broadcast && query(found, subnet_broadcast)) broadcast = subnet_broadcast;
    nlmsghdr* nlh = mnl_nlmsg_put_header(buf.data());
    nlh->nlmsg_seq = ++seq_;
    auto* ifa = static_cast<ifaddrmsg*>(mnl_nlmsg_put_extra_header(nlh, sizeof(ifaddrmsg)));
    ifa->ifa_family = AF_INET;
    ifa->ifa_prefixlen = static_cast<unsigned char>(a.prefix);
    ifa->ifa_scope = RT_SCOPE_UNIVERSE;
    ifa->ifa_index = static_cast<unsigned>(ifindex);
    mnl_attr_put_u32(nlh, IFA_LOCAL, a.address);
    mnl_attr_put_u32(nlh, IFA_ADDRESS, a.address);
    if (action == agents::Action::start) {
        nlh->nlmsg_type = RTM_NEWADDR;
        nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL;
        if (broadcast) mnl_attr_put_u32(nlh, IFA_BROADCAST, broadcast);
        if (!a.label.empty()) mnl_attr_put_strz(nlh, IFA_LABEL, a.label.c_str());
        const int err = request(nlh, out.detail);
        out.ok = err == 0 || err == EEXIST;  // already there: started
        if (!out.ok) return out;
        Announcement ann;
        ann.ifindex = ifindex;
        ann.address = a.address;
        ann.next = now;
        if (!mac_of(ifindex, ann.mac)) {
            log_.warn("native_ipaddr: " + a.text + ": no Ethernet address on " + a.nic + ": no gratuitous ARP");
            return out;
        }
        std::erase_if(pending_, [&](const Announcement& p) { return p.address == a.address; });
        pending_.push_back(ann);
        tick(now);  // the first frame goes now: the clients move as soon as the address is there
        return out;
    }
    nlh->nlmsg_type = RTM_DELADDR;
    nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
    std::erase_if(pending_, [&](const Announcement& p) { return p.address == a.address; });
    const int err = request(nlh, out.detail);
    out.ok = err == 0 || err == EADDRNOTAVAIL;  // not there: stopped
    return out;
}

core::Micros NativeIp::next_deadline() const {
    core::Micros next = core::kNever;
    for (const auto& p : pending_) next = std::min(next, p.next);
    return next;
}

void NativeIp::tick(core::Micros now) {
    for (auto& p : pending_) {
        if (p.next > now) continue;
        if (!send_arp(p, p.sent % 2 == 1)) log_.debug("native_ipaddr: gratuitous ARP not sent: " + std::string(std::strerror(errno)));
        ++p.sent;
        p.next = now + kAnnounceInterval;
    }
    std::erase_if(pending_, [](const Announcement& p) { return p.sent >= kAnnouncements; });
}

// A broadcast ARP request (reply when `reply`) with sender and target protocol address both the
// announced one, as send_arp makes it.
bool NativeIp::send_arp(const Announcement& a, bool reply) {
    if (arp_fd_ < 0) {
        arp_fd_ = socket(AF_PACKET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, htons(ETH_P_ARP));
        if (arp_fd_ < 0) return false;
    }
    struct [[gnu::packed]] Frame {
        arphdr h;
        std::uint8_t sha[6];
        std::uint32_t spa;
        std::uint8_t tha[6];
        std::uint32_t tpa;
    } f{};
    f.h.ar_hrd = htons(ARPHRD_ETHER);
    f.h.ar_pro = htons(ETH_P_IP);
    f.h.ar_hln = 6;
    f.h.ar_pln = 4;
    f.h.ar_op = htons(reply ? ARPOP_REPLY : ARPOP_REQUEST);
    std::memcpy(f.sha, a.mac.data(), 6);
    f.spa = a.address;
    if (reply) std::memset(f.tha, 0xff, 6);
    f.tpa = a.address;
    sockaddr_ll to{};
    to.sll_family = AF_PACKET;
    to.sll_protocol = htons(ETH_P_ARP);
    to.sll_ifindex = a.ifindex;
    to.sll_halen = 6;
    std::memset(to.sll_addr, 0xff, 6);
    return sendto(arp_fd_, &f, sizeof f, 0, reinterpret_cast<const sockaddr*>(&to), sizeof to) == sizeof f;
}

}  // namespace hb::daemon
