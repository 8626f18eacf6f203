import CCurlShim
import Foundation

/// libcurl, loaded with dlopen at the first ticket posted. URLSession (FoundationNetworking) links libcurl and
/// its ~30 dependencies (Kerberos, GnuTLS, SSH, HTTP/2, LDAP...) into every run, which made each process start
/// slower (a PDF review 8 ms) for the sake of `baa batch --post` alone. Loaded once; nil when libcurl is missing.
/// curl_easy_setopt and curl_easy_getinfo are variadic: they are called through the C wrappers in CCurlShim.
struct CurlAPI: @unchecked Sendable {
    typealias GlobalInit = @convention(c) (Int) -> Int32
    typealias EasyInit = @convention(c) () -> UnsafeMutableRawPointer?
    typealias EasyPerform = @convention(c) (UnsafeMutableRawPointer?) -> Int32
    typealias EasyCleanup = @convention(c) (UnsafeMutableRawPointer?) -> Void
    typealias SlistAppend = @convention(c) (OpaquePointer?, UnsafePointer<CChar>?) -> OpaquePointer?
    typealias SlistFreeAll = @convention(c) (OpaquePointer?) -> Void
    typealias EasyStrerror = @convention(c) (Int32) -> UnsafePointer<CChar>?

    let easyInit: EasyInit, easyPerform: EasyPerform, easyCleanup: EasyCleanup
    let slistAppend: SlistAppend, slistFreeAll: SlistFreeAll, easyStrerror: EasyStrerror
    /// curl_easy_setopt and curl_easy_getinfo, for baa_curl_setopt_* and baa_curl_getinfo_long.
    let setopt: UnsafeMutableRawPointer, getinfo: UnsafeMutableRawPointer

    static let unavailable = "cannot post tickets: cannot load libcurl (install libcurl4)"

    /// nil when libcurl is not installed, lacks a function we use, or does not initialise.
    static let shared: CurlAPI? = {
        var handle: UnsafeMutableRawPointer?
        for name in ["libcurl.so.4", "libcurl-gnutls.so.4", "libcurl.so"] where handle == nil { handle = dlopen(name, RTLD_NOW | RTLD_LOCAL) }
        guard let lib = handle else { return nil }
        func sym<T>(_ name: String, _: T.Type) -> T? { dlsym(lib, name).map { unsafeBitCast($0, to: T.self) } }
        guard let globalInit = sym("curl_global_init", GlobalInit.self), let easyInit = sym("curl_easy_init", EasyInit.self),
              let perform = sym("curl_easy_perform", EasyPerform.self), let cleanup = sym("curl_easy_cleanup", EasyCleanup.self),
              let append = sym("curl_slist_append", SlistAppend.self), let freeAll = sym("curl_slist_free_all", SlistFreeAll.self),
              let strerror = sym("curl_easy_strerror", EasyStrerror.self),
              let setopt = dlsym(lib, "curl_easy_setopt"), let getinfo = dlsym(lib, "curl_easy_getinfo") else { return nil }
        // Not thread-safe, so here, where Swift runs it once.
        guard globalInit(BAA_CURL_GLOBAL_DEFAULT) == BAA_CURLE_OK else { return nil }
        return CurlAPI(easyInit: easyInit, easyPerform: perform, easyCleanup: cleanup, slistAppend: append,
                       slistFreeAll: freeAll, easyStrerror: strerror, setopt: setopt, getinfo: getinfo)
    }()

    /// One POST of `body` with these header lines ("Name: value"; "Name:" removes a header libcurl would add).
    /// Returns the HTTP status (nil if no response came), libcurl's error message (nil on success) and, for a
    /// 3xx, where it points. As curl does by default, redirects are **not** followed (the caller decides: a
    /// ticket must never go, excerpts and all, to another host); http and https only, `timeout` for the whole
    /// exchange, the response body's first 64 KiB kept.
    struct Response {
        var status: Int?
        var error: String?
        var location: String?
        /// libcurl's result code (0: a response came).
        var code: Int32 = 0
        /// Retry-After in seconds, when the response had one.
        var retryAfter: Int?
        /// The response body's first 64 KiB (the created issue, or the tracker's error message).
        var body = Data()
        /// Whether the request may have reached the server although no answer came (a timeout, a connection
        /// closed or reset after sending): a retry could open a second ticket.
        var outcomeUnknown: Bool {
            status == nil && [28 /* OPERATION_TIMEDOUT */, 52 /* GOT_NOTHING */, 55 /* SEND_ERROR */, 56 /* RECV_ERROR */].contains(code)
        }
    }

    func post(url: String, headers: [String], body: Data, timeout: Double) -> Response {
        var retryAfter = -1
        let answer = UnsafeMutablePointer<baa_curl_body>.allocate(capacity: 1)
        defer { answer.deallocate() }
        answer.pointee.length = 0
        let r = postInner(url: url, headers: headers, body: body, timeout: timeout, retryAfter: &retryAfter, answer: answer)
        // `data` is the struct's first field: the kept bytes start at its address.
        let kept = Data(bytes: UnsafeRawPointer(answer), count: min(answer.pointee.length, Int(BAA_BODY_CAP)))
        return Response(status: r.status, error: r.error, location: r.location, code: r.code,
                        retryAfter: retryAfter >= 0 ? retryAfter : nil, body: kept)
    }

    private func postInner(url: String, headers: [String], body: Data, timeout: Double, retryAfter: inout Int,
                           answer: UnsafeMutablePointer<baa_curl_body>) -> (status: Int?, error: String?, location: String?, code: Int32) {
        guard let handle = easyInit() else { return (nil, "cannot start a libcurl transfer", nil, -1) }
        defer { easyCleanup(handle) }
        var list: OpaquePointer?
        defer { slistFreeAll(list) }
        for line in headers {
            guard let next = slistAppend(list, line) else { return (nil, "out of memory building the request headers", nil, -1) }
            list = next
        }
        var errorBuffer = [CChar](repeating: 0, count: Int(BAA_CURL_ERROR_SIZE) + 1)
        return body.withUnsafeBytes { bytes -> (Int?, String?, String?, Int32) in
            errorBuffer.withUnsafeMutableBufferPointer { errors -> (Int?, String?, String?, Int32) in
                // libcurl reads the body in place (CURLOPT_POSTFIELDS does not copy): it stays valid in this closure.
                let fields = bytes.baseAddress ?? UnsafeRawPointer(("" as StaticString).utf8Start)
                let longs: [(Int32, Int)] = [
                    (BAA_CURLOPT_NOSIGNAL, 1), (BAA_CURLOPT_FOLLOWLOCATION, 0),
                    (BAA_CURLOPT_PROTOCOLS, BAA_CURLPROTO_HTTP | BAA_CURLPROTO_HTTPS),
                    (BAA_CURLOPT_REDIR_PROTOCOLS, BAA_CURLPROTO_HTTP | BAA_CURLPROTO_HTTPS),
                    (BAA_CURLOPT_TIMEOUT_MS, max(1, Int(timeout * 1000))),
                    (BAA_CURLOPT_POSTFIELDSIZE, bytes.count),
                ]
                for (option, value) in longs where baa_curl_setopt_long(setopt, handle, option, value) != BAA_CURLE_OK {
                    return (nil, "libcurl refused option \(option)", nil, -1)
                }
                var code = url.withCString { baa_curl_setopt_ptr(setopt, handle, BAA_CURLOPT_URL, $0) }
                if code == BAA_CURLE_OK { code = baa_curl_setopt_ptr(setopt, handle, BAA_CURLOPT_ERRORBUFFER, errors.baseAddress) }
                if code == BAA_CURLE_OK { code = baa_curl_setopt_ptr(setopt, handle, BAA_CURLOPT_HTTPHEADER, UnsafeRawPointer(list)) }
                if code == BAA_CURLE_OK { code = baa_curl_setopt_ptr(setopt, handle, BAA_CURLOPT_POSTFIELDS, fields) }
                if code == BAA_CURLE_OK { code = baa_curl_setopt_keep_body(setopt, handle, answer) }
                if code == BAA_CURLE_OK { code = baa_curl_setopt_retry_after(setopt, handle, &retryAfter) }
                if code == BAA_CURLE_OK { code = easyPerform(handle) }
                var status = 0
                _ = baa_curl_getinfo_long(getinfo, handle, BAA_CURLINFO_RESPONSE_CODE, &status)
                var location: String?
                if (300..<400).contains(status) {
                    var p: UnsafePointer<CChar>?
                    if baa_curl_getinfo_string(getinfo, handle, BAA_CURLINFO_REDIRECT_URL, &p) == BAA_CURLE_OK, let p { location = String(cString: p) }
                }
                guard code != BAA_CURLE_OK else { return (status > 0 ? status : nil, nil, location, 0) }
                let message = errors[0] != 0 ? String(cString: errors.baseAddress!) : easyStrerror(code).map { String(cString: $0) }
                return (status > 0 ? status : nil, message ?? "libcurl error \(code)", location, code)
            }
        }
    }
}
