import Foundation
import XCTest
@testable import BAAExtract

/// The time budget and the watchdog, in process.
final class WatchdogTests: XCTestCase {
    func testWatchdogDoesNotWaitForWorkPastItsBudget() {
        let budget = TimeBudget(seconds: 0.2)
        budget.note("extracting 812 of 1,000 pages")
        let start = Date()
        let outcome = Watchdog.run(budget: budget, grace: 0.3) { () -> Int in
            Thread.sleep(forTimeInterval: 5)  // stands for one pathological page inside poppler
            return 1
        }
        let waited = Date().timeIntervalSince(start)
        guard case .abandoned(let over) = outcome else { return XCTFail("expected the work to be abandoned") }
        XCTAssertEqual(over.description, "over the 0.2 s budget after extracting 812 of 1,000 pages (--time-budget)")
        XCTAssertLessThan(waited, 2)
        XCTAssertGreaterThanOrEqual(waited, 0.45)
    }

    func testWatchdogReturnsWorkThatFinishes() {
        guard case .finished(let v) = Watchdog.run(budget: TimeBudget(seconds: 5), { 42 }) else { return XCTFail() }
        XCTAssertEqual(v, 42)
        guard case .finished(let w) = Watchdog.run(budget: nil, { "no budget" }) else { return XCTFail() }
        XCTAssertEqual(w, "no budget")
    }

    func testBudgetMessagesAndCounts() {
        XCTAssertEqual(TimeBudget.count(1000), "1,000")
        XCTAssertEqual(TimeBudget.count(209_715_200), "209,715,200")
        XCTAssertEqual(TimeBudget.count(999), "999")
        XCTAssertEqual(OverBudget(seconds: 30, done: "extracting 812 of 1,000 pages").description,
                       "over the 30 s budget after extracting 812 of 1,000 pages (--time-budget)")
    }

    /// The cooperative check: an expired budget stops the PDF extractor between pages with its progress.
    func testExpiredBudgetStopsExtractionBetweenPages() throws {
        let pdf = try Data(contentsOf: URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Corpus/formats/sample-baa.pdf"))
        var options = ExtractOptions()
        options.budget = TimeBudget(seconds: 0)
        do {
            _ = try DocumentLoader(options: options).load(data: pdf, path: "sample-baa.pdf")
            XCTFail("expected an error")
        } catch {
            XCTAssertEqual(error.description, "sample-baa.pdf: over the 0 s budget after extracting 1 of 3 pages (--time-budget)")
        }
    }

    func testPathsWithControlCharactersStayOnOneLine() {
        let e = ExtractError(path: "/tmp/a \"b\"\nc\td\u{1B}.pdf", message: "empty file (0 bytes)")
        XCTAssertEqual(e.description, "/tmp/a \"b\"\\nc\\td\\u{1b}.pdf: empty file (0 bytes)")
    }

    func testXMLPartsThatCouldHideADoctypeAreRefused() {
        func refused(_ bytes: [UInt8]) -> String? { OOXMLPackage.unsafeXML(Data(bytes)) }
        let doctype = Array("<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY a \"b\">]><x/>".utf8)
        XCTAssertNotNil(refused(doctype))
        XCTAssertNotNil(refused([0xFF, 0xFE] + Array("<!doctype x><x/>".utf16).flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }))
        XCTAssertNotNil(refused(Array("<!doctype x><x/>".utf16).flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }))
        XCTAssertNotNil(refused([0, 0, 0, 0x3C, 0, 0, 0, 0x3F]), "UCS-4")
        XCTAssertNotNil(refused([0x4C, 0x6F, 0xA7, 0x94]), "EBCDIC")
        XCTAssertNotNil(refused(Array("<?xml version=\"1.0\" encoding=\"UTF-7\"?><x/>".utf8)))
        XCTAssertNil(refused(Array("\u{FEFF}<?xml version=\"1.0\" encoding=\"utf-8\"?><w:document/>".utf8)))
        XCTAssertNil(refused([0xFF, 0xFE] + Array("<?xml version=\"1.0\" encoding=\"UTF-16\"?><x/>".utf16).flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }))
    }

    func testFirstInvalidUTF8Offsets() {
        XCTAssertNil(TextExtractor.firstInvalidUTF8(Array("héllo €".utf8), from: 0))
        XCTAssertEqual(TextExtractor.firstInvalidUTF8([0x61, 0xC0, 0xAF], from: 0), 1)  // overlong
        XCTAssertEqual(TextExtractor.firstInvalidUTF8([0x61, 0x62, 0xED, 0xA0, 0x80], from: 0), 2)  // surrogate
        XCTAssertEqual(TextExtractor.firstInvalidUTF8([0x61, 0xE2, 0x82], from: 0), 1)  // cut short
        XCTAssertEqual(TextExtractor.firstInvalidUTF8([0x80], from: 0), 0)
    }
}
