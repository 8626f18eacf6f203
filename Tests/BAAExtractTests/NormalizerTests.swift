import Foundation
import XCTest
@testable import BAAExtract

final class NormalizerTests: XCTestCase {
    /// Three pages (form feeds) with a running header, a running footer and page numbers; the
    /// footer falls between the two halves of a sentence.
    static let paged = """
    Acme Health / Zenith Cloud BAA
    4.1 Business Associate shall report to Covered Entity any use or disclosure of PHI not
    provided for by this Agreement, and shall notify Covered Entity of any Breach
    Confidential - do not distribute
    Page 1 of 3
    \u{0C}Acme Health / Zenith Cloud BAA
    within ten (10) business days after discovery, and shall ensure that any sub-
    contractors agree to the same restrictions and conditions.
    Confidential - do not distribute
    Page 2 of 3
    \u{0C}Acme Health / Zenith Cloud BAA
    ARTICLE IV
    TERM
    Confidential - do not distribute
    Page 3 of 3
    """

    func testRunningHeaderFooterAndPageNumbersRemovedAndSentenceRejoined() {
        let doc = Document.fromText(Self.paged)
        XCTAssertEqual(lines(doc), [
            "4.1 Business Associate shall report to Covered Entity any use or disclosure of PHI not provided for by this Agreement, and shall notify Covered Entity of any Breach within ten (10) business days after discovery, and shall ensure that any subcontractors agree to the same restrictions and conditions.",
            "ARTICLE IV",
            "TERM",
        ])
        // Source map: the half after the footer maps to page 2, line 2 of the source.
        let r = doc.text.range(of: "within ten (10)")!
        XCTAssertEqual(doc.sourceMap.location(at: doc.text.utf8.distance(from: doc.text.startIndex, to: r.lowerBound)),
                       SourceLocation(page: 2, line: 2))
        let r2 = doc.text.range(of: "contractors agree")!
        XCTAssertEqual(doc.sourceMap.location(at: doc.text.utf8.distance(from: doc.text.startIndex, to: r2.lowerBound)),
                       SourceLocation(page: 2, line: 3))
    }

    func testHeadingsSurviveOnTheirOwnLines() {
        let text = """
        ARTICLE IV
        BREACH NOTIFICATION
        Section 4.2 Notice of Breach.
        Business Associate shall notify Covered Entity without unreasonable delay and in no case later than
        sixty (60) calendar days after discovery, as follows:
        (a) by written notice;
        (ii) with the identity of each individual; and
        1. Definitions
        1.1 Terms used in this Agreement have the meanings in 45 C.F.R. Part 160 and Part
        164.504 applies to
        the parties.
        Exhibit A
        Permitted Uses and Disclosures
        The services.
        """
        let doc = Document.fromText(text)
        XCTAssertEqual(lines(doc), [
            "ARTICLE IV",
            "BREACH NOTIFICATION",
            "Section 4.2 Notice of Breach. Business Associate shall notify Covered Entity without unreasonable delay and in no case later than sixty (60) calendar days after discovery, as follows:",
            "(a) by written notice;",
            "(ii) with the identity of each individual; and",
            "1. Definitions",
            "1.1 Terms used in this Agreement have the meanings in 45 C.F.R. Part 160 and Part 164.504 applies to the parties.",
            "Exhibit A",
            "Permitted Uses and Disclosures",
            "The services.",
        ])
    }

    /// Hard wraps that look like block starts: "sixty\n(60)", "45 CFR\n164.524.", a last word "PHI." in capitals.
    func testWrapsBeforeParenthesizedDigitsCitationsAndCapitalWordsAreJoined() {
        let text = """
        Business Associate shall notify Covered Entity of any Breach no later than sixty
        (60) days after discovery, and shall make PHI available under 45 CFR
        164.524. Business Associate shall not sell
        PHI.
        (a) Business Associate shall use safeguards.
        """
        let doc = Document.fromText(text)
        XCTAssertEqual(doc.text, """
        Business Associate shall notify Covered Entity of any Breach no later than sixty (60) days after discovery, and shall make PHI available under 45 CFR 164.524. Business Associate shall not sell PHI.
        (a) Business Associate shall use safeguards.

        """)
    }

    func testCharactersAreNormalized() {
        let doc = Document.fromText("\u{201C}Covered\u{00A0}Entity\u{201D} \u{2014} the \u{FB01}rst of\u{200B} its o\u{FB00}ices\u{2019} rules\n")
        XCTAssertEqual(doc.text, "\"Covered Entity\" - the first of its offices' rules\n")
    }

    func testHyphenatedCompoundTheDocumentUsesKeepsItsHyphen() {
        let doc = Document.fromText("""
        A third-party auditor may review. Business Associate shall not disclose PHI to any third-
        party vendor or to any sub-
        contractor without consent.
        """)
        XCTAssertTrue(doc.text.contains("any third-party vendor"), doc.text)
        XCTAssertTrue(doc.text.contains("any subcontractor without"), doc.text)
    }

    func testSourceMapCoversEveryLineOfTheRenderedPDF() throws {
        let doc = try load("sample-baa.pdf")
        var offset = 0
        for line in doc.text.split(separator: "\n", omittingEmptySubsequences: false) {
            if !line.isEmpty {
                let loc = doc.sourceMap.location(at: offset)
                XCTAssertTrue((1...doc.pageCount).contains(loc.page))
                XCTAssertGreaterThanOrEqual(loc.line, 1)
            }
            offset += line.utf8.count + 1
        }
        XCTAssertEqual(doc.sourceMap.offsets, doc.sourceMap.offsets.sorted())
        XCTAssertTrue(doc.sourceMap.offsets.allSatisfy { $0 <= doc.text.utf8.count })
    }
}
