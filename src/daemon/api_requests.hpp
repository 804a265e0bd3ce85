// The API's requests (spec §5), one small handler each, found by request type in a table. A
// handler reads the cluster's state and the client's record and writes its replies into
// RequestReplies; it touches no socket, so each is tested with plain messages
// (tests/unit/daemon_api_requests_test.cpp). Sign-on and sign-off change the client registry and
// are the server's; every other request is here.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/core.hpp"
#include "daemon/client_registry.hpp"
#include "daemon/settings.hpp"
#include "msg/message.hpp"

namespace hb::daemon {

// What the handlers may read and do besides replying.
struct RequestContext {
    const core::Core& core;
    const Settings& settings;
    const ClientRegistry& clients;
    // A named client's message to the cluster (sendmsg): why not, if it was refused.
    std::function<std::optional<std::string>(ApiClient&, Message)> send_from;
    // A message of the daemon's own to the cluster (a query-cstatus for a peer).
    std::function<void(Message)> send;
    // The resource manager's answers; unset when it does not run (pacemaker on).
    std::function<std::string()> getrsc;
    std::function<std::string()> rscstatus;
    // The counters and state as one JSON document (status_report.hpp).
    std::function<std::string()> counters;
    // Told when a client's filter changed (the core's promiscuous mode follows the clients').
    std::function<void()> filter_changed;
};

class RequestReplies {
public:
    struct Reply {
        Message fields;
        std::string result;
    };
    void ok(Message fields = {}) { replies_.push_back({std::move(fields), "OK"}); }
    // An answer of one field.
    void ok(std::string_view name, std::string_view value);
    // One of several answers (a node or interface walk); the last goes with ok().
    void more(Message fields) { replies_.push_back({std::move(fields), "ok/more"}); }
    // heartbeat's refusal: result badreq, the reason in `info`.
    void refuse(std::string info, std::string result = "badreq");
    // Ends the client's connection after the replies.
    void drop(std::string why) { drop_ = std::move(why); }

    const std::vector<Reply>& replies() const { return replies_; }
    const std::optional<std::string>& dropped() const { return drop_; }
    bool refused() const;

private:
    std::vector<Reply> replies_;
    std::optional<std::string> drop_;
};

using RequestHandler = void (*)(const RequestContext&, ApiClient&, const Message& req, RequestReplies&);

// The handler of a request type; null for one this daemon does not know (answered badreq).
RequestHandler find_request_handler(std::string_view reqtype);

// The fields of a sign-on's answer: what heartbeat tells a client of the daemon it reached.
Message signon_fields(const Settings& settings);

}  // namespace hb::daemon
