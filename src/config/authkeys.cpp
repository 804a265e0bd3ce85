#include "config/authkeys.hpp"

#include <sys/stat.h>

#include <charconv>
#include <fstream>
#include <iterator>
#include <sstream>

namespace hb::config {

namespace {

std::optional<int> parse_index(const std::string& s) {
    int v = -1;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || end != s.data() + s.size() || v < 0 || v > auth::Keyring::kMaxIndex) return std::nullopt;
    return v;
}

}  // namespace

auth::Keyring AuthKeys::keyring() const {
    auth::Keyring ring;
    for (const auto& k : keys) ring.add(k);
    ring.set_signing_index(sign_index);
    return ring;
}

AuthKeys parse_authkeys(std::string_view text, const std::string& filename, Diagnostics& diag) {
    AuthKeys out;
    int auth_line = 0;
    int aead_line = 0, heartbeat_line = 0;  // the first encrypting and the first signing key
    std::istringstream in{std::string(text)};
    std::string raw;
    for (int number = 1; std::getline(in, raw); ++number) {
        if (auto hash = raw.find('#'); hash != std::string::npos) raw.resize(hash);
        std::istringstream words(raw);
        std::vector<std::string> w{std::istream_iterator<std::string>(words), {}};
        if (w.empty()) continue;
        if (w[0] == "auth") {
            auto index = w.size() == 2 ? parse_index(w[1]) : std::nullopt;
            if (!index) {
                diag.error(filename, number, "'auth' wants one key index from 0 to 15, e.g. auth 1");
                continue;
            }
            if (auth_line) diag.error(filename, number, "a second 'auth' line (first at line " + std::to_string(auth_line) + ")");
            out.sign_index = *index;
            auth_line = number;
            continue;
        }
        auto index = parse_index(w[0]);
        if (!index) {
            diag.error(filename, number, "'" + w[0] + "' is not a key index from 0 to 15; lines read: N method [key]");
            continue;
        }
        auto method = w.size() >= 2 ? auth::method_from_name(w[1]) : std::nullopt;
        if (!method) {
            diag.error(filename, number, "unknown method '" + (w.size() >= 2 ? w[1] : std::string()) +
                                             "'; use sha1, md5, crc, hmac-sha256, aes-256-gcm or chacha20-poly1305, "
                                             "e.g. 1 hmac-sha256 SecretKey");
            continue;
        }
        if (!auth::method_needs_key(*method) && w.size() > 2) {
            diag.error(filename, number, "crc takes no key; write '" + w[0] + " crc'");
            continue;
        }
        if (auth::method_needs_key(*method) && w.size() != 3) {
            diag.error(filename, number, std::string(auth::method_name(*method)) +
                                             " needs one key (no spaces): " + w[0] + " " + w[1] + " SecretKey");
            continue;
        }
        for (const auto& k : out.keys) {
            if (k.index == *index) diag.error(filename, number, "key index " + w[0] + " is defined twice");
        }
        out.keys.push_back({*index, *method, w.size() == 3 ? w[2] : std::string()});
        if (auth::method_is_aead(*method)) aead_line = aead_line ? aead_line : number;
        if (!auth::method_is_aead(*method)) heartbeat_line = heartbeat_line ? heartbeat_line : number;
    }
    if (aead_line && heartbeat_line) {
        diag.warning(filename, aead_line,
                     "an encrypting key beside a signing key (line " + std::to_string(heartbeat_line) +
                         "): heartbeat 3.0.6 nodes cannot read encrypted packets, so encryption is for "
                         "clusters of our nodes only; keep both kinds only while rotating from one to the other");
    }
    if (!auth_line) {
        diag.error(filename, 0, "no 'auth N' line choosing the signing key; add e.g. auth 1");
    } else {
        bool found = false;
        for (const auto& k : out.keys) found = found || k.index == out.sign_index;
        if (!found) {
            diag.error(filename, auth_line, "auth " + std::to_string(out.sign_index) +
                                                " names no key; add a line '" + std::to_string(out.sign_index) +
                                                " hmac-sha256 SecretKey'");
        }
    }
    return out;
}

AuthKeys load_authkeys(const std::string& path, Diagnostics& diag) {
    struct stat st{};
    if (::stat(path.c_str(), &st) != 0) {
        diag.error(path, 0, "cannot read the authentication keys; create it (mode 600) with e.g. 'auth 1' and '1 hmac-sha256 SecretKey'");
        return {};
    }
    if (st.st_mode & 077) {
        diag.error(path, 0, "must not be readable or writable by group or others; run: chmod 600 " + path);
        return {};
    }
    std::ifstream in(path);
    std::string text((std::istreambuf_iterator<char>(in)), {});
    AuthKeys keys = parse_authkeys(text, path, diag);
    keys.mtime = static_cast<std::int64_t>(st.st_mtime);
    return keys;
}

}  // namespace hb::config
