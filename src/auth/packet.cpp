#include "auth/packet.hpp"

#include <algorithm>

#include "msg/netstring_codec.hpp"
#include "msg/packed_list.hpp"
#include "msg/text_codec.hpp"

namespace hb::auth {

namespace {

Result<std::string> seal_packet(const Message& msg, const Keyring& keys, const Key& key, NonceSequence* nonces) {
    if (!nonces) return make_error("an encrypting key needs a nonce sequence");
    auto nonce = nonces->next();
    if (!nonce) return make_error("no random nonce prefix (OpenSSL's random source failed)");
    auto encoded = encode_netstring(msg);
    if (!encoded) return make_error(encoded.error());
    std::string datagram(kSealedMagic);
    datagram += static_cast<char>(key.index);
    datagram.append(reinterpret_cast<const char*>(nonce->data()), nonce->size());
    auto sealed = aead_seal(key.method, keys.aead_key(key.index), *nonce, datagram, *encoded);
    if (!sealed) return make_error("OpenSSL refused to encrypt with " + std::string(method_name(key.method)));
    datagram += *sealed;
    return datagram;
}

}  // namespace

Result<std::string> sign_packet(Message& msg, const Keyring& keys, bool inner_auth, NonceSequence* nonces) {
    const Key* signing = keys.signing_key();
    if (!signing) return make_error("no signing key");
    if (method_is_aead(signing->method)) return seal_packet(msg, keys, *signing, nonces);
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

CheckedPacket check_sealed(std::string_view datagram, const Keyring& keys) {
    constexpr std::size_t kHeader = kSealedMagic.size() + 1 + kAeadNonceBytes;
    if (datagram.size() < kSealedOverhead) return refuse(PacketStatus::malformed, "sealed datagram too short");
    const Key* key = keys.find(static_cast<unsigned char>(datagram[kSealedMagic.size()]));
    if (!key || !method_is_aead(key->method)) return refuse(PacketStatus::bad_auth, "sealed with a key we do not have");
    Nonce nonce{};
    std::copy_n(datagram.begin() + kSealedMagic.size() + 1, nonce.size(), nonce.begin());
    auto plain = aead_open(key->method, keys.aead_key(key->index), nonce, datagram.substr(0, kHeader), datagram.substr(kHeader));
    if (!plain) return refuse(PacketStatus::bad_auth, "sealed datagram does not open with our key");
    auto decoded = decode_netstring(*plain);
    if (!decoded) return refuse(PacketStatus::malformed, "sealed: " + decoded.error());
    if (decoded->consumed != plain->size()) return refuse(PacketStatus::malformed, "sealed: bytes after the message");
    CheckedPacket out;
    out.status = PacketStatus::ok;
    out.message = std::move(decoded->message);
    out.nonce = split_nonce(nonce);
    return out;
}

}  // namespace

CheckedPacket check_packet(std::string_view datagram, const Keyring& keys) {
    if (datagram.substr(0, kSealedMagic.size()) == kSealedMagic) return check_sealed(datagram, keys);
    if (datagram.substr(0, 4) == "###\n") return check_netstring(datagram, keys);
    if (datagram.substr(0, 4) == ">>>\n") return check_text(datagram, keys);
    return refuse(PacketStatus::malformed, "neither a netstring nor a text message");
}

}  // namespace hb::auth
