@testable import BAABatch
import Foundation
import XCTest

/// BatchRenderer.indent works on bytes now (issue 17): the same bytes as the NSString replacement it replaced.
final class IndentTests: XCTestCase {
    func testByteIndentMatchesTheStringReplacement() {
        let cases = ["", "{}", "{\n  \"a\" : 1\n}", "\n", "\n\n", "[\n  \"é\\n✓\",\n  \"x\"\n]\n", "no break"]
        for c in cases {
            for prefix in ["", "  ", "    "] {
                let old = c.replacingOccurrences(of: "\n", with: "\n" + prefix)
                XCTAssertEqual(BatchRenderer.indent(Data(c.utf8), prefix), Data(old.utf8), "\(c.debugDescription) / \(prefix.count)")
            }
        }
    }
}
