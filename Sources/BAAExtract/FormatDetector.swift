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
        let url = URL(fileURLWithPath: path)
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
            throw ExtractError(path: path, message: "no such file")
        }
        if isDir.boolValue { throw ExtractError(path: path, message: "is a directory, not a document (use `baa batch` for folders)") }
        if let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size]) as? Int, size > options.maxFileBytes {
            throw ExtractError(path: path, message: "file is \(size) bytes, over the \(options.maxFileBytes)-byte limit (--max-file-size)")
        }
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw ExtractError(path: path, message: "cannot read: \((error as NSError).localizedDescription)")
        }
        return try load(data: data, path: path)
    }

    public func load(data: Data, path: String) throws(ExtractError) -> Document {
        if data.isEmpty { throw ExtractError(path: path, message: "empty file (0 bytes)") }
        guard let format = FormatDetector.detect(data, path: path) else {
            if data.starts(with: [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
                throw ExtractError(path: path, message: "legacy Word .doc or password-protected Office file: save it as DOCX or PDF")
            }
            throw ExtractError(path: path, message: "unknown format: binary content that is not PDF, DOCX, HTML or text")
        }
        guard let extractor = extractor(for: format) else {
            throw ExtractError(path: path, message: "\(format.rawValue) is not supported in this build")
        }
        let raw = try extractor.extract(data: data, path: path, options: options)
        var doc = Normalizer().normalize(raw, path: path, sha256: SHA256.hex([UInt8](data)))
        if doc.text.utf8.count > options.maxTextBytes {
            throw ExtractError(path: path, message: "extracted text is \(doc.text.utf8.count) bytes, over the \(options.maxTextBytes)-byte limit")
        }
        if doc.text.allSatisfy({ $0.isWhitespace }) {
            doc.warnings.append("no text could be extracted")
        }
        return doc
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
