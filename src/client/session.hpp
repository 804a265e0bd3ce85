// A signed-on connection to a heartbeat daemon's API socket (spec §5): the engine under the C++
// client API and the C llc_ops shim (the client issue). Speaks heartbeat 3.0.6's IPC, so it works
// against this project's daemon and against a real heartbeat 3.0.6 daemon alike.
#pragma once

#include <sys/types.h>

#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "ipc/frame.hpp"
#include "msg/message.hpp"

namespace hb::client {

// $HA_API_SOCKET, else heartbeat's /var/run/heartbeat/register.
std::string default_socket_path();

struct SignonReply {
    std::string node;         // our node's name
    long deadtime_ms = 0;     // sent in hex milliseconds
    long keepalive_ms = 0;
    int logfacility = -1;
    std::string version;
};

class Session {
public:
    // `client_id` empty: a casual client (queries only), identified by its pid.
    static Result<std::unique_ptr<Session>> signon(const std::string& socket_path, const std::string& client_id,
                                                   int timeout_ms = 5000);
    ~Session();
    Session(const Session&) = delete;
    Session& operator=(const Session&) = delete;

    const SignonReply& info() const { return info_; }
    const std::string& client_id() const { return id_; }
    bool casual() const { return casual_; }
    bool connected() const { return fd_ >= 0; }
    int fd() const { return fd_; }

    // One request; every reply up to the final one (results "ok/more" then "OK"/"fail"/"badreq").
    // Messages that are not replies are queued for receive().
    Result<std::vector<Message>> request(const std::string& reqtype, const Message& fields, int timeout_ms = 5000);
    // A request heartbeat answers with nothing (signoff, set_sendqlen).
    Result<bool> post(const std::string& reqtype, const Message& fields);
    // A message for the cluster (no dest) or one node (dest set). Named clients only.
    Result<bool> send(const Message& msg);
    // The first message `wanted` takes, read within timeout_ms (nullopt: none in time); the
    // others are queued for receive(), except stray replies to requests that gave up waiting.
    Result<std::optional<Message>> await(const std::function<bool(const Message&)>& wanted, int timeout_ms);
    // Blocking (default): a write waits until the daemon takes it. Non-blocking: what the socket
    // does not take now waits here, bounded, and goes out with later calls.
    void set_blocking(bool blocking) { blocking_ = blocking; }
    // The next non-reply message: queued, or read within timeout_ms (0: don't wait, -1: block).
    Result<std::optional<Message>> receive(int timeout_ms);
    bool message_ready();
    // Reads, without waiting, every frame the daemon has sent so far (messages are queued).
    void read_available();
    // Called with every message frame as it is read, before it is queued or returned.
    void on_frame(std::function<void(const Message&)> fn) { on_frame_ = std::move(fn); }
    void signoff();

private:
    Session() = default;
    Message header(const std::string& reqtype) const;
    Result<bool> write_frame(const Message& msg);
    Result<bool> send_packed(const Message& msg);  // send() once type 5 fields are packed
    Result<bool> send_large(const Message& msg);   // send_packed() of what does not fit one datagram
    Result<bool> write_encoded(std::string frame);
    // Writes what is pending; with `wait`, until all of it is written.
    Result<bool> flush(bool wait);
    // One read of what the daemon sent into the frame buffer; false when it went away.
    bool read_some();
    // Reads one frame within timeout_ms; nullopt on timeout.
    Result<std::optional<Message>> read_frame(int timeout_ms);
    void disconnect();

    int fd_ = -1;
    std::string id_;
    std::string pid_;
    bool casual_ = true;
    SignonReply info_;
    ipc::FrameReader reader_;
    std::function<void(const Message&)> on_frame_;
    std::deque<Message> queued_;
    std::string pending_;  // encoded frames the socket has not taken yet
    bool blocking_ = true;
    static constexpr std::size_t kMaxPendingBytes = 4 * 1024 * 1024;
};

}  // namespace hb::client
