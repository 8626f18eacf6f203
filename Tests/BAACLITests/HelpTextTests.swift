import Foundation
import XCTest

/// Help text is part of the interface: asserted whole (regenerate with BAA_UPDATE_GOLDEN=1 after an intended change).
final class HelpTextTests: XCTestCase {
    func testReviewHelpIsAssertedWhole() throws {
        let golden = CLI.fixtures.appendingPathComponent("golden/review-help.txt")
        let r = try CLI.run(["review", "--help"])
        XCTAssertEqual(r.status, 0)
        if ProcessInfo.processInfo.environment["BAA_UPDATE_GOLDEN"] == "1" { try r.stdout.write(to: golden, atomically: true, encoding: .utf8) }
        XCTAssertEqual(r.stdout, try String(contentsOf: golden, encoding: .utf8))
    }

    func testTopLevelHelpListsEveryCommand() throws {
        let r = try CLI.run(["--help"])
        XCTAssertEqual(r.status, 0)
        for command in ["review", "diff", "batch", "merge", "explain", "rules", "eval", "extract"] {
            XCTAssertTrue(r.stdout.contains("  \(command) "), "\(command) missing from:\n\(r.stdout)")
        }
    }
}
