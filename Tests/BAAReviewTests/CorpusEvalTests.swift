import BAAExtract
import BAAReview
import Foundation
import XCTest

/// The team's own labelled corpus (Corpus/labels.json): the agreement bar of issue 5.
final class CorpusEvalTests: XCTestCase {
    func testTeamCorpusAgreement() throws {
        let labelsURL = Paths.root.appendingPathComponent("Corpus/labels.json")
        let docs = try JSONDecoder().decode([LabelledDocument].self, from: Data(contentsOf: labelsURL))
        XCTAssertGreaterThanOrEqual(docs.count, 40, "the corpus holds at least 40 labelled agreements")
        let reviewer = Reviewer(library: try Paths.library())
        let loader = DocumentLoader()
        var eval = Evaluation()
        for doc in docs {
            let path = Paths.root.appendingPathComponent("Corpus").appendingPathComponent(doc.file).path
            eval.add(report: reviewer.review(try loader.load(path: path)), labels: doc)
        }
        print(eval.summary())
        XCTAssertGreaterThanOrEqual(eval.agreement, 0.97, "overall agreement over (document, element) pairs")
        for d in eval.deadlines { XCTAssertTrue(d.exact, "deadline of \(d.document): expected \(d.expected), got \(d.actual ?? "none")") }
    }
}
