import BAAClauses
import BAAReview
import Foundation
import PCRE2
import XCTest

/// The prefilter is only as good as the literals derived for it: a literal that is not really required makes the
/// matcher skip a paragraph where the pattern matches (a silent miss). These tests pin the derivation on small
/// patterns, then check it against every pattern of Clauses/ on every paragraph of the team's corpus.
final class KeywordExtractorTests: XCTestCase {
    func req(_ p: String) -> LiteralRequirement { KeywordExtractor.requirement(of: p) }

    func testLiteralsAndSequences() {
        XCTAssertEqual(req(#"\bsubcontractors?\b"#), .literal("subcontractor"))
        XCTAssertEqual(req(#"\bBusiness\s+Associate\b"#), .all([.literal("business"), .literal("associate")]))
        XCTAssertEqual(req("colou?r"), .literal("colo"), "an optional character ends the run; 'r' alone is too short")
        XCTAssertEqual(req(#"\d{1,4}\s+days?"#), .literal("day"))
        XCTAssertEqual(req("[abc]def"), .literal("def"))
        XCTAssertEqual(req("(?i:abc)def"), .all([.literal("abc"), .literal("def")]))
        XCTAssertEqual(req("abc+def"), .all([.literal("abc"), .literal("def")]), "a repeated character ends the run after it")
        XCTAssertEqual(req(#"third[- ]party"#), .all([.literal("third"), .literal("party")]))
        XCTAssertEqual(req(#"45\s*C\.?F"#), .always, "two-character literals filter nothing")
    }

    func testAlternativesInsideGroups() {
        XCTAssertEqual(req("(?:notify|notification)"), .anyOf([.literal("notify"), .literal("notification")]))
        XCTAssertEqual(req(#"\b(?:PHI|protected\s+health\s+information)\b"#),
                       .anyOf([.literal("phi"), .all([.literal("protected"), .literal("health"), .literal("information")])]))
        XCTAssertEqual(req(#"\bshall\s+(?:promptly\s+)?notify\b"#), .all([.literal("shall"), .literal("notify")]))
        XCTAssertEqual(req("(?<value>ten|twenty) days"), .all([.anyOf([.literal("ten"), .literal("twenty")]), .literal("days")]))
        XCTAssertEqual(req("ab|subcontract"), .always, "an alternative with nothing certain requires nothing")
        XCTAssertEqual(req("(?:foo|)bar"), .literal("bar"))
        XCTAssertEqual(req("(?:foo)*bar"), .literal("bar"))
        XCTAssertEqual(req("(?:foo){0,2}bar"), .literal("bar"))
        XCTAssertEqual(req("(?:foo){2}bar"), .all([.literal("foo"), .literal("bar")]))
    }

    func testWhatItDoesNotUnderstandRequiresNothing() {
        XCTAssertEqual(req("(?x) a b c d"), .always, "extended mode")
        XCTAssertEqual(req(#"\Qabc\E"#), .always)
        XCTAssertEqual(req(#"(abc)\1"#), .always, "back-reference")
        XCTAssertEqual(req("(*UTF)abc"), .always, "verbs")
        XCTAssertEqual(req("(?(1)abc|def)"), .always, "conditional")
        XCTAssertEqual(req("abc)"), .always, "unbalanced")
        XCTAssertEqual(req("(?=foo)bar"), .literal("bar"), "look-aheads require nothing themselves")
        XCTAssertEqual(req("(?<=foo)bar"), .literal("bar"), "a look-behind may look into the previous paragraph")
        XCTAssertEqual(req("(?!foo)bar"), .literal("bar"))
        XCTAssertEqual(req("sécurité"), .literal("curit"), "non-ASCII characters fold by Unicode rules: they break literals")
        XCTAssertEqual(req(#"x{,3}abc"#), .literal("abc"))
        XCTAssertEqual(req(#"ab\{3\}cd"#), .literal("ab{3}cd"))
    }

    func testAnchorsPickTheRarestRequiredPart() {
        XCTAssertEqual(KeywordExtractor.keywords(of: #"breach(?:es)? of unsecured"#), ["of unsecured"])
        XCTAssertEqual(KeywordExtractor.keywords(of: #"\bshall\s+notify\b"#), ["notify"], "common words are a poor anchor")
        XCTAssertEqual(KeywordExtractor.keywords(of: #"(?:notify|notification)"#), ["notification", "notify"])
        XCTAssertEqual(KeywordExtractor.keywords(of: #"ab|\bsubcontract"#), [])
    }

    func testStartLiteralsAreWhatEveryMatchBeginsWith() {
        func starts(_ p: String) -> [String]? { KeywordExtractor.startLiterals(of: p) }
        XCTAssertEqual(starts(#"\bsubcontractors?\b"#), ["subcontractor"])
        XCTAssertEqual(starts(#"\b(?:notify|notification)\s+of\b"#), ["notification", "notify"])
        XCTAssertEqual(starts(#"\bBusiness\s+Associate\b|\bBA\b"#), ["ba", "business"])
        XCTAssertEqual(starts(#"(?<=\bthe\s)same\b"#), ["same"], "a look-behind consumes nothing")
        XCTAssertEqual(starts(#"\b(?:the\s+)?same\s+terms"#), ["same", "the"], "an optional first group: it or what follows")
        XCTAssertEqual(starts("(?:foo|bar)+baz"), ["bar", "foo"])
        XCTAssertEqual(starts("ab{2}c"), ["ab"], "a repeated character ends the run after it")
        XCTAssertNil(starts(#"\d+\s+days"#), "a match may start with a digit")
        XCTAssertNil(starts(#"[Ss]ubcontractor"#), "a class")
        XCTAssertNil(starts("(?:foo)?"), "may match empty")
        XCTAssertNil(starts("(?:foo|)bar"), "an empty alternative: the match starts with bar or foo, but this is not derived")
        XCTAssertNil(starts("x?abc"), "an optional first character")
        XCTAssertNil(starts(#"foo\Kbar"#), "\\K moves the match start")
        XCTAssertNil(starts("a|bcd"), "a one-character start is too short")
        XCTAssertNil(starts(#"(abc)\1"#), "what the parser gives up on")
    }

    /// A start literal a `\b` certainly precedes (in every match beginning with it) is one the scan may skip after a
    /// word character.
    func testStartLiteralsAfterAWordBoundary() {
        func bounded(_ p: String) -> [String]? { KeywordExtractor.analyze(p).starts?.afterWordBoundary }
        XCTAssertEqual(bounded(#"\bnotify\b"#), ["notify"])
        XCTAssertEqual(bounded(#"notify\b"#), [])
        XCTAssertEqual(bounded(#"\b(?:the\s+)?same\b"#), ["same", "the"], "skipping an optional group stays at the \\b")
        XCTAssertEqual(bounded(#"(?:\bthe\s+)?same\b"#), ["the"], "same may start without one")
        XCTAssertEqual(bounded(#"\bin\b|\bon|at"#), ["in", "on"])
        XCTAssertEqual(bounded(#"\bin\b|in\s+x"#), [], "one route to the literal without a \\b is enough")
        XCTAssertEqual(bounded(#"\b?in"#), [], "an optional \\b")
        XCTAssertEqual(bounded(#"\B(?:in|on)"#), [])
        XCTAssertEqual(bounded(#"\b(?<=x)(?:in|on)"#), ["in", "on"], "through a look-behind")
        XCTAssertEqual(bounded(#"\b-in"#), [], "\\b before a non-word character means the opposite")
    }

    /// Random patterns from a small grammar over random texts: wherever start literals are derived, every match begins
    /// with one of them, and the anchored matcher tried at their positions finds exactly what a find-all finds.
    func testStartLiteralsHoldOnRandomPatternsAndTexts() throws {
        var rng = SplitMix64(seed: 0xBAA)
        let words = ["ab", "abc", "notify", "Notice", "the", "bathe", "shall", "b", "ba", "_ab", "9the"]
        func atom(_ depth: Int) -> String {
            switch rng.next(10) {
            case 0: return #"\b"#
            case 1: return #"\s+"#
            case 2: return "[a-c]"
            case 3: return "."
            case 4 where depth < 2:
                let n = 1 + rng.next(3)
                return "(?:" + (0..<n).map { _ in sequence(depth + 1) }.joined(separator: "|") + ")"
            case 5: return ["(?<=a)", "(?=t)", "(?!no)", "(?<!b)"][rng.next(4)]
            default: return words[rng.next(words.count)]
            }
        }
        func quantifier() -> String { ["", "", "", "?", "*", "+", "{0,2}", "{1,2}", "??"][rng.next(9)] }
        func sequence(_ depth: Int) -> String { (0..<(1 + rng.next(3))).map { _ in atom(depth) + quantifier() }.joined() }
        let texts = (0..<12).map { _ in
            (0..<40).map { _ in words[rng.next(words.count)] + [" ", "", ", ", ". ", "  "][rng.next(5)] }.joined()
        }
        let matcher = Matcher()
        var derived = 0
        for _ in 0..<600 {
            let pattern = (0..<(1 + rng.next(2))).map { _ in sequence(0) }.joined(separator: "|")
            guard let regex = try? Regex(pattern), let starts = KeywordExtractor.analyze(pattern).starts else { continue }
            derived += 1
            // The production path: the automaton's recorded start-literal occurrences.
            let prefilter = LiteralPrefilter(requirements: [.always], startLiterals: [starts.literals],
                                             wordStartLiterals: [starts.afterWordBoundary])
            for text in texts {
                let subject = Subject(text)
                let all = try matcher.allMatches(regex, in: subject)
                let lower = Array(text.lowercased().utf8)
                // Independently: where a start literal begins, unless it is one a \b must precede and a word character does.
                var expected: [Int] = []
                for i in lower.indices where starts.literals.contains(where: { literal in
                    lower[i...].starts(with: literal.utf8)
                        && !(starts.afterWordBoundary.contains(literal) && i > 0 && KeywordExtractor.isWordByte(lower[i - 1]))
                }) { expected.append(i) }
                let occurrences = lower.withUnsafeBufferPointer { prefilter.scan($0, spans: [0..<lower.count]).occurrences }
                let candidates = Set(occurrences.map { Int($0 >> 32) + 1 - Int(prefilter.literalLengths[Int($0 & 0xFFFF_FFFF)]) }).sorted()
                XCTAssertEqual(candidates, expected, "\(pattern) in '\(text.prefix(60))'")
                for m in all where !candidates.contains(m.range.lowerBound) {
                    XCTFail("\(pattern): a match at \(m.range.lowerBound) begins with none of \(starts.literals) in '\(text.prefix(60))'")
                }
                let anchored = try matcher.allMatches(regex, in: subject, startingAt: candidates, to: subject.count)
                XCTAssertEqual(anchored.map(\.range), all.map(\.range), pattern)
            }
        }
        XCTAssertGreaterThan(derived, 100, "the grammar yields patterns with start literals")
    }

    func testScanRecordsWhereStartLiteralsEnd() {
        let prefilter = LiteralPrefilter(requirements: [req("notify"), req("breach")], startLiterals: [["notify"], nil])
        let bytes = Array("Notify; breach; NOTIFY.".utf8)
        var bits = [UInt64](repeating: 0, count: prefilter.wordsPerBitset)
        var occurrences: [UInt64] = []
        var ends: [Int] = []
        bits.withUnsafeMutableBufferPointer { b in
            bytes.withUnsafeBufferPointer { prefilter.scan($0, spans: [0..<bytes.count], bits: b, occurrences: &occurrences, occurrenceEnd: &ends) }
        }
        let notify = UInt64(prefilter.literals.firstIndex(of: "notify")!)
        XCTAssertEqual(occurrences, [5 << 32 | notify, 21 << 32 | notify], "every occurrence of a start literal, not of others")
        XCTAssertEqual(ends, [2])
        XCTAssertTrue(prefilter.starts(0, with: Int(notify)))
        XCTAssertFalse(prefilter.starts(1, with: Int(notify)))
        XCTAssertEqual(Array(prefilter.startSet(0)), [Int32(notify)])
        XCTAssertTrue(prefilter.startSet(1).isEmpty)
    }

    /// The compiled requirement (a prefix tree read with short-circuits, children reordered by rarity) decides exactly
    /// as the requirement itself, on random and/or trees and random sets of present literals.
    func testCompiledRequirementsDecideAsTheTree() {
        var rng = SplitMix64(seed: 0x5EED)
        let words = ["notify", "breach", "the", "and", "subcontract", "train", "model", "days"]
        func tree(_ depth: Int) -> LiteralRequirement {
            switch rng.next(depth >= 3 ? 2 : 6) {
            case 0: return .literal(words[rng.next(words.count)])
            case 1: return rng.next(8) == 0 ? .always : .literal(words[rng.next(words.count)])
            case 2, 3: return .all((0..<(1 + rng.next(4))).map { _ in tree(depth + 1) })
            default: return .anyOf((0..<(1 + rng.next(4))).map { _ in tree(depth + 1) })
            }
        }
        let requirements = (0..<300).map { _ in tree(0) }
        let prefilter = LiteralPrefilter(requirements: requirements)
        var decided = (true: 0, false: 0)
        for _ in 0..<200 {
            let present = Set(words.filter { _ in rng.next(2) == 0 })
            var bits = [UInt64](repeating: 0, count: prefilter.wordsPerBitset)
            for (l, literal) in prefilter.literals.enumerated() where present.contains(literal) { bits[l >> 6] |= 1 << UInt64(l & 63) }
            bits.withUnsafeBufferPointer { b in
                for (p, r) in requirements.enumerated() {
                    let expected = r.isSatisfied { present.contains($0) }
                    XCTAssertEqual(prefilter.isPossible(p, bits: b), expected, "\(r) with \(present.sorted())")
                    if expected { decided.true += 1 } else { decided.false += 1 }
                }
            }
        }
        XCTAssertGreaterThan(decided.true, 5000)
        XCTAssertGreaterThan(decided.false, 5000)
    }

    /// The two characters are found wherever they are, the last bytes included, and their lead bytes alone do not count.
    func testUnicodeFoldingCheckAtEveryPosition() {
        func check(_ s: String) -> Bool { Array(s.utf8).withUnsafeBufferPointer { LiteralPrefilter.needsUnicodeFolding($0) } }
        XCTAssertTrue(check("\u{17F}"))
        XCTAssertTrue(check("the la\u{17F}t"))
        XCTAssertTrue(check("“quoted” \u{212A}"))
        XCTAssertFalse(check("“quoted” — § 164.504(e) Ž ⁄"))
        XCTAssertFalse(check(""))
        // Truncated sequences at the end: the lead byte, then the lead and the next.
        XCTAssertFalse(Array<UInt8>([0x61, 0xC5]).withUnsafeBufferPointer { LiteralPrefilter.needsUnicodeFolding($0) })
        XCTAssertFalse(Array<UInt8>([0x61, 0xE2, 0x84]).withUnsafeBufferPointer { LiteralPrefilter.needsUnicodeFolding($0) })
        // A slice that ends before the last byte of the sequence does not contain it.
        let bytes = Array("ab\u{212A}".utf8)
        XCTAssertFalse(bytes.withUnsafeBufferPointer { LiteralPrefilter.needsUnicodeFolding(UnsafeBufferPointer(rebasing: $0.dropLast())) })
    }

    /// Whether `literal` occurs in `text` where the byte before it is not an ASCII word byte (or at its start).
    func occursAtWordStart(_ literal: String, in text: String) -> Bool {
        let t = Array(text.utf8), l = Array(literal.utf8)
        guard !l.isEmpty, t.count >= l.count else { return false }
        for i in 0...(t.count - l.count) where Array(t[i..<(i + l.count)]) == l {
            if i == 0 || !KeywordExtractor.isWordByte(t[i - 1]) { return true }
        }
        return false
    }

    /// A start literal that only begins patterns after `\b`, and that no requirement or rule needs, is reported only
    /// where it begins a word: after a non-word byte (a non-ASCII one included) or at the start of the text, and after
    /// the byte before a span that starts inside a word, not at all.
    func testWordStartLiteralsAreReportedOnlyAtWordStarts() {
        let starts = KeywordExtractor.analyze(#"\bin\s+writing"#).starts!
        XCTAssertEqual(starts.afterWordBoundary, ["in"])
        let prefilter = LiteralPrefilter(requirements: [req("writing")], startLiterals: [starts.literals],
                                         wordStartLiterals: [starts.afterWordBoundary])
        let inID = prefilter.literals.firstIndex(of: "in")!
        XCTAssertTrue(prefilter.isWordStartOnly(inID))
        XCTAssertFalse(prefilter.isWordStartOnly(prefilter.literals.firstIndex(of: "writing")!))
        func recorded(_ text: String, from: Int = 0) -> [Int] {
            let bytes = Array(text.utf8)
            let (bits, occurrences) = bytes.withUnsafeBufferPointer { b in
                let scan = prefilter.scan(b, spans: [from..<bytes.count])
                return (scan.bits, scan.occurrences)
            }
            let present = bits[inID >> 6] & (1 << UInt64(inID & 63)) != 0
            let found = occurrences.map { Int($0 >> 32) + 1 - 2 }
            XCTAssertEqual(present, !found.isEmpty, text)
            return found
        }
        XCTAssertEqual(recorded("in writing"), [0])
        XCTAssertEqual(recorded("within a basin"), [])
        XCTAssertEqual(recorded("the information"), [4])
        XCTAssertEqual(recorded("IN WRITING (in writing) -in \"In"), [0, 12, 25, 29])
        XCTAssertEqual(recorded("caf\u{E9}in writing"), [5], "a non-ASCII byte before may be a boundary")
        XCTAssertEqual(recorded("login writing", from: 3), [], "the byte before the span is a word byte")
        XCTAssertEqual(recorded("log in writing", from: 4), [4])
        XCTAssertEqual(recorded("_in 9in"), [])
    }

    /// PCRE2 (caseless, UCP) matches an ASCII letter to exactly two non-ASCII characters; the prefilter folds only
    /// ASCII and switches itself off for text containing either. A new PCRE2 or Unicode version must not add a third.
    func testOnlyLongSAndKelvinFoldToASCIILetters() throws {
        var scalars = String.UnicodeScalarView()
        for v in 0x80...0x10FFFF where !(0xD800...0xDFFF).contains(v) { scalars.append(Unicode.Scalar(UInt32(v))!) }
        let subject = Subject(String(scalars))
        let matches = try Matcher().allMatches(try Regex("[a-z]", caseless: true), in: subject)
        let found = matches.map { subject.text($0.range).unicodeScalars.first!.value }
        XCTAssertEqual(Set(found), [0x17F, 0x212A])
        XCTAssertTrue(LiteralPrefilter.needsUnicodeFolding(Array("the \u{212A}elvin".utf8).withUnsafeBufferPointer { $0 }))
    }

    func testPrefilterScanFindsExactlyTheLiteralsPresent() {
        let prefilter = LiteralPrefilter(requirements: [req("(?:notify|notification) of a breach"), req("Business Associate")])
        for text in ["The Business Associate shall NOTIFY of a breach.", "notification", "nothing here", "BREACH", ""] {
            let bytes = Array(text.utf8)
            let present = bytes.withUnsafeBufferPointer { prefilter.literals(in: $0, range: 0..<bytes.count) }
            let expected = prefilter.literals.indices.filter { text.lowercased().contains(prefilter.literals[$0]) }
            XCTAssertEqual(Set(present.map(Int.init)), Set(expected), text)
        }
    }

    /// For every pattern in Clauses/ and every paragraph (line) of the team corpus: a pattern that matches a paragraph
    /// has its requirement satisfied there, and the automaton reports exactly the literals that occur.
    func testEveryClausePatternOnEveryCorpusParagraph() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let spec = try ClauseLoader(requireAllElements: false).load(directory: root.appendingPathComponent("Clauses").path)
        let library = try ClauseLibrary(spec: spec)
        var files = try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("Corpus/agreements").path)
            .map { root.appendingPathComponent("Corpus/agreements/" + $0) }
        let real = root.deletingLastPathComponent().appendingPathComponent("shared/corpus-real/docs")
        if let names = try? FileManager.default.contentsOfDirectory(atPath: real.path) {
            files += names.filter { $0.hasSuffix(".txt") }.map { real.appendingPathComponent($0) }
        }
        XCTAssertGreaterThan(files.count, 10)
        let matcher = Matcher()
        var checked = 0, startChecked = 0
        for file in files {
            let text = try String(contentsOf: file, encoding: .utf8)
            let subject = Subject(text)
            let bytes = UnsafeBufferPointer(start: subject.bytes.baseAddress, count: subject.count)
            var start = 0
            for line in text.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
                let range = start..<(start + line.count)
                start = range.upperBound + 1
                if range.isEmpty { continue }
                let present = library.prefilter.literals(in: bytes, range: range)
                let presentSet = Set(present.map { library.prefilter.literals[Int($0)] })
                let lower = String(decoding: line, as: UTF8.self).lowercased()
                for (l, literal) in library.prefilter.literals.enumerated() {
                    // A word-start literal counts only where it begins a word (the line starts after a newline).
                    let expected = library.prefilter.isWordStartOnly(l) ? occursAtWordStart(literal, in: lower) : lower.contains(literal)
                    if expected != presentSet.contains(literal) {
                        XCTFail("\(file.lastPathComponent): the automaton and a substring search disagree on '\(literal)'")
                    }
                }
                for pattern in library.patterns {
                    guard try matcher.firstMatch(pattern.regex, in: subject, from: range.lowerBound, to: range.upperBound) != nil else { continue }
                    checked += 1
                    if !pattern.requirement.isSatisfied(by: { presentSet.contains($0) }) {
                        XCTFail("\(file.lastPathComponent) byte \(range.lowerBound): pattern \(pattern.index) matches but its requirement does not hold: \(pattern.regex.pattern.prefix(120))")
                    }
                    if !pattern.keywords.isEmpty, !pattern.keywords.contains(where: { presentSet.contains($0) }) {
                        XCTFail("\(file.lastPathComponent) byte \(range.lowerBound): pattern \(pattern.index) matches without any of its keywords \(pattern.keywords)")
                    }
                    // Every match starts with one of the pattern's start literals (the matcher tries only there).
                    if let starts = pattern.startLiterals {
                        for m in try matcher.allMatches(pattern.regex, in: subject, from: range.lowerBound, to: range.upperBound) {
                            let head = subject.text(m.range.lowerBound..<min(range.upperBound, m.range.lowerBound + 64)).lowercased()
                            if !starts.contains(where: { head.hasPrefix($0) }) {
                                XCTFail("\(file.lastPathComponent) byte \(m.range.lowerBound): pattern \(pattern.index) matches '\(head.prefix(30))', which begins with none of \(starts)")
                            }
                            startChecked += 1
                        }
                    }
                }
            }
        }
        XCTAssertGreaterThan(checked, 1000)
        XCTAssertGreaterThan(startChecked, 1000)
    }
}

/// A small deterministic generator for the randomized tests (SplitMix64).
struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func next(_ n: Int) -> Int { Int(next() % UInt64(n)) }
}
