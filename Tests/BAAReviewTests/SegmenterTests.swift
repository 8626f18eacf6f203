@testable import BAAReview
import XCTest

final class SegmenterTests: XCTestCase {
    func testSentencesIgnoreAbbreviationsAndCitations() {
        let text = "Business Associate shall comply with 45 C.F.R. § 164.410, e.g. notify Covered Entity. It shall also mitigate. See Sec. 4 for details."
        let seg = Segmenter().segment(text)
        let sentences = seg.sentences.map { String(decoding: Array(text.utf8)[$0.range], as: UTF8.self) }
        XCTAssertEqual(sentences, [
            "Business Associate shall comply with 45 C.F.R. § 164.410, e.g. notify Covered Entity.",
            "It shall also mitigate.",
            "See Sec. 4 for details.",
        ])
    }

    func testSectionNumbersAndHeadings() {
        let text = """
        ARTICLE IV OBLIGATIONS
        4.2 Reporting. Business Associate shall report any Security Incident.
        (a) within five (5) days;
        Section 5.1 Term. This Agreement ends when the Services end.
        """
        let seg = Segmenter().segment(text)
        XCTAssertEqual(seg.paragraphs.map(\.section), ["Article IV", "4.2", "4.2(a)", "5.1"])
        XCTAssertEqual(seg.paragraphs[1].heading, "Reporting")
        XCTAssertEqual(seg.paragraphs[3].heading, "Term")
        XCTAssertNil(seg.paragraphs[2].leadIn, "a full sentence is not a lead-in")
        XCTAssertEqual(seg.sections.map(\.number), ["Article IV", "4.2", "5.1"])
        XCTAssertTrue(seg.paragraphs[0].isHeadingOnly)
    }

    func testListItemsCarryTheirLeadIn() {
        let text = "Business Associate agrees to:\n(a) not use or disclose PHI other than as permitted;\n(b) use appropriate safeguards."
        let seg = Segmenter().segment(text)
        XCTAssertEqual(seg.paragraphs[1].leadIn, seg.paragraphs[0].range)
        XCTAssertEqual(seg.paragraphs[2].leadIn, seg.paragraphs[0].range)
    }

    func testTableOfContentsLinesAreHeadingsOnly() {
        let seg = Segmenter().segment("3. Breach Notification ........ 4\nBusiness Associate shall notify Covered Entity.")
        XCTAssertTrue(seg.paragraphs[0].isHeadingOnly)
        XCTAssertFalse(seg.paragraphs[1].isHeadingOnly)
    }

    /// A short line is a heading unless a verb stands in it as a word; emphasis asterisks go before the test.
    func testHeadingLinesAndClauseLines() {
        XCTAssertTrue(Segmenter.isHeadingOnly("Permitted Uses and Disclosures"))
        XCTAssertFalse(Segmenter.isHeadingOnly("Vendor  Shall Notify"), "a verb as a word, whatever its case or spacing")
        XCTAssertTrue(Segmenter.isHeadingOnly("Shall-Notify Provisions"), "a verb inside a word is not one")
        XCTAssertFalse(Segmenter.isHeadingOnly("Term means the period"))
        XCTAssertEqual(Segmenter.heading(from: "**Breach Notification.** Vendor shall notify."), "Breach Notification")
        XCTAssertEqual(Segmenter.heading(from: "*Security* *Incidents*"), "Security Incidents")
        XCTAssertNil(Segmenter.heading(from: "the vendor will report all incidents promptly to the practice"))
    }
}
