import Foundation
import PCRE2

/// Cleans extracted lines into review text, one paragraph per line, keeping a source map.
/// Characters: NFKC, curly quotes and dashes to ASCII, non-breaking and zero-width spaces.
/// Lines: running headers, footers and page numbers removed (before joining, so a footer between
/// two halves of a sentence does not split it), soft wraps joined, words hyphenated across a line
/// end re-joined. Headings and list items stay on their own lines. Every emitted line records a
/// source-map anchor, so each byte of the result maps to the page and line it came from.
public struct Normalizer: Sendable {
    public init() {}

    /// Normalizes one line's characters (no line structure changes).
    public static func normalizeCharacters(_ s: String) -> String {
        // Fast path: printable ASCII without tabs or double spaces is already normal.
        var plain = true
        var previousSpace = false
        for b in s.utf8 {
            if b < 0x20 || b >= 0x7F { plain = false; break }
            if b == 0x20 { if previousSpace { plain = false; break }; previousSpace = true } else { previousSpace = false }
        }
        if plain { return s }
        var out = String.UnicodeScalarView()
        let folded = s.precomposedStringWithCompatibilityMapping  // NFKC: ligatures, full-width forms
        for scalar in folded.unicodeScalars {
            switch scalar.value {
            case 0x2018, 0x2019, 0x201A, 0x201B, 0x2032, 0x00B4: out.append("'")
            case 0x201C, 0x201D, 0x201E, 0x201F, 0x2033, 0x00AB, 0x00BB: out.append("\"")
            case 0x2010, 0x2011, 0x2012, 0x2013, 0x2014, 0x2015, 0x2212: out.append("-")
            case 0x00A0, 0x2000...0x200A, 0x202F, 0x205F, 0x3000, 0x0009: out.append(" ")
            case 0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF, 0x00AD: continue  // zero-width, soft hyphen
            case 0x2022, 0x25CF, 0x25AA, 0x25E6, 0x2043: out.append("-")  // bullets
            case 0x0000...0x0008, 0x000B...0x001F, 0x007F: continue
            default: out.append(scalar)
            }
        }
        // Collapse runs of spaces.
        var result = ""
        result.reserveCapacity(out.count)
        var lastSpace = false
        for ch in String(out) {
            if ch == " " { if !lastSpace { result.append(ch) }; lastSpace = true } else { result.append(ch); lastSpace = false }
        }
        return result
    }

    // Line tests (PCRE2, compiled once). Case-sensitive, and (?-m): ^ and $ are the start and end of the line tested.
    static let parenLabel = try! Regex(#"(?-m)^\((?:[a-zA-Z]{1,2}|[ivxlcIVXLC]{1,6}|\d{1,3})\)\s"#, caseless: false)
    static let wordLabel = try! Regex(#"(?-m)^[A-Za-z]+\s+(?:[0-9]+(?:\.[0-9]+)*|[IVXLC]+|[A-Z])\b"#, caseless: false)
    static let numberedMarker = try! Regex(#"(?-m)^\d{1,3}(?:[.)]|(?:\.\d{1,3})+\.?)\s"#, caseless: false)
    static let numberedTight = try! Regex(#"(?-m)^\d{1,3}(?:\.\d{1,3})*\.["'A-Z]"#, caseless: false)
    static let tightMarker = try! Regex(#"(?-m)^\d{1,3}(?:\.\d{1,3})*\.(?=["'A-Z])"#, caseless: false)
    static let bareMarker = try! Regex(#"(?-m)^(?:\d{1,3}(?:\.\d{1,3})*\.|\d{1,3}(?:\.\d{1,3})+|\([a-zA-Z0-9]{1,5}\)|[A-Z]\.|[IVXL]{1,6}\.)$"#, caseless: false)
    static let parenNumber = try! Regex(#"(?-m)^\(\d{1,4}\)"#, caseless: false)
    static let regulationNumber = try! Regex(#"(?-m)^\d{1,3}(?:\.\d{1,4})+(?:\([a-z0-9]{1,4}\))*[.,;]?(?:\s|$)"#, caseless: false)
    static let headingLabel = try! Regex(#"(?-m)^(?:\d{1,3}(?:\.\d{1,3})*\.?|\([a-z0-9]{1,4}\)|[A-Z]\.|Section\s+[\d.]+|ARTICLE\s+[IVXLC\d]+)\s+"#, caseless: false)
    static let pageNumberKey = try! Regex(#"(?-m)^(?:page ?#(?: ?(?:of|/) ?#)?|[-\[(]? ?# ?[-\])]?|# ?(?:of|/) ?#)$"#, caseless: false)
    static let pageKey = try! Regex(#"(?-m)^page ?#(?: ?(?:of|/) ?#)?$"#, caseless: false)
    static let wrappedCitation = try! Regex(#"(?-m)^\d{1,3}(?:\.\d{1,3})+\s+[a-z(]"#, caseless: false)

    /// A line that starts a new block: list markers, numbered headings, Markdown headings.
    static func startsBlock(_ s: String) -> Bool {
        guard let first = s.first else { return false }
        if first == "#" || first == "-" || first == "*" || first == "|" || first == ">" { return true }
        if first == "(" { return parenLabel.matches(s) }
        if first.isNumber { return startsNumbered(s) }
        if s.hasPrefix("Section ") || s.hasPrefix("SECTION ") || s.hasPrefix("ARTICLE ") || s.hasPrefix("Article ") || s.hasPrefix("EXHIBIT") || s.hasPrefix("Exhibit ") || s.hasPrefix("ADDENDUM") || s.hasPrefix("SCHEDULE") || s.hasPrefix("APPENDIX") || s.hasPrefix("Schedule ") || s.hasPrefix("Appendix ") || s.hasPrefix("Attachment ") || s.hasPrefix("ATTACHMENT") {
            return wordLabel.matches(s)
        }
        // "A. " and "IV. ", checked by hand: this runs on every line.
        guard first.isUppercase, first.isASCII else { return false }
        var count = 0
        var allRoman = true
        for (i, ch) in s.enumerated() {
            if ch == "." {
                let next = s.dropFirst(i + 1).first
                guard next == nil || next?.isWhitespace == true else { return false }
                return count == 1 || (allRoman && count <= 5)
            }
            guard ch.isASCII, ch.isUppercase, count < 6 else { return false }
            if !"IVXL".contains(ch) { allRoman = false }
            count += 1
        }
        return false
    }

    /// "1. ", "1) ", "1.1 ", "4.2.1. ": a numbered marker (a bare "164 " is not one).
    static func startsNumbered(_ s: String) -> Bool {
        numberedMarker.matches(s) || numberedTight.matches(s)
    }

    /// "1.1.\"Breach\"" (a number column set tight against its text) -> "1.1. \"Breach\"".
    static func spacingMarker(_ s: String) -> String {
        guard let first = s.first, first.isNumber,
              let m = (try? tightMarker.firstMatch(in: s)) ?? nil else { return s }
        let end = s.utf8.index(s.utf8.startIndex, offsetBy: m.range.upperBound)
        return String(s[..<end]) + " " + String(s[end...])
    }

    /// A section or list marker alone on its line ("1.", "1.1.", "4.2", "(a)", "(iv)", "A.", "IV."), as
    /// PDFs set in a number column give them: it starts a paragraph and the next line is its text.
    static func isBareMarker(_ s: String) -> Bool {
        guard s.utf8.count <= 12, let first = s.first, first.isNumber || first == "(" || first.isUppercase else { return false }
        return bareMarker.matches(s)
    }

    /// Words after which a number is a cross-reference, not a new section ("under Section\n4.", "45 CFR\n164.524.").
    static let citationWords: Set<String> = ["section", "sections", "article", "articles", "paragraph", "paragraphs",
                                             "part", "parts", "clause", "clauses", "subsection", "subsections", "§", "§§", "and", "or", "to", "of", "in",
                                             "cfr", "c.f.r.", "c.f.r", "u.s.c.", "u.s.c", "usc"]

    /// Words after which "164.524" is a citation continued from the line before.
    static let regulationWords: Set<String> = ["cfr", "c.f.r.", "c.f.r", "u.s.c.", "u.s.c", "usc", "§", "§§", "part", "parts", "section", "sections"]

    static let numberWords: Set<String> = ["one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
                                           "twelve", "fifteen", "twenty", "thirty", "forty", "forty-five", "fifty", "sixty", "ninety",
                                           "twenty-four", "forty-eight", "seventy-two", "hundred"]

    /// Hard wraps that the block rules would otherwise split: "sixty\n(60) days", "45 CFR\n164.524 ...",
    /// and a last word in capitals ("... the use of\nPHI.").
    static func continuesWrappedSentence(previous: String, line: String) -> Bool {
        guard let last = previous.last, last.isLetter || last == "," else { return false }
        let lastWord = previous.split(separator: " ").last.map { $0.lowercased() } ?? ""
        if line.hasPrefix("("), numberWords.contains(lastWord), parenNumber.matches(line) { return true }
        if line.first?.isNumber == true, regulationWords.contains(lastWord),
           regulationNumber.matches(line) { return true }
        if !line.contains(" "), line.count <= 24, let end = line.last, ".,;:".contains(end), isStandaloneHeading(line) { return true }
        return false
    }

    /// True when a line is a heading on its own (all capitals, short): never join text onto it.
    static func isStandaloneHeading(_ s: String) -> Bool {
        guard s.utf8.count <= 360 else { return false }
        var letters = 0
        for scalar in s.unicodeScalars {
            if scalar.isASCII {
                let v = scalar.value
                if v >= 0x61 && v <= 0x7A { return false }
                if v >= 0x41 && v <= 0x5A { letters += 1 }
            } else if scalar.properties.isAlphabetic {
                if scalar.properties.isLowercase || !scalar.properties.isUppercase { return false }
                letters += 1
            }
        }
        return letters >= 3 && s.count <= 90
    }

    /// A short line in title case without closing punctuation ("Permitted Uses and Disclosures",
    /// "1. Definitions"): a heading when it is much shorter than the document's usual line.
    static func isTitleCaseHeading(_ s: String, typicalLength: Int) -> Bool {
        guard s.count < max(64, typicalLength * 6 / 10), let last = s.last, !",;:-".contains(last) else { return false }
        if last == "." && !startsNumbered(s) { return false }
        var body = Substring(s)
        if let first = s.first, first.isNumber || first == "(" || first == "S" || first == "A",
           let m = (try? headingLabel.firstMatch(in: s)) ?? nil {
            body = s[s.utf8.index(s.utf8.startIndex, offsetBy: m.range.upperBound)...]
        }
        let small: Set<String> = ["a", "an", "and", "as", "at", "by", "for", "in", "of", "on", "or", "the", "to", "with"]
        let words = body.split(separator: " ")
        guard !words.isEmpty, words.count <= 8, let firstWord = words.first,
              firstWord.trimming(where: { $0.properties.generalCategory.isPunctuation }).first?.isUppercase == true else { return false }
        for w in words {
            let word = w.trimming(where: { $0.properties.generalCategory.isPunctuation })
            if word.isEmpty || small.contains(word) { continue }
            guard let c = word.first, c.isUppercase || c.isNumber else { return false }
        }
        return true
    }

    // MARK: running headers, footers and page numbers

    /// True for an empty or all-whitespace line (ASCII checked byte by byte: this runs on every line).
    static func isBlank(_ s: String) -> Bool {
        for b in s.utf8 where b != 0x20 && b != 0x09 && b != 0x0D {
            if b < 0x80 { return false }
            return s.allSatisfy(\.isWhitespace)
        }
        return true
    }

    /// A line's identity across pages: characters normalized, case folded, digits as '#'.
    static func runningKey(_ s: String) -> String {
        // A running header, footer or page number is short (keys over 300 characters are dropped anyway): a long
        // line is not looked at character by character (a 7 MB one-line file spent a fifth of its time here).
        guard s.utf8.count <= 2_000 else { return "" }
        var key = ""
        var lastSpace = true
        for ch in normalizeCharacters(s).lowercased() {
            if ch.isWhitespace { if !lastSpace { key.append(" ") }; lastSpace = true; continue }
            lastSpace = false
            // A run of digits counts as one number so "Page 9" and "Page 10" agree.
            if ch.isNumber { if key.last != "#" { key.append("#") } } else { key.append(ch) }
        }
        while key.last == " " { key.removeLast() }
        return key
    }

    /// "3", "- 3 -", "Page 3", "Page 3 of 9", "3 / 9", "[3]": a page number alone on its line.
    static func isPageNumber(_ key: String) -> Bool {
        pageNumberKey.matches(key)
    }

    /// Indices of lines that are running headers, footers or page numbers: among the first and last
    /// six lines of a page, those that are a page number, or whose key repeats on at least half
    /// of the pages (and on two or more).
    static func runningLineIndices(_ lines: [RawLine]) -> Set<Int> {
        var byPage: [Int: [Int]] = [:]
        var order: [Int] = []
        for (i, l) in lines.enumerated() where !Normalizer.isBlank(l.text) {
            if byPage[l.page] == nil { order.append(l.page) }
            byPage[l.page, default: []].append(i)
        }
        guard order.count >= 2 else {
            // One page: only an explicit "Page 1" / "Page 1 of 1" as its first or last line.
            guard let page = order.first, let indices = byPage[page] else { return [] }
            return Set([indices.first, indices.last].compactMap { $0 }.filter {
                pageKey.matches(runningKey(lines[$0].text))
            })
        }
        let edge = 6
        var candidates: [(index: Int, key: String)] = []
        var pagesWithKey: [String: Set<Int>] = [:]
        for page in order {
            let indices = byPage[page] ?? []
            var picked = Set(indices.prefix(edge))
            picked.formUnion(indices.suffix(edge))
            for i in picked.sorted() {
                let key = runningKey(lines[i].text)
                guard !key.isEmpty, key.count <= 300 else { continue }
                candidates.append((i, key))
                pagesWithKey[key, default: []].insert(page)
            }
        }
        let threshold = max(2, (order.count + 1) / 2)
        var out = Set<Int>()
        for c in candidates {
            if isPageNumber(c.key) { out.insert(c.index); continue }
            // A repeated numbered heading ("Section 4", "ARTICLE II" at the top of pages) is body text.
            // So is a lone section number ("5.1" above its text): repeated lines must have letters.
            if (pagesWithKey[c.key]?.count ?? 0) >= threshold && c.key.contains(where: \.isLetter)
                && !startsBlock(normalizeCharacters(lines[c.index].text)) {
                out.insert(c.index)
            }
        }
        return out
    }

    /// The lines without running headers, footers and page numbers, and without empty lines at the
    /// start or end of a page (so a page break alone is never a paragraph break).
    static func removingRunningLines(_ lines: [RawLine]) -> [RawLine] {
        let drop = runningLineIndices(lines)
        var out: [RawLine] = []
        out.reserveCapacity(lines.count)
        var pageStart = 0
        func trimPage() {
            while out.count > pageStart, Normalizer.isBlank(out[out.count - 1].text) { out.removeLast() }
        }
        for (i, l) in lines.enumerated() where !drop.contains(i) {
            if let last = out.last, last.page != l.page { trimPage(); pageStart = out.count }
            let blank = Normalizer.isBlank(l.text)
            if blank && out.count == pageStart { continue }
            out.append(l)
        }
        trimPage()
        return out
    }

    /// Words that appear with a hyphen inside them ("third-party") in the document's own lines, and the
    /// plain words of the lines that have a hyphen (where a "thirdparty" spelling would also be).
    static func hyphenatedVocabulary(_ lines: [RawLine]) -> (hyphenated: Set<String>, plain: Set<String>) {
        var hyphenated = Set<String>(), plain = Set<String>()
        for l in lines where l.text.utf8.contains(0x2D) {
            for w in l.text.lowercased().split(whereSeparator: { !($0.isLetter || $0 == "-") }) {
                let word = w.trimming(charactersIn: "-")
                guard word.count > 3 else { continue }
                if word.contains("-") { hyphenated.insert(word) } else { plain.insert(word) }
            }
        }
        return (hyphenated, plain)
    }

    public func normalize(_ raw: RawDocument, path: String, sha256: String) -> Document {
        do { return try normalize(raw, path: path, sha256: sha256, budget: nil) } catch {
            // Unreachable: only a budget makes normalizing throw.
            return Document(path: path, format: raw.format, text: "", sha256: sha256)
        }
    }

    /// Normalizes within a time budget, checked every few thousand lines.
    public func normalize(_ raw: RawDocument, path: String, sha256: String, budget: TimeBudget?) throws(ExtractError) -> Document {
        budget?.note("\(DocumentLoader.extractedSummary(raw)), then normalizing")
        do { try budget?.check() } catch { throw ExtractError(path: path, error) }
        var text = ""
        var byteCount = 0
        var map = SourceMap()
        var paragraphOpen = false
        var previousLine = ""
        var previousPage = 0
        var markerOnly = false  // the open paragraph is only a section marker so far

        let lines = raw.linesAreParagraphs ? raw.lines : Normalizer.removingRunningLines(raw.lines)
        let needsVocabulary = !raw.linesAreParagraphs && lines.contains { $0.text.hasSuffix("-") }
        let vocabulary = needsVocabulary ? Normalizer.hyphenatedVocabulary(lines) : ([], [])
        var lengths = lines.compactMap { $0.text.isEmpty ? nil : $0.text.count }
        lengths.sort()
        let typical = lengths.isEmpty ? 80 : lengths[lengths.count * 3 / 4]

        func append(_ s: String) { text += s; byteCount += s.utf8.count }

        for (index, rawLine) in lines.enumerated() {
            if index & 4095 == 4095, let budget {
                budget.note("\(DocumentLoader.extractedSummary(raw)), then normalizing \(TimeBudget.count(index)) of \(TimeBudget.count(lines.count)) lines")
                do { try budget.check() } catch { throw ExtractError(path: path, error) }
            }
            var line = Normalizer.normalizeCharacters(rawLine.text).trimmingWhitespace()
            if !raw.linesAreParagraphs { line = Normalizer.spacingMarker(line) }
            let location = SourceLocation(page: rawLine.page, line: rawLine.line)
            if line.isEmpty {
                // A marker alone keeps its paragraph open across a gap: its text follows.
                if paragraphOpen && !(markerOnly && !raw.linesAreParagraphs) { append("\n"); paragraphOpen = false }
                continue
            }
            if paragraphOpen && !raw.linesAreParagraphs && markerOnly {
                // "1.1." then its text: one paragraph.
                append(" ")
                map.add(offset: byteCount, location)
                append(line)
                previousLine = line
                previousPage = rawLine.page
                markerOnly = Normalizer.isBareMarker(line)
                continue
            }
            if paragraphOpen {
                var join = !raw.linesAreParagraphs && !Normalizer.startsBlock(line)
                    && !Normalizer.isStandaloneHeading(previousLine) && !Normalizer.isStandaloneHeading(line)
                    && !previousLine.hasSuffix(":")
                    && !(Normalizer.isTitleCaseHeading(previousLine, typicalLength: typical) && line.first?.isLowercase != true)
                // A numbered marker after a line that ends mid-sentence is a wrapped citation ("Part\n164.504 ...").
                if !join, !raw.linesAreParagraphs, line.first?.isNumber == true, let last = previousLine.last, last.isLetter || last == ",",
                   !Normalizer.isStandaloneHeading(previousLine), !Normalizer.isTitleCaseHeading(previousLine, typicalLength: typical),
                   Normalizer.wrappedCitation.matches(line) {
                    join = true
                }
                if !join, !raw.linesAreParagraphs, Normalizer.continuesWrappedSentence(previous: previousLine, line: line) {
                    join = true
                }
                // A short line that ends a sentence ends its paragraph.
                if join, let last = previousLine.last, ".!?".contains(last), previousLine.count < typical * 6 / 10,
                   line.first?.isUppercase == true {
                    join = false
                }
                // Across a page break (header and footer gone), a finished sentence before a capital starts a paragraph.
                if join, rawLine.page != previousPage, let last = previousLine.last, ".;!?".contains(last), line.first?.isUppercase == true {
                    join = false
                }
                if join && Normalizer.isBareMarker(line) {
                    let lastWord = previousLine.split(separator: " ").last.map { $0.lowercased() } ?? ""
                    if !Normalizer.citationWords.contains(lastWord) { join = false }
                }
                if join {
                    if previousLine.hasSuffix("-"), previousLine.count >= 2,
                       previousLine.dropLast().last?.isLetter == true, line.first?.isLowercase == true {
                        // "sub-" + "contractors" -> "subcontractors"; keep the hyphen of a compound the
                        // document writes with one elsewhere ("third-" + "party").
                        let head = previousLine.dropLast().split(separator: " ").last.map { $0.lowercased() } ?? ""
                        let tail = line.split(separator: " ").first.map { $0.lowercased().trimming(where: { $0.properties.generalCategory.isPunctuation }) } ?? ""
                        let compound = head + "-" + tail
                        if !(vocabulary.0.contains(compound) && !vocabulary.1.contains(head + tail)) {
                            text.removeLast(); byteCount -= 1
                        }
                        map.add(offset: byteCount, location)
                        append(line)
                    } else {
                        append(" ")
                        map.add(offset: byteCount, location)
                        append(line)
                    }
                    previousLine = line
                    previousPage = rawLine.page
                    continue
                }
                append("\n")
            }
            map.add(offset: byteCount, location)
            append(line)
            paragraphOpen = true
            previousLine = line
            previousPage = rawLine.page
            markerOnly = Normalizer.isBareMarker(line)
        }
        if paragraphOpen { append("\n") }
        return Document(path: path, format: raw.format, text: text, pageCount: raw.pageCount, ocrPages: raw.ocrPages,
                        warnings: raw.warnings, sha256: sha256, sourceMap: map)
    }
}
