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
}
