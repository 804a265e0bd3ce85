#include <gtest/gtest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>

#include "config/authkeys.hpp"

namespace hb::config {
namespace {

std::vector<std::string> errors(const Diagnostics& d) {
    std::vector<std::string> out;
    for (const auto& i : d.items()) {
        if (i.error) out.push_back(format(i));
    }
    return out;
}

TEST(AuthKeys, AllMethods) {
    Diagnostics d;
    auto k = parse_authkeys("# keys\nauth 2\n1 sha1 OldKey\n2 hmac-sha256 NewKey\n3 md5 Other\n15 crc\n", "authkeys", d);
    EXPECT_TRUE(errors(d).empty());
    EXPECT_EQ(k.sign_index, 2);
    ASSERT_EQ(k.keys.size(), 4u);
    EXPECT_EQ(k.keys[1].method, auth::Method::hmac_sha256);
    EXPECT_EQ(k.keys[1].secret, "NewKey");
    EXPECT_EQ(k.keys[3].method, auth::Method::crc);
    auto ring = k.keyring();
    EXPECT_EQ(ring.signing_index(), 2);
    EXPECT_TRUE(ring.verify("x", ring.sign("x")));
}

TEST(AuthKeys, EncryptingMethodsAndAWarningWhenMixedWithSigningOnes) {
    Diagnostics alone;
    auto k = parse_authkeys("auth 1\n1 aes-256-gcm Key\n2 chacha20-poly1305 Next\n", "authkeys", alone);
    EXPECT_TRUE(alone.items().empty());
    ASSERT_EQ(k.keys.size(), 2u);
    EXPECT_EQ(k.keys[0].method, auth::Method::aes_256_gcm);
    EXPECT_EQ(k.keys[1].method, auth::Method::chacha20_poly1305);
    EXPECT_FALSE(k.keyring().aead_key(2).empty());

    Diagnostics mixed;
    parse_authkeys("auth 1\n1 sha1 Old\n2 aes-256-gcm New\n", "authkeys", mixed);
    EXPECT_FALSE(mixed.has_errors());
    ASSERT_EQ(mixed.items().size(), 1u);
    EXPECT_EQ(format(mixed.items()[0]).rfind("authkeys:3: warning: an encrypting key beside a signing key (line 2): "
                                             "heartbeat 3.0.6 nodes cannot read encrypted packets", 0), 0u)
        << format(mixed.items()[0]);
}

TEST(AuthKeys, Mistakes) {
    struct Case {
        const char* text;
        const char* expected;
    };
    for (auto c : {Case{"auth 1\n1 crc key\n", "authkeys:2: error: crc takes no key"},
                   Case{"auth 1\n1 sha1\n", "authkeys:2: error: sha1 needs one key"},
                   Case{"auth 1\n1 rot13 k\n", "authkeys:2: error: unknown method 'rot13'"},
                   Case{"auth 1\n16 sha1 k\n", "authkeys:2: error: '16' is not a key index"},
                   Case{"auth 2\n1 sha1 k\n", "authkeys:1: error: auth 2 names no key"},
                   Case{"1 sha1 k\n", "authkeys:0: error: no 'auth N' line"},
                   Case{"auth x\n1 sha1 k\n", "authkeys:1: error: 'auth' wants one key index"},
                   Case{"auth 1\n1 sha1 k\n1 md5 j\n", "authkeys:3: error: key index 1 is defined twice"}}) {
        Diagnostics d;
        parse_authkeys(c.text, "authkeys", d);
        auto errs = errors(d);
        ASSERT_FALSE(errs.empty()) << c.text;
        EXPECT_EQ(errs[0].rfind(c.expected, 0), 0u) << errs[0];
    }
}

class AuthKeysFile : public ::testing::Test {
protected:
    void SetUp() override {
        char tmpl[] = "/tmp/hb-authkeys-XXXXXX";
        ASSERT_NE(mkdtemp(tmpl), nullptr);
        dir_ = tmpl;
        path_ = dir_ + "/authkeys";
        std::ofstream(path_) << "auth 1\n1 sha1 secret\n";
    }
    void TearDown() override {
        unlink(path_.c_str());
        rmdir(dir_.c_str());
    }
    std::string dir_, path_;
};

TEST_F(AuthKeysFile, ReadableByOthersIsRefused) {
    chmod(path_.c_str(), 0644);
    Diagnostics d;
    load_authkeys(path_, d);
    auto errs = errors(d);
    ASSERT_EQ(errs.size(), 1u);
    EXPECT_NE(errs[0].find("chmod 600 " + path_), std::string::npos);
}

TEST_F(AuthKeysFile, Mode600IsAccepted) {
    chmod(path_.c_str(), 0600);
    Diagnostics d;
    auto k = load_authkeys(path_, d);
    EXPECT_TRUE(errors(d).empty());
    EXPECT_EQ(k.sign_index, 1);
    EXPECT_GT(k.mtime, 0);
}

TEST_F(AuthKeysFile, MissingFileIsAnError) {
    Diagnostics d;
    load_authkeys(dir_ + "/nope", d);
    EXPECT_EQ(errors(d).size(), 1u);
}

}  // namespace
}  // namespace hb::config
