import BAAUtil
import Foundation
import PCRE2

/// The clause library as loaded and validated, before compilation.
public struct ClauseLibrarySpec: Sendable {
    public var version: String
    /// SHA-256 over every clause file: a changed rule changes it (cache keys, audit logs, reports).
    public var sha256: String
    public var elements: [ElementSpec]
    /// Pattern that says a document is about PHI at all (else required verdicts are analogues only).
    public var documentContext: PatternSpec?
    public var directory: String

    static func sha256Hex(_ bytes: [UInt8]) -> String { SHA256.hex(bytes) }

    public func element(_ id: String) -> ElementSpec? { elements.first { $0.id == id } }
    public var rules: [RuleSpec] { elements.flatMap(\.rules) }
}

/// A pattern compiled once per process: shared read-only across threads.
public struct CompiledPattern: Sendable {
    /// Index into `ClauseLibrary.patterns` (identical expanded patterns share one entry).
    public let index: Int
    public let regex: Regex
    /// Lower-cased literals one of which must occur for the pattern to match (empty: no prefilter).
    public let keywords: [String]
}

/// A rule with its pattern names resolved to compiled pattern indexes.
public struct CompiledRule: Sendable {
    public let spec: RuleSpec
    public let all: [Int]
    public let any: [Int]
    public let none: [Int]
    public let capture: Int?
}

/// The compiled clause library: every distinct pattern compiled and JIT-compiled once.
public final class ClauseLibrary: Sendable {
    public let spec: ClauseLibrarySpec
    public let patterns: [CompiledPattern]
    public let rules: [CompiledRule]
    /// Definitions per element (patterns with groups term/value/unit).
    public let definitions: [Int]
    public let documentContext: Int?

    public init(spec: ClauseLibrarySpec) throws(ClauseErrors) {
        self.spec = spec
        var errors: [ClauseError] = []
        var table: [String: Int] = [:]
        var compiled: [CompiledPattern] = []
        func intern(_ p: PatternSpec) -> Int? {
            if let i = table[p.expanded] { return i }
            do {
                let regex = try Regex(p.expanded)
                let i = compiled.count
                compiled.append(CompiledPattern(index: i, regex: regex, keywords: KeywordExtractor.keywords(of: p.expanded)))
                table[p.expanded] = i
                return i
            } catch {
                var message = "pattern '\(p.name)' does not compile: \(error.message)"
                if let off = error.offset { message += " at offset \(off) of the expanded pattern" }
                errors.append(ClauseError(p.position, message))
                return nil
            }
        }
        var rules: [CompiledRule] = []
        var definitions: [Int] = []
        for element in spec.elements {
            for d in element.definitions { if let i = intern(d) { definitions.append(i) } }
            for rule in element.rules {
                let names: ([String]) -> [Int] = { $0.compactMap { rule.patterns[$0].flatMap(intern) } }
                let all = names(rule.all), any = names(rule.any), none = names(rule.none)
                let capture = rule.capture.flatMap { rule.patterns[$0] }.flatMap(intern)
                rules.append(CompiledRule(spec: rule, all: all, any: any, none: none, capture: capture))
            }
        }
        documentContext = spec.documentContext.flatMap(intern)
        if !errors.isEmpty { throw ClauseErrors(errors: errors) }
        self.patterns = compiled
        self.rules = rules
        self.definitions = definitions
    }

    /// Loads, validates and compiles Clauses/.
    public static func load(directory: String) throws(ClauseErrors) -> ClauseLibrary {
        try ClauseLibrary(spec: ClauseLoader().load(directory: directory))
    }

    /// Finds Clauses/: an explicit path, $BAA_CLAUSES, ./Clauses, or beside the executable's package root.
    public static func locate(explicit: String?) -> String? {
        let fm = FileManager.default
        var candidates: [String] = []
        if let explicit { return explicit }
        if let env = ProcessInfo.processInfo.environment["BAA_CLAUSES"], !env.isEmpty { candidates.append(env) }
        candidates.append(fm.currentDirectoryPath + "/Clauses")
        let exe = URL(fileURLWithPath: CommandLine.arguments.first ?? "").resolvingSymlinksInPath().deletingLastPathComponent()
        var dir = exe
        for _ in 0..<5 {
            candidates.append(dir.appendingPathComponent("Clauses").path)
            candidates.append(dir.appendingPathComponent("share/baa/Clauses").path)
            dir = dir.deletingLastPathComponent()
        }
        return candidates.first { fm.fileExists(atPath: $0 + "/_macros.yaml") }
    }
}

/// Derives the literal words a pattern cannot match without, for the multi-literal prefilter.
/// Conservative: when unsure it returns [] (the pattern always runs).
public enum KeywordExtractor {
    /// Top-level alternatives are split; each alternative contributes its longest leading literal run.
    public static func keywords(of pattern: String) -> [String] {
        let alternatives = splitTopLevel(pattern)
        var out: [String] = []
        for alt in alternatives {
            guard let lit = requiredLiteral(alt), lit.count >= 3 else { return [] }
            out.append(lit.lowercased())
        }
        return Array(Set(out)).sorted()
    }

    /// Splits on `|` at depth 0, unwrapping a single outer non-capturing group.
    static func splitTopLevel(_ p: String) -> [String] {
        var s = Substring(p)
        // Unwrap (?:...) that spans the whole pattern.
        while s.hasPrefix("(?:"), s.hasSuffix(")"), enclosingGroupSpansAll(s) { s = s.dropFirst(3).dropLast() }
        var parts: [String] = []
        var depth = 0, escaped = false, inClass = false
        var current = ""
        for ch in s {
            if escaped { current.append(ch); escaped = false; continue }
            if ch == "\\" { current.append(ch); escaped = true; continue }
            if inClass { if ch == "]" { inClass = false }; current.append(ch); continue }
            if ch == "[" { inClass = true; current.append(ch); continue }
            if ch == "(" { depth += 1 }
            if ch == ")" { depth -= 1 }
            if ch == "|" && depth == 0 { parts.append(current); current = ""; continue }
            current.append(ch)
        }
        parts.append(current)
        return parts
    }

    static func enclosingGroupSpansAll(_ s: Substring) -> Bool {
        var depth = 0, escaped = false, inClass = false
        for (i, ch) in s.enumerated() {
            if escaped { escaped = false; continue }
            if ch == "\\" { escaped = true; continue }
            if inClass { if ch == "]" { inClass = false }; continue }
            if ch == "[" { inClass = true; continue }
            if ch == "(" { depth += 1 }
            if ch == ")" { depth -= 1; if depth == 0 && i != s.count - 1 { return false } }
        }
        return true
    }

    /// The longest run of plain letters found at depth 0 and not followed by a quantifier
    /// that makes it optional. Returns nil when the alternative has nothing certain.
    static func requiredLiteral(_ alt: String) -> String? {
        var best = "", current = ""
        var depth = 0, escaped = false, inClass = false
        let chars = Array(alt)
        var i = 0
        func flush() { if current.count > best.count { best = current }; current = "" }
        while i < chars.count {
            let ch = chars[i]
            if escaped {
                escaped = false
                // \b, \s, \w etc. end a literal run; an escaped space or punctuation too.
                flush(); i += 1; continue
            }
            if ch == "\\" { escaped = true; flush(); i += 1; continue }
            if inClass { if ch == "]" { inClass = false }; i += 1; continue }
            if ch == "[" { inClass = true; flush(); i += 1; continue }
            if ch == "(" { depth += 1; flush(); i += 1; continue }
            if ch == ")" { depth -= 1; flush(); i += 1; continue }
            if depth == 0 && ch.isLetter && ch.isASCII {
                // A letter followed by ?, * or { is optional: drop it and end the run.
                let next = i + 1 < chars.count ? chars[i + 1] : " "
                if next == "?" || next == "*" || next == "{" { flush(); i += 1; continue }
                current.append(ch)
            } else if depth == 0 && ch == " " {
                current.append(ch)
            } else { flush() }
            i += 1
        }
        flush()
        let trimmed = best.trimmingCharacters(in: .whitespaces)
        return trimmed.isEmpty ? nil : trimmed
    }
}
