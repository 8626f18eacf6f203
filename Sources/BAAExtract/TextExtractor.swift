import Foundation

/// Plain text and Markdown: UTF-8, UTF-16 with a BOM, or Windows-1252 (detected, with a warning).
public struct TextExtractor: Extractor {
    public let format: DocumentFormat
    public init(format: DocumentFormat = .text) { self.format = format }

    public func extract(data: Data, path: String, options: ExtractOptions) throws(ExtractError) -> RawDocument {
        let (text, warning) = try TextExtractor.decode(data, path: path)
        // Count non-blank lines before building any: a file of many tiny lines is refused while it is cheap.
        var nonBlank = 0
        var previous: UInt8 = 0x0A
        for b in text.utf8 {
            if (previous == 0x0A || previous == 0x0D) && b != 0x0A && b != 0x0D { nonBlank += 1 }
            previous = b
        }
        if nonBlank > options.maxParagraphs * 4 {
            throw ExtractError(path: path, message: DocumentLoader.tooManyParagraphs(options, lines: nonBlank))
        }
        var raw = TextExtractor.lines(of: text, format: format)
        if let warning { raw.warnings.append(warning) }
        return raw
    }

    /// Decodes bytes by BOM, then UTF-8, then Windows-1252.
    public static func decode(_ data: Data, path: String) throws(ExtractError) -> (String, String?) {
        let bytes = [UInt8](data)
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) {
            guard let s = String(validating: bytes.dropFirst(3), as: UTF8.self) else {
                let at = TextExtractor.firstInvalidUTF8(bytes, from: 3) ?? 3
                throw ExtractError(path: path, message: "invalid UTF-8 at byte \(TimeBudget.count(at)) after a UTF-8 byte-order mark")
            }
            return (s, nil)
        }
        if bytes.starts(with: [0xFF, 0xFE]) || bytes.starts(with: [0xFE, 0xFF]) {
            let little = bytes[0] == 0xFF
            guard (bytes.count - 2) % 2 == 0 else { throw ExtractError(path: path, message: "truncated UTF-16 text (odd byte count)") }
            return (decodeUTF16(bytes.dropFirst(2), littleEndian: little), "decoded as UTF-16 (\(little ? "little" : "big")-endian, byte-order mark)")
        }
        if let s = String(validating: bytes, as: UTF8.self) { return (s, nil) }
        // Not UTF-8: Windows-1252 if no byte is undefined there, else an error.
        let undefined: Set<UInt8> = [0x81, 0x8D, 0x8F, 0x90, 0x9D]
        if let bad = bytes.firstIndex(where: { undefined.contains($0) || $0 == 0 }) {
            let at = TextExtractor.firstInvalidUTF8(bytes, from: 0) ?? 0
            throw ExtractError(path: path, message: "not text: invalid UTF-8 at byte \(TimeBudget.count(at)), and byte \(TimeBudget.count(bad)) (0x\(String(format: "%02X", bytes[bad]))) is not Windows-1252 text")
        }
        guard let s = String(data: data, encoding: .windowsCP1252) else {
            throw ExtractError(path: path, message: "not text: invalid UTF-8 and not Windows-1252")
        }
        return (s, "decoded as Windows-1252 (not valid UTF-8)")
    }

    /// The offset of the first byte that does not start or continue a valid UTF-8 sequence, or nil.
    static func firstInvalidUTF8(_ bytes: [UInt8], from start: Int) -> Int? {
        var i = start
        while i < bytes.count {
            let b = bytes[i]
            let length: Int
            var low: UInt8 = 0x80, high: UInt8 = 0xBF
            switch b {
            case 0x00...0x7F: i += 1; continue
            case 0xC2...0xDF: length = 2
            case 0xE0: length = 3; low = 0xA0
            case 0xE1...0xEC, 0xEE...0xEF: length = 3
            case 0xED: length = 3; high = 0x9F
            case 0xF0: length = 4; low = 0x90
            case 0xF1...0xF3: length = 4
            case 0xF4: length = 4; high = 0x8F
            default: return i
            }
            guard i + length <= bytes.count else { return i }
            if bytes[i + 1] < low || bytes[i + 1] > high { return i }
            for j in 2..<length where bytes[i + j] & 0xC0 != 0x80 { return i }
            i += length
        }
        return nil
    }

    /// UTF-16 code units from byte pairs (a trailing odd byte is ignored).
    static func decodeUTF16(_ bytes: ArraySlice<UInt8>, littleEndian: Bool) -> String {
        var units: [UInt16] = []
        units.reserveCapacity(bytes.count / 2)
        var i = bytes.startIndex
        while i + 1 < bytes.endIndex {
            let a = UInt16(bytes[i]), b = UInt16(bytes[i + 1])
            units.append(littleEndian ? a | b << 8 : a << 8 | b)
            i += 2
        }
        return String(decoding: units, as: UTF16.self)
    }

    /// Splits decoded text into raw lines (page 1; form feeds start a new page).
    public static func lines(of text: String, format: DocumentFormat) -> RawDocument {
        var out: [RawLine] = []
        var page = 1, line = 0
        var pages = 1
        for piece in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" }) {
            var s = Substring(piece)
            while let ff = s.firstIndex(of: "\u{0C}") {
                let before = s[..<ff]
                if !before.isEmpty { line += 1; out.append(RawLine(text: String(before), page: page, line: line)) }
                page += 1; pages = page; line = 0
                s = s[s.index(after: ff)...]
            }
            line += 1
            // A run of blank lines is one paragraph break: keeping one bounds the line count of a file of newlines.
            if s.isEmpty, let last = out.last, last.text.isEmpty, last.page == page { continue }
            out.append(RawLine(text: String(s), page: page, line: line))
        }
        return RawDocument(format: format, lines: out, pageCount: pages)
    }
}
