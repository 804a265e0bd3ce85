// The client registry (daemon/client_registry.hpp): who may connect and sign on. A local process
// that opens connections and never signs on cannot lock the others out: its connections time out,
// give way to newer ones, and are bounded per uid apart from everyone else's.
#include <gtest/gtest.h>

#include "daemon/client_registry.hpp"

namespace hb::daemon {
namespace {

constexpr uid_t kDaemonUid = 0;
constexpr uid_t kUser = 1000;
constexpr core::Micros kMs = core::kMillis;

Settings settings() {
    Settings s;
    s.apiauth.push_back({"anon", {0, kUser}, {}, 0});
    s.apiauth.push_back({"probe", {0, kUser}, {}, 0});
    return s;
}

ClientRegistry::Limits small() {
    ClientRegistry::Limits l;
    l.clients = 4;
    l.clients_per_uid = 2;
    l.pending = 6;
    l.pending_per_uid = 3;
    return l;
}

Message signon_request(const Credentials& c, std::string id = "") {
    Message m;
    m.add("t", "hbapi-req");
    m.add("reqtype", "signon");
    m.add("pid", std::to_string(c.pid));
    if (!id.empty()) m.add("from_id", id);
    m.add_int("uid", c.uid);
    m.add_int("gid", c.gid);
    return m;
}

TEST(ClientRegistry, AConnectionThatDoesNotSignOnInTimeExpires) {
    const Settings s = settings();
    ClientRegistry r(s, kDaemonUid, small());
    ASSERT_TRUE(r.admit(0, 10, {100, kUser, kUser}).client);
    ASSERT_TRUE(r.admit(0, 11, {101, kUser, kUser}).client);
    ASSERT_FALSE(r.sign_on(*r.find(11), signon_request({101, kUser, kUser})));
    EXPECT_TRUE(r.expire(small().signon_timeout - 1).empty());
    EXPECT_EQ(r.expire(small().signon_timeout), std::vector<int>{10});  // the signed-on one stays
    EXPECT_EQ(r.counters().signon_timeouts, 1u);
    EXPECT_EQ(r.pending(), 0u);
}

TEST(ClientRegistry, AFullUidBudgetEvictsItsOldestWaitingConnection) {
    const Settings s = settings();
    ClientRegistry r(s, kDaemonUid, small());
    for (int i = 0; i < 3; ++i) ASSERT_TRUE(r.admit(i * kMs, 10 + i, {100, kUser, kUser}).client);
    auto admitted = r.admit(3 * kMs, 13, {100, kUser, kUser});
    ASSERT_TRUE(admitted.client);
    EXPECT_EQ(admitted.evicted, std::vector<int>{10});
    EXPECT_FALSE(r.find(10)->closing.empty());
    EXPECT_EQ(r.counters().evicted_pending, 1u);
    EXPECT_EQ(r.pending(), 3u);
}

TEST(ClientRegistry, AnotherUidIsNotHeldUpByOnesFlood) {
    const Settings s = settings();
    ClientRegistry r(s, kDaemonUid, small());
    for (int i = 0; i < 13; ++i) ASSERT_TRUE(r.admit(i, 10 + i, {100, kUser, kUser}).client);
    EXPECT_EQ(r.pending(), 3u);
    // Root's client gets in without taking anything from the flood, and signs on.
    auto root = r.admit(kMs, 40, {7, 0, 0});
    ASSERT_TRUE(root.client);
    EXPECT_TRUE(root.evicted.empty());
    EXPECT_FALSE(r.sign_on(*root.client, signon_request({7, 0, 0})));
}

TEST(ClientRegistry, AFullOverallBudgetTakesRoomFromTheUidHoldingTheMost) {
    const Settings s = settings();
    ClientRegistry r(s, kDaemonUid, small());
    for (int i = 0; i < 3; ++i) ASSERT_TRUE(r.admit(0, 10 + i, {100, kUser, kUser}).client);
    for (int i = 0; i < 2; ++i) ASSERT_TRUE(r.admit(0, 20 + i, {200, 2000, 2000}).client);
    ASSERT_TRUE(r.admit(0, 30, {300, 3000, 3000}).client);
    auto a = r.admit(kMs, 40, {7, 0, 0});
    ASSERT_TRUE(a.client);
    EXPECT_EQ(a.evicted, std::vector<int>{10});
}

TEST(ClientRegistry, SignedOnClientsAreBoundedPerUidExceptRootsAndInAll) {
    const Settings s = settings();
    ClientRegistry r(s, kDaemonUid, small());
    int key = 10;
    auto connect_and_sign_on = [&](uid_t uid) {
        const Credentials c{static_cast<pid_t>(key + 1000), uid, uid};
        auto a = r.admit(0, key++, c);
        EXPECT_TRUE(a.client);
        return a.client ? r.sign_on(*a.client, signon_request(c)) : std::optional<std::string>("not admitted");
    };
    EXPECT_FALSE(connect_and_sign_on(kUser));
    EXPECT_FALSE(connect_and_sign_on(kUser));
    auto third = connect_and_sign_on(kUser);
    ASSERT_TRUE(third);
    EXPECT_NE(third->find("uid 1000 has 2 clients"), std::string::npos) << *third;
    EXPECT_EQ(r.counters().refused_uid_limit, 1u);
    r.remove(key - 1);
    EXPECT_FALSE(connect_and_sign_on(0));
    EXPECT_FALSE(connect_and_sign_on(0));  // root: beyond the per-uid share
    auto full = connect_and_sign_on(0);
    ASSERT_TRUE(full);
    EXPECT_NE(full->find("4 clients signed on already"), std::string::npos) << *full;
    EXPECT_EQ(r.counters().refused_full, 1u);
    EXPECT_EQ(r.counters().signons, 4u);
    EXPECT_EQ(r.counters().signons_refused, 2u);
}

TEST(ClientRegistry, SignOnChecksTheSocketsCredentialsApiauthAndDuplicates) {
    const Settings s = settings();
    ClientRegistry r(s, kDaemonUid, small());
    const Credentials c{100, kUser, kUser};
    ApiClient* a = r.admit(0, 10, c).client;
    ASSERT_TRUE(a);
    EXPECT_EQ(r.sign_on(*a, signon_request({100, 0, 0})), "uid/gid do not match the socket's credentials");
    EXPECT_EQ(r.sign_on(*a, signon_request({101, kUser, kUser})), "pid does not match the socket's credentials");
    EXPECT_EQ(r.sign_on(*a, signon_request(c, "unlisted")), "client failed authorization");
    EXPECT_EQ(r.sign_on(*a, signon_request(c, std::string(40, 'x'))), "invalid client id");
    EXPECT_FALSE(r.sign_on(*a, signon_request(c, "probe")));
    EXPECT_FALSE(a->casual);
    EXPECT_TRUE(r.signed_on("probe"));
    EXPECT_EQ(r.sign_on(*a, signon_request(c, "probe")), "already signed on");
    const Credentials other{200, kUser, kUser};
    ApiClient* b = r.admit(0, 11, other).client;
    EXPECT_EQ(r.sign_on(*b, signon_request(other, "probe")), "duplicate add request");
    EXPECT_EQ(r.counters().signons_refused, 6u);
}

}  // namespace
}  // namespace hb::daemon
