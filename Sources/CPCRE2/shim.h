#ifndef BAA_CPCRE2_SHIM_H
#define BAA_CPCRE2_SHIM_H
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

/// PCRE2_ZERO_TERMINATED and PCRE2_UNSET are macros over SIZE_MAX that Swift cannot import.
static inline size_t baa_pcre2_unset(void) { return PCRE2_UNSET; }
#endif
