import BAAUtil
import XCTest

/// Trimming by scalars, for String and Substring: Unicode white space (non-breaking spaces too) or a given set, at
/// both ends only; a combining mark next to trimmed white space stays.
final class TrimTests: XCTestCase {
    func testWhitespaceIsTrimmedByScalarAtBothEnds() {
        XCTAssertEqual("  \u{00A0}\tSection 4.2 \n".trimmingWhitespace(), "Section 4.2")
        XCTAssertEqual("Section".trimmingWhitespace(), "Section", "nothing to trim")
        XCTAssertEqual(" \t\n".trimmingWhitespace(), "")
        XCTAssertEqual("".trimmingWhitespace(), "")
        XCTAssertEqual(" \u{0301}é ".trimmingWhitespace(), "\u{0301}é", "a combining mark after a trimmed space is kept, alone")
        XCTAssertEqual("wörld\u{0301}  ".trimmingWhitespace(), "wörld\u{0301}")
    }

    func testSubstringsAndCharacterSets() {
        let line = "## 4. Breach Notification: ##"
        let sub = line.dropFirst(2)
        XCTAssertEqual(sub.trimmingWhitespace(), "4. Breach Notification: ##")
        XCTAssertEqual(sub.trimming(charactersIn: "#: "), "4. Breach Notification")
        XCTAssertEqual(line.trimming(charactersIn: "# "), "4. Breach Notification:")
        XCTAssertEqual("\"(a)\"".trimming(charactersIn: "\"'()[],"), "a")
        XCTAssertEqual("....".trimming(where: { $0 == "." }), "")
    }
}
