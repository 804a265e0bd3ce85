// hb::Cluster (include/heartbeat/client.hpp): heartbeat's client semantics over a Session.
#include "heartbeat/client.hpp"

#include <algorithm>
#include <cstdio>

#include "client/answer_cache.hpp"
#include "client/order_queue.hpp"
#include "client/session.hpp"
#include "common/deadline.hpp"
#include "ipc/filter.hpp"

namespace hb {

namespace {

bool is(const Message& m, std::string_view name, std::string_view value) {
    return m.get(name) == std::optional<std::string_view>(value);
}

std::string text(const Message& m, std::string_view name) { return std::string(m.get(name).value_or("")); }

Message with(std::initializer_list<std::pair<std::string_view, std::string_view>> fields) {
    Message m;
    for (const auto& [k, v] : fields) m.add(k, v);
    return m;
}

// What the daemon said when it refused a request.
Error refusal(std::string_view reqtype, const Message& reply) {
    std::string why = "the daemon refused " + std::string(reqtype) + " (" + text(reply, "result") + ")";
    if (auto info = reply.get("info")) why += ": " + std::string(*info);
    return make_error(why);
}

}  // namespace

Cluster::Cluster() : order_(std::make_unique<client::OrderQueue>()), answers_(std::make_unique<client::AnswerCache>()) {}

Cluster::~Cluster() { signoff(); }

Result<std::unique_ptr<Cluster>> Cluster::signon(std::string_view client_id, std::string_view socket_path) {
    const std::string path = socket_path.empty() ? client::default_socket_path() : std::string(socket_path);
    auto session = client::Session::signon(path, std::string(client_id));
    if (!session) return make_error(session.error());
    std::unique_ptr<Cluster> c(new Cluster());
    c->session_ = std::move(*session);
    c->session_->on_frame([raw = c.get()](const Message& m) { raw->note_status(m); });
    return c;
}

namespace {
// The AnswerCache key of a node's status, shared by the answer and the pushed status message.
std::string status_key(std::string_view node) { return "nodestatus\n" + std::string(node); }
}  // namespace

void Cluster::note_status(const Message& msg) {
    const std::string type = text(msg, "t");
    if ((type == "status" || type == "NS_st") && msg.get("src") && msg.get("st")) {
        answers_->put(status_key(text(msg, "src")), text(msg, "st"));
    }
}

void Cluster::signoff() {
    if (session_) session_->signoff();
}

const std::string& Cluster::node() const { return session_->info().node; }
const std::string& Cluster::client_id() const { return session_->client_id(); }
bool Cluster::casual() const { return session_->casual(); }
long Cluster::deadtime_ms() const { return session_->info().deadtime_ms; }
long Cluster::keepalive_ms() const { return session_->info().keepalive_ms; }
int Cluster::logfacility() const { return session_->info().logfacility; }
bool Cluster::connected() const { return session_->connected(); }
int Cluster::fd() const { return session_->fd(); }

// ----- queries -------------------------------------------------------------------------------

// A request heartbeat answers with one reply per item ("ok/more" ... "OK"): the items' `field`.
Result<std::vector<std::string>> Cluster::listing(std::string_view reqtype, Message fields, std::string_view field_name) {
    auto replies = session_->request(std::string(reqtype), fields);
    if (!replies) return make_error(replies.error());
    std::vector<std::string> out;
    for (const Message& r : *replies) {
        if (!is(r, "result", "OK") && !is(r, "result", "ok/more")) return refusal(reqtype, r);
        if (auto v = r.get(field_name)) out.emplace_back(*v);
    }
    return out;
}

Result<Message> Cluster::ask(std::string_view reqtype, Message fields) {
    auto replies = session_->request(std::string(reqtype), fields);
    if (!replies) return make_error(replies.error());
    Message& last = replies->back();
    if (!is(last, "result", "OK")) return refusal(reqtype, last);
    return std::move(last);
}

Result<std::vector<std::string>> Cluster::nodes() { return listing("nodelist", Message(), "node"); }

Result<std::string> Cluster::node_status(std::string_view node) {
    session_->read_available();  // a status message already sent to us is newer than any answer kept
    const std::string key = status_key(node);
    if (auto kept = answers_->get(key)) return std::move(*kept);
    auto r = ask("nodestatus", with({{"node", node}}));
    if (!r) return make_error(r.error());
    answers_->put(key, text(*r, "st"));
    return text(*r, "st");
}

Result<int> Cluster::node_weight(std::string_view node) {
    auto r = ask("nodeweight", with({{"node", node}}));
    if (!r) return make_error(r.error());
    return static_cast<int>(r->get_int("weight").value_or(0));
}

Result<std::string> Cluster::node_site(std::string_view node) {
    auto r = ask("nodesite", with({{"node", node}}));
    if (!r) return make_error(r.error());
    return text(*r, "site");
}

Result<std::string> Cluster::node_type(std::string_view node) {
    auto r = ask("nodetype", with({{"node", node}}));
    if (!r) return make_error(r.error());
    return text(*r, "nodetype");
}

Result<int> Cluster::num_nodes() {
    auto r = ask("numnodes", Message());
    if (!r) return make_error(r.error());
    return static_cast<int>(r->get_int("numnodes").value_or(0));
}

Result<std::vector<std::string>> Cluster::links(std::string_view node) {
    return listing("iflist", with({{"node", node}}), "ifname");
}

Result<std::string> Cluster::link_status(std::string_view node, std::string_view link) {
    auto r = ask("ifstatus", with({{"node", node}, {"ifname", link}}));
    if (!r) return make_error(r.error());
    return text(*r, "st");
}

Result<std::string> Cluster::client_status(std::string_view node, std::string_view client, int timeout_ms) {
    if (node.empty()) return make_error("client_status: no node given");
    const std::string_view cn = client.empty() ? std::string_view(client_id()) : client;
    auto sent = session_->post("clientstatus", with({{"node", node}, {"cn", cn}}));
    if (!sent) return make_error(sent.error());
    // The answer is the daemon's reply (local node, or a peer that is not up) or, later, the
    // peer's respond-cstatus message routed to us.
    auto answer = session_->await(
        [](const Message& m) { return is(m, "t", "respond-cstatus") || is(m, "subt", "respond-cstatus"); },
        timeout_ms < 0 ? 0 : timeout_ms);
    if (!answer) return make_error(answer.error());
    if (!*answer) return make_error("no answer about client " + std::string(cn) + " on " + std::string(node) + " in time");
    if (!is(**answer, "result", "OK") || !(*answer)->get("cs")) return refusal("clientstatus", **answer);
    return text(**answer, "cs");
}

Result<bool> Cluster::query_client_status(std::string_view client) {
    // heartbeat's asynchronous form: a query-cstatus message to every node, each answering with
    // a respond-cstatus for us. Casual clients cannot send it, as in heartbeat.
    Message q = with({{"t", "query-cstatus"}, {"cn", client.empty() ? std::string_view(client_id()) : client},
                      {"from_id", client_id()}});
    return session_->send(q);
}

Result<std::string> Cluster::uuid_of(std::string_view node) {
    auto r = ask("getuuid", with({{"queryname", node}}));
    if (!r) return make_error(r.error());
    auto uuid = r->get_binary("queryuuid");
    if (!uuid) return make_error("no UUID known for node " + std::string(node));
    return std::string(*uuid);
}

Result<std::string> Cluster::name_of(std::string_view uuid) {
    Message q;
    q.add_binary("queryuuid", uuid);
    auto r = ask("getnodename", std::move(q));
    if (!r) return make_error(r.error());
    auto name = r->get("queryname");
    if (!name) return make_error("no node known with that UUID");
    return std::string(*name);
}

Result<std::optional<std::string>> Cluster::parameter(std::string_view name) {
    const std::string key = "getparm\n" + std::string(name);
    if (auto kept = answers_->get(key)) return std::optional<std::string>(std::move(*kept));
    auto r = ask("getparm", with({{"pname", name}}));
    if (!r) return make_error(r.error());
    auto v = r->get("pvalue");
    if (!v) return std::optional<std::string>();
    answers_->put(key, std::string(*v));
    return std::optional<std::string>(std::string(*v));
}

Result<std::string> Cluster::resources() {
    auto r = ask("getrsc", Message());
    if (!r) return make_error(r.error());
    return text(*r, "rsc_hold");
}

Result<std::string> Cluster::resource_details() {
    auto r = ask("rscstatus", Message());
    if (!r) return make_error(r.error());
    return text(*r, "json");
}

Result<std::string> Cluster::counters() {
    auto r = ask("counters", Message());
    if (!r) return make_error(r.error());
    return text(*r, "json");
}

// ----- sending -------------------------------------------------------------------------------

Result<bool> Cluster::send_with(Message msg, std::string_view dest_field, std::string_view dest, bool binary,
                                bool ordered) {
    if (!msg.get("t")) return make_error("a message needs a type (field t)");
    if (!dest_field.empty()) {
        if (dest.empty()) return make_error("no destination node given");
        if (binary ? !msg.set_binary(dest_field, dest) : !msg.set(dest_field, dest)) {
            return make_error("cannot address the message");
        }
    }
    if (ordered) {
        unsigned long* counter = &cluster_oseq_;
        if (!dest.empty()) {
            auto it = std::find_if(node_oseq_.begin(), node_oseq_.end(), [&](const auto& p) { return p.first == dest; });
            if (it == node_oseq_.end()) it = node_oseq_.insert(node_oseq_.end(), {std::string(dest), 0});
            counter = &it->second;
        }
        char hex[32];
        std::snprintf(hex, sizeof hex, "%lx", *counter + 1);
        msg.set("oseq", hex);
        auto sent = session_->send(msg);
        if (sent) ++*counter;
        return sent;
    }
    return session_->send(msg);
}

Result<bool> Cluster::send_to_cluster(const Message& msg) { return send_with(msg, {}, {}, false, false); }
Result<bool> Cluster::send_to_node(const Message& msg, std::string_view node) {
    return send_with(msg, "dest", node, false, false);
}
Result<bool> Cluster::send_to_node_uuid(const Message& msg, std::string_view uuid) {
    if (uuid.size() != 16) return make_error("a node UUID has 16 bytes");
    return send_with(msg, "destuuid", uuid, true, false);
}
Result<bool> Cluster::send_ordered_to_cluster(const Message& msg) { return send_with(msg, {}, {}, false, true); }
Result<bool> Cluster::send_ordered_to_node(const Message& msg, std::string_view node) {
    return send_with(msg, "dest", node, false, true);
}

// ----- receiving -----------------------------------------------------------------------------

void Cluster::on_message(std::string_view type, MessageHandler handler) {
    auto it = std::find_if(handlers_.begin(), handlers_.end(), [&](const auto& h) { return h.first == type; });
    if (!handler) {
        if (it != handlers_.end()) handlers_.erase(it);
        return;
    }
    if (it != handlers_.end()) {
        it->second = std::move(handler);
    } else {
        handlers_.emplace_back(std::string(type), std::move(handler));
    }
}

bool Cluster::has_message_handler(std::string_view type) const {
    return std::any_of(handlers_.begin(), handlers_.end(), [&](const auto& h) { return h.first == type; });
}

void Cluster::on_node_status(NodeStatusHandler handler) { node_handler_ = std::move(handler); }
void Cluster::on_link_status(LinkStatusHandler handler) { link_handler_ = std::move(handler); }
void Cluster::on_client_status(ClientStatusHandler handler) { client_handler_ = std::move(handler); }

bool Cluster::message_ready() { return !ready_.empty() || session_->message_ready(); }

Result<std::optional<Message>> Cluster::next(int timeout_ms) {
    const Deadline deadline(timeout_ms);
    // Bounded by the deadline (or by the daemon, when blocking): each turn takes one message.
    while (ready_.empty()) {
        auto m = session_->receive(deadline.left_ms());
        if (!m) return make_error(m.error());
        if (!*m) return std::optional<Message>();
        order_->push(std::move(**m), ready_);
        if (ready_.empty() && deadline.passed()) return std::optional<Message>();
    }
    Message m = std::move(ready_.front());
    ready_.pop_front();
    return std::optional<Message>(std::move(m));
}

// heartbeat's CallbackCall: the special notifications first, then the handler of the type.
// Handlers are copied before they run: one may replace itself.
bool Cluster::run_handlers(const Message& msg) {
    const std::string type = text(msg, "t");
    if (type.empty()) return false;
    if ((type == "status" || type == "NS_st") && node_handler_) {
        auto h = node_handler_;
        h(text(msg, "src"), text(msg, "st"));
        return true;
    }
    if (type == "ifstat" && link_handler_) {
        auto h = link_handler_;
        h(text(msg, "node"), text(msg, "ifname"), text(msg, "st"));
        return true;
    }
    if (type == "hbapi-clstat" && client_handler_) {
        auto h = client_handler_;
        h(text(msg, "src"), text(msg, "from_id"), text(msg, "st"));
        return true;
    }
    if (type == "respond-cstatus" && client_handler_) {
        auto h = client_handler_;
        h(text(msg, "src"), text(msg, "cn"), text(msg, "cs"));
        return true;
    }
    auto it = std::find_if(handlers_.begin(), handlers_.end(), [&](const auto& p) { return p.first == type; });
    if (it == handlers_.end()) return false;
    auto h = it->second;
    h(msg);
    return true;
}

Result<std::optional<Message>> Cluster::read(int timeout_ms) {
    const Deadline deadline(timeout_ms);
    for (;;) {
        auto m = next(deadline.left_ms());
        if (!m || !*m) return m;
        if (!run_handlers(**m)) return m;
    }
}

Result<bool> Cluster::dispatch(int timeout_ms) {
    auto m = read(timeout_ms);
    if (!m) return make_error(m.error());
    return m->has_value();
}

Result<bool> Cluster::set_filter_mode(FilterMode mode) {
    using namespace ipc;  // the filter bits
    unsigned mask = kKeepIt;
    switch (mode) {
        case FilterMode::standard: mask = kKeepIt; break;
        case FilterMode::promiscuous: mask = kKeepIt | kDuplicate | kDropIt; break;
        case FilterMode::all_heartbeats: mask = kKeepIt | kDuplicate | kDropIt | kNoChange; break;
        case FilterMode::raw: mask = kAllTreatments; break;
        default: return make_error("unknown filter mode");
    }
    char hex[16];
    std::snprintf(hex, sizeof hex, "%x", mask);
    auto r = ask("setfilter", with({{"fmask", hex}}));
    if (!r) return make_error(r.error());
    return true;
}

Result<bool> Cluster::set_message_signal(int signo) {
    auto r = ask("setsignal", with({{"signal", std::to_string(signo)}}));
    if (!r) return make_error(r.error());
    return true;
}

Result<bool> Cluster::set_send_queue_length(int length) {
    if (length <= 0) return make_error("the send queue length must be positive");
    return session_->post("set_sendqlen", with({{"sendqlen", std::to_string(length)}}));
}

Result<bool> Cluster::set_send_blocking(bool blocking) {
    if (!session_->connected()) return make_error("not connected to the heartbeat daemon");
    session_->set_blocking(blocking);
    return true;
}

}  // namespace hb
