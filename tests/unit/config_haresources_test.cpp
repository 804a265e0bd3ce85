#include <gtest/gtest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include "config/config_dir.hpp"
#include "config/haresources.hpp"

namespace hb::config {
namespace {

TEST(HaResources, GroupsTypesArgsAndContinuations) {
    Diagnostics d;
    auto groups = parse_haresources(
        "# comment\nnode1 10.0.0.170 Filesystem::/dev/sda1::/data1::ext2\n"
        "node2 IPaddr::10.0.0.171/24/eth0 \\\n   httpd\n\n",
        "haresources", {"node1", "node2"}, d);
    EXPECT_FALSE(d.has_errors());
    ASSERT_EQ(groups.size(), 2u);
    EXPECT_EQ(groups[0].node, "node1");
    EXPECT_EQ(groups[0].line, 2);
    EXPECT_EQ(groups[0].resources[0].type, "IPaddr");
    EXPECT_EQ(groups[0].resources[0].args, (std::vector<std::string>{"10.0.0.170"}));
    EXPECT_EQ(groups[0].resources[1].type, "Filesystem");
    EXPECT_EQ(groups[0].resources[1].args, (std::vector<std::string>{"/dev/sda1", "/data1", "ext2"}));
    EXPECT_EQ(groups[1].line, 3);
    ASSERT_EQ(groups[1].resources.size(), 2u);
    EXPECT_EQ(groups[1].resources[1].type, "httpd");
}

TEST(HaResources, GroupsInAClusterOfMoreThanTwoNodesAreWarnedAbout) {
    Diagnostics two, three;
    parse_haresources("n1 httpd\nn2 ftpd\n", "haresources", {"n1", "n2"}, two);
    EXPECT_TRUE(two.items().empty());
    parse_haresources("\nn1 httpd\nn2 ftpd\n", "haresources", {"n1", "n2", "n3"}, three);
    ASSERT_EQ(three.items().size(), 1u);  // once, at the first group
    EXPECT_FALSE(three.has_errors());
    EXPECT_EQ(format(three.items()[0]).rfind("haresources:2: warning: resource groups", 0), 0u);
}

TEST(HaResources, UnknownNodeAndMalformedResource) {
    Diagnostics d;
    parse_haresources("node9 httpd\nnode1 Filesystem::::x\n", "haresources", {"node1"}, d);
    ASSERT_EQ(d.items().size(), 2u);
    EXPECT_EQ(format(d.items()[0]).rfind("haresources:1: error: 'node9' is not a declared node", 0), 0u);
    EXPECT_EQ(format(d.items()[1]).rfind("haresources:2: error: resource", 0), 0u);
}

TEST(ConfigDir, TheLoopbackExampleLoads) {
    const std::filesystem::path example = std::filesystem::path(HB_TEST_DATA_DIR) / ".." / ".." / "examples" / "loopback";
    char tmpl[] = "/tmp/hb-confdir-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    const std::filesystem::path dir = tmpl;
    std::filesystem::copy(example / "n2", dir);
    chmod((dir / "authkeys").c_str(), 0600);
    auto loaded = load_config_dir(dir, "n2");
    for (const auto& diag : loaded.diagnostics.items()) ADD_FAILURE() << format(diag);
    EXPECT_TRUE(loaded.ok());
    EXPECT_EQ(loaded.config.nodes.size(), 3u);
    EXPECT_EQ(loaded.config.bind_address, "127.0.0.2");
    EXPECT_EQ(loaded.config.keepalive_ms, 100);
    EXPECT_EQ(loaded.config.authkeys.keys[0].method, auth::Method::hmac_sha256);

    std::filesystem::remove(dir / "haresources");
    EXPECT_FALSE(load_config_dir(dir, "n2").ok());  // pacemaker off: haresources must exist
    std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace hb::config
