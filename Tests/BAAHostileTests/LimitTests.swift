import Foundation
import XCTest

/// Each limit is configurable, a file just under it is read, a file just over it is one clear error
/// naming the limit's option, and the time budget stops a document without stopping the run.
final class LimitTests: XCTestCase {
    let samplePDF = Hostile.root.appendingPathComponent("Corpus/formats/sample-baa.pdf").path
    let sampleDOCX = Hostile.root.appendingPathComponent("Corpus/formats/sample-baa.docx").path

    func testFileJustUnderASmallerMaxFileSizeIsReviewed() throws {
        let size = try XCTUnwrap(try FileManager.default.attributesOfItem(atPath: Hostile.goodAgreement.path)[.size] as? Int)
        let under = try Hostile.run(["review", "--max-file-size", "\(size)", Hostile.goodAgreement.path])
        XCTAssertEqual(under.status, 0, under.stderr)
        XCTAssertTrue(under.stdout.contains("Score "), under.stdout)
        let over = try Hostile.run(["review", "--max-file-size", "\(size - 1)", Hostile.goodAgreement.path])
        XCTAssertEqual(over.status, 2)
        XCTAssertEqual(over.stderr, "baa: error: \(Hostile.goodAgreement.path): file is \(grouped(size)) bytes, over the \(grouped(size - 1))-byte limit (--max-file-size)\n")
        // Sizes take K, M and G suffixes.
        XCTAssertEqual(try Hostile.run(["review", "--max-file-size", "1K", Hostile.goodAgreement.path]).status, 2)
        XCTAssertEqual(try Hostile.run(["review", "--max-file-size", "1M", Hostile.goodAgreement.path]).status, 0)
        let bad = try Hostile.run(["review", "--max-file-size", "lots", Hostile.goodAgreement.path])
        XCTAssertEqual(bad.status, 2)
        XCTAssertTrue(bad.stderr.contains("--max-file-size"), bad.stderr)
    }

    func testTextPagesAndDOCXLimits() throws {
        let size = try XCTUnwrap(try FileManager.default.attributesOfItem(atPath: Hostile.goodAgreement.path)[.size] as? Int)
        XCTAssertEqual(try Hostile.run(["review", "--max-text-size", "\(size)", Hostile.goodAgreement.path]).status, 0)
        let text = try Hostile.run(["review", "--max-text-size", "1K", Hostile.goodAgreement.path])
        XCTAssertEqual(text.status, 2)
        XCTAssertTrue(text.stderr.contains("over the 1,024-byte limit (--max-text-size)"), text.stderr)
        // PDF text is counted as pages are read.
        let pdfText = try Hostile.run(["review", "--max-text-size", "1K", samplePDF])
        XCTAssertEqual(pdfText.status, 2)
        XCTAssertTrue(pdfText.stderr.contains("--max-text-size"), pdfText.stderr)

        let pages = try Hostile.run(["review", "--max-pages", "2", samplePDF])
        XCTAssertEqual(pages.status, 2)
        XCTAssertTrue(pages.stderr.contains("PDF has 3 pages, over the 2-page limit (--max-pages)"), pages.stderr)
        XCTAssertEqual(try Hostile.run(["review", "--max-pages", "3", samplePDF]).status, 0)

        let entries = try Hostile.run(["review", "--max-docx-entries", "3", sampleDOCX])
        XCTAssertEqual(entries.status, 2)
        XCTAssertTrue(entries.stderr.contains("more than 3 ZIP entries") && entries.stderr.contains("--max-docx-entries"), entries.stderr)
        let inflated = try Hostile.run(["review", "--max-docx-size", "4K", sampleDOCX])
        XCTAssertEqual(inflated.status, 2)
        XCTAssertTrue(inflated.stderr.contains("4,096-byte limit") && inflated.stderr.contains("--max-docx-size"), inflated.stderr)
        XCTAssertEqual(try Hostile.run(["review", "--max-docx-size", "8M", sampleDOCX]).status, 0)
    }

    func testEncryptedPDFOpensWithItsPassword() throws {
        let (dir, entries) = try Hostile.made.get()
        guard entries.contains(where: { $0.file == "encrypted.pdf" }) else { throw XCTSkip("qpdf not installed: no encrypted.pdf") }
        let pdf = dir.appendingPathComponent("encrypted.pdf").path
        let wrong = try Hostile.run(["review", "--password", "guess", pdf])
        XCTAssertEqual(wrong.status, 2)
        XCTAssertEqual(wrong.stderr, "baa: error: \(pdf): encrypted PDF: the password given does not open it\n")
        let right = try Hostile.run(["review", "--password", "secret", pdf])
        XCTAssertEqual(right.status, 0, right.stderr)
        XCTAssertTrue(right.stdout.contains("Score "), right.stdout)
    }

    /// The cooperative check between pages names how far extraction got.
    func testTimeBudgetStopsBetweenPagesAndSaysHowFarItGot() throws {
        let r = try Hostile.run(["review", "--time-budget", "0.001", samplePDF, Hostile.goodAgreement.path])
        XCTAssertEqual(r.status, 2)
        let first = r.stderr.split(separator: "\n").first.map(String.init) ?? ""
        XCTAssertTrue(first.hasPrefix("baa: error: \(samplePDF): over the 0.001 s budget after "), r.stderr)
        XCTAssertTrue(first.hasSuffix("(--time-budget)"), first)
    }

    /// Over budget in the review (where there is no cooperative check) the watchdog gives the document up
    /// about a second after the budget, and the next document is still reviewed. The slow review: the
    /// catastrophic clause pattern with the match limit raised to its maximum (minutes of backtracking).
    func testWatchdogAbandonsAReviewOverBudgetAndTheRunGoesOn() throws {
        let lib = try catastrophicLibrary()
        let doc = try unluckyDocument()
        let r = try Hostile.run(["review", "--format", "json", "--clauses", lib.path, "--match-limit", "4294967295",
                                 "--time-budget", "1", doc.path, Hostile.goodAgreement.path], timeout: 60)
        XCTAssertEqual(r.status, 2, r.stderr)
        XCTAssertEqual(r.stderr, "baa: error: \(doc.path): over the 1 s budget after extracting the text (the clause review did not finish) (--time-budget)\n")
        let report = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [[String: Any]])
        XCTAssertEqual(report.count, 1, "the good file is still reviewed")
        XCTAssertLessThan(r.seconds, 10, "abandoned at about 2 s, not after minutes of backtracking")
        print("watchdog: review over a 1 s budget abandoned; whole run \(String(format: "%.1f", r.seconds)) s")
        XCTAssertEqual(try Hostile.run(["review", "--time-budget", "-1", Hostile.goodAgreement.path]).status, 2)
    }

    func catastrophicLibrary() throws -> URL {
        let lib = try Hostile.tempDir().appendingPathComponent("Clauses")
        try FileManager.default.copyItem(at: Hostile.root.appendingPathComponent("Clauses"), to: lib)
        try FileManager.default.removeItem(at: lib.appendingPathComponent("insurance.yaml"))
        try FileManager.default.copyItem(at: Hostile.root.appendingPathComponent("Tests/BAACLITests/Fixtures/catastrophic/insurance.yaml"),
                                         to: lib.appendingPathComponent("insurance.yaml"))
        return lib
    }

    func unluckyDocument() throws -> URL {
        let doc = try Hostile.tempDir().appendingPathComponent("unlucky.txt")
        let unlucky = (0..<20).map { _ in String(repeating: "a", count: 3000) + "!" }.joined(separator: "\n\n")
        try ("Business Associate shall protect PHI.\n\n" + unlucky + "\n").write(to: doc, atomically: true, encoding: .utf8)
        return doc
    }

    func testMatchLimitOptionsReachTheMatcher() throws {
        let strict = try Hostile.run(["review", "--format", "json", "--match-limit", "1", Hostile.goodAgreement.path])
        XCTAssertEqual(strict.status, 0, strict.stderr)
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(strict.stdout.utf8)) as? [String: Any])
        let warnings = (json["document"] as? [String: Any])?["warnings"] as? [String] ?? []
        XCTAssertTrue(warnings.contains { $0.contains("resource limit") || $0.contains("limit") }, "a match limit of 1 is hit and reported: \(warnings.prefix(3))")
        XCTAssertEqual(try Hostile.run(["review", "--match-limit", "0", Hostile.goodAgreement.path]).status, 2)
    }

    /// The clause file with a catastrophic pattern (Tests/BAACLITests/Fixtures/catastrophic, whose
    /// CatastrophicPatternTests check `rules test` and the review's warning): bounded time and memory.
    func testCatastrophicClausePatternStaysInBounds() throws {
        let lib = try catastrophicLibrary()
        let doc = try unluckyDocument()
        let r = try Hostile.run(["review", "--clauses", lib.path, doc.path])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertLessThan(r.peakKB, Hostile.peakLimitKB)
        print("catastrophic clause pattern: \(String(format: "%.2f", r.seconds)) s, peak \(Hostile.mb(r.peakKB))")
    }

    func grouped(_ n: Int) -> String {
        let f = NumberFormatter()
        f.numberStyle = .decimal
        f.locale = Locale(identifier: "en_US")
        return f.string(from: NSNumber(value: n)) ?? "\(n)"
    }
}
