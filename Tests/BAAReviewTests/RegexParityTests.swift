import Foundation
import BAAUtil
import PCRE2
import XCTest
@testable import BAAExtract
@testable import BAAReview

/// The normalizer's line tests and the scorer's patterns moved from Foundation's ICU regexes to PCRE2 (one engine,
/// compiled once). Here both engines run each pattern over every line of the team's agreements (and of the real corpus
/// where it is present, read in place) and must find the same matches at the same places. ICU is used here only, as the
/// reference: the product has none (OneRegexEngineTests).
final class RegexParityTests: XCTestCase {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Every line of every text file in the folders, raw and normalized, plus the hard edges of the line tests.
    static func lines() throws -> [String] {
        var out: [String] = [
            "", "(a) text", "(iv) text", "(10) days", "(a)text", "1. Definitions", "1) x", "1.1 Scope", "4.2.1. Terms", "164 CFR", "1.1.\"Breach\"",
            "1.1.Breach", "12.3", "1.", "A.", "IV.", "(iv)", "Section 4.2", "SECTION IV the", "ARTICLE II", "Exhibit A", "page #", "page # of #",
            "- # -", "[#]", "# / #", "164.524(a)(1), and", "164.524 and", "1.2 business associate", "1.2 (a) x", "1.2\tx", "§ 4.2 \u{201C}x\u{201D}",
            "line one\n1. line two", "1.\n", "x\n(a) y", "Article 1\u{00A0}x", "１. full width", "1.١ x", "Ⅳ. roman", "Section ½",
        ]
        let fm = FileManager.default
        for folder in ["Corpus/agreements", "../shared/corpus-real/docs"] {
            let dir = root.appendingPathComponent(folder)
            guard let names = try? fm.contentsOfDirectory(atPath: dir.path) else { continue }
            for name in names.sorted() where ["md", "txt", "html"].contains((name as NSString).pathExtension) {
                guard let text = try? String(contentsOf: dir.appendingPathComponent(name), encoding: .utf8) else { continue }
                for line in text.split(separator: "\n") {
                    let raw = String(line)
                    out.append(raw)
                    let normal = Normalizer.normalizeCharacters(raw).trimmingWhitespace()
                    if normal != raw { out.append(normal) }
                    out.append(Normalizer.runningKey(raw))
                }
            }
        }
        return out
    }

    /// All matches as UTF-8 byte ranges (groups included), ICU's way.
    static func icuMatches(_ regex: NSRegularExpression, in text: String) -> [[Range<Int>?]] {
        let utf8 = text.utf8
        func bytes(_ r: NSRange) -> Range<Int>? {
            guard r.location != NSNotFound, let range = Range(r, in: text) else { return nil }
            return utf8.distance(from: utf8.startIndex, to: range.lowerBound)..<utf8.distance(from: utf8.startIndex, to: range.upperBound)
        }
        return regex.matches(in: text, range: NSRange(text.startIndex..., in: text)).map { m in
            (0..<m.numberOfRanges).map { bytes(m.range(at: $0)) }
        }
    }

    static func pcreMatches(_ regex: Regex, in text: String, _ matcher: Matcher) throws -> [[Range<Int>?]] {
        try matcher.allMatches(regex, in: Subject(text)).map { m in (0...regex.captureCount).map { m.group($0) } }
    }

    func testPCRE2FindsWhatICUFound() throws {
        let patterns: [(String, Regex, Bool)] = [
            ("parenLabel", Normalizer.parenLabel, false), ("wordLabel", Normalizer.wordLabel, false),
            ("numberedMarker", Normalizer.numberedMarker, false), ("numberedTight", Normalizer.numberedTight, false),
            ("tightMarker", Normalizer.tightMarker, false), ("bareMarker", Normalizer.bareMarker, false),
            ("parenNumber", Normalizer.parenNumber, false), ("regulationNumber", Normalizer.regulationNumber, false),
            ("headingLabel", Normalizer.headingLabel, false), ("pageNumberKey", Normalizer.pageNumberKey, false),
            ("pageKey", Normalizer.pageKey, false), ("wrappedCitation", Normalizer.wrappedCitation, false),
            ("sectionWord", Scorer.sectionWord, true), ("overrideRegex", Scorer.overrideRegex, true), ("periodRegex", Scorer.periodRegex, true),
            ("parenthesizedDigits", DeadlineParser.parenthesizedDigits, false), ("digits", DeadlineParser.digits, false),
            ("expectedDeadline", LabelledDocument.periodPattern, false),
        ]
        let lines = try Self.lines()
        XCTAssertGreaterThan(lines.count, 1000, "the team's agreements were not found")
        var compared = 0
        for (name, regex, caseless) in patterns {
            // Both engines read (?-m) the same way; without it ICU's ^ and $ are the text's ends, as the old calls had them.
            let reference = try NSRegularExpression(pattern: regex.pattern, options: caseless ? [.caseInsensitive] : [])
            let matcher = Matcher()
            var differences: [String] = []
            for line in lines {
                let icu = Self.icuMatches(reference, in: line)
                let pcre = try Self.pcreMatches(regex, in: line, matcher)
                compared += 1
                if icu != pcre && differences.count < 5 { differences.append("\(line.debugDescription): ICU \(icu) PCRE2 \(pcre)") }
            }
            XCTAssertTrue(differences.isEmpty, "\(name): " + differences.joined(separator: "\n"))
        }
        XCTAssertGreaterThan(compared, 10_000)
    }
}
