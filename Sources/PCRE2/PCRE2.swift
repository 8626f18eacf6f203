import CPCRE2
import Foundation

/// An error from PCRE2: compiling a pattern, or a match that hit a resource limit.
public struct PCRE2Error: Error, CustomStringConvertible, Sendable, Equatable {
    /// The PCRE2 error code (negative for match-time errors).
    public let code: Int32
    /// The byte offset in the pattern where compilation failed, if it did.
    public let offset: Int?
    public let message: String

    init(code: Int32, offset: Int? = nil) {
        self.code = code
        self.offset = offset
        var buffer = [UInt8](repeating: 0, count: 256)
        let n = buffer.withUnsafeMutableBufferPointer { pcre2_get_error_message_8(code, $0.baseAddress, 256) }
        self.message = n > 0 ? String(decoding: buffer[0..<Int(n)], as: UTF8.self) : "PCRE2 error \(code)"
    }

    /// True when a match stopped on the match, depth or heap limit (or the JIT stack).
    public var isResourceLimit: Bool {
        code == PCRE2_ERROR_MATCHLIMIT || code == PCRE2_ERROR_DEPTHLIMIT
            || code == PCRE2_ERROR_HEAPLIMIT || code == PCRE2_ERROR_JIT_STACKLIMIT
    }

    public var description: String {
        if let offset { return "\(message) at pattern offset \(offset)" }
        return message
    }
}

/// Resource limits applied to every match, so no pattern can hang a review.
public struct MatchLimits: Sendable, Equatable {
    public var matchLimit: UInt32
    public var depthLimit: UInt32
    public var heapLimitKiB: UInt32
    public init(matchLimit: UInt32 = 1_000_000, depthLimit: UInt32 = 10_000, heapLimitKiB: UInt32 = 20_000) {
        self.matchLimit = matchLimit
        self.depthLimit = depthLimit
        self.heapLimitKiB = heapLimitKiB
    }
    public static let `default` = MatchLimits()
}

/// A validated UTF-8 subject: PCRE2 checks UTF-8 validity once here, and every match
/// afterwards passes PCRE2_NO_UTF_CHECK (otherwise each call re-validates the whole text).
public final class Subject: @unchecked Sendable {
    /// The bytes, NUL-terminated for safety; `count` excludes the terminator.
    public let bytes: UnsafeMutableBufferPointer<UInt8>
    public let count: Int

    /// Fails with nil when `utf8` is not valid UTF-8 (a Swift String always is).
    public init(_ text: String) {
        var s = text
        let utf8 = s.withUTF8 { Array($0) }
        count = utf8.count
        bytes = .allocate(capacity: count + 1)
        _ = bytes.initialize(from: utf8)
        bytes[count] = 0
    }

    public init?(bytes data: [UInt8]) {
        guard String(validating: data, as: UTF8.self) != nil else { return nil }
        count = data.count
        bytes = .allocate(capacity: count + 1)
        _ = bytes.initialize(from: data)
        bytes[count] = 0
    }

    deinit { bytes.deallocate() }

    /// The text of a byte range.
    public func text(_ range: Range<Int>) -> String {
        String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self)
    }
}

/// A compiled pattern, shared read-only across threads. It is JIT-compiled lazily, once it has been used a few
/// times: a one-page review runs most patterns only once or twice, and JIT-compiling the whole library up front
/// was most of the start-up time. The JIT compiles a private copy of the code, published under a lock, so threads
/// already matching with the interpreter are never disturbed.
public final class Regex: @unchecked Sendable {
    let code: OpaquePointer
    public let pattern: String
    /// Capture group names mapped to their numbers.
    public let groupNames: [String: Int]
    public let captureCount: Int
    /// Matches run before the JIT compiles the pattern (0: compile at once).
    public let jitThreshold: Int

    private let lock = NSLock()
    private let options: UInt32
    private var anchoredVariant: Regex??
    private var jitCode: OpaquePointer?
    private var uses = 0
    private var jitFailed = false

    /// Compile options always on: UTF, UCP (Unicode \b and \w), and MULTILINE so that ^ and $ match at
    /// line starts and ends (in review text a line is a paragraph).
    public static let baseOptions: UInt32 = PCRE2_UTF | PCRE2_UCP | PCRE2_MULTILINE

    /// - Parameters:
    ///   - pattern: PCRE2 syntax.
    ///   - caseless: PCRE2_CASELESS.
    ///   - jit: use the JIT (after `jitThreshold` uses; the interpreter if the JIT is unavailable).
    public convenience init(_ pattern: String, caseless: Bool = true, extended: Bool = false, jit: Bool = true, jitThreshold: Int = 4) throws(PCRE2Error) {
        var options = Regex.baseOptions
        if caseless { options |= PCRE2_CASELESS }
        if extended { options |= PCRE2_EXTENDED }
        try self.init(pattern, options: options, jit: jit, jitThreshold: jitThreshold)
    }

    init(_ pattern: String, options: UInt32, jit: Bool, jitThreshold: Int) throws(PCRE2Error) {
        self.pattern = pattern
        self.options = options
        var errorCode: Int32 = 0
        var errorOffset: Int = 0
        let compiled: OpaquePointer? = pattern.utf8CString.withUnsafeBufferPointer { buf in
            buf.baseAddress!.withMemoryRebound(to: UInt8.self, capacity: buf.count) { ptr in
                pcre2_compile_8(ptr, buf.count - 1, options, &errorCode, &errorOffset, nil)
            }
        }
        guard let compiled else { throw PCRE2Error(code: errorCode, offset: errorOffset) }
        code = compiled
        self.jitThreshold = jitThreshold
        jitFailed = !jit

        var count: UInt32 = 0
        pcre2_pattern_info_8(compiled, UInt32(PCRE2_INFO_CAPTURECOUNT), &count)
        captureCount = Int(count)
        var nameCount: UInt32 = 0
        var entrySize: UInt32 = 0
        var table: UnsafePointer<UInt8>?
        pcre2_pattern_info_8(compiled, UInt32(PCRE2_INFO_NAMECOUNT), &nameCount)
        pcre2_pattern_info_8(compiled, UInt32(PCRE2_INFO_NAMEENTRYSIZE), &entrySize)
        pcre2_pattern_info_8(compiled, UInt32(PCRE2_INFO_NAMETABLE), &table)
        var names: [String: Int] = [:]
        if let table, nameCount > 0 {
            for i in 0..<Int(nameCount) {
                let entry = table + i * Int(entrySize)
                let number = Int(entry[0]) << 8 | Int(entry[1])
                let name = String(cString: entry + 2)
                names[name] = number
            }
        }
        groupNames = names
        if jit && jitThreshold == 0 { _ = compileJIT() }
    }

    /// The same pattern compiled with PCRE2_ANCHORED (it matches only at the start offset), made at its first use;
    /// nil if it does not compile. The JIT cannot anchor at match time, so an anchored search needs its own code.
    public var anchored: Regex? {
        lock.lock()
        defer { lock.unlock() }
        if let anchoredVariant { return anchoredVariant }
        let variant = try? Regex(pattern, options: options | PCRE2_ANCHORED, jit: !jitFailed || jitCode != nil, jitThreshold: jitThreshold)
        anchoredVariant = .some(variant)
        return variant
    }

    /// True once the pattern runs on the JIT.
    public var isJIT: Bool { lock.lock(); defer { lock.unlock() }; return jitCode != nil }

    @discardableResult
    private func compileJIT() -> OpaquePointer? {
        guard let copy = pcre2_code_copy_8(code) else { jitFailed = true; return nil }
        if pcre2_jit_compile_8(copy, PCRE2_JIT_COMPLETE) == 0 {
            jitCode = copy
        } else {
            pcre2_code_free_8(copy)
            jitFailed = true
        }
        return jitCode
    }

    /// The code to match with now, and whether it is JIT code.
    func codeForMatch() -> (OpaquePointer, Bool) {
        lock.lock()
        defer { lock.unlock() }
        if let jitCode { return (jitCode, true) }
        if !jitFailed {
            uses += 1
            if uses > jitThreshold, let jitted = compileJIT() { return (jitted, true) }
        }
        return (code, false)
    }

    deinit {
        pcre2_code_free_8(code)
        if let jitCode { pcre2_code_free_8(jitCode) }
    }
}

/// One match: the whole span and each capture group's span (byte offsets into the subject).
public struct Match: Sendable, Equatable {
    public let range: Range<Int>
    /// Groups 1 and up (none for a pattern without groups: most matches then allocate nothing).
    private let captured: [Range<Int>?]

    init(range: Range<Int>, captured: [Range<Int>?]) {
        self.range = range
        self.captured = captured
    }

    /// Group `i`'s span (0: the whole match); nil where the group did not participate or does not exist.
    public func group(_ i: Int) -> Range<Int>? {
        i == 0 ? range : (i > 0 && i <= captured.count ? captured[i - 1] : nil)
    }
}

/// Per-thread match state: match data, a match context with limits, and a JIT stack.
/// Not shareable across threads; make one per worker.
public final class Matcher {
    private let matchData: OpaquePointer
    private let context: OpaquePointer
    private let jitStack: OpaquePointer?
    public let limits: MatchLimits

    public init(limits: MatchLimits = .default, maxGroups: Int = 32) {
        self.limits = limits
        matchData = pcre2_match_data_create_8(UInt32(maxGroups + 1), nil)
        context = pcre2_match_context_create_8(nil)
        pcre2_set_match_limit_8(context, limits.matchLimit)
        pcre2_set_depth_limit_8(context, limits.depthLimit)
        pcre2_set_heap_limit_8(context, limits.heapLimitKiB)
        // The JIT ignores the depth limit and has only 32 KB of stack by default.
        jitStack = pcre2_jit_stack_create_8(64 * 1024, 4 * 1024 * 1024, nil)
        if let jitStack { pcre2_jit_stack_assign_8(context, nil, UnsafeMutableRawPointer(jitStack)) }
    }

    deinit {
        pcre2_match_data_free_8(matchData)
        pcre2_match_context_free_8(context)
        if let jitStack { pcre2_jit_stack_free_8(jitStack) }
    }

    /// The first match at or after `start` within `subject[..<end]`, or nil.
    /// Throws when a resource limit is hit, so that a runaway pattern is reported, never silently missed.
    public func firstMatch(_ regex: Regex, in subject: Subject, from start: Int = 0, to end: Int? = nil) throws(PCRE2Error) -> Match? {
        let (code, jit) = regex.codeForMatch()
        return try firstMatch(regex, code: code, jit: jit, in: subject, from: start, to: end ?? subject.count)
    }

    /// `firstMatch` with the code to run already chosen (a find-all chooses it once, not per attempt).
    private func firstMatch(_ regex: Regex, code: OpaquePointer, jit: Bool, in subject: Subject, from start: Int, to limit: Int) throws(PCRE2Error) -> Match? {
        guard start <= limit else { return nil }
        let rc: Int32
        // Matching against a shorter length than the buffer makes `end` a hard boundary.
        if jit {
            rc = pcre2_jit_match_8(code, subject.bytes.baseAddress, limit, start, 0, matchData, context)
        } else {
            rc = pcre2_match_8(code, subject.bytes.baseAddress, limit, start, PCRE2_NO_UTF_CHECK, matchData, context)
        }
        if rc == PCRE2_ERROR_NOMATCH { return nil }
        if rc < 0 { throw PCRE2Error(code: rc) }
        return Match(from: matchData, captureCount: regex.captureCount)
    }

    /// Every non-overlapping match in `subject[start..<end]` that starts at one of `starts` (ascending offsets), found
    /// by anchored attempts there only. It equals `allMatches` when every match of the pattern starts at one of them.
    public func allMatches(_ regex: Regex, in subject: Subject, startingAt starts: [Int], to end: Int) throws(PCRE2Error) -> [Match] {
        var out: [Match] = []
        try appendMatches(regex, in: subject, startingAt: starts, to: end, into: &out)
        return out
    }

    /// `allMatches(_:in:startingAt:to:)`, appended to `out` (a caller that keeps every match in one array).
    public func appendMatches(_ regex: Regex, in subject: Subject, startingAt starts: [Int], to end: Int, into out: inout [Match]) throws(PCRE2Error) {
        guard let anchored = regex.anchored else {
            return try appendMatches(regex, in: subject, from: starts.first ?? end, to: end, into: &out)
        }
        var position = 0
        let (code, jit) = anchored.codeForMatch()
        for s in starts where s >= position && s <= end {
            if let m = try firstMatch(anchored, code: code, jit: jit, in: subject, from: s, to: end) {
                out.append(m)
                position = m.range.isEmpty ? s + 1 : m.range.upperBound
            }
        }
    }

    /// Every non-overlapping match in `subject[start..<end]`.
    public func allMatches(_ regex: Regex, in subject: Subject, from start: Int = 0, to end: Int? = nil) throws(PCRE2Error) -> [Match] {
        var out: [Match] = []
        try appendMatches(regex, in: subject, from: start, to: end ?? subject.count, into: &out)
        return out
    }

    /// `allMatches(_:in:from:to:)`, appended to `out`.
    public func appendMatches(_ regex: Regex, in subject: Subject, from start: Int, to limit: Int, into out: inout [Match]) throws(PCRE2Error) {
        var position = start
        let (code, jit) = regex.codeForMatch()
        while position <= limit, let m = try firstMatch(regex, code: code, jit: jit, in: subject, from: position, to: limit) {
            out.append(m)
            if m.range.isEmpty {
                // Step over one whole UTF-8 character on an empty match.
                var next = m.range.upperBound + 1
                while next < limit, subject.bytes[next] & 0xC0 == 0x80 { next += 1 }
                position = next
            } else {
                position = m.range.upperBound
            }
        }
    }
}

extension Match {
    /// The match a successful pcre2_match left in `matchData` (ovector pairs; unset groups nil).
    init?(from matchData: OpaquePointer, captureCount: Int) {
        guard let ovector = pcre2_get_ovector_pointer_8(matchData) else { return nil }
        let pairs = Int(pcre2_get_ovector_count_8(matchData))
        let groupCount = min(captureCount + 1, pairs)
        let unset = baa_pcre2_unset()
        func span(_ i: Int) -> Range<Int>? {
            let s = ovector[2 * i], e = ovector[2 * i + 1]
            return s == unset || e < s ? nil : s..<e
        }
        guard groupCount > 0, let whole = span(0) else { return nil }
        self.init(range: whole, captured: groupCount > 1 ? (1..<groupCount).map(span) : [])
    }
}
