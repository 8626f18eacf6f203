import Foundation
import PCRE2
import XCTest

/// One-off matches without a Matcher (Regex.firstMatch(in:), matches, replacingMatches, Match.text).
final class OneShotTests: XCTestCase {
    func testFirstMatchInAStringGivesUTF8OffsetsAndGroupTexts() throws {
        let regex = try Regex(#"within\s+(\w+)\s+\((\d+)\)\s+(days|hours)"#)
        let text = "§ “Breach” 📝 notice WITHIN ten (10) Days"
        let m = try XCTUnwrap(try regex.firstMatch(in: text))
        XCTAssertEqual(m.range.lowerBound, text.utf8.count - "WITHIN ten (10) Days".utf8.count)
        XCTAssertEqual(m.text(in: text), "WITHIN ten (10) Days")
        XCTAssertEqual(m.text(1, in: text), "ten")
        XCTAssertEqual(m.text(2, in: text), "10")
        XCTAssertNil(m.text(4, in: text))
        XCTAssertNil(try regex.firstMatch(in: text, from: m.range.lowerBound + 1))
        XCTAssertNil(try regex.firstMatch(in: text, to: m.range.upperBound - 1), "the end is a hard boundary")
        // The same search on a Subject.
        XCTAssertEqual(try regex.firstMatch(in: Subject(text))?.range, m.range)
    }

    func testMatchesAndEmptyText() throws {
        let anchored = try Regex(#"(?-m)^\d+\.$"#, caseless: false)
        XCTAssertTrue(anchored.matches("12."))
        XCTAssertFalse(anchored.matches("x\n12."), "(?-m): ^ is the start of the text only")
        XCTAssertFalse(anchored.matches(""))
        XCTAssertTrue(try Regex("^$").matches(""))
        XCTAssertFalse(try Regex("a", caseless: false).matches("A"))
        XCTAssertTrue(try Regex("a").matches("A"))
    }

    func testReplacingMatchesIsLiteralAndGlobal() throws {
        let named = try Regex(#"\(\?P?<([A-Za-z_]\w*)>"#, caseless: false)
        XCTAssertEqual(named.replacingMatches(in: "(?<a>x)|(?P<b>y)|(?<=z)", with: "(?:"), "(?:x)|(?:y)|(?<=z)")
        XCTAssertEqual(try Regex("x").replacingMatches(in: "none", with: "$1"), "none")
        XCTAssertEqual(try Regex("o").replacingMatches(in: "föo bo", with: "$1"), "fö$1 b$1", "the replacement is literal")
        XCTAssertEqual(try Regex(#"(?-m)^(?:section|§)\s*"#).replacingMatches(in: "SECTION 4.2", with: ""), "4.2")
        XCTAssertEqual(try Regex("").replacingMatches(in: "ab", with: "-"), "-a-b-", "empty matches step over whole characters")
        XCTAssertEqual(try Regex("").replacingMatches(in: "é", with: "-"), "-é-")
    }

    func testAResourceLimitIsNoMatchForMatchesButThrowsForFirstMatch() throws {
        let regex = try Regex("(a+)+$", jit: false)
        let text = String(repeating: "a", count: 40) + "!"
        XCTAssertThrowsError(try regex.firstMatch(in: text)) { XCTAssertTrue(($0 as! PCRE2Error).isResourceLimit, "\($0)") }
        XCTAssertFalse(regex.matches(text))
    }

    func testSharedAcrossThreads() throws {
        let regex = try Regex(#"\b(\d{1,4})\s+days\b"#)
        DispatchQueue.concurrentPerform(iterations: 8) { i in
            for n in 0..<200 {
                let text = "within \(n + i) days"
                XCTAssertEqual(((try? regex.firstMatch(in: text)) ?? nil)?.text(1, in: text), "\(n + i)")
            }
        }
    }
}
