// heartbeat's compression of messages (clplumbing's cl_compress.c with its zlib and bz2 plugins),
// byte-compatible with 3.0.6 in both directions.
//
// Whole-message compression replaces a message by a wrapper of two fields: the binary
// `_compressed_payload` (the message's encoding, compressed) and the string
// `_compression_algorithm` ("zlib": zlib's compress() format, RFC 1950; "bz2": bzip2's
// BZ2_bzBuffToBuffCompress at block size 1). heartbeat compresses this way when a message's
// encoding reaches MAXMSG, or, with `traditional_compression yes`, whenever it is above
// `compression_threshold`; every reader of a message (the daemon on UDP and on its API socket, the
// client library) unwraps such a wrapper at once.
//
// Field compression (type 5 "uncompress" sent as type 4 "compress") packs one nested message the
// same way and adds `_compression_algorithm` to the message that holds it; readers unpack the field
// only when a program asks for it.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/result.hpp"
#include "msg/message.hpp"

namespace hb {

enum class Compression { zlib, bz2 };

std::optional<Compression> compression_from_name(std::string_view name);
std::string_view compression_name(Compression how);

inline constexpr std::string_view kCompressedPayloadField = "_compressed_payload";
inline constexpr std::string_view kCompressionAlgorithmField = "_compression_algorithm";

// The bytes compressed with the algorithm, and back. Decompressing refuses output larger than
// `limit` (a small packet must not inflate into gigabytes).
Result<std::string> compress_bytes(Compression how, std::string_view bytes);
Result<std::string> decompress_bytes(Compression how, std::string_view bytes, std::size_t limit);

// The wrapper that carries `msg` compressed (its netstring encoding inside).
Result<Message> compress_message(const Message& msg, Compression how);
// Whether `msg` is such a wrapper (it has a binary `_compressed_payload`).
bool is_compressed_message(const Message& msg);
// The message a wrapper carries: an error names what is wrong (unknown algorithm, corrupt data,
// more than MAXUNCOMPRESSED once inflated, an inner encoding that does not decode).
Result<Message> decompress_message(const Message& wrapper);
// `msg` itself, or what it carries when it is a wrapper.
Result<Message> unwrap_compressed(Message msg);

// Every type 5 field of `msg` (top level) packed as type 4, with `_compression_algorithm` set: what
// heartbeat's senders do before a message leaves the process.
Result<Message> pack_compress_fields(Message msg, Compression how);
// The nested message a type 4 field of `holder` carries, by the holder's `_compression_algorithm`.
Result<Message> unpack_compress_field(const Message& holder, const Field& field);
// Every type 4 field of `msg` (top level) inflated back into a type 5 field, as heartbeat's
// cl_get_struct does on reading one; a field that does not inflate stays as it came. Returns how
// many stayed.
std::size_t inflate_compress_fields(Message& msg);

}  // namespace hb
