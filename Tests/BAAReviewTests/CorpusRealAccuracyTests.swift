import BAAClauses
import BAAExtract
import BAAReview
import Foundation
import XCTest

/// The repository root and the shared folder beside it.
enum Paths {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let clauses = root.appendingPathComponent("Clauses").path
    static let corpusReal = root.deletingLastPathComponent().appendingPathComponent("shared/corpus-real")
    nonisolated(unsafe) static var cachedLibrary: ClauseLibrary?
    static func library() throws -> ClauseLibrary {
        if let l = cachedLibrary { return l }
        let l = try ClauseLibrary.load(directory: clauses)
        cachedLibrary = l
        return l
    }
}

/// Accuracy on real published agreements the rules were not written against (read from ../shared/corpus-real,
/// never copied into the project). Skips with a message where the folder is absent.
final class CorpusRealAccuracyTests: XCTestCase {
    func testAgreementWithLabels() throws {
        let labelsURL = Paths.corpusReal.appendingPathComponent("labels.json")
        guard FileManager.default.fileExists(atPath: labelsURL.path) else {
            throw XCTSkip("../shared/corpus-real is absent: real-agreement accuracy not measured")
        }
        let docs = try JSONDecoder().decode([LabelledDocument].self, from: Data(contentsOf: labelsURL))
        let reviewer = Reviewer(library: try Paths.library())
        let loader = DocumentLoader()
        var eval = Evaluation()
        for doc in docs {
            let report = reviewer.review(try loader.load(path: Paths.corpusReal.appendingPathComponent(doc.file).path))
            eval.add(report: report, labels: doc)
        }
        print(eval.summary())
        XCTAssertEqual(docs.count, 18)
        XCTAssertGreaterThanOrEqual(eval.agreement, 0.95, "overall agreement over (document, element) pairs")
        XCTAssertGreaterThanOrEqual(eval.missingRecall, 0.95, "recall of missing")
        XCTAssertGreaterThanOrEqual(eval.agreement(for: "breach_notification").agree, 16)
        XCTAssertGreaterThanOrEqual(eval.agreement(for: "subcontractors").agree, 16)
        XCTAssertEqual(eval.agreement(for: "ai_training").agree, 18)
        XCTAssertTrue(eval.negativeControlViolations.isEmpty, "required element called present in a negative control: \(eval.negativeControlViolations.map { "\($0.document) \($0.element)" })")
        for d in eval.deadlines { XCTAssertTrue(d.exact, "deadline of \(d.document): expected \(d.expected), got \(d.actual ?? "none")") }
    }
}
