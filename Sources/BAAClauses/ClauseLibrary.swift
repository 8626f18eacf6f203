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
    /// Pattern for "this is not a business associate agreement / involves no PHI": with few context
    /// mentions, such a document is treated as not about PHI.
    public var documentDisclaimer: PatternSpec? = nil
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
    /// Everything the pattern cannot match without (the prefilter checks all of it, `keywords` is its anchor).
    public let requirement: LiteralRequirement
    /// Literals one of which every match starts with (nil: unknown); see `KeywordExtractor.startLiterals(of:)`.
    public let startLiterals: [String]?
    /// Those start literals that a `\b` certainly precedes in every match beginning with them.
    public let wordStartLiterals: [String]
}

/// A rule with its pattern names resolved to compiled pattern indexes.
public struct CompiledRule: Sendable {
    /// Position in `ClauseLibrary.rules`.
    public let index: Int
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
    /// The element each entry of `definitions` belongs to (a defined event counts for that element's rules).
    public let definitionElements: [String]
    public let documentContext: Int?
    public let documentDisclaimer: Int?
    /// Which patterns may match in a paragraph: one multi-literal pass, built once and shared read-only.
    public let prefilter: LiteralPrefilter

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
                let (requirement, starts) = KeywordExtractor.analyze(p.expanded)
                compiled.append(CompiledPattern(index: i, regex: regex, keywords: KeywordExtractor.anchors(of: requirement) ?? [],
                                                requirement: requirement, startLiterals: starts?.literals,
                                                wordStartLiterals: starts?.afterWordBoundary ?? []))
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
        var definitionElements: [String] = []
        for element in spec.elements {
            for d in element.definitions {
                if let i = intern(d) { definitions.append(i); definitionElements.append(element.id) }
            }
            for rule in element.rules {
                let names: ([String]) -> [Int] = { $0.compactMap { rule.patterns[$0].flatMap(intern) } }
                let all = names(rule.all), any = names(rule.any), none = names(rule.none)
                let capture = rule.capture.flatMap { rule.patterns[$0] }.flatMap(intern)
                rules.append(CompiledRule(index: rules.count, spec: rule, all: all, any: any, none: none, capture: capture))
            }
        }
        documentContext = spec.documentContext.flatMap(intern)
        documentDisclaimer = spec.documentDisclaimer.flatMap(intern)
        if !errors.isEmpty { throw ClauseErrors(errors: errors) }
        self.patterns = compiled
        // A rule can fire only in a unit where one of its `all` patterns' anchors occurs (the rarest looking one),
        // or, with no `all` anchor, one of its `any` patterns' anchors.
        let ruleAnchors: [[String]?] = rules.map { rule in
            let allSets = rule.all.map { compiled[$0].keywords }.filter { !$0.isEmpty }
            if let best = allSets.min(by: { KeywordExtractor.cost($0) < KeywordExtractor.cost($1) }) { return best }
            let anySets = rule.any.map { compiled[$0].keywords }
            if !anySets.isEmpty, anySets.allSatisfy({ !$0.isEmpty }) { return Array(Set(anySets.joined())).sorted() }
            return nil
        }
        self.prefilter = LiteralPrefilter(requirements: compiled.map(\.requirement), ruleAnchors: ruleAnchors,
                                          startLiterals: compiled.map(\.startLiterals),
                                          wordStartLiterals: compiled.map(\.wordStartLiterals))
        self.rules = rules
        self.definitions = definitions
        self.definitionElements = definitionElements
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
        // The running executable itself (/proc/self/exe on Linux), not argv[0]: a `baa` found on PATH has a bare
        // name there, and an installed prefix keeps the library at PREFIX/share/baa/Clauses beside PREFIX/bin/baa.
        let exePath = Bundle.main.executableURL ?? URL(fileURLWithPath: CommandLine.arguments.first ?? "")
        let exe = exePath.resolvingSymlinksInPath().deletingLastPathComponent()
        var dir = exe
        for _ in 0..<5 {
            candidates.append(dir.appendingPathComponent("Clauses").path)
            candidates.append(dir.appendingPathComponent("share/baa/Clauses").path)
            dir = dir.deletingLastPathComponent()
        }
        return candidates.first { fm.fileExists(atPath: $0 + "/_macros.yaml") }
    }
}
