#ifndef BAA_CCURLSHIM_H
#define BAA_CCURLSHIM_H
// curl_easy_setopt and curl_easy_getinfo are variadic: Swift cannot call a C variadic function through a
// function pointer, and calling one through a non-variadic type is undefined on some ABIs. These wrappers
// take the dlsym'ed pointer and call it with the variadic type. The constants are libcurl's stable ABI values
// (curl/curl.h), declared here because the libcurl headers may not be installed.
#include <stddef.h>
#include <dlfcn.h>

typedef int (*baa_curl_variadic_fn)(void *handle, int option, ...);

static inline int baa_curl_setopt_long(void *fn, void *handle, int option, long value) {
    return ((baa_curl_variadic_fn)fn)(handle, option, value);
}

static inline int baa_curl_setopt_ptr(void *fn, void *handle, int option, const void *value) {
    return ((baa_curl_variadic_fn)fn)(handle, option, value);
}

static inline int baa_curl_getinfo_long(void *fn, void *handle, int info, long *value) {
    return ((baa_curl_variadic_fn)fn)(handle, info, value);
}

static inline int baa_curl_getinfo_string(void *fn, void *handle, int info, const char **value) {
    return ((baa_curl_variadic_fn)fn)(handle, info, value);
}

/// A CURLOPT_HEADERFUNCTION that keeps a `Retry-After: SECONDS` value (-1 when none) in the long at `user`.
static inline size_t baa_curl_header_retry_after(char *data, size_t size, size_t count, void *user) {
    size_t n = size * count;
    const char *name = "retry-after:";
    size_t k = 12;
    if (n > k) {
        size_t i = 0;
        for (; i < k; i++) {
            char c = data[i];
            if (c >= 'A' && c <= 'Z') c = (char)(c - 'A' + 'a');
            if (c != name[i]) break;
        }
        if (i == k) {
            long v = 0; int digits = 0;
            for (size_t j = k; j < n; j++) {
                char c = data[j];
                if (c == ' ' || c == '\t') { if (digits) break; continue; }
                if (c < '0' || c > '9') break;
                if (v < 100000000) v = v * 10 + (c - '0');
                digits = 1;
            }
            if (digits) *(long *)user = v;
        }
    }
    return n;
}

static inline int baa_curl_setopt_retry_after(void *fn, void *handle, long *value) {
    size_t (*header)(char *, size_t, size_t, void *) = baa_curl_header_retry_after;
    int code = ((baa_curl_variadic_fn)fn)(handle, 20079 /* CURLOPT_HEADERFUNCTION */, header);
    if (code != 0) return code;
    return ((baa_curl_variadic_fn)fn)(handle, 10029 /* CURLOPT_HEADERDATA */, value);
}

/// A CURLOPT_WRITEFUNCTION that drops the response body (libcurl's default writes it to stdout).
static inline size_t baa_curl_discard(char *data, size_t size, size_t count, void *user) {
    (void)data; (void)user;
    return size * count;
}

static inline int baa_curl_setopt_discard_body(void *fn, void *handle) {
    size_t (*write)(char *, size_t, size_t, void *) = baa_curl_discard;
    return ((baa_curl_variadic_fn)fn)(handle, 20011 /* CURLOPT_WRITEFUNCTION */, write);
}


/// The first bytes of a response body (a tracker's created issue or error message), at most BAA_BODY_CAP; the rest
/// is read and dropped.
#define BAA_BODY_CAP 65536
typedef struct { char data[BAA_BODY_CAP]; size_t length; } baa_curl_body;

static inline size_t baa_curl_keep(char *data, size_t size, size_t count, void *user) {
    size_t n = size * count;
    baa_curl_body *b = (baa_curl_body *)user;
    size_t room = BAA_BODY_CAP - b->length;
    size_t take = n < room ? n : room;
    for (size_t i = 0; i < take; i++) b->data[b->length + i] = data[i];
    b->length += take;
    return n;
}

static inline int baa_curl_setopt_keep_body(void *fn, void *handle, baa_curl_body *body) {
    size_t (*write)(char *, size_t, size_t, void *) = baa_curl_keep;
    int code = ((baa_curl_variadic_fn)fn)(handle, 20011 /* CURLOPT_WRITEFUNCTION */, write);
    if (code != 0) return code;
    return ((baa_curl_variadic_fn)fn)(handle, 10001 /* CURLOPT_WRITEDATA */, body);
}

// curl/curl.h: CURLOPTTYPE_LONG 0, CURLOPTTYPE_OBJECTPOINT (and STRINGPOINT, SLISTPOINT) 10000.
#define BAA_CURLOPT_URL 10002
#define BAA_CURLOPT_ERRORBUFFER 10010
#define BAA_CURLOPT_POSTFIELDS 10015
#define BAA_CURLOPT_HTTPHEADER 10023
#define BAA_CURLOPT_POST 47
#define BAA_CURLOPT_FOLLOWLOCATION 52
#define BAA_CURLOPT_POSTFIELDSIZE 60
#define BAA_CURLOPT_MAXREDIRS 68
#define BAA_CURLOPT_NOSIGNAL 99
#define BAA_CURLOPT_TIMEOUT_MS 155
#define BAA_CURLOPT_PROTOCOLS 181
#define BAA_CURLOPT_REDIR_PROTOCOLS 182
#define BAA_CURLPROTO_HTTP 1L
#define BAA_CURLPROTO_HTTPS 2L
// CURLINFO_LONG 0x200000 + 2
#define BAA_CURLINFO_RESPONSE_CODE 0x200002
// CURLINFO_STRING 0x100000 + 31: where a 3xx points (absolute), not followed
#define BAA_CURLINFO_REDIRECT_URL 0x10001F
#define BAA_CURL_GLOBAL_DEFAULT 3L
#define BAA_CURLE_OK 0
#define BAA_CURL_ERROR_SIZE 256

#endif
