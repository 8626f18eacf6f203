import Foundation
import XCTest
@testable import BAAExtract

final class HTMLExtractorTests: XCTestCase {
    func testNavigationAroundTheAgreementIsDropped() throws {
        let facts = try RenderFacts.load()
        let doc = try load("sample-baa.html")
        XCTAssertEqual(doc.format, .html)
        for nav in facts.html.navText { XCTAssertFalse(doc.text.contains(nav), "navigation text leaked: \(nav)") }
        XCTAssertFalse(doc.text.contains("Pricing"))
        let ls = lines(doc)
        XCTAssertEqual(ls.first, "BUSINESS ASSOCIATE AGREEMENT")
        XCTAssertTrue(ls.contains("4. Reporting and Breach Notification"))
        XCTAssertTrue(ls.contains(where: { $0.hasPrefix("4.2 Business Associate shall notify Covered Entity of any Breach") }))
        XCTAssertTrue(ls.contains(where: { $0.hasPrefix("(a) to perform the records hosting") }), "ol type=a numbered")
        XCTAssertTrue(ls.contains(where: { $0.hasPrefix("(ii) a description of what happened") }), "ol type=i numbered")
        XCTAssertTrue(ls.contains("Northwind Family Clinic, P.C. | Bluebird Records Cloud, Inc."))
        XCTAssertTrue(doc.text.contains("within ten (10) business days after discovery"))
    }

    func testListsHiddenElementsEntitiesAndSourceLines() throws {
        let html = """
        <html><body>
        <div class="menu" role="navigation">Skip to content</div>
        <h2>Obligations</h2>
        <ol start="3"><li>First &ldquo;duty&rdquo;.</li>
        <li>Second duty<ol type="A"><li>nested one</li></ol></li></ol>
        <p hidden>secret</p><span aria-hidden="true">icon</span><p style="display: none">gone</p>
        <p>Line one<br>line two</p>
        <pre>keep
          this</pre>
        </body></html>
        """
        let doc = try loadBytes(Data(html.utf8), named: "page.txt")  // wrong extension on purpose
        XCTAssertEqual(doc.format, .html)
        XCTAssertEqual(lines(doc), ["Obligations", "3. First \"duty\".", "4. Second duty", "(A) nested one",
                                    "Line one", "line two", "keep", "this"])
        let r = try XCTUnwrap(doc.text.range(of: "4. Second duty"))
        XCTAssertEqual(doc.sourceMap.location(at: doc.text.utf8.distance(from: doc.text.startIndex, to: r.lowerBound)).line, 5)
    }

    func testNonUTF8HTMLUsesItsDeclaredCharset() throws {
        var bytes = Array(#"<html><head><meta charset="windows-1252"></head><body><p>"#.utf8)
        bytes += [0x93] + Array("Covered Entity".utf8) + [0x94]
        bytes += Array("</p></body></html>".utf8)
        let doc = try loadBytes(Data(bytes), named: "legacy.htm")
        XCTAssertEqual(lines(doc), ["\"Covered Entity\""])
    }
}

final class TextAndDetectionTests: XCTestCase {
    func testFormatIsDetectedByContentDespiteWrongExtension() throws {
        let pdf = try Data(contentsOf: formatsDir.appendingPathComponent("sample-baa.pdf"))
        let docx = try Data(contentsOf: formatsDir.appendingPathComponent("sample-baa.docx"))
        let html = try Data(contentsOf: formatsDir.appendingPathComponent("sample-baa.html"))
        XCTAssertEqual(try loadBytes(pdf, named: "agreement.docx").format, .pdf)
        XCTAssertEqual(try loadBytes(pdf, named: "no-extension").format, .pdf)
        XCTAssertEqual(try loadBytes(docx, named: "agreement.pdf").format, .docx)
        XCTAssertEqual(try loadBytes(html, named: "agreement.txt").format, .html)
        XCTAssertTrue(try loadBytes(docx, named: "agreement.bin").text.contains("within ten (10) business days"))

        let binary = Data([0x7F, 0x45, 0x4C, 0x46, 0x02, 0x01, 0x01, 0x00, 0x00, 0x00, 0x00])
        let error = try XCTUnwrap(loadError(binary, named: "program.pdf"))
        XCTAssertTrue(error.message.hasPrefix("unknown format"), error.message)
        XCTAssertTrue(error.description.hasPrefix("/") && error.description.contains("program.pdf: "))
        XCTAssertFalse(error.description.contains("\n"))

        let ole = Data([0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0, 0, 0, 0])
        XCTAssertTrue(try XCTUnwrap(loadError(ole, named: "old.doc")).message.contains("legacy Word .doc"))
    }

    func testUTF16TextFileWithBOM() throws {
        let text = "Business Associate shall notify Covered Entity \u{201C}promptly\u{201D}.\r\nSection 2. Term\r\n"
        var le = Data([0xFF, 0xFE])
        for unit in text.utf16 { le.append(UInt8(unit & 0xFF)); le.append(UInt8(unit >> 8)) }
        let doc = try loadBytes(le, named: "utf16.txt")
        XCTAssertEqual(lines(doc), ["Business Associate shall notify Covered Entity \"promptly\".", "Section 2. Term"])
        var be = Data([0xFE, 0xFF])
        for unit in text.utf16 { be.append(UInt8(unit >> 8)); be.append(UInt8(unit & 0xFF)) }
        XCTAssertEqual(try loadBytes(be, named: "utf16be").text, doc.text)
    }

    func testWindows1252TextIsDecodedWithAWarning() throws {
        let bytes: [UInt8] = Array("The ".utf8) + [0x93] + Array("Business Associate".utf8) + [0x94] + Array(" shall ".utf8)
            + [0x96] + Array(" within 10 days.".utf8)
        let doc = try loadBytes(Data(bytes), named: "cp1252.txt")
        XCTAssertEqual(doc.text, "The \"Business Associate\" shall - within 10 days.\n")
        XCTAssertTrue(doc.warnings.contains(where: { $0.contains("Windows-1252") }), "\(doc.warnings)")
    }
}
