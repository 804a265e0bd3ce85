#include "ipc/frame.hpp"

#include <cstring>

#include "msg/wire_format.hpp"

namespace hb::ipc {

Result<std::string> encode_frame(const Message& msg) {
    const WireFormat format = choose_format(msg, WireFormat::text);
    auto body = encode(msg, format);
    if (!body) return make_error(body.error());
    if (format == WireFormat::text) body->push_back('\0');
    if (body->size() > kMaxBodyBytes) return make_error("message larger than the IPC limit");
    const int length = static_cast<int>(body->size());
    const unsigned magic = kFrameMagic;
    std::string frame(kHeaderBytes, '\0');
    std::memcpy(frame.data(), &length, 4);
    std::memcpy(frame.data() + 4, &magic, 4);
    frame += *body;
    return frame;
}

FrameReader::Status FrameReader::next(Message& out, std::string& error) {
    if (broken_) {
        error = "connection already failed";
        return Status::error;
    }
    if (buffered() < kHeaderBytes) return Status::need_more;
    int length = 0;
    unsigned magic = 0;
    std::memcpy(&length, buffer_.data() + consumed_, 4);
    std::memcpy(&magic, buffer_.data() + consumed_ + 4, 4);
    if (magic != kFrameMagic || length <= 0 || static_cast<std::size_t>(length) > kMaxBodyBytes) {
        broken_ = true;
        error = magic != kFrameMagic ? "bad frame magic" : "bad frame length " + std::to_string(length);
        return Status::error;
    }
    if (buffered() < kHeaderBytes + static_cast<std::size_t>(length)) return Status::need_more;
    std::string_view body(buffer_.data() + consumed_ + kHeaderBytes, static_cast<std::size_t>(length));
    consumed_ += kHeaderBytes + static_cast<std::size_t>(length);
    auto msg = decode(body);
    if (!msg) {
        broken_ = true;
        error = "bad message: " + msg.error();
        return Status::error;
    }
    out = std::move(msg).value();
    // Compact now and then so the buffer does not grow without bound on a long connection.
    if (consumed_ > 64 * 1024 && consumed_ * 2 > buffer_.size()) {
        buffer_.erase(0, consumed_);
        consumed_ = 0;
    }
    return Status::message;
}

}  // namespace hb::ipc
