import Foundation
import XCTest
@testable import BAAExtract

final class DOCXExtractorTests: XCTestCase {
    func testRenderedDOCXKeepsListNumberingFromNumberingXML() throws {
        let doc = try load("sample-baa.docx")
        XCTAssertEqual(doc.format, .docx)
        let ls = lines(doc)
        XCTAssertTrue(ls.contains("1. Definitions"), ls.joined(separator: "\n"))
        XCTAssertTrue(ls.contains("10. Miscellaneous"))
        XCTAssertTrue(ls.contains(where: { $0.hasPrefix("1.1 Terms used but not defined") }))
        XCTAssertTrue(ls.contains(where: { $0.hasPrefix("9.3 On termination, Business Associate shall return or destroy") }))
        XCTAssertTrue(ls.contains(where: { $0.hasPrefix("(a) to perform the records hosting") }))
        XCTAssertTrue(ls.contains(where: { $0.hasPrefix("(c) for the proper management") }))
        XCTAssertTrue(ls.contains(where: { $0.hasPrefix("(ii) a description of what happened") }))
        XCTAssertTrue(ls.contains("Northwind Family Clinic, P.C. | Bluebird Records Cloud, Inc."), "table row as one line")
        // An explicit page break before section 6 puts it on page 2.
        XCTAssertEqual(doc.pageCount, 2)
        let r = try XCTUnwrap(doc.text.range(of: "6. Individual Rights"))
        XCTAssertEqual(doc.sourceMap.location(at: doc.text.utf8.distance(from: doc.text.startIndex, to: r.lowerBound)).page, 2)
    }

    func testTrackedChangesAcceptRejectBothAndWarning() throws {
        let accepted = try load("sample-baa.docx")
        XCTAssertTrue(accepted.text.contains("within ten (10) business days after discovery"))
        XCTAssertFalse(accepted.text.contains("thirty (30) business days"))
        XCTAssertTrue(accepted.warnings.contains(where: { $0.hasPrefix("document has unresolved tracked changes") }), "\(accepted.warnings)")

        var options = ExtractOptions()
        options.trackedChanges = .reject
        let rejected = try load("sample-baa.docx", options: options)
        XCTAssertTrue(rejected.text.contains("within thirty (30) business days after discovery"))
        XCTAssertFalse(rejected.text.contains("ten (10) business days"))

        options.trackedChanges = .both
        let both = try load("sample-baa.docx", options: options)
        XCTAssertTrue(both.text.contains("thirty (30)") && both.text.contains("ten (10)"))
        XCTAssertTrue(both.warnings.contains(where: { $0.hasPrefix("document has unresolved tracked changes") }))
    }

    func testFootnotesKeptApartHeadersAndFootersDropped() throws {
        let doc = try load("sample-baa.docx")
        let parts = doc.text.components(separatedBy: "\nFOOTNOTES\n")
        XCTAssertEqual(parts.count, 2, doc.text)
        let body = parts[0], notes = parts[1]
        XCTAssertTrue(body.contains("available to the Secretary[1] of Health and Human Services"))
        XCTAssertFalse(body.contains("compliance review"))
        XCTAssertTrue(notes.hasPrefix("[1] The Secretary may also ask for these records during a compliance review."))
        XCTAssertFalse(doc.text.contains("Business Associate Agreement - sample-baa"), "header text leaked")
        XCTAssertFalse(doc.text.contains("Confidential - Page"), "footer text leaked")
    }

    func testDoctypeInAnyPartIsRejected() throws {
        let data = TestZip.docx(body: para("Hello"), prolog: #"<!DOCTYPE lolz [<!ENTITY lol "lol">]>"#)
        let error = try XCTUnwrap(loadError(data, named: "evil.docx"))
        XCTAssertTrue(error.message.contains("<!DOCTYPE"), error.message)
        XCTAssertTrue(error.description.contains("evil.docx"))
        // Lower-case and inside numbering.xml too.
        let data2 = TestZip.docx(body: para("Hello"), numbering: "<!doctype x>")
        XCTAssertNotNil(loadError(data2, named: "evil2.docx"))
    }

    func testNumberingFormatsLevelsRestartsAndOverrides() throws {
        let numbering = """
        <w:abstractNum w:abstractNumId="7">
          <w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="upperRoman"/><w:lvlText w:val="ARTICLE %1"/></w:lvl>
          <w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:isLgl/><w:lvlText w:val="Section %1.%2"/></w:lvl>
          <w:lvl w:ilvl="2"><w:start w:val="1"/><w:numFmt w:val="lowerLetter"/><w:lvlText w:val="(%3)"/></w:lvl>
          <w:lvl w:ilvl="3"><w:start w:val="1"/><w:numFmt w:val="lowerRoman"/><w:lvlText w:val="(%4)"/></w:lvl>
        </w:abstractNum>
        <w:abstractNum w:abstractNumId="8"><w:lvl w:ilvl="0"><w:numFmt w:val="bullet"/><w:lvlText w:val="\u{F0B7}"/></w:lvl></w:abstractNum>
        <w:num w:numId="3"><w:abstractNumId w:val="7"/></w:num>
        <w:num w:numId="4"><w:abstractNumId w:val="8"/></w:num>
        <w:num w:numId="5"><w:abstractNumId w:val="7"/><w:lvlOverride w:ilvl="2"><w:startOverride w:val="4"/></w:lvlOverride></w:num>
        """
        let body = [
            para("Definitions", numId: 3, ilvl: 0), para("Terms.", numId: 3, ilvl: 1),
            para("first", numId: 3, ilvl: 2), para("second", numId: 3, ilvl: 2),
            para("sub one", numId: 3, ilvl: 3), para("sub two", numId: 3, ilvl: 3),
            para("More terms.", numId: 3, ilvl: 1), para("restarted", numId: 3, ilvl: 2),
            para("Obligations", numId: 3, ilvl: 0), para("Duty.", numId: 3, ilvl: 1),
            para("a bullet", numId: 4), para("override", numId: 5, ilvl: 2), para("plain"),
        ].joined()
        let doc = try loadBytes(TestZip.docx(body: body, numbering: numbering), named: "numbers.docx")
        XCTAssertEqual(lines(doc), [
            "ARTICLE I Definitions", "Section 1.1 Terms.", "(a) first", "(b) second", "(i) sub one", "(ii) sub two",
            "Section 1.2 More terms.", "(a) restarted", "ARTICLE II Obligations", "Section 2.1 Duty.",
            "- a bullet", "(d) override", "plain",
        ])
        XCTAssertTrue(doc.warnings.isEmpty, "\(doc.warnings)")
    }

    func testTrackedChangeInsideParagraphMarkAndMoves() throws {
        let body = """
        <w:p><w:pPr><w:rPr><w:ins w:id="1" w:author="a"/></w:rPr></w:pPr><w:r><w:t>Kept paragraph.</w:t></w:r></w:p>
        <w:p><w:r><w:t xml:space="preserve">Notify within </w:t></w:r><w:moveFrom w:id="2" w:author="a"><w:r><w:t>sixty</w:t></w:r></w:moveFrom><w:moveTo w:id="3" w:author="a"><w:r><w:t>five</w:t></w:r></w:moveTo><w:r><w:t xml:space="preserve"> days.</w:t></w:r></w:p>
        """
        let doc = try loadBytes(TestZip.docx(body: body), named: "moves.docx")
        XCTAssertEqual(lines(doc), ["Kept paragraph.", "Notify within five days."])
        XCTAssertTrue(doc.warnings.contains(where: { $0.hasPrefix("document has unresolved tracked changes") }))
    }

    func testZipBombGuardsAndCorruptArchives() throws {
        var options = ExtractOptions()
        options.maxArchiveEntries = 2
        let data = TestZip.docx(body: para("Hello"), numbering: "", footnotes: "")
        let tooMany = try XCTUnwrap(loadError(data, named: "many.docx", options: options))
        XCTAssertTrue(tooMany.message.contains("zip bomb"), tooMany.message)

        options = ExtractOptions()
        options.maxUncompressedBytes = 100
        let big = TestZip.docx(body: String(repeating: para("Hello world"), count: 50))
        let tooBig = try XCTUnwrap(loadError(big, named: "big.docx", options: options))
        XCTAssertTrue(tooBig.message.contains("zip bomb"), tooBig.message)

        let notDocx = TestZip.archive([("hello.txt", "hi")])
        let e1 = try XCTUnwrap(loadError(notDocx, named: "plain.zip"))
        XCTAssertTrue(e1.message.contains("not a DOCX"), e1.message)

        var truncated = TestZip.docx(body: para("Hello"))
        truncated = truncated.prefix(truncated.count / 2)
        let e2 = try XCTUnwrap(loadError(truncated, named: "cut.docx"))
        XCTAssertTrue(e2.message.hasPrefix("corrupt DOCX"), e2.message)

        let badXML = TestZip.docx(body: "<w:p><w:r><w:t>unclosed")
        let e3 = try XCTUnwrap(loadError(badXML, named: "bad.docx"))
        XCTAssertTrue(e3.message.contains("not well-formed XML"), e3.message)
    }

    func testLargeDocumentXMLIsReadToTheEnd() throws {
        // XMLParser(data:) silently drops the tail past about 10 MB; the stream parser must not.
        let filler = String(repeating: para(String(repeating: "lorem ipsum dolor sit amet ", count: 40)), count: 12_000)
        let data = TestZip.docx(body: filler + para("The final clause survives."))
        var options = ExtractOptions()
        options.maxTextBytes = 32 << 20  // 13 MB of text: over the 8 MiB default
        let doc = try loadBytes(data, named: "large.docx", options: options)
        XCTAssertTrue(doc.text.hasSuffix("The final clause survives.\n"))
        // At the default limit it is one clear error, not a partial text.
        XCTAssertTrue(try XCTUnwrap(loadError(data, named: "large.docx")).message.contains("--max-text-size"))
    }
}
