#include "msg/compression.hpp"

#include <bzlib.h>
#include <zlib.h>

#include <limits>

#include "msg/limits.hpp"
#include "msg/netstring_codec.hpp"
#include "msg/wire_format.hpp"

namespace hb {

namespace {

// bzip2 as heartbeat's bz2 plugin calls it: block size 1 (100 KB), quiet, default work factor.
constexpr int kBz2BlockSize = 1;
constexpr int kBz2WorkFactor = 30;

Result<std::string> zlib_compress(std::string_view in) {
    uLongf out_len = compressBound(static_cast<uLong>(in.size()));
    std::string out(out_len, '\0');
    if (compress(reinterpret_cast<Bytef*>(out.data()), &out_len, reinterpret_cast<const Bytef*>(in.data()),
                 static_cast<uLong>(in.size())) != Z_OK) {
        return make_error("zlib compression failed");
    }
    out.resize(out_len);
    return out;
}

// Inflated in steps, so that the output never grows past `limit`.
Result<std::string> zlib_decompress(std::string_view in, std::size_t limit) {
    z_stream zs{};
    if (inflateInit(&zs) != Z_OK) return make_error("zlib: cannot start inflating");
    std::string out;
    zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
    zs.avail_in = static_cast<uInt>(in.size());
    int rc = Z_OK;
    while (rc == Z_OK) {
        if (out.size() >= limit + 1) break;
        const std::size_t step = std::min<std::size_t>(64 * 1024, limit + 1 - out.size());
        const std::size_t at = out.size();
        out.resize(at + step);
        zs.next_out = reinterpret_cast<Bytef*>(out.data() + at);
        zs.avail_out = static_cast<uInt>(step);
        rc = inflate(&zs, Z_NO_FLUSH);
        out.resize(at + step - zs.avail_out);
        if (rc == Z_BUF_ERROR && zs.avail_in == 0) break;  // truncated input
    }
    inflateEnd(&zs);
    if (out.size() > limit) return make_error("more than " + std::to_string(limit) + " bytes once inflated");
    if (rc != Z_STREAM_END) return make_error("corrupt or truncated zlib data");
    return out;
}

Result<std::string> bz2_compress(std::string_view in) {
    // bzip2's bound: 1% more than the input, plus 600 bytes.
    unsigned int out_len = static_cast<unsigned int>(in.size() + in.size() / 100 + 600);
    std::string out(out_len, '\0');
    if (BZ2_bzBuffToBuffCompress(out.data(), &out_len, const_cast<char*>(in.data()),
                                 static_cast<unsigned int>(in.size()), kBz2BlockSize, 0, kBz2WorkFactor) != BZ_OK) {
        return make_error("bz2 compression failed");
    }
    out.resize(out_len);
    return out;
}

Result<std::string> bz2_decompress(std::string_view in, std::size_t limit) {
    unsigned int out_len = static_cast<unsigned int>(limit);
    std::string out(out_len, '\0');
    const int rc = BZ2_bzBuffToBuffDecompress(out.data(), &out_len, const_cast<char*>(in.data()),
                                              static_cast<unsigned int>(in.size()), 0, 0);
    if (rc == BZ_OUTBUFF_FULL) return make_error("more than " + std::to_string(limit) + " bytes once inflated");
    if (rc != BZ_OK) return make_error("corrupt or truncated bz2 data");
    out.resize(out_len);
    return out;
}

// The algorithm a message names in `_compression_algorithm`.
Result<Compression> named_algorithm(const Message& msg) {
    auto name = msg.get(kCompressionAlgorithmField);
    if (!name) return make_error("no " + std::string(kCompressionAlgorithmField) + " field");
    auto how = compression_from_name(*name);
    if (!how) return make_error("unknown compression '" + std::string(*name) + "'");
    return *how;
}

// A compressed encoding back to a message. heartbeat's text encoding inside ends in the NUL its
// encoder counts.
Result<Message> inflate_message(Compression how, std::string_view bytes) {
    auto inflated = decompress_bytes(how, bytes, kMaxUncompressedBytes);
    if (!inflated) return make_error(inflated.error());
    std::string_view encoded(*inflated);
    if (!encoded.empty() && encoded.back() == '\0') encoded.remove_suffix(1);
    auto msg = decode(encoded);
    if (!msg) return make_error("the compressed message does not decode: " + msg.error());
    return msg;
}

}  // namespace

std::optional<Compression> compression_from_name(std::string_view name) {
    if (name == "zlib") return Compression::zlib;
    if (name == "bz2") return Compression::bz2;
    return std::nullopt;
}

std::string_view compression_name(Compression how) { return how == Compression::zlib ? "zlib" : "bz2"; }

Result<std::string> compress_bytes(Compression how, std::string_view bytes) {
    if (bytes.size() > std::numeric_limits<unsigned int>::max() / 2) return make_error("too large to compress");
    return how == Compression::zlib ? zlib_compress(bytes) : bz2_compress(bytes);
}

Result<std::string> decompress_bytes(Compression how, std::string_view bytes, std::size_t limit) {
    if (bytes.size() > std::numeric_limits<unsigned int>::max() / 2) return make_error("too large to inflate");
    return how == Compression::zlib ? zlib_decompress(bytes, limit) : bz2_decompress(bytes, limit);
}

Result<Message> compress_message(const Message& msg, Compression how) {
    auto encoded = encode_netstring(msg);
    if (!encoded) return make_error(encoded.error());
    auto packed = compress_bytes(how, *encoded);
    if (!packed) return make_error(packed.error());
    Message wrapper;
    wrapper.add_binary(kCompressedPayloadField, *packed);
    wrapper.add(kCompressionAlgorithmField, compression_name(how));
    return wrapper;
}

bool is_compressed_message(const Message& msg) {
    return msg.type_of(kCompressedPayloadField) == FieldType::binary;
}

Result<Message> decompress_message(const Message& wrapper) {
    auto how = named_algorithm(wrapper);
    if (!how) return make_error("a compressed message: " + how.error());
    auto payload = wrapper.get_binary(kCompressedPayloadField);
    if (!payload) return make_error("a compressed message without its payload");
    if (payload->size() > kMaxWireBytes) return make_error("a compressed payload larger than MAXMSG");
    auto msg = inflate_message(*how, *payload);
    if (!msg) return make_error("a compressed message: " + msg.error());
    return msg;
}

Result<Message> unwrap_compressed(Message msg) {
    if (!is_compressed_message(msg)) return msg;
    return decompress_message(msg);
}

Result<Message> pack_compress_fields(Message msg, Compression how) {
    bool packed_any = false;
    for (std::size_t i = 0; i < msg.size(); ++i) {
        Field& f = msg[i];
        if (f.type != FieldType::uncompress) continue;
        auto encoded = encode_netstring(*f.child);
        if (!encoded) return make_error("field '" + f.name + "': " + encoded.error());
        auto packed = compress_bytes(how, *encoded);
        if (!packed) return make_error("field '" + f.name + "': " + packed.error());
        f.child.reset();
        f.type = FieldType::compress;
        f.bytes = std::move(*packed);
        packed_any = true;
    }
    if (packed_any) msg.set(kCompressionAlgorithmField, compression_name(how));
    return msg;
}

Result<Message> unpack_compress_field(const Message& holder, const Field& field) {
    if (field.type != FieldType::compress) return make_error("field '" + field.name + "' is not compressed");
    auto how = named_algorithm(holder);
    if (!how) return make_error("field '" + field.name + "': " + how.error());
    auto msg = inflate_message(*how, field.bytes);
    if (!msg) return make_error("field '" + field.name + "': " + msg.error());
    return msg;
}

std::size_t inflate_compress_fields(Message& msg) {
    std::size_t stayed = 0;
    for (std::size_t i = 0; i < msg.size(); ++i) {
        Field& f = msg[i];
        if (f.type != FieldType::compress) continue;
        auto child = unpack_compress_field(msg, f);
        if (!child) {
            ++stayed;
            continue;
        }
        f.bytes.clear();
        f.type = FieldType::uncompress;
        f.child = std::make_unique<Message>(std::move(child).value());
    }
    return stayed;
}

}  // namespace hb
