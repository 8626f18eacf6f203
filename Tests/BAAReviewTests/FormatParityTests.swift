import BAAExtract
import BAAReview
import Foundation
import XCTest

/// The same agreement in every format gives the same verdicts, with evidence in the same section and on the
/// right page. Team documents come from Corpus/formats (rendered by tools/render-corpus); the real ones are read
/// in place from ../shared/corpus-real/orig and compared with their docs/*.txt.
final class FormatParityTests: XCTestCase {
    let formats = Paths.root.appendingPathComponent("Corpus/formats")

    func review(_ url: URL) throws -> Report {
        Reviewer(library: try Paths.library()).review(try DocumentLoader().load(path: url.path))
    }

    /// What a reviewer reads off an element: status or stance, and the deadline.
    func verdicts(_ r: Report) -> [String: String] {
        Dictionary(uniqueKeysWithValues: r.elements.map { e in
            (e.id, (e.stance?.rawValue ?? e.status.rawValue) + (e.deadline.map { " \($0.value) \($0.unit.rawValue)" } ?? ""))
        })
    }

    func sections(_ r: Report) -> [String: String] {
        Dictionary(uniqueKeysWithValues: r.elements.compactMap { e in e.evidence.first.map { (e.id, $0.section ?? "-") } })
    }

    func testTeamAgreementGivesTheSameVerdictsAndSectionsInEveryFormat() throws {
        let source = try review(formats.appendingPathComponent("source/sample-baa.md"))
        XCTAssertEqual(source.element("breach_notification")?.deadline?.value, 10)
        var reports: [String: Report] = [:]
        for name in ["sample-baa.pdf", "sample-baa.docx", "sample-baa.html", "sample-baa-scanned.pdf"] {
            let r = try review(formats.appendingPathComponent(name))
            reports[name] = r
            XCTAssertEqual(verdicts(r), verdicts(source), "\(name) disagrees with the Markdown source")
            XCTAssertEqual(sections(r), sections(source), "\(name): evidence in other sections")
        }
        XCTAssertEqual(reports["sample-baa-scanned.pdf"]?.document.ocrPages, [1, 2, 3])
        // The scan is the text PDF rasterised: the same pages for every piece of evidence.
        let pages = { (r: Report) in r.elements.compactMap { e in e.evidence.first.map { "\(e.id):\($0.page)" } } }
        XCTAssertEqual(pages(reports["sample-baa-scanned.pdf"]!), pages(reports["sample-baa.pdf"]!))
        XCTAssertGreaterThan(Set(pages(reports["sample-baa.pdf"]!).map { $0.split(separator: ":")[1] }).count, 1, "evidence spans pages")
    }

    func testLongerTeamAgreementInPDFDOCXAndHTML() throws {
        let source = try review(Paths.root.appendingPathComponent("Corpus/agreements/c001-hhs-style-complete.md"))
        for name in ["c001-hhs-style-complete.pdf", "c001-hhs-style-complete.docx", "c001-hhs-style-complete.html"] {
            let r = try review(formats.appendingPathComponent(name))
            XCTAssertEqual(verdicts(r), verdicts(source), "\(name) disagrees with the Markdown source")
            XCTAssertEqual(sections(r), sections(source), "\(name): evidence in other sections")
        }
    }

    /// The evidence points at the page and line where the renderer put the phrase (facts.json).
    func testEvidenceLandsOnThePageAndLineOfThePhrase() throws {
        struct Facts: Decodable { struct Phrase: Decodable { let phrase: String; let page: Int; let line: Int }; let phrases: [Phrase] }
        let facts = try JSONDecoder().decode(Facts.self, from: Data(contentsOf: formats.appendingPathComponent("c001-hhs-style-complete.facts.json")))
        let phrase = try XCTUnwrap(facts.phrases.first { $0.phrase == "available to the Secretary" })
        let r = try review(formats.appendingPathComponent("c001-hhs-style-complete.pdf"))
        let evidence = try XCTUnwrap(r.element("hhs_books_records")?.evidence.first)
        XCTAssertTrue(evidence.text.contains(phrase.phrase), evidence.text)
        XCTAssertEqual(evidence.page, phrase.page)
        XCTAssertEqual(evidence.line, phrase.line)
        XCTAssertEqual(evidence.section, "2(j)")
    }

    func testRealOriginalsGiveTheSameVerdictsAsTheirText() throws {
        let orig = Paths.corpusReal.appendingPathComponent("orig")
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: orig.path) else {
            throw XCTSkip("../shared/corpus-real is absent: PDF/DOCX parity on real agreements not checked")
        }
        var compared = 0
        for name in names.sorted() where name.hasSuffix(".pdf") || name.hasSuffix(".docx") {
            let stem = (name as NSString).deletingPathExtension
            let text = Paths.corpusReal.appendingPathComponent("docs/\(stem).txt")
            guard FileManager.default.fileExists(atPath: text.path) else {
                print("\(name): no docs/\(stem).txt to compare with (an example cover page): extraction only")
                XCTAssertNoThrow(try review(orig.appendingPathComponent(name)))
                continue
            }
            XCTAssertEqual(verdicts(try review(orig.appendingPathComponent(name))), verdicts(try review(text)), name)
            compared += 1
        }
        XCTAssertGreaterThanOrEqual(compared, 3)
    }
}
