import Foundation

/// Cleans extracted lines into review text, one paragraph per line, keeping a source map.
/// Characters: NFKC, curly quotes and dashes to ASCII, non-breaking and zero-width spaces.
/// Lines: soft wraps joined, words hyphenated across a line end re-joined.
public struct Normalizer: Sendable {
    public init() {}

    /// Normalizes one line's characters (no line structure changes).
    public static func normalizeCharacters(_ s: String) -> String {
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

    /// A line that starts a new block: list markers, numbered headings, Markdown headings.
    static func startsBlock(_ s: String) -> Bool {
        guard let first = s.first else { return false }
        if first == "#" || first == "-" || first == "*" || first == "|" || first == ">" { return true }
        if first == "(" { return s.range(of: #"^\((?:[a-zA-Z]{1,2}|[ivxlcIVXLC]{1,6}|\d{1,3})\)\s"#, options: .regularExpression) != nil }
        // "1." "2)" "1.1" "4.2.1" start items; a bare "10 business days" after a hard wrap does not.
        if first.isNumber { return s.range(of: #"^(?:\d{1,3}[.)]|\d{1,3}(?:\.\d{1,3})+\.?)\s"#, options: .regularExpression) != nil }
        if s.hasPrefix("Section ") || s.hasPrefix("SECTION ") || s.hasPrefix("ARTICLE ") || s.hasPrefix("Article ") || s.hasPrefix("EXHIBIT") || s.hasPrefix("Exhibit ") || s.hasPrefix("ADDENDUM") || s.hasPrefix("SCHEDULE") || s.hasPrefix("APPENDIX") { return true }
        if s.range(of: #"^[A-Z]\.\s"#, options: .regularExpression) != nil { return true }
        if s.range(of: #"^[IVXL]{1,5}\.\s"#, options: .regularExpression) != nil { return true }
        return false
    }

    /// True when a line is a heading on its own (all capitals, short): never join text onto it.
    static func isStandaloneHeading(_ s: String) -> Bool {
        let letters = s.filter { $0.isLetter }
        guard letters.count >= 4, s.count <= 90 else { return false }
        return letters.allSatisfy { $0.isUppercase }
    }

    public func normalize(_ raw: RawDocument, path: String, sha256: String) -> Document {
        var text = ""
        var byteCount = 0
        var map = SourceMap()
        var paragraphOpen = false
        var previousLine = ""

        func append(_ s: String) { text += s; byteCount += s.utf8.count }

        for rawLine in raw.lines {
            let line = Normalizer.normalizeCharacters(rawLine.text).trimmingCharacters(in: .whitespaces)
            let location = SourceLocation(page: rawLine.page, line: rawLine.line)
            if line.isEmpty {
                if paragraphOpen { append("\n"); paragraphOpen = false }
                continue
            }
            if paragraphOpen {
                let join = !raw.linesAreParagraphs && !Normalizer.startsBlock(line)
                    && !Normalizer.isStandaloneHeading(previousLine) && !Normalizer.isStandaloneHeading(line)
                    && !previousLine.hasSuffix(":")
                if join {
                    // De-hyphenate "sub-" + "contractors"; keep "non-" + "Covered" style compounds.
                    if previousLine.hasSuffix("-"), previousLine.count >= 2,
                       previousLine.dropLast().last?.isLetter == true, line.first?.isLowercase == true {
                        text.removeLast(); byteCount -= 1
                        map.add(offset: byteCount, location)
                        append(line)
                    } else {
                        append(" ")
                        map.add(offset: byteCount, location)
                        append(line)
                    }
                    previousLine = line
                    continue
                }
                append("\n")
            }
            map.add(offset: byteCount, location)
            append(line)
            paragraphOpen = true
            previousLine = line
        }
        if paragraphOpen { append("\n") }
        return Document(path: path, format: raw.format, text: text, pageCount: raw.pageCount, ocrPages: raw.ocrPages,
                        warnings: raw.warnings, sha256: sha256, sourceMap: map)
    }
}
