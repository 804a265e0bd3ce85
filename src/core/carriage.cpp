#include "core/carriage.hpp"

#include "msg/limits.hpp"
#include "msg/netstring_codec.hpp"

namespace hb::core {

Result<Packed> pack_for_wire(const Message& msg, const CarriageRules& rules) {
    auto encoded = encode_netstring(msg);
    if (!encoded) return make_error("cannot encode the message: " + encoded.error());
    const bool compress = encoded->size() > rules.packet_bytes || (rules.traditional && encoded->size() > rules.threshold);
    if (!compress) return Packed{Carriage::plain, msg, std::move(encoded).value()};
    auto wrapper = compress_message(msg, rules.compression);
    if (!wrapper) return make_error("cannot compress the message: " + wrapper.error());
    auto packed = encode_netstring(*wrapper);
    if (!packed) return make_error("cannot encode the compressed message: " + packed.error());
    if (packed->size() >= kMaxWireBytes) {
        return make_error("a message of " + std::to_string(encoded->size()) + " bytes is " +
                          std::to_string(packed->size()) + " compressed (" + std::string(compression_name(rules.compression)) +
                          "), above heartbeat's limit of " + std::to_string(kMaxWireBytes - 1));
    }
    if (rules.traditional && encoded->size() <= rules.packet_bytes && packed->size() >= encoded->size()) {
        // Traditional compression of something that does not shrink: heartbeat sends the wrapper
        // regardless, but the plain message fits and every reader takes it.
        return Packed{Carriage::plain, msg, std::move(encoded).value()};
    }
    const Carriage how = packed->size() <= rules.packet_bytes ? Carriage::compressed : Carriage::fragments;
    return Packed{how, std::move(wrapper).value(), std::move(packed).value()};
}

}  // namespace hb::core
