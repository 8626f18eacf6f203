import BAAExtract
import BAAReport
import BAAReview
import Foundation
import XCTest

/// `ReportDiff` and the word diff, on the team's agreement c035 and its later version (Corpus/versions), reviewed in
/// memory, and on hand-made texts.
final class ReportDiffTests: XCTestCase {
    static let v1 = "Corpus/agreements/c035-clearinghouse-ten-days-offshore-consent.md"
    static let v2 = "Corpus/versions/c035-clearinghouse-v2-ninety-days.md"

    func review(_ path: String) throws -> Report {
        let text = try String(contentsOf: Paths.root.appendingPathComponent(path), encoding: .utf8)
        return Reviewer(library: try Paths.library()).review(Document.fromText(text, path: path))
    }

    func review(text: String, path: String) throws -> Report {
        Reviewer(library: try Paths.library()).review(Document.fromText(text, path: path))
    }

    // MARK: word diff

    func testWordDiffKeepsCommonWordsAndMarksTheReplacedOnes() {
        let d = WordDiff.diff("notify within ten (10) days of discovery", "notify within ninety (90) days of discovery")
        XCTAssertEqual(d, [
            .init(op: .equal, text: "notify within"),
            .init(op: .delete, text: "ten (10)"),
            .init(op: .insert, text: "ninety (90)"),
            .init(op: .equal, text: "days of discovery"),
        ])
    }

    func testWordDiffFindsTheLongestCommonSubsequenceInTheMiddle() {
        // a b c d e -> a x c y e: b and d replaced, c kept between them.
        let d = WordDiff.diff("a b c d e", "a x c y e")
        XCTAssertEqual(d.map(\.op), [.equal, .delete, .insert, .equal, .delete, .insert, .equal])
        XCTAssertEqual(d.filter { $0.op == .equal }.map(\.text), ["a", "c", "e"])
        // Rebuilding both sides from the pieces gives the texts back.
        XCTAssertEqual(d.filter { $0.op != .insert }.map(\.text).joined(separator: " "), "a b c d e")
        XCTAssertEqual(d.filter { $0.op != .delete }.map(\.text).joined(separator: " "), "a x c y e")
    }

    func testWordDiffOfEmptyAndIdenticalTexts() {
        XCTAssertEqual(WordDiff.diff("", "Business Associate shall notify"), [.init(op: .insert, text: "Business Associate shall notify")])
        XCTAssertEqual(WordDiff.diff("shall notify", ""), [.init(op: .delete, text: "shall notify")])
        XCTAssertEqual(WordDiff.diff("same  words\nhere", "same words here"), [.init(op: .equal, text: "same words here")])
    }

    func testWordDiffOnLongTextsRebuildsBothSides() {
        var rng = SystemRandomNumberGenerator()
        let vocabulary = ["the", "vendor", "shall", "notify", "within", "days", "PHI", "breach", "(10)", "ten"]
        for _ in 0..<20 {
            let a = (0..<Int.random(in: 0...300, using: &rng)).map { _ in vocabulary.randomElement(using: &rng)! }.joined(separator: " ")
            let b = (0..<Int.random(in: 0...300, using: &rng)).map { _ in vocabulary.randomElement(using: &rng)! }.joined(separator: " ")
            let d = WordDiff.diff(a, b)
            XCTAssertEqual(d.filter { $0.op != .insert }.map(\.text).joined(separator: " "), a)
            XCTAssertEqual(d.filter { $0.op != .delete }.map(\.text).joined(separator: " "), b)
            for (x, y) in zip(d, d.dropFirst()) { XCTAssertNotEqual(x.op, y.op, "runs of one kind are merged") }
        }
    }

    // MARK: comparing two versions

    func testLaterVersionOfC035IsWorseOnBreachWindowAITrainingAndSubcontractors() throws {
        let old = try review(Self.v1), new = try review(Self.v2)
        let d = ReportDiff.compare(old: old, new: new)
        XCTAssertEqual(d.scoreDelta, new.score - old.score)
        XCTAssertLessThan(d.scoreDelta, 0, "a 90-day window and an AI training permission cost points")
        let breach = try XCTUnwrap(d.changed.first { $0.id == "breach_notification" })
        XCTAssertEqual(breach.direction, .worse)
        XCTAssertEqual(breach.before.deadline?.value, 10)
        XCTAssertEqual(breach.after.deadline?.value, 90)
        XCTAssertTrue(breach.after.findings.contains("too_late"), "\(breach.after.findings)")
        XCTAssertTrue(breach.summary.contains("deadline: 10 days → 90 days"), "\(breach.summary)")
        XCTAssertTrue(breach.words.contains(.init(op: .delete, text: "ten (10)")), "\(breach.words)")
        XCTAssertTrue(breach.words.contains(.init(op: .insert, text: "ninety (90)")), "\(breach.words)")

        let ai = try XCTUnwrap(d.changed.first { $0.id == "ai_training" })
        XCTAssertEqual(ai.before.stance, .silent)
        XCTAssertEqual(ai.after.stance, .permitted)
        XCTAssertEqual(ai.direction, .worse, "a permission is worse than silence")
        XCTAssertEqual(ai.words.map(\.op), [.insert], "the clause is new")

        let sub = try XCTUnwrap(d.changed.first { $0.id == "subcontractors" })
        XCTAssertEqual(sub.before.status, .present)
        XCTAssertEqual(sub.after.status, .weak)
        XCTAssertTrue(sub.words.contains { $0.op == .insert && $0.text.contains("substantially similar") }, "\(sub.words)")

        XCTAssertTrue(d.regressions.contains("breach_notification") && d.regressions.contains("ai_training") && d.regressions.contains("subcontractors"), "\(d.regressions)")
        XCTAssertTrue(d.findingsAdded.contains { $0.element == "breach_notification" && $0.kind == "too_late" })
        XCTAssertTrue(d.findingsRemoved.contains { $0.element == "ai_training" && $0.kind == "ai_silent" })
        // Elements whose verdict and wording did not change are only counted.
        for id in ["permitted_uses", "safeguards", "access", "hhs_books_records"] { XCTAssertTrue(d.unchanged.contains(id), id) }
        XCTAssertEqual(d.changed.count + d.unchanged.count, new.elements.count)
    }

    func testSameVersionHasNoChangeAndMovedTextIsNoChange() throws {
        let old = try review(Self.v1)
        XCTAssertTrue(ReportDiff.compare(old: old, new: old).changed.isEmpty)
        // The same words two lines lower (a blank paragraph added after the title): nothing changed.
        let text = try String(contentsOf: Paths.root.appendingPathComponent(Self.v1), encoding: .utf8)
        let moved = text.replacingOccurrences(of: "# BUSINESS ASSOCIATE AGREEMENT\n", with: "# BUSINESS ASSOCIATE AGREEMENT\n\nDraft for signature.\n")
        XCTAssertNotEqual(moved, text)
        let d = ReportDiff.compare(old: old, new: try review(text: moved, path: "moved.md"))
        XCTAssertEqual(d.changed.map(\.id), [], "\(d.changed.map(\.summary))")
        XCTAssertEqual(d.scoreDelta, 0)
    }

    func testImprovementIsBetterNotARegression() throws {
        let d = ReportDiff.compare(old: try review(Self.v2), new: try review(Self.v1))
        XCTAssertEqual(d.changed.first { $0.id == "breach_notification" }?.direction, .better)
        XCTAssertFalse(d.regressions.contains("breach_notification"))
        XCTAssertGreaterThan(d.scoreDelta, 0)
    }

    // MARK: same agreement

    func testSameAgreementNeedsTwoFullBAAsOfTheSameParties() throws {
        let v1 = try review(Self.v1), v2 = try review(Self.v2)
        XCTAssertTrue(ReportDiff.isFullAgreement(v1))
        XCTAssertTrue(ReportDiff.sameAgreement(v1, v2).same, ReportDiff.sameAgreement(v1, v2).reason)
        // Another covered entity: a separate agreement.
        let text = try String(contentsOf: Paths.root.appendingPathComponent(Self.v2), encoding: .utf8)
        let other = try review(text: text.replacingOccurrences(of: "Tidewater Anesthesia Partners, P.C.", with: "Lantern Peak Hospice, Inc."), path: "other.md")
        let verdict = ReportDiff.sameAgreement(v1, other)
        XCTAssertFalse(verdict.same)
        XCTAssertEqual(verdict.reason, "different covered entities")
        // An amendment replacing one or two terms is not a full agreement.
        let amendment = try review("Corpus/agreements/c028-northwind-amendment-30-days.md")
        XCTAssertFalse(ReportDiff.isFullAgreement(amendment))
        XCTAssertFalse(ReportDiff.sameAgreement(try review("Corpus/agreements/c011-northwind-billing-baa-90-days.md"), amendment).same)
    }

    func testPartyNamesCompareWithoutCaseSuffixesOrPunctuation() {
        XCTAssertEqual(ReportDiff.sameParty(["Provider", "Tidewater Anesthesia Partners, P.C."], ["TIDEWATER ANESTHESIA PARTNERS PC"]), true)
        XCTAssertEqual(ReportDiff.sameParty(["Claimsbridge Clearinghouse, LLC"], ["Claimsbridge"]), true)
        XCTAssertEqual(ReportDiff.sameParty(["Covered Entity", "Practice"], ["Acme Clinic"]), nil, "role words name nobody")
        XCTAssertEqual(ReportDiff.sameParty(["Acme Clinic"], ["Birch Clinic"]), false)
    }

    // MARK: printers

    func testTerminalJSONAndHTMLShowTheChangedElementWordDiffAndScoreDelta() throws {
        let d = ReportDiff.compare(old: try review(Self.v1), new: try review(Self.v2))
        let terminal = DiffReporter(color: false, width: 100).terminal(d)
        XCTAssertTrue(terminal.contains("Score \(d.old.score) → \(d.new.score)/100 (\(d.scoreDelta))"), terminal)
        XCTAssertTrue(terminal.contains("✗ breach_notification  WORSE"), terminal)
        XCTAssertTrue(terminal.contains("[-ten (10)-] {+ninety (90)+} days of discovery"), terminal)
        XCTAssertTrue(terminal.contains("Unchanged (\(d.unchanged.count)): permitted_uses"), terminal)
        XCTAssertFalse(terminal.contains("\u{1B}["), "no colour unless asked")
        for line in terminal.split(separator: "\n") { XCTAssertLessThanOrEqual(line.count, 100, String(line)) }

        let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(try DiffReporter.json(d).utf8)) as? [String: Any])
        XCTAssertEqual(json["kind"] as? String, "baa-diff")
        XCTAssertEqual(json["score_delta"] as? Int, d.scoreDelta)
        let changed = try XCTUnwrap(json["changed"] as? [[String: Any]])
        let breach = try XCTUnwrap(changed.first { $0["id"] as? String == "breach_notification" })
        XCTAssertEqual(breach["direction"] as? String, "worse")
        XCTAssertEqual(((breach["after"] as? [String: Any])?["deadline"] as? [String: Any])?["value"] as? Int, 90)
        let words = try XCTUnwrap(breach["words"] as? [[String: String]])
        XCTAssertTrue(words.contains(["op": "insert", "text": "ninety (90)"]), "\(words)")

        let html = DiffReporter.html(d)
        XCTAssertTrue(html.contains("<del>ten (10)</del> <ins>ninety (90)</ins>"), "the word diff is marked up")
        XCTAssertTrue(html.contains("id=\"el-breach_notification\""))
        XCTAssertTrue(html.contains("(−\(-d.scoreDelta))"), "the score delta")
        XCTAssertFalse(html.contains("<script"), "no script")
        XCTAssertFalse(html.contains("http://") || html.contains("https://"), "nothing fetched")
    }

    func testHTMLEscapesEvidenceText() throws {
        let old = try review(Self.v1)
        var new = old
        let i = try XCTUnwrap(new.elements.firstIndex { $0.id == "breach_notification" })
        new.elements[i].evidence[0].text = "within <b>ninety</b> & \"90\" days </ins><script>alert(1)</script>"
        let html = DiffReporter.html(ReportDiff.compare(old: old, new: new))
        XCTAssertFalse(html.contains("<script>alert"), "evidence is text, never markup")
        XCTAssertTrue(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        XCTAssertTrue(html.contains("&lt;b&gt;ninety&lt;/b&gt; &amp;"))
    }
}

/// The terminal report's wrapping, in process (colours on, which a test run's pipe never gets from the binary).
final class TerminalWrapTests: XCTestCase {
    func stripped(_ s: Substring) -> String {
        var out = "", inEscape = false
        for u in s.unicodeScalars {
            if inEscape { if u == "m" { inEscape = false }; continue }
            if u == "\u{1B}" { inEscape = true; continue }
            out.unicodeScalars.append(u)
        }
        return out
    }

    func testColouredReportFitsTheWidthAndTheCardComesFirst() throws {
        let path = ReportDiffTests.v2
        let text = try String(contentsOf: Paths.root.appendingPathComponent(path), encoding: .utf8)
        let report = Reviewer(library: try Paths.library()).review(Document.fromText(text, path: path))
        for width in [40, 60, 80] {
            for brief in [false, true] {
                let out = TerminalReporter(color: true, explain: true, brief: brief, width: width).render(report)
                XCTAssertTrue(out.contains("\u{1B}[1m"), "coloured")
                let lines = out.split(separator: "\n", omittingEmptySubsequences: false)
                for line in lines { XCTAssertLessThanOrEqual(stripped(line).count, width, "\(width): \(stripped(line))") }
                if width >= 60 {
                    let head = lines.prefix(8).map(stripped).joined(separator: "\n")
                    for term in ["Score 51/100", "AI training", "Breach notice", "Subcontractors"] { XCTAssertTrue(head.contains(term), "\(width): \(head)") }
                }
            }
        }
    }

    func testFitKeepsColumnsAndCutsWordsLongerThanALine() {
        XCTAssertEqual(TerminalReporter.fit("  ✗ Breach notice   90 days: later than the limit", width: 30, hang: 20),
                       ["  ✗ Breach notice   90 days:", String(repeating: " ", count: 15) + "later than the", String(repeating: " ", count: 15) + "limit"])
        let long = "baa review: /" + String(repeating: "x", count: 70)
        let lines = TerminalReporter.fit(long, width: 40)
        XCTAssertTrue(lines.allSatisfy { $0.count <= 40 }, "\(lines)")
        XCTAssertEqual(lines.first, "baa review:", "the path goes to the next line, then is cut")
        XCTAssertEqual(lines.joined().filter { $0 == "x" }.count, 70, "nothing lost")
    }

    func testWidthFromCOLUMNSElseTheTerminalElse100() {
        XCTAssertEqual(TerminalReporter.terminalWidth(environment: ["COLUMNS": "72"], fd: -1), 72)
        XCTAssertEqual(TerminalReporter.terminalWidth(environment: ["COLUMNS": "12"], fd: -1), 40, "never under 40")
        XCTAssertEqual(TerminalReporter.terminalWidth(environment: ["COLUMNS": "wide"], fd: -1), 100)
        XCTAssertEqual(TerminalReporter.terminalWidth(environment: [:], fd: -1), 100, "no terminal: 100")
    }
}

extension ReportDiffTests {
    func testRenumberedClauseIsNotAChange() throws {
        let d = ReportDiff.compare(old: try review(Self.v1), new: try review(Self.v2))
        // v2 inserts a new 1.4, so the old 1.4 (no other use) is now 1.5 with the same words.
        XCTAssertTrue(d.unchanged.contains("no_other_use"), "\(d.changed.first { $0.id == "no_other_use" }?.summary ?? [])")
        for w in ["1.4", "3.2.", "12", "(a)", "(iv)", "b.", "iv."] { XCTAssertTrue(ReportDiff.isEnumerator(Substring(w)), w) }
        for w in ["Business", "PHI.", "(PHI)", "HIPAA", "Clearinghouse"] { XCTAssertFalse(ReportDiff.isEnumerator(Substring(w)), w) }
    }
}
