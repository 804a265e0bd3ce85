// hbmsg: build, encode, sign, decode and check heartbeat messages from the command line.
//   hbmsg encode [--netstring] t=status st=up ...      -> the encoded message on stdout
//   hbmsg sign --key 1:sha1:secret t=status ...          -> a signed UDP datagram on stdout
//   hbmsg decode [--json] [FILE]                         -> the fields of a message (stdin by default)
//   hbmsg check --key 1:sha1:secret [FILE]               -> exit 0 when the signature is good
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <fstream>
#include <iostream>
#include <iterator>

#include "auth/keyring.hpp"
#include "auth/packet.hpp"
#include "msg/dump.hpp"
#include "msg/text_codec.hpp"
#include "msg/wire_format.hpp"

namespace {

// "name=value" adds a string field; "name:hex=0a1b" a binary one.
bool add_field_arg(hb::Message& msg, const std::string& arg) {
    std::size_t eq = arg.find('=');
    if (eq == std::string::npos) return false;
    std::string name = arg.substr(0, eq), value = arg.substr(eq + 1);
    if (name.size() > 4 && name.ends_with(":hex")) {
        if (value.size() % 2) return false;
        std::string bytes;
        for (std::size_t i = 0; i < value.size(); i += 2) {
            bytes += static_cast<char>(std::stoi(value.substr(i, 2), nullptr, 16));
        }
        return msg.add_binary(name.substr(0, name.size() - 4), bytes);
    }
    return msg.add(name, value);
}

std::string read_input(const std::string& path) {
    if (path.empty() || path == "-") return {std::istreambuf_iterator<char>(std::cin), {}};
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot read " + path);
    return {std::istreambuf_iterator<char>(in), {}};
}

// "N:method:secret" (crc takes no secret: "N:crc").
hb::auth::Keyring parse_key(const std::string& spec) {
    std::size_t c1 = spec.find(':');
    std::size_t c2 = spec.find(':', c1 + 1);
    hb::auth::Key key;
    key.index = std::stoi(spec.substr(0, c1));
    auto method = hb::auth::method_from_name(spec.substr(c1 + 1, c2 == std::string::npos ? c2 : c2 - c1 - 1));
    if (c1 == std::string::npos || !method) throw std::runtime_error("--key wants N:method:secret");
    key.method = *method;
    if (c2 != std::string::npos) key.secret = spec.substr(c2 + 1);
    hb::auth::Keyring keys;
    if (!keys.add(key) || !keys.set_signing_index(key.index)) throw std::runtime_error("invalid --key " + spec);
    return keys;
}

nlohmann::json to_json(const hb::Message& msg) {
    nlohmann::json fields = nlohmann::json::array();
    for (const hb::Field& f : msg.fields()) {
        nlohmann::json j{{"name", f.name}, {"type", hb::field_type_name(f.type)}};
        if (f.child) {
            j["fields"] = to_json(*f.child);
        } else if (f.type == hb::FieldType::list) {
            j["list"] = f.list;
        } else {
            j["value"] = hb::escape_bytes(f.bytes);
        }
        fields.push_back(std::move(j));
    }
    return fields;
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"Build, encode, sign, decode and check heartbeat messages"};
    app.set_help_all_flag("--help-all", "print the help of every sub-command too");
    app.require_subcommand(1);
    std::vector<std::string> field_args;
    std::string key_spec, input;
    bool netstring = false, json = false;

    auto* encode = app.add_subcommand("encode", "encode fields name=value (name:hex=.. for binary)");
    encode->add_flag("--netstring", netstring, "netstring instead of text");
    encode->add_option("fields", field_args)->required();
    auto* sign = app.add_subcommand("sign", "encode and sign as a UDP datagram");
    sign->add_option("--key", key_spec, "N:method:secret")->required();
    sign->add_option("fields", field_args)->required();
    auto* decode = app.add_subcommand("decode", "print the fields of a text or netstring message");
    decode->add_flag("--json", json, "JSON output");
    decode->add_option("file", input, "input file (default stdin)");
    auto* check = app.add_subcommand("check", "check a datagram's signature");
    check->add_option("--key", key_spec, "N:method:secret")->required();
    check->add_option("file", input, "input file (default stdin)");
    CLI11_PARSE(app, argc, argv);

    try {
        if (*encode || *sign) {
            hb::Message msg;
            for (const auto& arg : field_args) {
                if (!add_field_arg(msg, arg)) {
                    std::cerr << "hbmsg: invalid field '" << arg << "'\n";
                    return 2;
                }
            }
            auto out = *sign ? hb::auth::sign_packet(msg, parse_key(key_spec), true)
                             : hb::encode(msg, netstring ? hb::WireFormat::netstring : hb::WireFormat::text);
            if (!out) {
                std::cerr << "hbmsg: " << out.error() << '\n';
                return 1;
            }
            std::cout << *out;
            return 0;
        }
        std::string bytes = read_input(input);
        if (*check) {
            auto checked = hb::auth::check_packet(bytes, parse_key(key_spec));
            if (checked.status != hb::auth::PacketStatus::ok) {
                std::cerr << "hbmsg: refused: " << checked.detail << '\n';
                return 1;
            }
            std::cout << "signature ok";
            // The inner auth field (msgfmt classic) signs the text rendering of the other fields.
            if (auto inner = checked.message.get("auth")) {
                auto body = hb::encode_text_unsigned_body(checked.message);
                const bool good = body && parse_key(key_spec).verify(*body, *inner);
                std::cout << (good ? "; inner auth field ok" : "; inner auth field DOES NOT MATCH");
                if (!good) {
                    std::cout << '\n';
                    return 1;
                }
            }
            std::cout << '\n' << hb::dump(checked.message);
            return 0;
        }
        auto msg = hb::decode(bytes);
        if (!msg) {
            std::cerr << "hbmsg: " << msg.error() << '\n';
            return 1;
        }
        std::cout << (json ? to_json(*msg).dump(2) + "\n" : hb::dump(*msg));
        return 0;
    } catch (const std::exception& e) {
        std::cerr << "hbmsg: " << e.what() << '\n';
        return 2;
    }
}
