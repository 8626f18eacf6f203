import BAAClauses
import BAAExtract
import Foundation
import PCRE2

/// A rule that fired in a unit of text.
public struct Hit: Sendable {
    public var rule: CompiledRule
    public var unit: Range<Int>
    /// The evidence span: from the first to the last matched pattern in the unit.
    public var span: Range<Int>
    public var paragraph: Int
    /// Named groups of the rule's capture pattern (value, unit, ref).
    public var captures: [String: String]
    /// The guard that vetoed this hit, if any, with the text it matched.
    public var vetoedBy: (name: String, text: String)?
}

/// A rule that could not finish (a resource limit): reported, never a silent miss.
public struct RuleFailure: Sendable, Equatable, CustomStringConvertible {
    public var rule: String
    public var pattern: String
    public var message: String
    public var description: String { "rule \(rule): pattern '\(pattern)' \(message)" }
}

/// Every pattern's matches over a document, computed once and shared by all rules.
/// Matching runs per paragraph (no match crosses a paragraph), only where the pattern's keywords occur.
public struct MatchIndex {
    /// Per pattern index: matches sorted by start.
    public private(set) var matches: [[Match]]
    public private(set) var failures: [Int: String] = [:]

    public init(library: ClauseLibrary, subject: Subject, segments: Segments, matcher: Matcher) {
        matches = Array(repeating: [], count: library.patterns.count)
        // Keyword prefilter: which paragraphs contain each keyword (one lower-cased copy of the text).
        let lower = KeywordScanner(subject: subject)
        let paragraphStarts = segments.paragraphs.map(\.range.lowerBound)
        var keywordParagraphs: [String: [Int]] = [:]
        for pattern in library.patterns {
            for k in pattern.keywords where keywordParagraphs[k] == nil {
                keywordParagraphs[k] = lower.paragraphsContaining(k, paragraphStarts: paragraphStarts)
            }
        }
        for pattern in library.patterns {
            let paragraphs: [Int]
            if pattern.keywords.isEmpty {
                paragraphs = Array(segments.paragraphs.indices)
            } else {
                paragraphs = Array(Set(pattern.keywords.flatMap { keywordParagraphs[$0] ?? [] })).sorted()
            }
            var found: [Match] = []
            do {
                for p in paragraphs {
                    let r = segments.paragraphs[p].range
                    found += try matcher.allMatches(pattern.regex, in: subject, from: r.lowerBound, to: r.upperBound)
                }
            } catch {
                failures[pattern.index] = error.isResourceLimit ? "hit a PCRE2 resource limit (\(error.message))" : error.message
            }
            matches[pattern.index] = found
        }
    }

    /// The first match of a pattern inside `range`, if any.
    public func first(_ pattern: Int, in range: Range<Int>) -> Match? {
        let list = matches[pattern]
        var lo = 0, hi = list.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if list[mid].range.lowerBound < range.lowerBound { lo = mid + 1 } else { hi = mid }
        }
        var i = lo
        while i < list.count && list[i].range.lowerBound < range.upperBound {
            if list[i].range.upperBound <= range.upperBound { return list[i] }
            i += 1
        }
        return nil
    }
}

/// Finds which paragraphs contain a keyword, over one lower-cased copy of the text.
struct KeywordScanner {
    let lower: [UInt8]
    init(subject: Subject) {
        var bytes = [UInt8](UnsafeBufferPointer(rebasing: subject.bytes[0..<subject.count]))
        for i in bytes.indices where bytes[i] >= 65 && bytes[i] <= 90 { bytes[i] |= 0x20 }
        lower = bytes
    }

    func paragraphsContaining(_ keyword: String, paragraphStarts: [Int]) -> [Int] {
        let needle = Array(keyword.utf8)
        guard !needle.isEmpty, needle.count <= lower.count else { return [] }
        var out: [Int] = []
        lower.withUnsafeBufferPointer { hay in
            needle.withUnsafeBufferPointer { nd in
                var offset = 0
                while offset < hay.count {
                    // memchr for the first byte, then memcmp (memmem is a GNU extension Swift does not import).
                    guard hay.count - offset >= nd.count,
                          let p = memchr(hay.baseAddress! + offset, Int32(nd[0]), hay.count - offset - nd.count + 1) else { break }
                    let at = hay.baseAddress!.distance(to: p.assumingMemoryBound(to: UInt8.self))
                    if memcmp(hay.baseAddress! + at, nd.baseAddress!, nd.count) != 0 { offset = at + 1; continue }
                    // The paragraph whose start is the last at or before `at`.
                    var lo = 0, hi = paragraphStarts.count
                    while lo < hi { let mid = (lo + hi) / 2; if paragraphStarts[mid] <= at { lo = mid + 1 } else { hi = mid } }
                    if lo > 0 && out.last != lo - 1 { out.append(lo - 1) }
                    offset = at + 1
                }
            }
        }
        return out
    }
}

/// A unit a rule is evaluated in: its range, the paragraph, and the list lead-in if any.
struct Unit {
    var range: Range<Int>
    var paragraph: Int
    var leadIn: Range<Int>?
}

/// Evaluates every rule over its scope's units.
struct RuleEvaluator {
    let library: ClauseLibrary
    let index: MatchIndex
    let segments: Segments
    let subject: Subject
    /// Sentences that only define a term ("X" means ...): nothing is imposed there.
    let definitionSentences: Set<Int>

    func units(for scope: Scope) -> [Unit] {
        switch scope {
        case .sentence:
            return segments.sentences.enumerated().compactMap { (i, s) in
                let p = segments.paragraphs[s.paragraph]
                if p.isHeadingOnly || definitionSentences.contains(i) { return nil }
                return Unit(range: s.range, paragraph: s.paragraph, leadIn: p.leadIn)
            }
        case .paragraph:
            return segments.paragraphs.enumerated().compactMap { (i, p) in
                p.isHeadingOnly ? nil : Unit(range: p.range, paragraph: i, leadIn: p.leadIn)
            }
        case .section:
            return segments.sections.map { Unit(range: $0.range, paragraph: $0.firstParagraph, leadIn: nil) }
        }
    }

    func evaluate(_ rule: CompiledRule, units: [Unit]) -> [Hit] {
        var hits: [Hit] = []
        for unit in units {
            var spans: [Range<Int>] = []
            var satisfied = true
            var captureMatch: Match?
            for p in rule.all {
                if let m = index.first(p, in: unit.range) {
                    spans.append(m.range)
                    if p == rule.capture { captureMatch = m }
                } else if let lead = unit.leadIn, index.first(p, in: lead) != nil {
                    continue
                } else { satisfied = false; break }
            }
            guard satisfied else { continue }
            if !rule.any.isEmpty {
                var anyFound = false
                for p in rule.any {
                    if let m = index.first(p, in: unit.range) {
                        spans.append(m.range); anyFound = true
                        if p == rule.capture { captureMatch = m }
                        break
                    } else if let lead = unit.leadIn, index.first(p, in: lead) != nil { anyFound = true; break }
                }
                guard anyFound else { continue }
            }
            guard let lo = spans.map(\.lowerBound).min(), let hi = spans.map(\.upperBound).max() else { continue }
            if let within = rule.spec.within, hi - lo > within { continue }
            var captures: [String: String] = [:]
            if let m = captureMatch, let capture = rule.capture {
                for (name, number) in library.patterns[capture].regex.groupNames where number < m.groups.count {
                    if let r = m.groups[number] { captures[name] = subject.text(r) }
                }
            }
            var veto: (String, String)?
            for (k, p) in rule.none.enumerated() {
                if let m = index.first(p, in: unit.range) {
                    veto = (rule.spec.none[k], subject.text(m.range))
                    break
                }
            }
            hits.append(Hit(rule: rule, unit: unit.range, span: lo..<hi, paragraph: unit.paragraph, captures: captures, vetoedBy: veto))
        }
        return hits
    }
}
