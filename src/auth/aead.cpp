#include "auth/aead.hpp"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

#include <memory>

namespace hb::auth {

namespace {

// Fetched once per thread: an implicit fetch on every EVP_EncryptInit_ex costs more than the
// encryption of a heartbeat.
const EVP_CIPHER* cipher_for(Method method) {
    struct Fetched {
        EVP_CIPHER* gcm = EVP_CIPHER_fetch(nullptr, "AES-256-GCM", nullptr);
        EVP_CIPHER* chacha = EVP_CIPHER_fetch(nullptr, "ChaCha20-Poly1305", nullptr);
        ~Fetched() {
            EVP_CIPHER_free(gcm);
            EVP_CIPHER_free(chacha);
        }
    };
    thread_local Fetched fetched;
    switch (method) {
        case Method::aes_256_gcm: return fetched.gcm;
        case Method::chacha20_poly1305: return fetched.chacha;
        default: return nullptr;
    }
}

struct CtxFree {
    void operator()(EVP_CIPHER_CTX* c) const { EVP_CIPHER_CTX_free(c); }
};
using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, CtxFree>;

const unsigned char* bytes(std::string_view s) { return reinterpret_cast<const unsigned char*>(s.data()); }

// A context keyed for `encrypt` (1) or decrypt (0) with the AAD fed; null on any refusal.
CipherCtx start(Method method, std::string_view key, const Nonce& nonce, std::string_view aad, int encrypt) {
    const EVP_CIPHER* cipher = cipher_for(method);
    if (!cipher || key.size() != kAeadKeyBytes) return nullptr;
    CipherCtx ctx(EVP_CIPHER_CTX_new());
    int len = 0;
    if (!ctx || !EVP_CipherInit_ex(ctx.get(), cipher, nullptr, nullptr, nullptr, encrypt) ||
        !EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_AEAD_SET_IVLEN, static_cast<int>(kAeadNonceBytes), nullptr) ||
        !EVP_CipherInit_ex(ctx.get(), nullptr, nullptr, bytes(key), nonce.data(), encrypt) ||
        (!aad.empty() && !EVP_CipherUpdate(ctx.get(), nullptr, &len, bytes(aad), static_cast<int>(aad.size())))) {
        return nullptr;
    }
    return ctx;
}

}  // namespace

std::string hkdf_sha256(std::string_view secret, std::string_view salt, std::string_view info, std::size_t length) {
    EVP_KDF* kdf = EVP_KDF_fetch(nullptr, "HKDF", nullptr);
    EVP_KDF_CTX* ctx = kdf ? EVP_KDF_CTX_new(kdf) : nullptr;
    EVP_KDF_free(kdf);
    if (!ctx) return {};
    char digest[] = "SHA256";
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digest, 0),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, const_cast<char*>(secret.data()), secret.size()),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, const_cast<char*>(salt.data()), salt.size()),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, const_cast<char*>(info.data()), info.size()),
        OSSL_PARAM_construct_end(),
    };
    std::string out(length, '\0');
    const bool ok = EVP_KDF_derive(ctx, reinterpret_cast<unsigned char*>(out.data()), out.size(), params) == 1;
    EVP_KDF_CTX_free(ctx);
    return ok ? out : std::string();
}

std::string derive_aead_key(Method method, int index, std::string_view secret) {
    const std::string info = "heartbeat-ng " + std::string(method_name(method)) + " key " + std::to_string(index);
    return hkdf_sha256(secret, "heartbeat-ng authkeys v1", info, kAeadKeyBytes);
}

std::optional<std::string> aead_seal(Method method, std::string_view key, const Nonce& nonce, std::string_view aad,
                                     std::string_view plaintext) {
    CipherCtx ctx = start(method, key, nonce, aad, 1);
    if (!ctx) return std::nullopt;
    std::string out(plaintext.size() + kAeadTagBytes, '\0');
    auto* dst = reinterpret_cast<unsigned char*>(out.data());
    int len = 0, tail = 0;
    if (!EVP_CipherUpdate(ctx.get(), dst, &len, bytes(plaintext), static_cast<int>(plaintext.size())) ||
        !EVP_CipherFinal_ex(ctx.get(), dst + len, &tail) ||
        !EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_AEAD_GET_TAG, static_cast<int>(kAeadTagBytes),
                             dst + plaintext.size())) {
        return std::nullopt;
    }
    return out;
}

std::optional<std::string> aead_open(Method method, std::string_view key, const Nonce& nonce, std::string_view aad,
                                     std::string_view sealed) {
    if (sealed.size() < kAeadTagBytes) return std::nullopt;
    CipherCtx ctx = start(method, key, nonce, aad, 0);
    if (!ctx) return std::nullopt;
    const std::size_t body = sealed.size() - kAeadTagBytes;
    std::string out(body, '\0');
    auto* dst = reinterpret_cast<unsigned char*>(out.data());
    std::string tag(sealed.substr(body));
    int len = 0, tail = 0;
    if (!EVP_CipherUpdate(ctx.get(), dst, &len, bytes(sealed), static_cast<int>(body)) ||
        !EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_AEAD_SET_TAG, static_cast<int>(kAeadTagBytes), tag.data()) ||
        EVP_CipherFinal_ex(ctx.get(), dst + len, &tail) != 1) {
        return std::nullopt;
    }
    return out;
}

}  // namespace hb::auth
