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

/// Every pattern's matches over a document, shared by all rules and computed lazily, one paragraph at a time.
///
/// At construction one multi-literal pass (the library's `LiteralPrefilter`) records which required literals occur
/// in each paragraph, and which rules could fire there. A pattern then runs (PCRE2) on a paragraph only when a rule
/// asks for it there and its literal requirement holds; the result is kept for the other rules. No match crosses a
/// paragraph. Not thread-safe: one per document per thread.
public final class MatchIndex {
    let library: ClauseLibrary
    let subject: Subject
    let paragraphRanges: [Range<Int>]
    let paragraphStarts: [Int]
    let matcher: Matcher
    /// False when every pattern must run everywhere (BAA_NO_PREFILTER, or text with U+017F / U+212A).
    public let usesPrefilter: Bool
    /// Presence bitsets, `words` per paragraph.
    private let bits: [UInt64]
    private let words: Int
    /// Start-literal occurrences (`end << 32 | literal`) in text order, per paragraph: `occurrences[occurrenceStart[i]..<occurrenceStart[i + 1]]`.
    private let occurrences: [UInt64]
    private let occurrenceStart: [Int]
    private var startsBuffer: [Int] = []
    /// Per rule: the paragraphs where it may fire (nil: everywhere).
    private let ruleParagraphs: [[Int32]?]
    /// Per pattern x paragraph: -1 not yet looked at, -3 possible but not yet run, -2 no match, k >= 0 its matches are
    /// the slice `runs[k]` of `pool`. Raw memory: the hot path's reads and writes skip the dynamic exclusivity checks a
    /// class's array property costs (about a tenth of the matching stage).
    private let state: UnsafeMutableBufferPointer<Int32>
    private var runs: [Range<Int>] = []
    private var pool: [Match] = []
    /// `pool`'s ranges alone, what most lookups read.
    private var poolRanges: [Range<Int>] = []
    public private(set) var failures: [Int: String] = [:]
    /// PCRE2 searches run (pattern x paragraph), for `baa bench-match`.
    public private(set) var searches = 0

    /// BAA_NO_PREFILTER=1 runs every pattern on every paragraph: the reference the prefilter is checked against.
    public static let prefilterDisabled = ProcessInfo.processInfo.environment["BAA_NO_PREFILTER"] == "1"

    public init(library: ClauseLibrary, subject: Subject, segments: Segments, matcher: Matcher,
                prefilter usePrefilter: Bool = true) {
        self.library = library
        self.subject = subject
        self.matcher = matcher
        let prefilter = library.prefilter
        paragraphRanges = segments.paragraphs.map(\.range)
        paragraphStarts = paragraphRanges.map(\.lowerBound)
        let n = paragraphRanges.count
        state = .allocate(capacity: library.patterns.count * n)
        state.initialize(repeating: -1)
        let text = UnsafeBufferPointer(start: subject.bytes.baseAddress, count: subject.count)
        usesPrefilter = usePrefilter && !MatchIndex.prefilterDisabled && prefilter.isUsable && !LiteralPrefilter.needsUnicodeFolding(text)
        words = prefilter.wordsPerBitset
        guard usesPrefilter else {
            bits = []
            occurrences = []
            occurrenceStart = []
            ruleParagraphs = Array(repeating: nil, count: library.rules.count)
            return
        }
        // One pass over all paragraphs: the literals each contains (a bitset) and where start literals occur.
        let ranges = paragraphRanges, starts = paragraphStarts
        let scan = prefilter.scan(text, spans: ranges)
        let bits = scan.bits
        self.bits = bits
        occurrences = scan.occurrences
        occurrenceStart = scan.occurrenceStart
        // Rules by anchor: a rule may fire in paragraph i when its anchor occurs in i or in i's list lead-in.
        var lists: [[Int32]?] = Array(repeating: [], count: library.rules.count)
        for r in prefilter.unanchoredRules { lists[r] = nil }
        var lastParagraph = [Int32](repeating: -1, count: library.rules.count)
        let words = self.words
        var anchored: [Int32] = []
        bits.withUnsafeBufferPointer { b in
            func add(_ src: Int, to i: Int) {
                anchored.removeAll(keepingCapacity: true)
                prefilter.appendRules(anchoredIn: UnsafeBufferPointer(rebasing: b[(src * words)..<((src + 1) * words)]), to: &anchored)
                for rule in anchored where lastParagraph[Int(rule)] != Int32(i) {
                    lastParagraph[Int(rule)] = Int32(i)
                    lists[Int(rule)]?.append(Int32(i))
                }
            }
            for (i, p) in segments.paragraphs.enumerated() {
                add(i, to: i)
                for lead in p.context {
                    for src in MatchIndex.paragraphs(overlapping: lead, starts: starts, ranges: ranges) { add(src, to: i) }
                }
            }
        }
        ruleParagraphs = lists
    }

    /// Indexes of the paragraphs overlapping a byte range, ascending.
    static func paragraphs(overlapping range: Range<Int>, starts: [Int], ranges: [Range<Int>]) -> [Int] {
        var out: [Int] = []
        var i = firstParagraph(endingAfter: range.lowerBound, starts: starts, ranges: ranges)
        while i < ranges.count, ranges[i].lowerBound < range.upperBound || (range.isEmpty && ranges[i].lowerBound == range.lowerBound) {
            out.append(i); i += 1
        }
        return out
    }

    /// The first paragraph that contains `offset` or lies after it.
    static func firstParagraph(endingAfter offset: Int, starts: [Int], ranges: [Range<Int>]) -> Int {
        var lo = 0, hi = starts.count
        while lo < hi { let mid = (lo + hi) / 2; if starts[mid] <= offset { lo = mid + 1 } else { hi = mid } }
        // lo - 1 is the last paragraph starting at or before offset; it counts if offset falls inside it.
        if lo > 0, ranges[lo - 1].upperBound > offset { return lo - 1 }
        return lo
    }

    /// The paragraphs where a rule may fire, ascending (nil: no anchor, every paragraph).
    func paragraphs(forRule rule: Int) -> [Int32]? { ruleParagraphs[rule] }

    /// Whether a pattern's literal requirement holds in a paragraph.
    func isPossible(_ pattern: Int, paragraph: Int) -> Bool {
        guard usesPrefilter else { return true }
        return bits.withUnsafeBufferPointer { b in
            library.prefilter.isPossible(pattern, bits: UnsafeBufferPointer(rebasing: b[(paragraph * words)..<((paragraph + 1) * words)]))
        }
    }

    deinit { state.deallocate() }

    /// False when a pattern certainly has no match in a paragraph: it ran there and found none, or its literal
    /// requirement fails there (remembered). Runs no PCRE2.
    func mayMatch(_ pattern: Int, paragraph: Int) -> Bool {
        let key = pattern &* paragraphRanges.count &+ paragraph
        let s = state[key]
        if s != -1 { return s != -2 }
        let possible = isPossible(pattern, paragraph: paragraph)
        state[key] = possible ? -3 : -2
        return possible
    }

    /// A pattern's matches in one paragraph, running it there the first time.
    func matches(_ pattern: Int, paragraph: Int) -> ArraySlice<Match> {
        pool[matchSlots(pattern, paragraph: paragraph)]
    }

    /// Where a pattern's matches in one paragraph lie in the pool, running it there the first time.
    func matchSlots(_ pattern: Int, paragraph: Int) -> Range<Int> {
        let key = pattern &* paragraphRanges.count &+ paragraph
        let s = state[key]
        if s == -2 { return 0..<0 }
        if s >= 0 { return runs[Int(s)] }
        guard s == -3 || isPossible(pattern, paragraph: paragraph) else { state[key] = -2; return 0..<0 }
        let r = paragraphRanges[paragraph]
        searches += 1
        // Matches go straight into the pool; on an error the partial run is dropped.
        let first = pool.count
        do {
            if usesPrefilter, !library.prefilter.startSet(pattern).isEmpty {
                // Every match starts at a start literal: try the pattern anchored at those positions only.
                // The reusable buffer is borrowed for the call: filling it is a local's appends, not a property's.
                var starts: [Int] = []
                swap(&starts, &startsBuffer)
                defer { swap(&starts, &startsBuffer) }
                startPositions(of: pattern, paragraph: paragraph, into: &starts)
                if !starts.isEmpty {
                    try matcher.appendMatches(library.patterns[pattern].regex, in: subject, startingAt: starts, to: r.upperBound, into: &pool)
                }
            } else {
                try matcher.appendMatches(library.patterns[pattern].regex, in: subject, from: r.lowerBound, to: r.upperBound, into: &pool)
            }
            if pool.count == first { state[key] = -2; return 0..<0 }
            let slots = first..<pool.count
            state[key] = Int32(runs.count)
            runs.append(slots)
            for k in slots { poolRanges.append(pool[k].range) }
            return slots
        } catch {
            pool.removeSubrange(first...)
            // A pattern that hit a limit is reported and not run again: no paragraph gets a match from it.
            failures[pattern] = error.isResourceLimit ? "hit a PCRE2 resource limit (\(error.message))" : error.message
            for i in paragraphRanges.indices where state[pattern * paragraphRanges.count + i] < 0 {
                state[pattern * paragraphRanges.count + i] = -2
            }
            return 0..<0
        }
    }

    /// Where the pattern's start literals begin in a paragraph, ascending and distinct.
    private func startPositions(of pattern: Int, paragraph: Int, into startsBuffer: inout [Int]) {
        startsBuffer.removeAll(keepingCapacity: true)
        occurrences.withUnsafeBufferPointer { occ in
            library.prefilter.appendStarts(of: pattern, occurrences: UnsafeBufferPointer(rebasing: occ[occurrenceStart[paragraph]..<occurrenceStart[paragraph + 1]]),
                                           into: &startsBuffer)
        }
        // Ends come in text order; starts are almost sorted (a longer literal ending later may start earlier).
        let distinct = startsBuffer.withUnsafeMutableBufferPointer { b -> Int in
            guard b.count > 1 else { return b.count }
            var w = 1
            for i in 1..<b.count {
                let x = b[i]
                var j = w
                while j > 0 && b[j - 1] > x { j -= 1 }
                if j > 0 && b[j - 1] == x { continue }
                var m = w
                while m > j { b[m] = b[m - 1]; m -= 1 }
                b[j] = x
                w += 1
            }
            return w
        }
        startsBuffer.removeLast(startsBuffer.count - distinct)
    }

    /// The range of the match in a pool slot (from `firstSlot`).
    func range(_ slot: Int) -> Range<Int> { poolRanges[slot] }

    /// The match in a pool slot (from `firstSlot`).
    func match(_ slot: Int) -> Match { pool[slot] }

    /// Every match of a pattern in the document (runs it on every paragraph where it may match).
    public struct AllMatches {
        let index: MatchIndex
        public subscript(pattern: Int) -> [Match] {
            var out: [Match] = []
            for i in index.paragraphRanges.indices { out += index.matches(pattern, paragraph: i) }
            return out
        }
    }

    /// `matches[p]`: every match of pattern p, sorted by start.
    public var matches: AllMatches { AllMatches(index: self) }

    /// The first match of a pattern inside `range`, if any.
    /// `paragraph`, if given, is where the range likely starts (a unit's own paragraph): it saves the search.
    public func first(_ pattern: Int, in range: Range<Int>, paragraph hint: Int? = nil) -> Match? {
        firstSlot(pattern, in: range, paragraph: hint).map { pool[$0] }
    }

    /// Where in the pool `first` finds its match: the rule evaluator reads ranges and fetches a whole match (with its
    /// groups) only for a capture.
    func firstSlot(_ pattern: Int, in range: Range<Int>, paragraph hint: Int? = nil) -> Int? {
        var i: Int
        if let hint, hint < paragraphRanges.count, paragraphRanges[hint].contains(range.lowerBound) {
            i = hint
        } else {
            i = MatchIndex.firstParagraph(endingAfter: range.lowerBound, starts: paragraphStarts, ranges: paragraphRanges)
        }
        while i < paragraphRanges.count && paragraphRanges[i].lowerBound < range.upperBound {
            let slots = matchSlots(pattern, paragraph: i)
            // A paragraph's matches are in ascending order of start: skip those starting before the range by a binary
            // search, so that a long paragraph read sentence by sentence is not rescanned from its start each time.
            var lo = slots.lowerBound, hi = slots.upperBound
            while lo < hi {
                let mid = (lo + hi) / 2
                if poolRanges[mid].lowerBound < range.lowerBound { lo = mid + 1 } else { hi = mid }
            }
            for k in lo..<slots.upperBound {
                let m = poolRanges[k]
                if m.lowerBound < range.lowerBound { continue }
                if m.lowerBound >= range.upperBound { return nil }
                if m.upperBound <= range.upperBound { return k }
            }
            i += 1
        }
        return nil
    }
}

/// A unit a rule is evaluated in: its range, the paragraph, and the outline context (lead-ins, item headings and
/// items it sits under, nearest first).
struct Unit {
    var range: Range<Int>
    var paragraph: Int
    var context: [Range<Int>] = []
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
                return Unit(range: s.range, paragraph: s.paragraph, context: p.context)
            }
        case .paragraph:
            return segments.paragraphs.enumerated().compactMap { (i, p) in
                p.isHeadingOnly ? nil : Unit(range: p.range, paragraph: i, context: p.context)
            }
        case .section:
            return segments.sections.map { Unit(range: $0.range, paragraph: $0.firstParagraph) }
        }
    }

    /// The units a rule may fire in: those overlapping a paragraph where its anchor literal occurs (itself or its lead-in).
    func candidateUnits(_ rule: CompiledRule, units: [Unit]) -> [Unit] {
        guard let paragraphs = index.paragraphs(forRule: rule.index) else { return units }
        var out: [Unit] = []
        var next = 0
        for p in paragraphs {
            let r = segments.paragraphs[Int(p)].range
            // Units are ordered and disjoint: skip those ending before this paragraph.
            var lo = next, hi = units.count
            while lo < hi { let mid = (lo + hi) / 2; if units[mid].range.upperBound <= r.lowerBound && !(units[mid].range.isEmpty && units[mid].range.lowerBound == r.lowerBound) { lo = mid + 1 } else { hi = mid } }
            var u = lo
            while u < units.count, units[u].range.lowerBound < r.upperBound || units[u].range.lowerBound == r.lowerBound {
                out.append(units[u]); u += 1
            }
            next = u
        }
        return out
    }

    func evaluate(_ rule: CompiledRule, units allUnits: [Unit]) -> [Hit] {
        var hits: [Hit] = []
        let units = candidateUnits(rule, units: allUnits)
        // Within one paragraph and without a lead-in, a unit needs each `all` pattern and one `any` pattern to be
        // possible in that paragraph: checked once per paragraph, before any of them runs.
        var checkedParagraph = -1, paragraphPossible = true
        for unit in units {
            if unit.context.isEmpty, index.paragraphRanges[unit.paragraph].contains(unit.range.lowerBound),
               unit.range.upperBound <= index.paragraphRanges[unit.paragraph].upperBound {
                if unit.paragraph != checkedParagraph {
                    checkedParagraph = unit.paragraph
                    paragraphPossible = rule.all.allSatisfy { index.mayMatch($0, paragraph: unit.paragraph) }
                        && (rule.any.isEmpty || rule.any.contains { index.mayMatch($0, paragraph: unit.paragraph) })
                }
                if !paragraphPossible { continue }
            }
            // The evidence span runs from the first to the last matched pattern.
            var lo = Int.max, hi = Int.min
            var satisfied = true
            var captureSlot: Int?
            for p in rule.all {
                if let k = index.firstSlot(p, in: unit.range, paragraph: unit.paragraph) {
                    let r = index.range(k)
                    lo = min(lo, r.lowerBound); hi = max(hi, r.upperBound)
                    if p == rule.capture { captureSlot = k }
                } else if unit.context.contains(where: { index.firstSlot(p, in: $0) != nil }) {
                    continue
                } else { satisfied = false; break }
            }
            guard satisfied else { continue }
            if !rule.any.isEmpty {
                var anyFound = false
                for p in rule.any {
                    if let k = index.firstSlot(p, in: unit.range, paragraph: unit.paragraph) {
                        let r = index.range(k)
                        lo = min(lo, r.lowerBound); hi = max(hi, r.upperBound); anyFound = true
                        if p == rule.capture { captureSlot = k }
                        break
                    } else if unit.context.contains(where: { index.firstSlot(p, in: $0) != nil }) { anyFound = true; break }
                }
                guard anyFound else { continue }
            }
            guard lo <= hi else { continue }
            if let within = rule.spec.within, hi - lo > within { continue }
            var captures: [String: String] = [:]
            if let k = captureSlot, let capture = rule.capture {
                let m = index.match(k)
                for (name, number) in library.patterns[capture].regex.groupNames {
                    if let r = m.group(number) { captures[name] = subject.text(r) }
                }
            }
            var veto: (String, String)?
            // Guards look at the unit and its context ("Covered Entity shall:" vetoes the items below it).
            for (k, p) in rule.none.enumerated() {
                if let slot = index.firstSlot(p, in: unit.range, paragraph: unit.paragraph) ?? unit.context.lazy.compactMap({ index.firstSlot(p, in: $0) }).first {
                    veto = (rule.spec.none[k], subject.text(index.range(slot)))
                    break
                }
            }
            hits.append(Hit(rule: rule, unit: unit.range, span: lo..<hi, paragraph: unit.paragraph, captures: captures, vetoedBy: veto))
        }
        return hits
    }
}

/// The matching stage alone, for `baa bench-match`: the literal pass, PCRE2 where needed, and every rule evaluated
/// over its scope's units (no definition-sentence filtering, no scoring).
public enum MatchStage {
    public struct Outcome: Sendable {
        public var hits: Int
        public var searches: Int
        public init(hits: Int, searches: Int) {
            self.hits = hits
            self.searches = searches
        }
    }

    /// Every match of every pattern, eagerly (what `rg -P -f` computes): the literal pass, then PCRE2 on each
    /// paragraph where a pattern's requirement holds. Returns the number of matches and of PCRE2 searches.
    public static func findAll(library: ClauseLibrary, subject: Subject, segments: Segments, matcher: Matcher,
                               prefilter: Bool = true) -> Outcome {
        let index = MatchIndex(library: library, subject: subject, segments: segments, matcher: matcher, prefilter: prefilter)
        var found = 0
        for p in library.patterns.indices { found += index.matches[p].count }
        return Outcome(hits: found, searches: index.searches)
    }

    public static func run(library: ClauseLibrary, subject: Subject, segments: Segments, matcher: Matcher,
                           prefilter: Bool = true) -> Outcome {
        let index = MatchIndex(library: library, subject: subject, segments: segments, matcher: matcher, prefilter: prefilter)
        let evaluator = RuleEvaluator(library: library, index: index, segments: segments, subject: subject, definitionSentences: [])
        var unitsByScope: [Scope: [Unit]] = [:]
        var hits = 0
        for rule in library.rules {
            let units = unitsByScope[rule.spec.scope] ?? evaluator.units(for: rule.spec.scope)
            unitsByScope[rule.spec.scope] = units
            hits += evaluator.evaluate(rule, units: units).count
        }
        return Outcome(hits: hits, searches: index.searches)
    }
}
