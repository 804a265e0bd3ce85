// Golden vectors produced by heartbeat's own ha_msg code (libplumb, Debian cluster-glue), see
// tests/interop/golden/. What heartbeat writes we write byte for byte, and what it reads we read
// to the same fields; where we are deliberately stricter on malformed input, the case is listed.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <fstream>
#include <set>

#include "heartbeat/ha_msg.h"
#include "msg/netstring_codec.hpp"
#include "msg/text_codec.hpp"
#include "msg/wire_format.hpp"

namespace hb {
namespace {

using nlohmann::json;

const json& golden() {
    static const json doc = [] {
        std::ifstream in(std::string(HB_TEST_DATA_DIR) + "/msg_golden.json");
        return json::parse(in);
    }();
    return doc;
}

std::string unhex(const std::string& hex) {
    std::string out;
    for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
        out += static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16));
    }
    return out;
}

Message build(const json& fields) {
    Message m;
    for (const json& f : fields) {
        Field field;
        field.name = unhex(f.at("name_hex"));
        field.type = static_cast<FieldType>(f.at("type").get<int>());
        if (f.contains("fields")) {
            field.child = std::make_unique<Message>(build(f.at("fields")));
        } else if (f.contains("list_hex")) {
            for (const auto& item : f.at("list_hex")) field.list.push_back(unhex(item));
        } else {
            field.bytes = unhex(f.at("value_hex"));
        }
        EXPECT_TRUE(m.add_field(std::move(field))) << f.dump();
    }
    return m;
}

// Inputs heartbeat accepts and we refuse, each for a reason; nothing heartbeat writes is here.
const std::set<std::string>& stricter_than_heartbeat() {
    static const std::set<std::string> names = {
#include "msg_golden_stricter.inc"
    };
    return names;
}

TEST(Golden, VectorsArePresent) {
    EXPECT_GE(golden().at("encode").size(), 20u);
    EXPECT_GE(golden().at("decode").size(), 20u);
}

TEST(Golden, EncodeLikeHeartbeat) {
    for (const json& v : golden().at("encode")) {
        SCOPED_TRACE(v.at("name").get<std::string>());
        Message m = build(v.at("fields"));
        if (v.contains("text_hex") && !v.at("text_hex").get<std::string>().empty()) {
            auto text = encode_text(m);
            ASSERT_TRUE(text.ok()) << text.error();
            EXPECT_EQ(*text, unhex(v.at("text_hex")));
        }
        if (v.contains("netstring_hex") && !v.at("netstring_hex").get<std::string>().empty()) {
            auto ns = encode_netstring(m);
            ASSERT_TRUE(ns.ok()) << ns.error();
            EXPECT_EQ(*ns, unhex(v.at("netstring_hex")));
        }
    }
}

TEST(Golden, EncodeLikeHeartbeatThroughTheCApi) {
    for (const json& v : golden().at("encode")) {
        SCOPED_TRACE(v.at("name").get<std::string>());
        if (!v.contains("wirefmt_hex") || v.at("wirefmt_hex").get<std::string>().empty()) continue;
        std::string expected = unhex(v.at("wirefmt_hex"));
        ha_msg* m = wirefmt2msg(expected.data(), expected.size(), 0);
        ASSERT_NE(m, nullptr);
        size_t len = 0;
        char* wire = msg2wirefmt(m, &len);
        ASSERT_NE(wire, nullptr);
        EXPECT_EQ(std::string(wire, len), expected);
        EXPECT_EQ(len, v.at("wirefmt_len").get<std::size_t>());
        std::free(wire);
        ha_msg_del(m);
    }
}

TEST(Golden, DecodeLikeHeartbeat) {
    for (const json& v : golden().at("decode")) {
        const std::string name = v.at("name");
        SCOPED_TRACE(name);
        std::string input = unhex(v.at("input_hex"));
        Result<Message> ours = v.at("via") == "string2msg" ? decode_text(input) : decode(input);
        if (v.at("ok").get<bool>()) {
            if (stricter_than_heartbeat().count(name)) {
                EXPECT_FALSE(ours.ok()) << "listed as stricter, but accepted";
                continue;
            }
            EXPECT_TRUE(ours.ok()) << ours.error();
            if (ours.ok()) {
                EXPECT_EQ(*ours, build(v.at("fields")));
            }
        } else {
            EXPECT_FALSE(ours.ok()) << "heartbeat refuses this input";
        }
    }
}

TEST(Golden, EncodedVectorsDecodeBack) {
    for (const json& v : golden().at("encode")) {
        SCOPED_TRACE(v.at("name").get<std::string>());
        Message m = build(v.at("fields"));
        for (const char* key : {"text_hex", "netstring_hex", "wirefmt_hex"}) {
            if (!v.contains(key) || v.at(key).get<std::string>().empty()) continue;
            auto back = decode(unhex(v.at(key)));
            ASSERT_TRUE(back.ok()) << key << ": " << back.error();
            EXPECT_EQ(*back, m) << key;
        }
    }
}

}  // namespace
}  // namespace hb
