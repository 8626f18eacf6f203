import Foundation
import PCRE2
import XCTest
@testable import BAABatch

/// The dater's patterns moved from NSRegularExpression to PCRE2: on the head of every agreement of the team's corpus
/// and of the real one (read in place, where present), on their file names and on hard cases, both engines find the
/// same matches. ICU runs here only, as the reference.
final class DocumentDaterParityTests: XCTestCase {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func texts() -> [String] {
        var out = ["Effective date of this amendment: January 15, 2026", "made this 3rd day of March, 2024 between", "Effective: 2025-09-01",
                   "dated 03/01/2025", "Sept. 9, 2025", "within thirty (30) days of March", "13/45/2025, then June 2, 2024",
                   "2025-01-hipaa-addendum.md", "AI Data Use Addendum", "HIPAA Business Associate Addendum", "Amended and Restated BAA",
                   "FIRST AMENDMENT", "addenda", "12025-01-x", "2025-013", "Ｊａｎｕａｒｙ 5, 2025", "ǅanuary 5, 2025", "MARCH 1ST, 2024"]
        let fm = FileManager.default
        for folder in ["Corpus/agreements", "Corpus/vendors", "../shared/corpus-real/docs"] {
            let dir = root.appendingPathComponent(folder)
            guard let walk = fm.enumerator(atPath: dir.path) else { continue }
            for case let name as String in walk {
                out.append((name as NSString).lastPathComponent)
                out.append((name as NSString).lastPathComponent.replacingOccurrences(of: "-", with: " ").replacingOccurrences(of: "_", with: " "))
                guard ["md", "txt"].contains((name as NSString).pathExtension),
                      let text = try? String(contentsOf: dir.appendingPathComponent(name), encoding: .utf8) else { continue }
                out.append(String(text.prefix(1500)))
                out += text.split(separator: "\n").prefix(40).map(String.init)
            }
        }
        return out
    }

    func testPCRE2FindsWhatICUFound() throws {
        let patterns: [(String, Regex, Bool)] = [
            ("date", DocumentDating.dateRegex, true), ("amend", DocumentDating.amendRegex, true),
            ("addendum", DocumentDating.addendumRegex, true), ("baaName", DocumentDating.baaNameRegex, true),
            ("yearMonth", DocumentDating.yearMonthRegex, false),
        ]
        let texts = Self.texts()
        XCTAssertGreaterThan(texts.count, 200, "the team's agreements were not found")
        for (name, regex, caseless) in patterns {
            let icu = try NSRegularExpression(pattern: regex.pattern, options: caseless ? [.caseInsensitive] : [])
            var differences: [String] = []
            for text in texts {
                let utf8 = text.utf8
                func bytes(_ r: NSRange) -> Range<Int>? {
                    guard r.location != NSNotFound, let range = Range(r, in: text) else { return nil }
                    return utf8.distance(from: utf8.startIndex, to: range.lowerBound)..<utf8.distance(from: utf8.startIndex, to: range.upperBound)
                }
                let expected = icu.matches(in: text, range: NSRange(text.startIndex..., in: text)).map { m in (0..<m.numberOfRanges).map { bytes(m.range(at: $0)) } }
                let actual = try Matcher().allMatches(regex, in: Subject(text)).map { m in (0...regex.captureCount).map { m.group($0) } }
                if expected != actual && differences.count < 5 { differences.append("\(text.prefix(200).debugDescription): ICU \(expected) PCRE2 \(actual)") }
            }
            XCTAssertTrue(differences.isEmpty, "\(name): " + differences.joined(separator: "\n"))
        }
        // And the dater's answers on the hard cases.
        XCTAssertEqual(DocumentDating.firstDate(in: "MARCH 1ST, 2024"), "2024-03-01")
        XCTAssertEqual(DocumentDating.yearMonth(in: "2025-01-hipaa-addendum.md"), "2025-01-01")
        XCTAssertNil(DocumentDating.yearMonth(in: "12025-013"))
        XCTAssertTrue(DocumentDating.isAmending("AI Data Use Addendum"))
        XCTAssertFalse(DocumentDating.isAmending("HIPAA Business Associate Addendum"))
        XCTAssertTrue(DocumentDating.isAmending("Amended and Restated BAA"))
    }
}
