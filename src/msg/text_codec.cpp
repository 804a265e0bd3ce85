#include "msg/text_codec.hpp"

#include <algorithm>

#include "msg/base64.hpp"
#include "msg/limits.hpp"
#include "msg/packed_list.hpp"

namespace hb {

namespace {

constexpr std::string_view kStart = ">>>\n";
constexpr std::string_view kEnd = "<<<\n";

// A nested message's text replaces its newlines with a byte that depends on the depth of the
// message holding the field, so that one line carries the whole child (heartbeat's SPECIAL_SYMS).
char nested_newline_symbol(int depth) {
    static constexpr char kSymbols[kMaxDepth] = {20, 21, 22, 23, 24, 25, 26, 27,
                                                 28, 29, 30, 31, 15, 16, 17, 18};
    return kSymbols[depth];
}

bool encode_fields(const Message& msg, int depth, bool skip_auth, std::string& out, std::string& error);

bool encode_message(const Message& msg, int depth, std::string& out, std::string& error) {
    out += kStart;
    if (!encode_fields(msg, depth, false, out, error)) return false;
    out += kEnd;
    return true;
}

bool encode_value(const Field& f, int depth, std::string& out, std::string& error) {
    switch (f.type) {
        case FieldType::string: {
            std::size_t start = out.size();
            out += f.bytes;
            std::replace(out.begin() + static_cast<std::ptrdiff_t>(start), out.end(), '\n',
                         kTextNewlineSymbol);
            return true;
        }
        case FieldType::binary:
        case FieldType::compress:
            out += base64_encode(f.bytes);
            return true;
        case FieldType::list:
            out += pack_list(f.list);
            return true;
        case FieldType::structure:
        case FieldType::uncompress: {
            if (depth >= kMaxDepth) {
                error = "message nesting deeper than " + std::to_string(kMaxDepth);
                return false;
            }
            std::string child;
            if (!encode_message(*f.child, depth + 1, child, error)) return false;
            const char sym = nested_newline_symbol(depth);
            if (child.find(sym) != std::string::npos) {
                error = "field '" + f.name + "' holds the byte reserved for nested newlines";
                return false;
            }
            std::replace(child.begin(), child.end(), '\n', sym);
            out += child;
            return true;
        }
    }
    error = "unknown field type";
    return false;
}

bool encode_fields(const Message& msg, int depth, bool skip_auth, std::string& out, std::string& error) {
    for (const Field& f : msg.fields()) {
        if (skip_auth && f.name == "auth") continue;
        if (f.type != FieldType::string) {
            out += '(';
            out += static_cast<char>('0' + static_cast<int>(f.type));
            out += ')';
        }
        out += f.name;
        out += '=';
        if (!encode_value(f, depth, out, error)) return false;
        out += '\n';
        if (out.size() > kMaxUncompressedBytes) {
            error = "message larger than " + std::to_string(kMaxUncompressedBytes) + " bytes";
            return false;
        }
    }
    return true;
}

Result<Message> decode_at_depth(std::string_view text, int depth);

bool decode_value(Field& f, std::string_view value, int depth, std::string& error) {
    switch (f.type) {
        case FieldType::string:
            f.bytes = std::string(value);
            std::replace(f.bytes.begin(), f.bytes.end(), kTextNewlineSymbol, '\n');
            return true;
        case FieldType::binary:
        case FieldType::compress: {
            auto bytes = base64_decode(value);
            if (!bytes) {
                error = "field '" + f.name + "': invalid base64";
                return false;
            }
            f.bytes = std::move(*bytes);
            return true;
        }
        case FieldType::list: {
            auto items = unpack_list(value);
            if (!items) {
                error = "field '" + f.name + "': invalid packed list";
                return false;
            }
            f.list = std::move(*items);
            return true;
        }
        case FieldType::structure:
        case FieldType::uncompress: {
            if (depth >= kMaxDepth) {
                error = "message nesting deeper than " + std::to_string(kMaxDepth);
                return false;
            }
            std::string child(value);
            std::replace(child.begin(), child.end(), nested_newline_symbol(depth), '\n');
            auto decoded = decode_at_depth(child, depth + 1);
            if (!decoded) {
                error = "field '" + f.name + "': " + decoded.error();
                return false;
            }
            f.child = std::make_unique<Message>(std::move(decoded).value());
            return true;
        }
    }
    return false;
}

// One "name=value" line, with an optional "(d)" type marker.
bool decode_line(std::string_view line, int depth, Message& msg, std::string& error) {
    std::size_t eq = line.find('=');
    if (eq == std::string_view::npos) {
        error = "line without '='";
        return false;
    }
    std::string_view name = line.substr(0, eq);
    Field f;
    if (!name.empty() && name.front() == '(') {
        if (name.size() < 3 || name[2] != ')' || name[1] < '1' || name[1] > '5') {
            error = "bad type marker in '" + std::string(name.substr(0, 16)) + "'";
            return false;
        }
        f.type = static_cast<FieldType>(name[1] - '0');
        name.remove_prefix(3);
    }
    if (!valid_field_name(name)) {
        error = "invalid field name";
        return false;
    }
    f.name = std::string(name);
    if (!decode_value(f, line.substr(eq + 1), depth, error)) return false;
    if (f.type == FieldType::list) {
        // A repeated list name appends to the first list, as heartbeat's parser does.
        if (!msg.add_list(f.name, std::move(f.list))) {
            error = "list field '" + f.name + "' repeats a field of another type";
            return false;
        }
        return true;
    }
    if (!msg.add_field(std::move(f))) {
        error = "too many fields";
        return false;
    }
    return true;
}

Result<Message> decode_at_depth(std::string_view text, int depth) {
    if (text.size() > kMaxUncompressedBytes) return make_error("message too large");
    if (text.substr(0, kStart.size()) != kStart) return make_error("no start marker '>>>'");
    std::size_t nul = text.find('\0');
    if (nul != std::string_view::npos) text = text.substr(0, nul);
    text.remove_prefix(kStart.size());
    Message msg;
    msg.reserve(16);  // a typical message's fields: no regrowth
    std::string error;
    for (;;) {
        std::size_t skip = text.find_first_not_of('\n');
        if (skip == std::string_view::npos) return make_error("no end marker '<<<'");
        text.remove_prefix(skip);
        if (text.substr(0, kEnd.size()) == kEnd) return msg;
        std::size_t nl = text.find('\n');
        if (nl == std::string_view::npos) return make_error("no end marker '<<<'");
        if (!decode_line(text.substr(0, nl), depth, msg, error)) return make_error(error);
        text.remove_prefix(nl + 1);
    }
}

}  // namespace

Result<std::string> encode_text(const Message& msg) {
    std::string out, error;
    out.reserve(256);  // a typical message fits: no regrowth
    if (!encode_message(msg, 0, out, error)) return make_error(error);
    return out;
}

Result<std::string> encode_text_unsigned_body(const Message& msg) {
    std::string out, error;
    out.reserve(256);
    if (!encode_fields(msg, 0, true, out, error)) return make_error(error);
    return out;
}

Result<Message> decode_text(std::string_view text) { return decode_at_depth(text, 0); }

}  // namespace hb
