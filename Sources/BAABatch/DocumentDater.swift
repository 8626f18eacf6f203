import Foundation
import PCRE2

/// Where a document sits in a vendor's history, read once when the document is reviewed (and cached
/// with its report, so a cached document needs no text).
///
/// - date: the first date written in the first 1,500 characters (the title block or preamble: "Effective
///   date: January 15, 2026", "dated March 3, 2024", "made as of 1 March 2025", "2025-03-01", "03/01/2025"),
///   else an ISO date in the file name (or a year and month: the first of the month), else none.
/// - amending: the title (first two non-empty lines) or the file name says Amendment or Amends, or says
///   Addendum without naming itself the BAA ("HIPAA Addendum" and "Business Associate Addendum" are the
///   agreement itself; "AI Data Use Addendum" supplements it).
public struct DocumentDating: Codable, Sendable, Equatable {
    /// yyyy-mm-dd.
    public var date: String?
    public var amending: Bool
    public init(date: String?, amending: Bool) { self.date = date; self.amending = amending }

    static let months = ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"]
    static let monthPattern = "(January|February|March|April|May|June|July|August|September|October|November|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)"
    // PCRE2, compiled once (caseless).
    static let dateRegex = try! Regex(
        "\\b\(monthPattern)\\.?\\s+(\\d{1,2})(?:st|nd|rd|th)?,?\\s+(\\d{4})\\b"
            + "|\\b(\\d{1,2})(?:st|nd|rd|th)?\\s+(?:day\\s+of\\s+)?\(monthPattern),?\\s+(\\d{4})\\b"
            + "|\\b(\\d{4})-(\\d{2})-(\\d{2})\\b"
            + "|\\b(\\d{1,2})/(\\d{1,2})/(\\d{4})\\b")
    static let amendRegex = try! Regex("\\bamendment\\b|\\bamends\\b|\\bamended\\s+and\\s+restated\\b")
    static let addendumRegex = try! Regex("\\baddend(um|a)\\b")
    /// "HIPAA Addendum", "Business Associate Addendum": the agreement itself, not a change to one.
    static let baaNameRegex = try! Regex("\\bhipaa\\b|\\bbusiness\\s+associate\\b|\\bbaa\\b")

    /// An amendment (or "amends"), or an addendum that is not itself named as the BAA.
    static func isAmending(_ s: String) -> Bool {
        if amendRegex.matches(s) { return true }
        return addendumRegex.matches(s) && !baaNameRegex.matches(s)
    }

    static func month(_ s: String) -> Int? {
        let l = s.lowercased()
        return months.firstIndex { $0.hasPrefix(l.prefix(3)) }.map { $0 + 1 }
    }

    static func iso(_ y: Int, _ m: Int, _ d: Int) -> String? {
        guard (1900...2200).contains(y), (1...12).contains(m), (1...31).contains(d) else { return nil }
        return String(format: "%04d-%02d-%02d", y, m, d)
    }

    /// The first date in `text`, as yyyy-mm-dd.
    public static func firstDate(in text: String) -> String? {
        var position = 0
        while let m = (try? dateRegex.firstMatch(in: text, from: position)) ?? nil {
            position = m.range.upperBound
            func g(_ i: Int) -> String? { m.text(i, in: text) }
            var result: String?
            if let mo = g(1), let d = g(2), let y = g(3) { result = month(mo).flatMap { iso(Int(y)!, $0, Int(d)!) } }
            else if let d = g(4), let mo = g(5), let y = g(6) { result = month(mo).flatMap { iso(Int(y)!, $0, Int(d)!) } }
            else if let y = g(7), let mo = g(8), let d = g(9) { result = iso(Int(y)!, Int(mo)!, Int(d)!) }
            else if let mo = g(10), let d = g(11), let y = g(12) { result = iso(Int(y)!, Int(mo)!, Int(d)!) }
            if let result { return result }
        }
        return nil
    }

    static let yearMonthRegex = try! Regex("(?<![0-9])(\\d{4})-(\\d{2})(?![0-9])", caseless: false)

    /// "2025-01-hipaa-addendum.md": the first of that month.
    static func yearMonth(in name: String) -> String? {
        guard let m = (try? yearMonthRegex.firstMatch(in: name)) ?? nil else { return nil }
        return iso(Int(m.text(1, in: name)!)!, Int(m.text(2, in: name)!)!, 1)
    }

    /// Dates a document from its normalized text and file name.
    public static func of(text: String, path: String) -> DocumentDating {
        let head = String(text.prefix(1500))
        let name = (path as NSString).lastPathComponent
        let dashed = name.replacingOccurrences(of: "_", with: "-")
        let date = firstDate(in: head) ?? firstDate(in: dashed) ?? yearMonth(in: dashed)
        let title = text.split(separator: "\n").lazy.filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }.prefix(2).joined(separator: " ")
        let spacedName = name.replacingOccurrences(of: "-", with: " ").replacingOccurrences(of: "_", with: " ")
        let amending = isAmending(title) || isAmending(spacedName) || spacedName.lowercased().contains("amend")
        return DocumentDating(date: date, amending: amending)
    }
}
