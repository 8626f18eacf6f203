import Foundation
import XCTest

/// The project's rule: one regex engine, PCRE2 (Sources/PCRE2), compiled once. Foundation's ICU regexes
/// (NSRegularExpression, or a String search or replace with the .regularExpression option) are not used in the product.
final class OneRegexEngineTests: XCTestCase {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Every line of Sources/ that names an ICU regex API, as "path:line: text".
    static func foreignRegexUses() throws -> [String] {
        let sources = root.appendingPathComponent("Sources")
        guard let walk = FileManager.default.enumerator(at: sources, includingPropertiesForKeys: nil) else { return [] }
        // Spelled in two halves so that this file, were it ever under Sources/, would not find itself.
        let needles = ["NSRegular" + "Expression", ".regular" + "Expression"]
        var found: [String] = []
        for case let url as URL in walk where url.pathExtension == "swift" {
            let text = try String(contentsOf: url, encoding: .utf8)
            for (i, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
            where needles.contains(where: { line.contains($0) }) {
                let path = url.path.replacingOccurrences(of: root.path + "/", with: "")
                found.append("\(path):\(i + 1): \(line.trimmingCharacters(in: .whitespaces))")
            }
        }
        return found.sorted()
    }

    func testSourcesUseNoICURegex() throws {
        let sources = Self.root.appendingPathComponent("Sources")
        XCTAssertTrue(FileManager.default.fileExists(atPath: sources.appendingPathComponent("PCRE2").path), "Sources/ not found at \(sources.path)")
        let found = try Self.foreignRegexUses()
        XCTAssertTrue(found.isEmpty, "ICU regex in the product (use PCRE2 through Sources/PCRE2, compiled once):\n" + found.joined(separator: "\n"))
    }
}
