#include "daemon/api_requests.hpp"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <utility>

#include "core/wire_fields.hpp"
#include "msg/compression.hpp"

namespace hb::daemon {

namespace {

core::NodeStatus status_of(const RequestContext& ctx, const std::string& node) {
    if (node == ctx.settings.core.node) return ctx.core.local_status();
    auto v = ctx.core.node(node);
    return v ? v->status : core::NodeStatus::dead;
}

// A request about one node: its view (nullopt for ourselves), or a refusal when it is unknown.
struct NodeArg {
    std::string name;
    bool self = false;
    std::optional<core::NodeView> view;
};
std::optional<NodeArg> node_arg(const RequestContext& ctx, const Message& req, RequestReplies& out) {
    NodeArg a;
    a.name = req.get("node").value_or("");
    a.self = a.name == ctx.settings.core.node;
    if (!a.self) a.view = ctx.core.node(a.name);
    if (!a.self && !a.view) {
        out.refuse("EINVAL");
        return std::nullopt;
    }
    return a;
}

// heartbeat reports our own links as dead.
core::LinkStatus link_status(const NodeArg& a, std::size_t link) {
    return a.self ? core::LinkStatus::dead : a.view->links[link];
}

bool is_ping(const NodeArg& a) { return a.view && a.view->ping; }

// A cluster node's links are the media; a ping node has one, named like itself.
std::vector<std::string> link_names(const RequestContext& ctx, const NodeArg& a) {
    return is_ping(a) ? std::vector<std::string>{a.name} : ctx.settings.core.links;
}

// The cluster's nodes in ha.cf order, then the ping nodes.
void nodelist(const RequestContext& ctx, ApiClient&, const Message&, RequestReplies& out) {
    std::vector<Message> all;
    for (const auto& node : ctx.settings.core.nodes) {
        Message one;
        one.add("node", node);
        one.add("nodetype", "normal");
        one.add("st", to_string(status_of(ctx, node)));
        all.push_back(std::move(one));
    }
    for (const auto& v : ctx.core.ping_views()) {
        Message one;
        one.add("node", v.name);
        one.add("nodetype", "ping");
        one.add("st", to_string(v.status));
        all.push_back(std::move(one));
    }
    for (std::size_t i = 0; i < all.size(); ++i) i + 1 < all.size() ? out.more(std::move(all[i])) : out.ok(std::move(all[i]));
}

void nodestatus(const RequestContext& ctx, ApiClient&, const Message& req, RequestReplies& out) {
    auto a = node_arg(ctx, req, out);
    if (!a) return;
    out.ok("st", to_string(status_of(ctx, a->name)));
}

void nodetype(const RequestContext& ctx, ApiClient&, const Message& req, RequestReplies& out) {
    auto a = node_arg(ctx, req, out);
    if (!a) return;
    out.ok("nodetype", is_ping(*a) ? "ping" : "normal");
}

void nodeweight(const RequestContext& ctx, ApiClient&, const Message& req, RequestReplies& out) {
    if (!node_arg(ctx, req, out)) return;
    out.ok("weight", "100");
}

void nodesite(const RequestContext& ctx, ApiClient&, const Message& req, RequestReplies& out) {
    if (!node_arg(ctx, req, out)) return;
    out.ok("site", "");
}

void numnodes(const RequestContext& ctx, ApiClient&, const Message&, RequestReplies& out) {
    Message f;
    f.add_int("numnodes", static_cast<long>(ctx.settings.core.nodes.size()));
    out.ok(std::move(f));
}

void iflist(const RequestContext& ctx, ApiClient&, const Message& req, RequestReplies& out) {
    auto a = node_arg(ctx, req, out);
    if (!a) return;
    const auto links = link_names(ctx, *a);
    for (std::size_t l = 0; l < links.size(); ++l) {
        Message one;
        one.add("ifname", links[l]);
        one.add("st", to_string(link_status(*a, l)));
        l + 1 < links.size() ? out.more(std::move(one)) : out.ok(std::move(one));
    }
}

void ifstatus(const RequestContext& ctx, ApiClient&, const Message& req, RequestReplies& out) {
    auto a = node_arg(ctx, req, out);
    if (!a) return;
    const auto links = link_names(ctx, *a);
    auto it = std::find(links.begin(), links.end(), req.get("ifname").value_or(""));
    if (it == links.end()) return out.refuse("EINVAL");
    out.ok("st", to_string(link_status(*a, static_cast<std::size_t>(it - links.begin()))));
}

void getparm(const RequestContext& ctx, ApiClient&, const Message& req, RequestReplies& out) {
    Message f;
    auto p = ctx.settings.parameters.find(std::string(req.get("pname").value_or("")));
    if (p != ctx.settings.parameters.end()) f.add("pvalue", p->second);
    out.ok(std::move(f));
}

// heartbeat 3.0.6's words when it does not manage resources itself (pacemaker on).
constexpr const char* kResourcesElsewhere = "Resource is managed by crm. Use crm tool to query resource";

void getrsc(const RequestContext& ctx, ApiClient&, const Message&, RequestReplies& out) {
    if (!ctx.getrsc) return out.refuse(kResourcesElsewhere);
    out.ok("rsc_hold", ctx.getrsc());
}

void rscstatus(const RequestContext& ctx, ApiClient&, const Message&, RequestReplies& out) {
    if (!ctx.rscstatus) return out.refuse(kResourcesElsewhere);
    out.ok("json", ctx.rscstatus());
}

// Ours: every counter and per-peer and per-client figure, as JSON (docs/protocol.md §6.8).
void counters(const RequestContext& ctx, ApiClient&, const Message&, RequestReplies& out) {
    out.ok("json", ctx.counters());
}

void getuuid(const RequestContext& ctx, ApiClient&, const Message& req, RequestReplies& out) {
    const std::string q(req.get("queryname").value_or(""));
    Message f;
    if (q == ctx.settings.core.node) {
        f.add_binary("queryuuid", ctx.settings.core.uuid);
    } else if (auto v = ctx.core.node(q); v && !v->uuid.empty()) {
        f.add_binary("queryuuid", v->uuid);
    }
    out.ok(std::move(f));
}

void getnodename(const RequestContext& ctx, ApiClient&, const Message& req, RequestReplies& out) {
    auto q = req.get_binary("queryuuid");
    Message f;
    if (q && *q == ctx.settings.core.uuid) {
        f.add("queryname", ctx.settings.core.node);
    } else if (q) {
        for (const auto& v : ctx.core.node_views()) {
            if (v.uuid == *q) f.add("queryname", v.name);
        }
    }
    out.ok(std::move(f));
}

void clientstatus(const RequestContext& ctx, ApiClient& c, const Message& req, RequestReplies& out) {
    const std::string node(req.get("node").value_or(""));
    const std::string cn(req.get("cn").value_or(""));
    Message f;
    f.add("subt", "respond-cstatus");
    if (node == ctx.settings.core.node) {
        f.add("cs", ctx.clients.signed_on(cn) ? "online" : "offline");
        return out.ok(std::move(f));
    }
    auto view = ctx.core.node(node);
    if (!view || view->status != core::NodeStatus::active) {
        f.add("cs", "offline");
        return out.ok(std::move(f));
    }
    // The answer comes from that node as a respond-cstatus message routed to this client.
    Message q;
    q.add("t", "query-cstatus");
    q.add("dest", node);
    q.add("cn", cn);
    q.add("from_id", c.id);
    ctx.send(std::move(q));
}

void setfilter(const RequestContext& ctx, ApiClient& c, const Message& req, RequestReplies& out) {
    auto mask = req.get_hex("fmask");
    if (!mask || *mask > ipc::kAllTreatments) return out.refuse("EINVAL");
    // Seeing other nodes' traffic is for root or the daemon's own user, as in heartbeat.
    if ((*mask & ~ipc::kKeepIt) != 0 && c.peer.uid != 0 && c.peer.uid != geteuid()) return out.refuse("EPERM");
    c.filter = static_cast<unsigned>(*mask);
    if (ctx.filter_changed) ctx.filter_changed();
    out.ok();
}

void setsignal(const RequestContext&, ApiClient& c, const Message& req, RequestReplies& out) {
    auto sig = req.get_int("signal");
    if (!sig || *sig < 0 || *sig == SIGKILL || *sig == SIGSTOP || *sig >= 32) return out.refuse("EINVAL");
    c.signal = static_cast<int>(*sig);
    out.ok();
}

// Ours: a message larger than one datagram, sent with an answer (the client library's
// sendclustermsg/sendnodemsg), so that one that cannot reach its destination whole fails at the
// call instead of being accepted and lost.
void sendmsg(const RequestContext& ctx, ApiClient& c, const Message& req, RequestReplies& out) {
    const Message* carried = req.get_struct("msg");
    if (c.casual) return out.refuse("a casual client may not send messages");
    if (!carried) return out.refuse("no message in 'msg'");
    // The library compresses a message that would not fit the socket's frame otherwise.
    auto msg = unwrap_compressed(*carried);
    if (!msg) return out.refuse(msg.error());
    if (!msg->get("t")) return out.refuse("the message in 'msg' has no type (t)");
    if (auto refused = ctx.send_from(c, std::move(msg).value())) return out.refuse(*refused, "fail");
    out.ok();
}

void set_sendqlen(const RequestContext&, ApiClient& c, const Message& req, RequestReplies&) {
    // No reply, as heartbeat.
    if (auto n = req.get_int("sendqlen"); n && *n > 0 && *n <= 100000) c.queue_limit = static_cast<std::size_t>(*n);
}

constexpr std::array<std::pair<std::string_view, RequestHandler>, 19> kHandlers{{
    {"nodelist", nodelist},
    {"nodestatus", nodestatus},
    {"nodetype", nodetype},
    {"nodeweight", nodeweight},
    {"nodesite", nodesite},
    {"numnodes", numnodes},
    {"iflist", iflist},
    {"ifstatus", ifstatus},
    {"getparm", getparm},
    {"getrsc", getrsc},
    {"rscstatus", rscstatus},
    {"counters", counters},
    {"getuuid", getuuid},
    {"getnodename", getnodename},
    {"clientstatus", clientstatus},
    {"setfilter", setfilter},
    {"setsignal", setsignal},
    {"sendmsg", sendmsg},
    {"set_sendqlen", set_sendqlen},
}};

}  // namespace

void RequestReplies::ok(std::string_view name, std::string_view value) {
    Message f;
    f.add(name, value);
    ok(std::move(f));
}

void RequestReplies::refuse(std::string info, std::string result) {
    Message f;
    f.add("info", info);
    replies_.push_back({std::move(f), std::move(result)});
}

bool RequestReplies::refused() const {
    return std::any_of(replies_.begin(), replies_.end(), [](const Reply& r) { return r.result == "badreq" || r.result == "fail"; });
}

RequestHandler find_request_handler(std::string_view reqtype) {
    for (const auto& [type, handler] : kHandlers) {
        if (type == reqtype) return handler;
    }
    return nullptr;
}

Message signon_fields(const Settings& settings) {
    Message f;
    f.add("deadtime", core::hex(static_cast<std::uint64_t>(settings.core.deadtime / core::kMillis)));
    f.add("keepalive", core::hex(static_cast<std::uint64_t>(settings.core.keepalive / core::kMillis)));
    f.add("node", settings.core.node);
    f.add("hbversion", "3.0.6 (hb " HB_VERSION ")");
    f.add("pacemaker", "off");
    f.add_int("logfacility", settings.log.syslog_facility);
    return f;
}

}  // namespace hb::daemon
