import Foundation

/// Chooses a format from the bytes first and the extension second.
public enum FormatDetector {
    public static func detect(_ data: Data, path: String) -> DocumentFormat? {
        let head = [UInt8](data.prefix(1024))
        if head.starts(with: Array("%PDF-".utf8)) { return .pdf }
        if head.starts(with: [0x50, 0x4B, 0x03, 0x04]) {
            return .docx  // a ZIP; the DOCX extractor checks for word/document.xml
        }
        let ext = (path as NSString).pathExtension.lowercased()
        if head.contains(0) && !(head.starts(with: [0xFF, 0xFE]) || head.starts(with: [0xFE, 0xFF])) { return nil }
        let prefix = String(decoding: head, as: UTF8.self).lowercased()
        let trimmed = prefix.drop(while: { $0.isWhitespace || $0 == "\u{FEFF}" })
        if trimmed.hasPrefix("<!doctype html") || trimmed.hasPrefix("<html") || ext == "html" || ext == "htm"
            || (trimmed.hasPrefix("<") && (prefix.contains("<body") || prefix.contains("<div") || prefix.contains("<p>") || prefix.contains("<head"))) {
            return .html
        }
        if ext == "md" || ext == "markdown" { return .markdown }
        return .text
    }
}

/// file -> Document: reads, detects the format, extracts, normalizes.
public struct DocumentLoader: Sendable {
    public var options: ExtractOptions
    public init(options: ExtractOptions = ExtractOptions()) { self.options = options }

    /// The extractor for a format. Formats whose extractor is not built yet are an error.
    public func extractor(for format: DocumentFormat) -> (any Extractor)? {
        switch format {
        case .text, .markdown: return TextExtractor(format: format)
        default: return ExtractorRegistry.extractor(for: format)
        }
    }

    public func load(path: String) throws(ExtractError) -> Document {
        var st = stat()
        guard RawPath.statPath(path, &st) == 0 else {
            let e = errno
            if e == ENOENT { throw ExtractError(path: path, message: RawPath.lstatPath(path, &st) == 0 ? "broken symbolic link" : "no such file") }
            if e == ELOOP { throw ExtractError(path: path, message: "symbolic link loop") }
            throw ExtractError(path: path, message: "cannot read: \(String(cString: strerror(e)))")
        }
        switch st.st_mode & S_IFMT {
        case S_IFREG: break
        case S_IFDIR: throw ExtractError(path: path, message: "is a directory, not a document (use `baa batch` for folders)")
        case S_IFIFO: throw ExtractError(path: path, message: "not a regular file (named pipe)")
        case S_IFCHR, S_IFBLK: throw ExtractError(path: path, message: "not a regular file (device)")
        case S_IFSOCK: throw ExtractError(path: path, message: "not a regular file (socket)")
        default: throw ExtractError(path: path, message: "not a regular file")
        }
        let size = Int(st.st_size)
        if size > options.maxFileBytes {
            throw ExtractError(path: path, message: DocumentLoader.overLimit("file is", size, options.maxFileBytes, "--max-file-size"))
        }
        // Read at most one byte past the limit: a file that grows after the stat is still refused.
        let data: Data
        do { data = try RawPath.read(path, limit: options.maxFileBytes) } catch {
            throw ExtractError(path: path, message: "cannot read: \((error as? IOFailure)?.reason ?? "\(error)")")
        }
        if data.count > options.maxFileBytes {
            throw ExtractError(path: path, message: "file grew past the \(TimeBudget.count(options.maxFileBytes))-byte limit while being read (--max-file-size)")
        }
        return try load(data: data, path: path)
    }

    /// "file is 209,715,200 bytes, over the 104,857,600-byte limit (--max-file-size)".
    static func overLimit(_ what: String, _ value: Int, _ limit: Int, _ option: String) -> String {
        "\(what) \(TimeBudget.count(value)) bytes, over the \(TimeBudget.count(limit))-byte limit (\(option))"
    }

    /// `sha256`: the bytes' hex SHA-256 when the caller has it already (a batch hashes a file once, for its cache
    /// key, and passes it here), so a file is hashed once per review.
    public func load(data: Data, path: String, sha256 known: String? = nil) throws(ExtractError) -> Document {
        var options = self.options
        if options.budget == nil, let seconds = options.timeBudgetSeconds, seconds > 0 {
            options.budget = TimeBudget(seconds: seconds)
        }
        if data.isEmpty { throw ExtractError(path: path, message: "empty file (0 bytes)") }
        if data.count > options.maxFileBytes {
            throw ExtractError(path: path, message: DocumentLoader.overLimit("file is", data.count, options.maxFileBytes, "--max-file-size"))
        }
        guard let format = FormatDetector.detect(data, path: path) else {
            if data.starts(with: [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
                throw ExtractError(path: path, message: "legacy Word .doc or password-protected Office file: save it as DOCX or PDF")
            }
            let ext = (path as NSString).pathExtension.lowercased()
            let named = ext == "pdf" ? "named .pdf but has no %PDF- header; " : ext == "docx" ? "named .docx but is not a ZIP archive; " : ""
            throw ExtractError(path: path, message: "unknown format: \(named)binary content that is not PDF, DOCX, HTML or text")
        }
        // Text is its own size (give or take an encoding); HTML's tree costs several times its size.
        if [.text, .markdown, .html].contains(format), data.count > options.maxTextBytes {
            throw ExtractError(path: path, message: DocumentLoader.overLimit("\(format.rawValue) file is", data.count, options.maxTextBytes, "--max-text-size"))
        }
        guard let extractor = extractor(for: format) else {
            throw ExtractError(path: path, message: "\(format.rawValue) is not supported in this build")
        }
        // Hashed before extracting, so the hash's copies of the bytes are freed before poppler makes its own.
        let sha256 = known ?? SHA256.hex(data)
        options.note("reading the \(format == .docx ? "DOCX" : format.rawValue.uppercased()) file")
        let raw = try extractor.extract(data: data, path: path, options: options)
        try options.checkBudget(path: path)
        if raw.lines.count > options.maxParagraphs * 4 {
            throw ExtractError(path: path, message: DocumentLoader.tooManyParagraphs(options, lines: raw.lines.count))
        }
        var doc = try Normalizer().normalize(raw, path: path, sha256: sha256, budget: options.budget)
        let paragraphs = doc.text.utf8.reduce(0) { $1 == 0x0A ? $0 + 1 : $0 }
        if paragraphs > options.maxParagraphs {
            throw ExtractError(path: path, message: "document has \(TimeBudget.count(paragraphs)) paragraphs, over the \(TimeBudget.count(options.maxParagraphs))-paragraph limit (--max-paragraphs)")
        }
        if doc.text.utf8.count > options.maxTextBytes {
            throw ExtractError(path: path, message: DocumentLoader.overLimit("extracted text is", doc.text.utf8.count, options.maxTextBytes, "--max-text-size"))
        }
        if doc.text.allSatisfy({ $0.isWhitespace }) {
            doc.warnings.append("no text could be extracted")
        }
        options.note(DocumentLoader.extractedSummary(raw))
        return doc
    }

    /// "document has 250,000 lines, over 4 times the 50,000-paragraph limit (--max-paragraphs)".
    static func tooManyParagraphs(_ options: ExtractOptions, lines: Int? = nil) -> String {
        let count = lines.map { TimeBudget.count($0) } ?? "more than \(TimeBudget.count(options.maxParagraphs * 4))"
        return "document has \(count) lines, over 4 times the \(TimeBudget.count(options.maxParagraphs))-paragraph limit (--max-paragraphs)"
    }

    /// What extraction did, phrased to follow "after": "extracting all 12 pages".
    static func extractedSummary(_ raw: RawDocument) -> String {
        raw.pageCount > 1 ? "extracting all \(TimeBudget.count(raw.pageCount)) pages" : "extracting the text"
    }
}

/// Where format extractors other than text register (PDF, DOCX, HTML live in their own files).
public enum ExtractorRegistry {
    public static func extractor(for format: DocumentFormat) -> (any Extractor)? {
        switch format {
        case .text, .markdown: return TextExtractor(format: format)
        case .pdf: return PDFExtractor()
        case .docx: return DOCXExtractor()
        case .html: return HTMLExtractor()
        }
    }
}
