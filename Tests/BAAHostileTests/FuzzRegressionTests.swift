import Foundation
import XCTest
@testable import BAAExtract

/// Inputs tools/fuzz.sh found (Tests/BAAHostileTests/Fixtures/fuzz/<target>-<kind>-<sha1 prefix>), each a
/// test named after the input, in process (the fuzzers run these same code paths under ASan).
final class FuzzRegressionTests: XCTestCase {
    static let dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/fuzz")

    func load(_ name: String) throws -> Result<Document, ExtractError> {
        let data = try Data(contentsOf: FuzzRegressionTests.dir.appendingPathComponent(name))
        do { return .success(try DocumentLoader().load(data: data, path: name)) } catch { return .failure(error) }
    }

    /// A DOCX with a DOCTYPE in document.xml and a malformed _rels/.rels: FoundationXML leaks a CFError per
    /// libxml2 error (suppressed in Fuzz/lsan.supp); the DOCTYPE is refused before document.xml is parsed.
    func testDocxLeak7eea86b7() throws {
        guard case .failure(let e) = try load("docx-leak-7eea86b7.docx") else { return XCTFail("expected an error") }
        XCTAssertTrue(e.message.contains("<!DOCTYPE"), e.message)
    }

    /// A ZIP whose end-of-central-directory comment runs past the end: ZIPFoundation's Archive(data:) threw
    /// and leaked its in-memory file; now refused before ZIPFoundation is asked.
    func testDocxLeak895b7fd6() throws {
        guard case .failure(let e) = try load("docx-leak-895b7fd6.docx") else { return XCTFail("expected an error") }
        XCTAssertTrue(e.message.hasPrefix("corrupt DOCX: not a readable ZIP archive"), e.message)
    }

    /// A central directory offset past the end of the file: ZIPFoundation's in-memory reader trapped
    /// ("Range requires lowerBound <= upperBound" in Archive.MemoryFile.readData). ZIPStructure now refuses it.
    func testDocxCrash38dfadca() throws {
        guard case .failure(let e) = try load("docx-crash-38dfadca.docx") else { return XCTFail("expected an error") }
        XCTAssertTrue(e.message.hasPrefix("corrupt DOCX: the ZIP central directory runs past"), e.message)
    }

    /// Every fuzz fixture ends as a document or one error line, never a crash.
    func testEveryFuzzFixtureEndsCleanly() throws {
        for name in try FileManager.default.contentsOfDirectory(atPath: FuzzRegressionTests.dir.path).sorted() {
            switch try load(name) {
            case .success(let doc): XCTAssertFalse(doc.text.isEmpty && doc.warnings.isEmpty, name)
            case .failure(let e): XCTAssertFalse(e.description.contains("\n"), name)
            }
        }
    }

    /// Found reading the code while fuzzing: a list numbering start near Int.max overflowed the counter,
    /// and a huge start built a letter label millions of characters long.
    func testHostileNumberingStartsDoNotTrapOrBalloon() {
        XCTAssertEqual(DOCXNumbering.letters(27), "AA")
        XCTAssertEqual(DOCXNumbering.letters(1_000_000_000), "1000000000")
        var numbering = DOCXNumbering()
        numbering.abstracts["1"] = [0: DOCXNumbering.Level(start: Int.max, format: "lowerLetter", text: "(%1)", legal: false)]
        numbering.nums["1"] = ("1", [:])
        XCTAssertEqual(numbering.nextLabel(numId: "1", ilvl: 0), "(\(Int.max))")
        XCTAssertNotNil(numbering.nextLabel(numId: "1", ilvl: 0))  // Int.max + 1 wraps instead of trapping
    }
}
