import CPCRE2

/// One-off matches outside a review's matching loop (a line test in the normalizer, a date in a title, a number in a
/// captured phrase): no `Matcher` to carry and no `Subject` to copy. Each call makes its own match data (one small
/// allocation) and shares a read-only match context with the default limits, so it is safe from any thread.
/// For many matches over one large text, use a `Matcher` and a `Subject`.
extension Regex {
    /// Matches run here with the default limits and no JIT stack of their own (the JIT's 32 KB on the machine stack).
    private static let sharedContext = SharedMatchContext(limits: .default)

    /// The first match in `text` at or after byte `start` and before byte `end` (UTF-8 offsets), or nil.
    /// Throws when a resource limit is hit (callers that treat that as no match write `(try? ...) ?? nil`).
    public func firstMatch(in text: String, from start: Int = 0, to end: Int? = nil) throws(PCRE2Error) -> Match? {
        var text = text
        let result: Result<Match?, PCRE2Error> = text.withUTF8 { buffer in
            do throws(PCRE2Error) { return .success(try oneShot(buffer, from: start, to: end ?? buffer.count)) } catch { return .failure(error) }
        }
        return try result.get()
    }

    /// The first match in `subject[start..<end]` (a `Subject` already made, without a `Matcher`).
    public func firstMatch(in subject: Subject, from start: Int = 0, to end: Int? = nil) throws(PCRE2Error) -> Match? {
        try oneShot(UnsafeBufferPointer(start: subject.bytes.baseAddress, count: subject.count), from: start, to: end ?? subject.count)
    }

    /// True when the pattern matches somewhere in `text`; a resource limit counts as no match.
    public func matches(_ text: String) -> Bool {
        ((try? firstMatch(in: text)) ?? nil) != nil
    }

    /// `text` with every non-overlapping match replaced by `replacement` (taken literally: no group references).
    /// A resource limit stops the replacing there (the rest is kept as it is).
    public func replacingMatches(in text: String, with replacement: String) -> String {
        let bytes = Array(text.utf8)
        var out: [UInt8] = []
        var copied = 0, position = 0
        while position <= bytes.count, let m = (try? firstMatch(in: text, from: position)) ?? nil {
            out += bytes[copied..<m.range.lowerBound]
            out += replacement.utf8
            copied = m.range.upperBound
            if m.range.isEmpty {
                var next = m.range.upperBound + 1
                while next < bytes.count, bytes[next] & 0xC0 == 0x80 { next += 1 }
                position = next
            } else {
                position = m.range.upperBound
            }
        }
        guard copied > 0 || !out.isEmpty else { return text }
        out += bytes[copied...]
        return String(decoding: out, as: UTF8.self)
    }

    private func oneShot(_ buffer: UnsafeBufferPointer<UInt8>, from start: Int, to limit: Int) throws(PCRE2Error) -> Match? {
        guard start >= 0, start <= limit, limit <= buffer.count else { return nil }
        let (code, jit) = codeForMatch()
        guard let matchData = pcre2_match_data_create_8(UInt32(captureCount + 1), nil) else { return nil }
        defer { pcre2_match_data_free_8(matchData) }
        // An empty string may have no storage: match against a terminator of our own.
        var empty: UInt8 = 0
        let rc: Int32 = withUnsafePointer(to: &empty) { emptyPointer in
            let base = buffer.baseAddress ?? emptyPointer
            if jit {
                return pcre2_jit_match_8(code, base, limit, start, 0, matchData, Regex.sharedContext.context)
            }
            return pcre2_match_8(code, base, limit, start, PCRE2_NO_UTF_CHECK, matchData, Regex.sharedContext.context)
        }
        if rc == PCRE2_ERROR_NOMATCH { return nil }
        if rc < 0 { throw PCRE2Error(code: rc) }
        return Match(from: matchData, captureCount: captureCount)
    }
}

/// A match context with limits and nothing thread-specific: pcre2_match only reads it, so threads share it.
private final class SharedMatchContext: @unchecked Sendable {
    let context: OpaquePointer
    init(limits: MatchLimits) {
        context = pcre2_match_context_create_8(nil)
        pcre2_set_match_limit_8(context, limits.matchLimit)
        pcre2_set_depth_limit_8(context, limits.depthLimit)
        pcre2_set_heap_limit_8(context, limits.heapLimitKiB)
    }
}

extension Match {
    /// The text of group `i` (0: the whole match) in the string the match was found in; nil where the group did not take part.
    public func text(_ i: Int = 0, in text: String) -> String? {
        guard let r = group(i) else { return nil }
        let utf8 = text.utf8
        let lo = utf8.index(utf8.startIndex, offsetBy: r.lowerBound), hi = utf8.index(lo, offsetBy: r.count)
        return String(decoding: utf8[lo..<hi], as: UTF8.self)
    }
}
