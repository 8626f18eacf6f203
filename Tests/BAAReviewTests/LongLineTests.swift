import BAAClauses
import BAAExtract
import PCRE2
import XCTest
@testable import BAAReview

/// Issue 15 item 8: one 512 KB line of repeated breach sentences took 72 s, almost all of it the scorer checking,
/// once per stated deadline, whether the whole paragraph overrides other terms. Each paragraph is now searched once.
/// The work is counted here, never timed (speed is for `make bench`).
final class LongLineTests: XCTestCase {
    static let preamble = "This Business Associate Agreement is between Covered Entity and Business Associate and governs Protected Health Information (\"PHI\").\n\n"
    static let sentence = "Business Associate shall notify Covered Entity of any Breach of Unsecured PHI within ten (10) business days after discovery. "

    func testOneLongLineOfBreachSentencesIsSearchedOnce() throws {
        let library = try Paths.library()
        let line = String(repeating: Self.sentence, count: 512 * 1024 / Self.sentence.utf8.count + 1)
        XCTAssertGreaterThanOrEqual(line.utf8.count, 512 * 1024)
        let document = Document.fromText(Self.preamble + line + "\n", path: "long-line.txt")
        let analysis = Reviewer(library: library).analyze(document)
        let report = Scorer(library: library, playbook: Playbook()).report(for: analysis)

        let breach = try XCTUnwrap(report.element("breach_notification"))
        XCTAssertEqual(breach.status, .present)
        XCTAssertEqual(breach.deadline?.value, 10)
        XCTAssertEqual(breach.deadline?.unit, .business_days)

        // The scorer's override check over every stated breach deadline, as the report runs it: thousands of
        // deadlines in one paragraph, one search of that paragraph, never more bytes than the text has.
        let stated = analysis.hits.filter { $0.rule.spec.element == "breach_notification" && $0.vetoedBy == nil }
        XCTAssertGreaterThan(stated.count, 1000, "the long line should state the deadline thousands of times")
        var check = Scorer.OverrideCheck(analysis.subject)
        for hit in stated { XCTAssertFalse(check.overrides(analysis.segments.paragraphs[hit.paragraph].range)) }
        XCTAssertEqual(check.searches, Set(stated.map { analysis.segments.paragraphs[$0.paragraph].range }).count)
        XCTAssertLessThanOrEqual(check.bytesSearched, analysis.subject.count)
    }

    /// The same verdicts as before on a small example: a later overriding clause still wins, on its own line or not.
    func testOverridingClauseStillWins() throws {
        let library = try Paths.library()
        func deadline(_ text: String) throws -> Deadline? {
            Reviewer(library: library).review(Document.fromText(Self.preamble + text, path: "override.txt")).element("breach_notification")?.deadline
        }
        let body = "3.3 Business Associate shall notify Covered Entity of any Breach of Unsecured PHI within sixty (60) calendar days after discovery."
        let exhibit = "Notwithstanding Section 3.3, Business Associate shall notify Covered Entity of any Breach of Unsecured PHI within five (5) business days after discovery."
        XCTAssertEqual(try deadline(body + "\nEXHIBIT B - SPECIAL TERMS\n" + exhibit)?.value, 5)
        XCTAssertEqual(try deadline(body)?.value, 60)
        // On one line the override is the paragraph's, and the first deadline of that paragraph counts.
        XCTAssertEqual(try deadline(body + " " + exhibit)?.value, 60)

        var check = Scorer.OverrideCheck(Subject("one line\nNotwithstanding the above, this controls.\n"))
        XCTAssertFalse(check.overrides(0..<8))
        XCTAssertTrue(check.overrides(9..<50))
        XCTAssertTrue(check.overrides(9..<50))
        XCTAssertEqual(check.searches, 2)
    }
}
