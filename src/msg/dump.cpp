#include "msg/dump.hpp"

#include <cstdio>

namespace hb {

std::string escape_bytes(std::string_view bytes) {
    std::string out;
    out.reserve(bytes.size());
    for (unsigned char c : bytes) {
        if (c >= 0x20 && c < 0x7f && c != '\\' && c != '"') {
            out += static_cast<char>(c);
        } else {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\x%02x", c);
            out += buf;
        }
    }
    return out;
}

std::string hex_encode(std::string_view bytes) {
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string out;
    for (unsigned char c : bytes) {
        out += kDigits[c >> 4];
        out += kDigits[c & 15];
    }
    return out;
}

namespace {

void dump_into(const Message& msg, int indent, std::vector<std::string>& lines) {
    const std::string pad(static_cast<std::size_t>(indent) * 2, ' ');
    for (const Field& f : msg.fields()) {
        std::string line = pad;
        if (f.type != FieldType::string) line += std::string("(") + field_type_name(f.type) + ") ";
        line += f.name + " = ";
        switch (f.type) {
            case FieldType::string:
                line += '"' + escape_bytes(f.bytes) + '"';
                break;
            case FieldType::binary:
            case FieldType::compress:
                line += hex_encode(f.bytes) + " (" + std::to_string(f.bytes.size()) + " bytes)";
                break;
            case FieldType::list:
                line += '[';
                for (std::size_t i = 0; i < f.list.size(); ++i) {
                    line += (i ? ", \"" : "\"") + escape_bytes(f.list[i]) + '"';
                }
                line += ']';
                break;
            case FieldType::structure:
            case FieldType::uncompress:
                line += '{';
                lines.push_back(line);
                dump_into(*f.child, indent + 1, lines);
                lines.push_back(pad + '}');
                continue;
        }
        lines.push_back(std::move(line));
    }
}

}  // namespace

std::vector<std::string> dump_lines(const Message& msg) {
    std::vector<std::string> lines;
    dump_into(msg, 0, lines);
    return lines;
}

std::string dump(const Message& msg) {
    std::string out;
    for (const auto& line : dump_lines(msg)) out += line + '\n';
    return out;
}

}  // namespace hb
