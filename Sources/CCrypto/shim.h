#ifndef BAA_CCRYPTO_SHIM_H
#define BAA_CCRYPTO_SHIM_H
// libcrypto's EVP digests (OpenSSL 3; Debian libssl-dev): the maintained SHA-256 behind BAAUtil.SHA256.
#include <openssl/evp.h>
#endif
