#ifndef BAA_CCRYPTO_SHIM_H
#define BAA_CCRYPTO_SHIM_H
// libcrypto's EVP digests (OpenSSL 3; Debian libssl-dev): the maintained SHA-256 behind BAAUtil.SHA256.
#include <openssl/evp.h>
#include <openssl/crypto.h>

/// Initializes libcrypto without its atexit cleanup: a batch that ends on an error (a full disk) exits while
/// worker threads may still be hashing, and a cleanup run by exit() under them makes EVP_Digest fail or crash.
static inline int baa_crypto_init(void) { return OPENSSL_init_crypto(OPENSSL_INIT_NO_ATEXIT, NULL); }
#endif
