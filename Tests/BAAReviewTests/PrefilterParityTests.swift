import BAAClauses
import BAAExtract
@testable import BAAReview
import Foundation
import PCRE2
import XCTest

/// Everything the literal pass and the evaluator's shortcuts skip must be something that could not have matched: the
/// rule hits over a document (rule, unit, evidence span, captures, veto) are the same with the prefilter and without
/// it (every pattern run on every paragraph, every unit evaluated).
final class PrefilterParityTests: XCTestCase {
    func hits(_ library: ClauseLibrary, _ text: String, prefilter: Bool) -> (hits: [String], searches: Int) {
        let subject = Subject(text)
        let segments = Segmenter().segment(text)
        let index = MatchIndex(library: library, subject: subject, segments: segments, matcher: Matcher(), prefilter: prefilter)
        let evaluator = RuleEvaluator(library: library, index: index, segments: segments, subject: subject, definitionSentences: [])
        var out: [String] = []
        var unitsByScope: [Scope: [BAAReview.Unit]] = [:]
        for rule in library.rules {
            let units = unitsByScope[rule.spec.scope] ?? evaluator.units(for: rule.spec.scope)
            unitsByScope[rule.spec.scope] = units
            for h in evaluator.evaluate(rule, units: units) {
                out.append("\(h.rule.spec.id) \(h.unit) \(h.span) \(h.captures.sorted { $0.key < $1.key }) \(h.vetoedBy.map { "\($0.name)=\($0.text)" } ?? "-")")
            }
        }
        return (out, index.searches)
    }

    func testRuleHitsAreTheSameWithoutThePrefilter() throws {
        let library = try Paths.library()
        var files = try FileManager.default.contentsOfDirectory(atPath: Paths.root.appendingPathComponent("Corpus/agreements").path)
            .sorted().map { Paths.root.appendingPathComponent("Corpus/agreements/" + $0) }
        let real = Paths.corpusReal.appendingPathComponent("docs")
        if let names = try? FileManager.default.contentsOfDirectory(atPath: real.path) {
            files += names.filter { $0.hasSuffix(".txt") }.sorted().map { real.appendingPathComponent($0) }
        } else {
            print("PrefilterParityTests: \(real.path) is absent; checking the team corpus only")
        }
        XCTAssertGreaterThan(files.count, 10)
        var total = 0, searches = (with: 0, without: 0)
        for file in files {
            let text = try String(contentsOf: file, encoding: .utf8)
            let with = hits(library, text, prefilter: true)
            let without = hits(library, text, prefilter: false)
            XCTAssertEqual(with.hits, without.hits, file.lastPathComponent)
            total += with.hits.count
            searches.with += with.searches
            searches.without += without.searches
        }
        XCTAssertGreaterThan(total, 200)
        // The comparison means something only if the prefilter skipped most of the work.
        XCTAssertLessThan(searches.with * 4, searches.without)
    }

    /// A pattern that matches at its first start literal in a paragraph and then hits a PCRE2 resource limit at a
    /// later one: the paragraph gets none of its matches (the partial run is dropped from the shared pool), the failure
    /// is reported, and the matches of the patterns run before and after it are untouched.
    func testAPatternThatFailsMidRunLeavesNoPartialMatches() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("baa-midrun-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.copyItem(at: URL(fileURLWithPath: Paths.clauses), to: dir)
        try """
        element: insurance
        title: Insurance (a rule that fails midway, for a test)
        kind: risk
        citation: "none (contractual risk term)"
        severity: low
        rationale: test fixture
        recommendation: test fixture
        patterns:
          midway: 'zq(?:(?:a+)+$|\\b)'
        rules:
          - id: insurance.midway
            verdict: present
            scope: paragraph
            all: [midway]
            examples:
              match:
                - '[[zq]] end'
              no_match:
                - 'nothing here'
        """.write(to: dir.appendingPathComponent("insurance.yaml"), atomically: true, encoding: .utf8)
        let library = try ClauseLibrary.load(directory: dir.path)
        let midway = try XCTUnwrap(library.patterns.first { $0.regex.pattern.hasPrefix("zq") }?.index)
        XCTAssertNotNil(library.prefilter.startSet(midway).first, "the test needs a literal-led pattern")
        let text = "Business Associate shall notify Covered Entity of any Breach. zq end; zq" + String(repeating: "a", count: 40) + "! Business Associate shall report it.\n"
        let subject = Subject(text)
        let segments = Segmenter().segment(text)
        let reference = MatchIndex(library: library, subject: subject, segments: segments, matcher: Matcher(), prefilter: false)
        let index = MatchIndex(library: library, subject: subject, segments: segments, matcher: Matcher())
        XCTAssertTrue(index.usesPrefilter)
        let others = library.patterns.indices.filter { $0 != midway }
        let (before, after) = (others.prefix(others.count / 2), others.dropFirst(others.count / 2))
        var expected: [Int: [Match]] = [:]
        for p in others { expected[p] = reference.matches[p] }
        for p in before { XCTAssertEqual(index.matches[p], expected[p], "pattern \(p)") }
        XCTAssertEqual(index.matches[midway], [], "no partial run of the failing pattern")
        XCTAssertNotNil(index.failures[midway])
        for p in after {
            XCTAssertEqual(index.matches[p], expected[p], "pattern \(p)")
            // The evaluator's path: the first match found through the pool's ranges.
            XCTAssertEqual(index.first(p, in: 0..<subject.count), expected[p]?.first, "pattern \(p), first match")
        }
        for p in before { XCTAssertEqual(index.matches[p], expected[p], "pattern \(p), read again") }
        XCTAssertGreaterThan(others.filter { !(expected[$0] ?? []).isEmpty }.count, 2, "other patterns match in the paragraph")
    }
}
