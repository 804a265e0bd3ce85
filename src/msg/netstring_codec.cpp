#include "msg/netstring_codec.hpp"

#include "msg/limits.hpp"
#include "msg/packed_list.hpp"

namespace hb {

namespace {

constexpr std::string_view kStart = "###\n";
constexpr std::string_view kEnd = "%%%\n";

bool encode_message(const Message& msg, int depth, std::string& out, std::string& error) {
    out += kStart;
    std::string built;  // a list's or nested message's value; a scalar's is its bytes, not copied
    for (const Field& f : msg.fields()) {
        std::string_view value;
        switch (f.type) {
            case FieldType::string:
            case FieldType::binary:
            case FieldType::compress:
                value = f.bytes;
                break;
            case FieldType::list:
                built = pack_list(f.list);
                value = built;
                break;
            case FieldType::structure:
            case FieldType::uncompress:
                if (depth >= kMaxDepth) {
                    error = "message nesting deeper than " + std::to_string(kMaxDepth);
                    return false;
                }
                built.clear();
                if (!encode_message(*f.child, depth + 1, built, error)) return false;
                value = built;
                break;
        }
        // "LEN:(T)name=value," written in place.
        append_netstring_head(out, 4 + f.name.size() + value.size());
        out += '(';
        out += static_cast<char>('0' + static_cast<int>(f.type));
        out += ')';
        out += f.name;
        out += '=';
        out += value;
        out += ',';
        if (out.size() > kMaxUncompressedBytes) {
            error = "message larger than " + std::to_string(kMaxUncompressedBytes) + " bytes";
            return false;
        }
    }
    out += kEnd;
    return true;
}

Result<NetstringDecoded> decode_at_depth(std::string_view bytes, int depth);

bool decode_field(std::string_view payload, int depth, Message& msg, std::string& error) {
    if (payload.size() < 4 || payload[0] != '(' || payload[2] != ')' || payload[1] < '0' ||
        payload[1] > '5') {
        error = "field without a valid type marker";
        return false;
    }
    Field f;
    f.type = static_cast<FieldType>(payload[1] - '0');
    payload.remove_prefix(3);
    std::size_t eq = payload.find('=');
    if (eq == std::string_view::npos) {
        error = "field without a valid name";
        return false;
    }
    const std::string_view name = payload.substr(0, eq);
    std::string_view value = payload.substr(eq + 1);
    if (f.type == FieldType::list || is_nested(f.type)) {
        if (!valid_field_name(name)) {
            error = "field without a valid name";
            return false;
        }
    }
    f.name = std::string(name);
    switch (f.type) {
        case FieldType::string:
        case FieldType::binary:
        case FieldType::compress:
            // Name and value are checked once, by add_field below.
            f.bytes = std::string(value);
            break;
        case FieldType::list: {
            auto items = unpack_list(value);
            if (!items) {
                error = "field '" + f.name + "': invalid packed list";
                return false;
            }
            if (!msg.add_list(f.name, std::move(*items))) {
                error = "list field '" + f.name + "' repeats a field of another type";
                return false;
            }
            return true;
        }
        case FieldType::structure:
        case FieldType::uncompress: {
            if (depth >= kMaxDepth) {
                error = "message nesting deeper than " + std::to_string(kMaxDepth);
                return false;
            }
            auto child = decode_at_depth(value, depth + 1);
            if (!child || child->consumed != value.size()) {
                error = "field '" + f.name + "': " + (child ? "bytes after the nested message" : child.error());
                return false;
            }
            f.child = std::make_unique<Message>(std::move(child->message));
            break;
        }
    }
    const FieldType type = f.type;
    if (!msg.add_field(std::move(f))) {
        if (!valid_field_name(name)) {
            error = "field without a valid name";
        } else if (type == FieldType::string && value.find('\0') != std::string_view::npos) {
            error = "string field '" + std::string(name) + "' holds a NUL byte";
        } else {
            error = "too many fields";
        }
        return false;
    }
    return true;
}

Result<NetstringDecoded> decode_at_depth(std::string_view bytes, int depth) {
    if (bytes.substr(0, kStart.size()) != kStart) return make_error("no start marker '###'");
    std::string_view rest = bytes.substr(kStart.size());
    NetstringDecoded out;
    out.message.reserve(16);  // a typical packet's fields: no regrowth
    std::string error;
    while (rest.substr(0, kEnd.size()) != kEnd) {
        auto ns = read_netstring(rest);
        if (!ns) return make_error(rest.empty() ? "no end marker '%%%'" : "malformed netstring");
        if (!decode_field(ns->payload, depth, out.message, error)) return make_error(error);
        rest.remove_prefix(ns->consumed);
    }
    out.consumed = bytes.size() - rest.size() + kEnd.size();
    return out;
}

}  // namespace

Result<std::string> encode_netstring(const Message& msg) {
    std::string out, error;
    out.reserve(256);  // a typical packet fits: no regrowth
    if (!encode_message(msg, 0, out, error)) return make_error(error);
    return out;
}

Result<NetstringDecoded> decode_netstring(std::string_view bytes) {
    if (bytes.size() > kMaxUncompressedBytes) return make_error("message too large");
    return decode_at_depth(bytes, 0);
}

}  // namespace hb
