// The C ha_msg API as heartbeat clients use it, including direct reads of struct ha_msg.
#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <string>

#include "heartbeat/ha_msg.h"
#include "common/numbered_name.hpp"

namespace {

struct MsgDeleter {
    void operator()(ha_msg* m) const { ha_msg_del(m); }
};
using MsgPtr = std::unique_ptr<ha_msg, MsgDeleter>;

std::string take(char* s) {
    std::string out = s ? s : "";
    std::free(s);
    return out;
}

TEST(HaMsgC, AddGetAndPublicArrays) {
    MsgPtr m(ha_msg_new(0));
    ASSERT_TRUE(m);
    EXPECT_EQ(ha_msg_add(m.get(), F_TYPE, T_STATUS), HA_OK);
    EXPECT_EQ(ha_msg_add(m.get(), F_STATUS, "active"), HA_OK);
    const unsigned char uuid[16] = {0x15, 0x16, 0x4a, 0xc2};
    EXPECT_EQ(ha_msg_addbin(m.get(), F_ORIGUUID, uuid, sizeof uuid), HA_OK);
    ASSERT_EQ(m->nfields, 3);
    EXPECT_STREQ(m->names[0], "t");
    EXPECT_EQ(m->nlens[0], 1u);
    EXPECT_STREQ(static_cast<const char*>(m->values[1]), "active");
    EXPECT_EQ(m->vlens[1], 6u);
    EXPECT_EQ(m->types[2], FT_BINARY);
    EXPECT_EQ(m->vlens[2], 16u);
    EXPECT_STREQ(ha_msg_value(m.get(), F_TYPE), "status");
    EXPECT_EQ(ha_msg_value(m.get(), "missing"), nullptr);
    EXPECT_EQ(ha_msg_value(m.get(), F_ORIGUUID), nullptr);  // binary, not a string
    size_t len = 0;
    EXPECT_EQ(std::memcmp(cl_get_binary(m.get(), F_ORIGUUID, &len), uuid, 16), 0);
    EXPECT_EQ(len, 16u);
    EXPECT_EQ(cl_get_type(m.get(), F_ORIGUUID), FT_BINARY);
    EXPECT_EQ(cl_get_type(m.get(), "missing"), -1);
}

TEST(HaMsgC, AddedStringsTurn0x13IntoNewlineAsHeartbeat) {
    MsgPtr m(ha_msg_new(0));
    ASSERT_EQ(ha_msg_add(m.get(), "v", "a\x13" "b"), HA_OK);
    EXPECT_STREQ(ha_msg_value(m.get(), "v"), "a\nb");
}

TEST(HaMsgC, ValuePointerSurvivesAdds) {
    MsgPtr m(ha_msg_new(0));
    ha_msg_add(m.get(), "t", "ping");
    const char* t = ha_msg_value(m.get(), "t");
    for (int i = 0; i < 50; ++i) ha_msg_add(m.get(), hb::numbered_name("f", i).c_str(), "v");
    EXPECT_STREQ(t, "ping");
    EXPECT_EQ(t, ha_msg_value(m.get(), "t"));
}

TEST(HaMsgC, ModRemoveAndIntegers) {
    MsgPtr m(ha_msg_new(0));
    ha_msg_add(m.get(), "a", "1");
    ha_msg_add(m.get(), "b", "2");
    EXPECT_EQ(ha_msg_mod(m.get(), "a", "x"), HA_OK);
    EXPECT_STREQ(m->names[0], "a");
    EXPECT_STREQ(ha_msg_value(m.get(), "a"), "x");
    EXPECT_EQ(ha_msg_add_int(m.get(), "n", -5), HA_OK);
    int n = 0;
    EXPECT_EQ(ha_msg_value_int(m.get(), "n", &n), HA_OK);
    EXPECT_EQ(n, -5);
    EXPECT_EQ(ha_msg_mod_int(m.get(), "n", 6), HA_OK);
    EXPECT_EQ(ha_msg_value_int(m.get(), "n", &n), HA_OK);
    EXPECT_EQ(n, 6);
    EXPECT_EQ(ha_msg_add_ul(m.get(), "u", 4000000000UL), HA_OK);
    unsigned long u = 0;
    EXPECT_EQ(ha_msg_value_ul(m.get(), "u", &u), HA_OK);
    EXPECT_EQ(u, 4000000000UL);
    EXPECT_EQ(ha_msg_value_int(m.get(), "a", &n), HA_FAIL);
    EXPECT_EQ(cl_msg_remove(m.get(), "a"), HA_OK);
    EXPECT_EQ(cl_msg_remove(m.get(), "a"), HA_FAIL);
    EXPECT_STREQ(m->names[0], "b");
    EXPECT_EQ(cl_msg_remove_offset(m.get(), 0), HA_OK);
    EXPECT_EQ(cl_msg_remove_offset(m.get(), 99), HA_FAIL);
}

TEST(HaMsgC, StructsEditInPlaceAndCopy) {
    MsgPtr child(ha_msg_new(0));
    ha_msg_add(child.get(), "k", "v");
    MsgPtr m(ha_msg_new(0));
    EXPECT_EQ(ha_msg_addstruct(m.get(), "c", child.get()), HA_OK);
    ha_msg* inner = cl_get_struct(m.get(), "c");
    ASSERT_NE(inner, nullptr);
    EXPECT_EQ(m->values[0], inner);
    EXPECT_EQ(m->types[0], FT_STRUCT);
    ha_msg_add(inner, "k2", "v2");  // edits the parent's copy, as in heartbeat
    EXPECT_EQ(cl_get_struct(m.get(), "c")->nfields, 2);
    EXPECT_EQ(child->nfields, 1);  // the original was copied in
    MsgPtr copy(ha_msg_copy(m.get()));
    EXPECT_EQ(cl_get_struct(copy.get(), "c")->nfields, 2);
    EXPECT_NE(cl_get_struct(copy.get(), "c"), inner);
    ha_msg_del(inner);  // a nested message belongs to its parent: ignored
    EXPECT_EQ(cl_get_struct(m.get(), "c")->nfields, 2);
}

TEST(HaMsgC, Lists) {
    MsgPtr m(ha_msg_new(0));
    EXPECT_EQ(cl_msg_list_add_string(m.get(), "l", "a"), HA_OK);
    EXPECT_EQ(cl_msg_list_add_string(m.get(), "l", "b"), HA_OK);
    EXPECT_EQ(cl_msg_list_length(m.get(), "l"), 2);
    EXPECT_STREQ(static_cast<char*>(cl_msg_list_nth_data(m.get(), "l", 1)), "b");
    EXPECT_EQ(cl_msg_list_nth_data(m.get(), "l", 2), nullptr);
    EXPECT_EQ(cl_msg_list_length(m.get(), "none"), -1);
    EXPECT_STREQ(static_cast<char**>(m->values[0])[0], "a");
}

TEST(HaMsgC, TextAndWireRoundTrip) {
    MsgPtr m(ha_msg_new(0));
    ha_msg_add(m.get(), "t", "ping");
    ha_msg_add(m.get(), "v", "a\nb");
    std::string text = take(msg2string(m.get()));
    EXPECT_EQ(text, ">>>\nt=ping\nv=a\x13" "b\n<<<\n");
    MsgPtr back(string2msg(text.data(), text.size()));
    ASSERT_TRUE(back);
    EXPECT_STREQ(ha_msg_value(back.get(), "v"), "a\nb");

    size_t len = 0;
    char* wire = msg2wirefmt(m.get(), &len);
    ASSERT_NE(wire, nullptr);
    EXPECT_EQ(std::string(wire, 4), "###\n");
    MsgPtr back2(wirefmt2msg(wire, len, 0));
    std::free(wire);
    ASSERT_TRUE(back2);
    EXPECT_EQ(back2->nfields, 2);

    char* noac = msg2wirefmt_noac(m.get(), &len);
    ASSERT_NE(noac, nullptr);
    EXPECT_EQ(len, text.size() + 1);  // the NUL travels with the text
    EXPECT_EQ(noac[len - 1], '\0');
    std::free(noac);
    EXPECT_EQ(string2msg("junk", 4), nullptr);
}

TEST(HaMsgC, BadHandlesAndArgumentsFailCleanly) {
    EXPECT_EQ(ha_msg_add(nullptr, "a", "b"), HA_FAIL);
    EXPECT_EQ(ha_msg_value(nullptr, "a"), nullptr);
    ha_msg fake{};
    EXPECT_EQ(ha_msg_add(&fake, "a", "b"), HA_FAIL);  // not one of ours
    ha_msg_del(&fake);
    ha_msg_del(nullptr);
    MsgPtr m(ha_msg_new(0));
    EXPECT_EQ(ha_msg_add(m.get(), nullptr, "b"), HA_FAIL);
    EXPECT_EQ(ha_msg_add(m.get(), "a", nullptr), HA_FAIL);
    EXPECT_EQ(ha_msg_add(m.get(), "a=b", "c"), HA_FAIL);
    EXPECT_EQ(ha_msg_nadd(m.get(), "a", -1, "b", 1), HA_FAIL);
    EXPECT_EQ(ha_msg_addstruct(m.get(), "c", &fake), HA_FAIL);
    EXPECT_EQ(m->nfields, 0);
}

}  // namespace
