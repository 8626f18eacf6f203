@testable import BAAReview
import BAAExtract
import XCTest

/// The outline (issue 13): lead-ins, item headings and their bodies, nesting at any depth, where a list ends.
/// All text here is this team's own.
final class OutlineTests: XCTestCase {
    func outline(_ text: String) -> (Segments, [String]) {
        let seg = Segmenter().segment(text)
        let bytes = Array(text.utf8)
        return (seg, seg.paragraphs.map { String(decoding: bytes[$0.range], as: UTF8.self) })
    }

    /// The text of each context range of paragraph `i`, nearest first.
    func context(_ seg: Segments, _ text: String, _ i: Int) -> [String] {
        let bytes = Array(text.utf8)
        return seg.paragraphs[i].context.map { String(decoding: bytes[$0], as: UTF8.self) }
    }

    func testItemHeadingBodyInheritsTheLeadInThroughTheSubHeading() {
        let text = """
        4.2 Reporting
        Vendor shall report to the Clinic:
        a) Breaches of Unsecured PHI
        Any Breach, no later than ten (10) days after discovery. The report shall list:
        - each affected patient;
        - what happened.
        b) Security Incidents
        Any Security Incident within five (5) days.
        4.3 Subcontractors
        Vendor may use subcontractors.
        """
        let (seg, lines) = outline(text)
        XCTAssertEqual(lines.count, 10)
        XCTAssertEqual(seg.paragraphs.map(\.kind), [.heading, .leadIn, .itemHeading, .leadIn, .item, .item, .itemHeading, .body, .heading, .paragraph])
        XCTAssertEqual(context(seg, text, 3), ["a) Breaches of Unsecured PHI", "Vendor shall report to the Clinic:"])
        XCTAssertEqual(context(seg, text, 4).count, 3, "a bullet under the body's own lead-in sees all three ancestors")
        XCTAssertEqual(context(seg, text, 7), ["b) Security Incidents", "Vendor shall report to the Clinic:"], "a sibling closes the first item's subtree")
        XCTAssertEqual(seg.paragraphs[9].context, [], "a new section closes every open list")
        XCTAssertEqual(seg.paragraphs.map(\.depth), [0, 0, 1, 2, 3, 3, 1, 2, 0, 0])
        XCTAssertTrue(seg.paragraphs[2].isHeadingOnly, "an item heading carries no duty of its own")
    }

    func testAPlainParagraphAfterTheItemsEndsTheList() {
        let text = "Acme shall not:\n(a) sell PHI;\n(b) use PHI for marketing.\nThe Practice shall notify Acme of any restriction."
        let (seg, _) = outline(text)
        XCTAssertEqual(seg.paragraphs[1].context.count, 1)
        XCTAssertEqual(seg.paragraphs[3].context, [], "the Practice's duty is not an item of Acme's prohibitions")
        XCTAssertEqual(seg.paragraphs[3].kind, .paragraph)
    }

    func testNumberedItemsRunOnAndASectionAfterThemIsNotAnItem() {
        let text = """
        3.1 Permitted Uses
        The Vendor may use PHI only:
        1. to run the scheduling service;
        2. as required by law.
        3.2 Restrictions
        In the event of a breach, the Vendor shall:
        1. notify the Clinic within 24 hours;
        2. provide what it knows, including:
        - the records involved;
        3. cooperate with the Clinic.
        4. TERM AND TERMINATION
        """
        let (seg, _) = outline(text)
        XCTAssertEqual(seg.paragraphs.map(\.section), ["3.1", "3.1", "3.1(1)", "3.1(2)", "3.2", "3.2", "3.2(1)", "3.2(2)", "3.2(2)", "3.2(3)", "4"])
        XCTAssertEqual(seg.paragraphs[9].kind, .item, "item 3 after a nested list keeps the count")
        XCTAssertEqual(seg.paragraphs[10].kind, .heading, "a heading in capitals after the items is a section")
        XCTAssertEqual(seg.paragraphs[8].depth, 2)
    }

    func testBareBulletsTakeTheParagraphThatCarriesTheirText() {
        // A PDF converter puts the bullet glyphs on lines of their own and the items' text after them.
        let text = "Vendor may NOT:\n-\n-\nSell PHI Use PHI for advertising\nVendor agrees to:\n-\nEncrypt PHI at rest\nThe Clinic may audit Vendor."
        let (seg, _) = outline(text)
        XCTAssertEqual(context(seg, text, 3).last, "Vendor may NOT:")
        XCTAssertEqual(context(seg, text, 6).last, "Vendor agrees to:", "a new lead-in closes the bare list before it")
        XCTAssertEqual(seg.paragraphs[7].context, [], "one body per bare bullet")
    }

    func testTableRowsAndChecklistLinesAreItemsOfTheirLeadIn() {
        let text = "The Vendor commits to the following terms:\n| Term | Commitment |\n| Breach reporting | within 48 hours of discovery |\n[x] No sale of PHI\n☐ Offshore storage"
        let (seg, _) = outline(text)
        XCTAssertEqual(seg.paragraphs.map(\.kind), [.leadIn, .tableRow, .tableRow, .item, .item])
        for i in 1...4 { XCTAssertEqual(context(seg, text, i).last, "The Vendor commits to the following terms:") }
    }

    func testRomanAfterLetterHIsTheNextLetter() {
        let text = "Vendor shall:\n(g) keep records;\n(h) train staff;\n(i) report incidents;\n(j) return PHI."
        let (seg, _) = outline(text)
        XCTAssertEqual(seg.paragraphs.dropFirst().map(\.depth), [1, 1, 1, 1], "(i) is a sibling of (h), not a sub-item")
    }

    func testRomanSubItemsNestUnderALetter() {
        let text = "Vendor shall:\n(a) report to the Clinic:\n(i) each Breach;\n(ii) each Security Incident;\n(b) keep records."
        let (seg, _) = outline(text)
        XCTAssertEqual(seg.paragraphs.map(\.depth), [0, 1, 2, 2, 1])
        XCTAssertEqual(context(seg, text, 2), ["(a) report to the Clinic:", "Vendor shall:"])
    }

    /// A duty split across levels is read whole: the modal in the lead-in, the subject in the item heading, the
    /// deadline in the body.
    func testARuleReadsTheContextOfANestedBody() throws {
        let text = """
        This Business Associate Agreement governs Protected Health Information ("PHI").

        5.2 Termination for Cause

        Upon the Covered Entity's knowledge of a material breach by the Business Associate, the Covered Entity may:

        a) Termination

        Terminate this Agreement if the Business Associate fails to cure within thirty (30) days.

        5.3 Business Associate Remedies

        If the Covered Entity materially breaches this Agreement, the Business Associate may:

        a) terminate this Agreement on notice.
        """
        let report = Reviewer(library: try Paths.library()).review(Document.fromText(text, path: "outline.txt"))
        let e = try XCTUnwrap(report.element("termination_for_breach"))
        XCTAssertEqual(e.status.rawValue, "present")
        XCTAssertEqual(e.evidence.first?.section, "5.2(a)")
        XCTAssertTrue(e.rulesFired.contains("termination_for_breach.item-under-may"))
        XCTAssertTrue(e.vetoed.contains { $0.rule == "termination_for_breach.item-under-may" }, "5.3 runs the wrong way: vetoed, and kept for --explain")
    }

    func testAnUntickedBoxCarriesNoTerm() {
        let text = "Our commitments:\n- [x] We carry cyber liability insurance.\n- [ ] We keep PHI in the United States only.\n☐ We return all PHI at the end."
        let (seg, _) = outline(text)
        XCTAssertFalse(seg.paragraphs[1].isHeadingOnly, "a ticked box is a term")
        XCTAssertTrue(seg.paragraphs[2].isHeadingOnly, "an empty box is an option not taken")
        XCTAssertTrue(seg.paragraphs[3].isHeadingOnly)
    }

    func testABlankTemplatesBoxesAreOptionsReadAsWritten() {
        // No box ticked anywhere: a form to fill in, whose options are read as written.
        let text = "Business Associate may use PHI:\n☐ For the services in the Services Agreement\n☐ For data aggregation services"
        let (seg, _) = outline(text)
        XCTAssertFalse(seg.paragraphs[1].isHeadingOnly)
        XCTAssertFalse(seg.paragraphs[2].isHeadingOnly)
    }
}
