import Foundation
import BAAUtil

/// The formats the pipeline reads. Chosen by content (magic bytes), not only by extension.
public enum DocumentFormat: String, Codable, Sendable, CaseIterable {
    case text, markdown, pdf, docx, html
}

/// Where a byte of the normalized text came from in the original file.
public struct SourceLocation: Codable, Sendable, Equatable, Hashable {
    /// 1-based page (1 for formats without pages).
    public var page: Int
    /// 1-based line within that page of the extracted source.
    public var line: Int
    public init(page: Int, line: Int) { self.page = page; self.line = line }
}

/// Maps byte offsets in the normalized text back to page and line in the source.
/// Anchors are (offset in normalized text where a source line begins, its location), sorted by offset.
public struct SourceMap: Sendable, Equatable {
    public private(set) var offsets: [Int] = []
    public private(set) var locations: [SourceLocation] = []
    public init() {}

    /// Records that the source line `location` starts at `offset` of the normalized text.
    public mutating func add(offset: Int, _ location: SourceLocation) {
        if let last = offsets.last, offset < last { return }
        if offsets.last == offset { locations[locations.count - 1] = location; return }
        offsets.append(offset)
        locations.append(location)
    }

    /// The source location of the byte at `offset` (the last anchor at or before it).
    public func location(at offset: Int) -> SourceLocation {
        var lo = 0, hi = offsets.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if offsets[mid] <= offset { lo = mid + 1 } else { hi = mid }
        }
        return lo == 0 ? (locations.first ?? SourceLocation(page: 1, line: 1)) : locations[lo - 1]
    }
}

/// One line as an extractor saw it, before normalization.
public struct RawLine: Sendable, Equatable {
    public var text: String
    public var page: Int
    public var line: Int
    public init(text: String, page: Int, line: Int) { self.text = text; self.page = page; self.line = line }
}

/// What an extractor returns: lines with their source positions. An empty line is a paragraph break.
public struct RawDocument: Sendable {
    public var format: DocumentFormat
    public var lines: [RawLine]
    public var pageCount: Int
    /// Pages whose text came from OCR (1-based).
    public var ocrPages: [Int]
    public var warnings: [String]
    /// True when the lines are already one paragraph each (HTML, DOCX): no soft-wrap joining.
    public var linesAreParagraphs: Bool
    public init(format: DocumentFormat, lines: [RawLine], pageCount: Int = 1, ocrPages: [Int] = [],
                warnings: [String] = [], linesAreParagraphs: Bool = false) {
        self.format = format
        self.lines = lines
        self.pageCount = pageCount
        self.ocrPages = ocrPages
        self.warnings = warnings
        self.linesAreParagraphs = linesAreParagraphs
    }
}

/// A document ready for review: normalized text (one paragraph per line, "\n" between them)
/// and a map from every byte back to its page and line.
public struct Document: Sendable {
    public var path: String
    public var format: DocumentFormat
    public var text: String
    public var pageCount: Int
    public var ocrPages: [Int]
    public var warnings: [String]
    public var sha256: String
    public var sourceMap: SourceMap

    public init(path: String, format: DocumentFormat, text: String, pageCount: Int = 1, ocrPages: [Int] = [],
                warnings: [String] = [], sha256: String = "", sourceMap: SourceMap = SourceMap()) {
        self.path = path
        self.format = format
        self.text = text
        self.pageCount = pageCount
        self.ocrPages = ocrPages
        self.warnings = warnings
        self.sha256 = sha256
        self.sourceMap = sourceMap
    }

    /// A document from text already in memory (tests, stdin).
    public static func fromText(_ text: String, path: String = "<text>", format: DocumentFormat = .text) -> Document {
        let raw = TextExtractor.lines(of: text, format: format)
        return Normalizer().normalize(raw, path: path, sha256: SHA256.hex(Array(text.utf8)))
    }
}

/// An input problem: names the file and what is wrong, in one line.
public struct ExtractError: Error, CustomStringConvertible, Sendable, Equatable {
    public var path: String
    public var message: String
    public init(path: String, message: String) { self.path = path; self.message = message }
    /// One line even when the path holds a newline or other control characters (shown escaped).
    public var description: String { "\(ExtractError.displayPath(path)): \(message)" }

    /// The path with control characters escaped ("\n", "\t", "\u{1B}"), so a message stays one line.
    public static func displayPath(_ path: String) -> String { SafeIO.displayPath(path) }

    /// The error for a document that ran past its time budget.
    public init(path: String, _ over: OverBudget) { self.init(path: path, message: over.description) }
}

/// Options that reach every extractor, with the limits that keep hostile input from costing more
/// than it is worth (docs/hostile.md explains each, with its command-line option).
public struct ExtractOptions: Sendable {
    public enum TrackedChanges: String, Sendable, CaseIterable { case accept, reject, both }
    public var ocr: Bool = true
    public var trackedChanges: TrackedChanges = .accept
    /// Largest input file (--max-file-size); checked with stat before a byte is read.
    public var maxFileBytes: Int = 100 * 1024 * 1024
    /// Most pages in a PDF (--max-pages); checked before any page is read.
    public var maxPages: Int = 2000
    /// Most bytes of extracted text per document (--max-text-size); checked as the text grows.
    public var maxTextBytes: Int = 8 * 1024 * 1024
    /// Most paragraphs per document (--max-paragraphs): the review's memory grows with the paragraph count,
    /// so a small file of many tiny paragraphs is bounded here. Raw lines may be 4 times as many.
    public var maxParagraphs: Int = 50_000
    public var password: String?
    /// DOCX: most ZIP entries accepted (--max-docx-entries), and most bytes decompressed in total over the
    /// XML parts read (--max-docx-size); images and other media are never decompressed.
    public var maxArchiveEntries: Int = 10_000
    public var maxUncompressedBytes: Int = 64 * 1024 * 1024
    /// Seconds one document may take (--time-budget); nil for no budget. `DocumentLoader` starts a fresh
    /// `TimeBudget` per document unless `budget` is already set.
    public var timeBudgetSeconds: Double?
    /// The running budget of the document being read (set per document by `DocumentLoader`).
    public var budget: TimeBudget?
    public init() {}

    /// Throws when the document's budget has run out, naming what was done.
    func checkBudget(path: String) throws(ExtractError) {
        guard let budget else { return }
        do { try budget.check() } catch { throw ExtractError(path: path, error) }
    }

    /// Records progress on the document's budget ("extracting 12 of 40 pages").
    func note(_ done: @autoclosure () -> String) {
        budget?.note(done())
    }
}

/// One extractor per format: bytes in, raw lines out.
public protocol Extractor: Sendable {
    func extract(data: Data, path: String, options: ExtractOptions) throws(ExtractError) -> RawDocument
}
