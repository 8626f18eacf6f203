import Foundation
import XCTest
@testable import BAAExtract

final class PDFExtractorTests: XCTestCase {
    func testMultiPagePDFSourceMapPointsAtPageAndLine() throws {
        let facts = try RenderFacts.load()
        let doc = try load("sample-baa.pdf")
        XCTAssertEqual(doc.format, .pdf)
        XCTAssertEqual(doc.pageCount, facts.pdfPages)
        XCTAssertGreaterThanOrEqual(facts.phrases.count, 3)
        for p in facts.phrases {
            guard let range = doc.text.range(of: p.phrase) else { XCTFail("phrase missing: \(p.phrase)"); continue }
            let offset = doc.text.utf8.distance(from: doc.text.startIndex, to: range.lowerBound)
            // The phrase may start mid-line: the anchor is the line that holds its first byte.
            XCTAssertEqual(doc.sourceMap.location(at: offset), SourceLocation(page: p.page, line: p.line), p.phrase)
        }
    }

    func testHyphenatedKeyPhraseAcrossLineIsRejoined() throws {
        let facts = try RenderFacts.load()
        XCTAssertTrue(facts.hyphenated.before.hasSuffix("sub-"))
        let doc = try load("sample-baa.pdf")
        XCTAssertTrue(doc.text.contains("ensure that any subcontractors that create, receive, maintain or transmit PHI"), doc.text)
        XCTAssertFalse(doc.text.contains("sub- contractors"))
        XCTAssertFalse(doc.text.contains("sub-contractors"))
        // The rejoined word maps to the line after the break.
        let range = try XCTUnwrap(doc.text.range(of: "contractors that create"))
        let offset = doc.text.utf8.distance(from: doc.text.startIndex, to: range.lowerBound)
        XCTAssertEqual(doc.sourceMap.location(at: offset), SourceLocation(page: facts.hyphenated.page, line: facts.hyphenated.line + 1))
    }

    func testRunningFooterBetweenSentenceHalvesIsRemovedAndSentenceRejoined() throws {
        let facts = try RenderFacts.load()
        let doc = try load("sample-baa.pdf")
        let joined = facts.splitByPageBreak.endOfPage + " " + facts.splitByPageBreak.startOfNextPage
        XCTAssertTrue(doc.text.contains(joined), "sentence split by the page break not rejoined:\n\(doc.text)")
        XCTAssertFalse(doc.text.contains(facts.runningHeader))
        XCTAssertFalse(doc.text.contains("Confidential"))
        XCTAssertNil(doc.text.range(of: #"Page \d+ of \d+"#, options: .regularExpression))
        // Headings stay on their own lines.
        let ls = lines(doc)
        XCTAssertTrue(ls.contains("BUSINESS ASSOCIATE AGREEMENT"))
        XCTAssertTrue(ls.contains("5. Subcontractors"), ls.joined(separator: "\n"))
        XCTAssertTrue(ls.contains(where: { $0.hasPrefix("(ii) a description of what happened") }))
        XCTAssertTrue(ls.contains(where: { $0.hasPrefix("4.2 Business Associate shall notify") }))
    }

    func testTwoColumnPageReadsLeftColumnThenRight() throws {
        let facts = try RenderFacts.load()
        let doc = try load("sample-baa-2col.pdf")
        let text = doc.text
        let leftFirst = try XCTUnwrap(text.range(of: facts.twoColumn.leftFirst))
        let leftLast = try XCTUnwrap(text.range(of: facts.twoColumn.leftLast))
        let rightFirst = try XCTUnwrap(text.range(of: facts.twoColumn.rightFirst))
        let rightLast = try XCTUnwrap(text.range(of: facts.twoColumn.rightLast))
        XCTAssertLessThan(leftFirst.lowerBound, leftLast.lowerBound)
        XCTAssertLessThan(leftLast.lowerBound, rightFirst.lowerBound)
        XCTAssertLessThan(rightFirst.lowerBound, rightLast.lowerBound)
        // The sentence that runs from the foot of the left column to the top of the right one is whole.
        XCTAssertTrue(text.contains(facts.twoColumn.leftLast + " " + facts.twoColumn.rightFirst), text)
        XCTAssertFalse(text.contains("Page 1 of 1"))
    }

    func testScannedPageIsOCRdAndMarked() throws {
        let facts = try RenderFacts.load()
        let start = Date()
        let doc = try load("sample-baa-scanned.pdf")
        let seconds = Date().timeIntervalSince(start)
        print("OCR: \(facts.scannedPages) pages in \(String(format: "%.2f", seconds)) s (\(String(format: "%.2f", seconds / Double(facts.scannedPages))) s/page)")
        XCTAssertEqual(doc.ocrPages, Array(1...facts.scannedPages))
        XCTAssertTrue(doc.warnings.contains("page 1 was OCR'd: check its evidence by eye"), "\(doc.warnings)")
        let lower = doc.text.lowercased()
        XCTAssertTrue(lower.contains("business associate agreement"), doc.text)
        XCTAssertTrue(lower.contains("northwind family clinic"), doc.text)
        XCTAssertTrue(lower.contains("minimum necessary"), doc.text)
        // Running header and page footer are removed on OCR'd pages too.
        XCTAssertNil(doc.text.range(of: #"Page \d of \d"#, options: .regularExpression), doc.text)
    }

    func testScannedPageWithoutOCRWarnsThatTextIsMissing() throws {
        var options = ExtractOptions()
        options.ocr = false
        let doc = try load("sample-baa-scanned.pdf", options: options)
        XCTAssertEqual(doc.ocrPages, [])
        XCTAssertTrue(doc.warnings.contains(where: { $0.hasPrefix("page 1 has no text layer") }), "\(doc.warnings)")
        XCTAssertTrue(doc.warnings.contains("no text could be extracted"))
    }

    func testMaxPagesIsEnforced() throws {
        var options = ExtractOptions()
        options.maxPages = 2
        let data = try Data(contentsOf: formatsDir.appendingPathComponent("sample-baa.pdf"))
        let error = try XCTUnwrap(loadError(data, named: "long.pdf", options: options))
        XCTAssertTrue(error.message.contains("over the 2-page limit"), error.description)
        XCTAssertTrue(error.description.hasSuffix(error.message) && error.description.contains("long.pdf"))
    }

    func testCorruptAndTruncatedPDFsGiveOneLineErrors() throws {
        let garbage = Data("%PDF-1.7\nthis is not a PDF body at all\n".utf8)
        let error = try XCTUnwrap(loadError(garbage, named: "broken.pdf"))
        // No %%EOF at the end: reported as cut short before poppler is asked.
        XCTAssertTrue(error.message.hasPrefix("truncated PDF"), error.message)
        let damaged = try XCTUnwrap(loadError(garbage + Data("%%EOF\n".utf8), named: "broken.pdf"))
        XCTAssertTrue(damaged.message.hasPrefix("corrupt or truncated PDF"), damaged.message)
        XCTAssertFalse(error.description.contains("\n"))
        // A truncated real file: either a clear error or partial text; never a crash.
        let full = try Data(contentsOf: formatsDir.appendingPathComponent("sample-baa.pdf"))
        for cut in [40, full.count / 3, full.count - 30] {
            do { _ = try loadBytes(full.prefix(cut), named: "cut.pdf") } catch let e as ExtractError {
                XCTAssertTrue(e.description.contains("cut.pdf"))
            }
        }
    }

    func testEncryptedPDFAsksForPassword() throws {
        // An RC4 40-bit encrypted PDF needs a writer we do not ship; build one only when qpdf is present.
        let qpdf = ["/usr/bin/qpdf", "/usr/local/bin/qpdf"].first { FileManager.default.isExecutableFile(atPath: $0) }
        guard let qpdf else { throw XCTSkip("qpdf not installed: encrypted-PDF test skipped") }
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("locked.pdf")
        let p = Process()
        p.executableURL = URL(fileURLWithPath: qpdf)
        p.arguments = ["--encrypt", "user", "owner", "256", "--", formatsDir.appendingPathComponent("sample-baa.pdf").path, out.path]
        try p.run(); p.waitUntilExit()
        do { _ = try DocumentLoader().load(path: out.path); XCTFail("expected an error") } catch {
            XCTAssertEqual(error.message, "encrypted PDF (give --password)")
        }
        var options = ExtractOptions()
        options.password = "user"
        let doc = try DocumentLoader(options: options).load(path: out.path)
        XCTAssertTrue(doc.text.contains("within ten (10) business days after discovery"))
    }
}
