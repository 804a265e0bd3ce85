#include "auth/packet.hpp"

#include "msg/netstring_codec.hpp"
#include "msg/packed_list.hpp"
#include "msg/text_codec.hpp"

namespace hb::auth {

Result<std::string> sign_packet(Message& msg, const Keyring& keys, bool inner_auth) {
    if (!keys.signing_index()) return make_error("no signing key");
    if (inner_auth) {
        auto body = encode_text_unsigned_body(msg);
        if (!body) return make_error(body.error());
        if (!msg.set("auth", keys.sign(*body))) return make_error("cannot add the auth field");
    }
    auto encoded = encode_netstring(msg);
    if (!encoded) return make_error(encoded.error());
    std::string datagram = std::move(encoded).value();
    append_netstring(datagram, keys.sign(datagram));
    return datagram;
}

namespace {

CheckedPacket refuse(PacketStatus status, std::string detail) {
    CheckedPacket out;
    out.status = status;
    out.detail = std::move(detail);
    return out;
}

CheckedPacket check_netstring(std::string_view datagram, const Keyring& keys) {
    auto decoded = decode_netstring(datagram);
    if (!decoded) return refuse(PacketStatus::malformed, decoded.error());
    auto trailer = read_netstring(datagram.substr(decoded->consumed));
    if (!trailer) return refuse(PacketStatus::bad_auth, "no authentication trailer");
    if (!keys.verify(datagram.substr(0, decoded->consumed), trailer->payload)) {
        return refuse(PacketStatus::bad_auth, "trailer signature does not match");
    }
    CheckedPacket out;
    out.status = PacketStatus::ok;
    out.message = std::move(decoded->message);
    return out;
}

CheckedPacket check_text(std::string_view datagram, const Keyring& keys) {
    auto decoded = decode_text(datagram);
    if (!decoded) return refuse(PacketStatus::malformed, decoded.error());
    auto token = decoded->get("auth");
    if (!token) return refuse(PacketStatus::bad_auth, "no auth field");
    auto body = encode_text_unsigned_body(*decoded);
    if (!body || !keys.verify(*body, *token)) return refuse(PacketStatus::bad_auth, "auth field does not match");
    CheckedPacket out;
    out.status = PacketStatus::ok;
    out.message = std::move(decoded).value();
    return out;
}

}  // namespace

CheckedPacket check_packet(std::string_view datagram, const Keyring& keys) {
    if (datagram.substr(0, 4) == "###\n") return check_netstring(datagram, keys);
    if (datagram.substr(0, 4) == ">>>\n") return check_text(datagram, keys);
    return refuse(PacketStatus::malformed, "neither a netstring nor a text message");
}

}  // namespace hb::auth
