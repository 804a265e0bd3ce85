// heartbeat's client IPC framing (spec §5.1): a native-endian int length, the magic 0xabcd as a
// native unsigned int, then the body: the text message with a NUL (counted in the length), or the
// netstring form when the message holds structs.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.hpp"
#include "msg/message.hpp"

namespace hb::ipc {

inline constexpr std::uint32_t kFrameMagic = 0xabcd;
inline constexpr std::size_t kHeaderBytes = 8;
inline constexpr std::size_t kMaxBodyBytes = 256 * 1024;  // heartbeat's MAXMSG

Result<std::string> encode_frame(const Message& msg);

// Accumulates bytes from a stream socket and cuts them into messages. A bad header or body is an
// error for the whole connection (heartbeat drops such a client), reported once.
class FrameReader {
public:
    void feed(std::string_view bytes) { buffer_.append(bytes); }
    enum class Status { message, need_more, error };
    // Status::message fills `out`; Status::error fills `error` and the reader stays broken.
    Status next(Message& out, std::string& error);
    std::size_t buffered() const { return buffer_.size() - consumed_; }

private:
    std::string buffer_;
    std::size_t consumed_ = 0;
    bool broken_ = false;
};

}  // namespace hb::ipc
