#include <gtest/gtest.h>

#include "msg/limits.hpp"
#include "msg/message.hpp"
#include "common/numbered_name.hpp"

namespace hb {
namespace {

TEST(Message, AddKeepsOrderAndDuplicates) {
    Message m;
    EXPECT_TRUE(m.add("t", "status"));
    EXPECT_TRUE(m.add("x", "1"));
    EXPECT_TRUE(m.add("x", "2"));
    ASSERT_EQ(m.size(), 3u);
    EXPECT_EQ(m[1].name, "x");
    EXPECT_EQ(*m.get("x"), "1");  // first match
}

TEST(Message, SetReplacesFirstInPlaceOrAppends) {
    Message m;
    m.add("a", "1");
    m.add("b", "2");
    m.add("a", "3");
    EXPECT_TRUE(m.set("a", "9"));
    EXPECT_EQ(m[0].name, "a");
    EXPECT_EQ(m[0].bytes, "9");
    EXPECT_EQ(m[2].bytes, "3");
    EXPECT_TRUE(m.set("c", "4"));
    EXPECT_EQ(m[3].name, "c");
    EXPECT_TRUE(m.set_binary("b", std::string("\0\1", 2)));
    EXPECT_EQ(m[1].type, FieldType::binary);
    EXPECT_FALSE(m.get("b"));  // a binary field is not a string
    EXPECT_EQ(m.get_binary("b")->size(), 2u);
}

TEST(Message, InvalidNamesAreRefused) {
    Message m;
    EXPECT_FALSE(m.add("", "v"));
    EXPECT_FALSE(m.add("a=b", "v"));
    EXPECT_FALSE(m.add("a\nb", "v"));
    EXPECT_FALSE(m.add("(1)x", "v"));
    EXPECT_FALSE(m.add(">>>\nx", "v"));
    EXPECT_FALSE(m.add(std::string(kMaxNameBytes + 1, 'n'), "v"));
    EXPECT_FALSE(m.add("s", std::string("a\0b", 3)));  // strings are C strings
    EXPECT_TRUE(m.empty());
}

TEST(Message, IntegersAndHex) {
    Message m;
    m.add_int("n", -42);
    m.add("seq", "1c");
    m.add("bad", "12x");
    EXPECT_EQ(*m.get("n"), "-42");
    EXPECT_EQ(*m.get_int("n"), -42);
    EXPECT_EQ(*m.get_hex("seq"), 0x1cu);
    EXPECT_FALSE(m.get_int("bad"));
    EXPECT_FALSE(m.get_int("missing"));
    m.set_int("n", 7);
    EXPECT_EQ(*m.get_int("n"), 7);
}

TEST(Message, ListsAppendToTheFirstListOfThatName) {
    Message m;
    EXPECT_TRUE(m.add_list_item("l", "a"));
    EXPECT_TRUE(m.add("s", "x"));
    EXPECT_TRUE(m.add_list_item("l", "b"));
    EXPECT_EQ(m.size(), 2u);
    EXPECT_EQ(*m.get_list("l"), (std::vector<std::string>{"a", "b"}));
    EXPECT_FALSE(m.add_list_item("l", ""));
    EXPECT_FALSE(m.add_list_item("s", "y"));  // a field of another type has that name
}

TEST(Message, StructsAreValuesAndCopiesAreDeep) {
    Message child;
    child.add("k", "v");
    Message m;
    EXPECT_TRUE(m.add_struct("c", child));
    Message copy = m;
    copy.get_struct("c")->set("k", "changed");
    EXPECT_EQ(*m.get_struct("c")->get("k"), "v");
    EXPECT_FALSE(copy == m);
    copy.get_struct("c")->set("k", "v");
    EXPECT_TRUE(copy == m);
    EXPECT_EQ(m.depth(), 1);
}

TEST(Message, ValuePointersSurviveOtherEdits) {
    // The C API hands out pointers into field values; heartbeat clients keep them across adds.
    Message m;
    m.add("t", "x");
    const char* p = m.get("t")->data();
    for (int i = 0; i < 100; ++i) m.add(numbered_name("f", i), "v");
    m.remove("f0");
    EXPECT_EQ(m.get("t")->data(), p);
}

TEST(Message, NestingIsLimited) {
    Message m;
    m.add("leaf", "1");
    int levels = 0;
    for (int i = 0; i < kMaxDepth + 4; ++i) {
        Message parent;
        if (!parent.add_struct("c", m)) break;
        m = std::move(parent);
        ++levels;
    }
    EXPECT_EQ(levels, kMaxDepth);
    EXPECT_EQ(m.depth(), kMaxDepth);
}

TEST(Message, FieldCountIsLimited) {
    Message m;
    for (std::size_t i = 0; i < kMaxFields; ++i) ASSERT_TRUE(m.add("f", "v"));
    EXPECT_FALSE(m.add("f", "v"));
}

TEST(Message, RemoveFirstMatch) {
    Message m;
    m.add("a", "1");
    m.add("a", "2");
    EXPECT_TRUE(m.remove("a"));
    EXPECT_EQ(*m.get("a"), "2");
    EXPECT_FALSE(m.remove("zz"));
    m.remove_at(5);  // out of range: nothing
    m.remove_at(0);
    EXPECT_TRUE(m.empty());
}

}  // namespace
}  // namespace hb
