import CPoppler
import Foundation

/// PDF through poppler-glib (loaded at the first PDF, see `PopplerAPI`), in process, page by page.
/// Lines keep poppler's reading order (two columns come out left then right); lines in the top and
/// bottom margins are moved to the start and end of their page so running headers and footers sit
/// where the normalizer looks for them, and a vertical gap wider than the line pitch becomes an empty
/// line (a paragraph break). Pages with no text layer are OCR'd (see `OCREngine`).
public struct PDFExtractor: Extractor {
    /// Resolution for rendering pages without a text layer before OCR.
    public var ocrDPI: Double = 200
    public init() {}

    public func extract(data: Data, path: String, options: ExtractOptions) throws(ExtractError) -> RawDocument {
        if let problem = PDFExtractor.truncation(data) { throw ExtractError(path: path, message: problem) }
        guard let api = PopplerAPI.shared else { throw ExtractError(path: path, message: PopplerAPI.unavailable) }
        options.note("opening the PDF")
        let document = try PopplerDocumentHandle.open(api: api, data: data, path: path, password: options.password)
        let pageCount = Int(api.documentGetNPages(document.pointer))
        if pageCount <= 0 { throw ExtractError(path: path, message: "corrupt PDF: no pages (damaged or looping page tree)") }
        if pageCount > options.maxPages {
            throw ExtractError(path: path, message: "PDF has \(TimeBudget.count(pageCount)) pages, over the \(TimeBudget.count(options.maxPages))-page limit (--max-pages)")
        }
        let total = TimeBudget.count(pageCount)
        options.note("opening the PDF (\(total) pages), extracting none")
        var lines: [RawLine] = []
        var ocrPages: [Int] = []
        var warnings: [String] = []
        var ocr: OCREngine?
        var ocrUnavailable: String?
        var textBytes = 0
        var unreadable = 0
        for index in 0..<pageCount {
            let pageNumber = index + 1
            if index > 0 {
                options.note("extracting \(TimeBudget.count(index)) of \(total) pages")
                try options.checkBudget(path: path)
            }
            if lines.count > options.maxParagraphs * 4 {
                throw ExtractError(path: path, message: DocumentLoader.tooManyParagraphs(options) + " at page \(TimeBudget.count(index)) of \(total)")
            }
            if textBytes > options.maxTextBytes {
                throw ExtractError(path: path, message: "extracted text passes the \(TimeBudget.count(options.maxTextBytes))-byte limit at page \(TimeBudget.count(index)) of \(total) (--max-text-size)")
            }
            guard let page = PopplerPageHandle(document: document, index: index) else {
                unreadable += 1
                warnings.append("page \(pageNumber) could not be read (damaged page object)")
                continue
            }
            let pageLines = PDFExtractor.layoutLines(page: page)
            if pageLines.contains(where: { !$0.text.allSatisfy(\.isWhitespace) }) {
                for l in pageLines { textBytes += l.text.utf8.count + 1 }
                lines.append(contentsOf: PDFExtractor.arrange(pageLines, pageHeight: page.height, page: pageNumber))
                continue
            }
            // No text layer on this page.
            guard options.ocr else {
                warnings.append("page \(pageNumber) has no text layer (OCR is off): its text is missing")
                continue
            }
            if ocrUnavailable == nil && ocr == nil {
                do throws(ExtractError) { ocr = try OCREngine(path: path) } catch { ocrUnavailable = error.message }
            }
            guard let engine = ocr else {
                warnings.append("page \(pageNumber) has no text layer and OCR is unavailable (\(ocrUnavailable ?? "unknown")): its text is missing")
                continue
            }
            guard let image = page.renderGrey(dpi: ocrDPI) else {
                warnings.append("page \(pageNumber) has no text layer and could not be rendered for OCR")
                continue
            }
            let text = engine.recognize(image)
            textBytes += text.utf8.count
            var lineNumber = 0
            var sawText = false
            for piece in text.split(separator: "\n", omittingEmptySubsequences: false) {
                lineNumber += 1
                let s = String(piece)
                if s.allSatisfy(\.isWhitespace) {
                    if sawText { lines.append(RawLine(text: "", page: pageNumber, line: lineNumber)) }
                    continue
                }
                sawText = true
                lines.append(RawLine(text: s, page: pageNumber, line: lineNumber))
            }
            ocrPages.append(pageNumber)
            warnings.append("page \(pageNumber) was OCR'd: check its evidence by eye")
        }
        if unreadable == pageCount {
            throw ExtractError(path: path, message: "corrupt PDF: none of its \(total) page\(pageCount == 1 ? "" : "s") could be read (damaged or looping page tree)")
        }
        return RawDocument(format: .pdf, lines: lines, pageCount: pageCount, ocrPages: ocrPages, warnings: warnings)
    }

    /// Why a PDF is cut short, or nil: a whole file ends with "%%EOF" (and perhaps some padding).
    /// A file cut in transfer loses it, while poppler may still rebuild an xref and read a part of it.
    static func truncation(_ data: Data) -> String? {
        let marker = Array("%%EOF".utf8)
        let tailLength = min(data.count, 1024)
        let tail = [UInt8](data.suffix(tailLength))
        if tail.count >= marker.count {
            for i in stride(from: tail.count - marker.count, through: 0, by: -1) where tail[i] == 0x25 && Array(tail[i..<i + marker.count]) == marker {
                return nil
            }
        }
        // Not in the last KB: accept a marker followed only by padding (NULs, whitespace).
        if let r = data.range(of: Data(marker), options: .backwards),
           data[r.upperBound...].allSatisfy({ $0 == 0 || $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 || $0 == 0x0C }) {
            return nil
        }
        return "truncated PDF: the file ends after \(TimeBudget.count(data.count)) bytes without the %%EOF marker (cut short in transfer?)"
    }

    /// One line of a page as poppler orders it, with its box (points from the top of the page).
    struct LayoutLine {
        var text: String
        var line: Int
        var top: Double
        var bottom: Double
        var hasBox: Bool
    }

    /// The page's text split into lines, each with the box of its characters when poppler gives a layout.
    static func layoutLines(page: PopplerPageHandle) -> [LayoutLine] {
        let api = page.api
        guard let cText = api.pageGetText(page.pointer) else { return [] }
        defer { api.free(cText) }
        let text = String(cString: cText)
        var rects: UnsafeMutablePointer<PopplerRectangle>?
        var count: UInt32 = 0
        let haveLayout = api.pageGetTextLayout(page.pointer, &rects, &count) != 0
        defer { if let rects { api.free(rects) } }
        let scalars = Array(text.unicodeScalars)
        // The layout has one rectangle per character of the text; if not, use no boxes at all.
        let boxes: UnsafeMutablePointer<PopplerRectangle>? = (haveLayout && Int(count) == scalars.count) ? rects : nil

        var out: [LayoutLine] = []
        var current = String.UnicodeScalarView()
        var top = Double.infinity, bottom = -Double.infinity
        func flush() {
            let box = top.isFinite
            out.append(LayoutLine(text: String(current), line: out.count + 1, top: box ? top : 0, bottom: box ? bottom : 0, hasBox: box))
            current = String.UnicodeScalarView()
            top = .infinity; bottom = -.infinity
        }
        for (i, scalar) in scalars.enumerated() {
            if scalar == "\n" { flush(); continue }
            current.append(scalar)
            if let boxes, scalar != " " {
                let r = boxes[i]
                top = min(top, min(r.y1, r.y2))
                bottom = max(bottom, max(r.y1, r.y2))
            }
        }
        if !current.isEmpty { flush() }
        return out
    }

    /// Orders a page's lines (top-margin lines, body, bottom-margin lines) and marks paragraph gaps.
    static func arrange(_ lines: [LayoutLine], pageHeight: Double, page: Int) -> [RawLine] {
        let nonEmpty = lines.filter { !$0.text.allSatisfy(\.isWhitespace) }
        guard nonEmpty.allSatisfy(\.hasBox), pageHeight > 0 else {
            return nonEmpty.map { RawLine(text: $0.text, page: page, line: $0.line) }
        }
        let topBand = pageHeight * 0.085, bottomBand = pageHeight * 0.915
        let head = nonEmpty.filter { $0.bottom <= topBand }
        let foot = nonEmpty.filter { $0.top >= bottomBand }
        let body = nonEmpty.filter { $0.bottom > topBand && $0.top < bottomBand }

        // The usual distance from one line to the next: the median of positive, plausible steps.
        var steps: [Double] = []
        for (a, b) in zip(body, body.dropFirst()) {
            let step = b.top - a.top
            let height = max(1, a.bottom - a.top)
            if step > height * 0.5 && step < height * 4 { steps.append(step) }
        }
        steps.sort()
        let pitch = steps.isEmpty ? 0 : steps[steps.count / 2]

        var out: [RawLine] = []
        for l in head { out.append(RawLine(text: l.text, page: page, line: l.line)) }
        if !head.isEmpty { out.append(RawLine(text: "", page: page, line: head[head.count - 1].line)) }
        var previous: LayoutLine?
        for l in body {
            if let p = previous, pitch > 0 {
                let step = l.top - p.top
                if step > pitch * 1.45 { out.append(RawLine(text: "", page: page, line: p.line)) }
            }
            out.append(RawLine(text: l.text, page: page, line: l.line))
            previous = l
        }
        if !foot.isEmpty, !out.isEmpty { out.append(RawLine(text: "", page: page, line: foot[0].line)) }
        for l in foot { out.append(RawLine(text: l.text, page: page, line: l.line)) }
        return out
    }
}

/// Owns a PopplerDocument (and the GBytes it reads from).
final class PopplerDocumentHandle {
    let pointer: OpaquePointer
    let api: PopplerAPI
    private let bytes: OpaquePointer

    private init(api: PopplerAPI, pointer: OpaquePointer, bytes: OpaquePointer) { self.api = api; self.pointer = pointer; self.bytes = bytes }
    deinit {
        api.objectUnref(UnsafeMutableRawPointer(pointer))
        api.bytesUnref(bytes)
    }

    static func open(api: PopplerAPI, data: Data, path: String, password: String?) throws(ExtractError) -> PopplerDocumentHandle {
        _ = globalParamsKeeper
        return try make(api: api, data: data, path: path, password: password)
    }

    /// poppler-glib builds its GlobalParams (font tables and fontconfig lookups, CMap and Unicode maps) when the first
    /// PopplerDocument is made and frees them when the last one is freed (GlobalParamsIniter's count), so documents
    /// read one after another rebuilt them for every file (6% of a real PDF's time in a batch, issue 17). An empty
    /// one-page PDF opened at the first PDF and held for the process keeps the count above zero: built once.
    nonisolated(unsafe) private static let globalParamsKeeper: PopplerDocumentHandle? = {
        guard let api = PopplerAPI.shared else { return nil }
        let pdf = "%PDF-1.4\n1 0 obj\n<</Type/Catalog/Pages 2 0 R>>\nendobj\n2 0 obj\n<</Type/Pages/Kids[3 0 R]/Count 1>>\nendobj\n"
            + "3 0 obj\n<</Type/Page/Parent 2 0 R/MediaBox[0 0 1 1]>>\nendobj\nxref\n0 4\n0000000000 65535 f \n0000000009 00000 n \n"
            + "0000000054 00000 n \n0000000105 00000 n \ntrailer\n<</Size 4/Root 1 0 R>>\nstartxref\n166\n%%EOF\n"
        return try? make(api: api, data: Data(pdf.utf8), path: "(poppler keep-alive)", password: nil)
    }()

    private static func make(api: PopplerAPI, data: Data, path: String, password: String?) throws(ExtractError) -> PopplerDocumentHandle {
        guard let bytes = data.withUnsafeBytes({ api.bytesNew($0.baseAddress, $0.count) }) else {
            throw ExtractError(path: path, message: "cannot allocate memory for the PDF")
        }
        var error: UnsafeMutablePointer<GError>?
        // Through a GMemoryInputStream over the same bytes, not poppler_document_new_from_bytes: poppler-glib
        // 22.12's from_bytes and from_data crash (NULL dereference in PDFDoc::PDFDoc) when a password is given
        // and is wrong, on the retry with the stream's copy. Found by the hostile suite's encrypted.pdf.
        let stream = api.memoryInputStreamFromBytes(bytes)
        let document = api.documentNewFromStream(stream, Int64(data.count), password, nil, &error)
        if let stream { api.objectUnref(UnsafeMutableRawPointer(stream)) }
        guard let document else {
            api.bytesUnref(bytes)
            var code: Int32 = -1
            var detail = "unreadable"
            if let error {
                code = error.pointee.code
                if let m = error.pointee.message { detail = String(cString: m) }
                api.errorFree(error)
            }
            if code == BAA_POPPLER_ERROR_ENCRYPTED {
                throw ExtractError(path: path, message: password == nil
                    ? "encrypted PDF (give --password)"
                    : "encrypted PDF: the password given does not open it")
            }
            throw ExtractError(path: path, message: "corrupt or truncated PDF: \(detail)")
        }
        if let error { api.errorFree(error) }
        return PopplerDocumentHandle(api: api, pointer: document, bytes: bytes)
    }
}

/// Owns one PopplerPage; keeps its document alive.
final class PopplerPageHandle {
    let pointer: OpaquePointer
    let document: PopplerDocumentHandle
    let width: Double
    let height: Double
    var api: PopplerAPI { document.api }

    init?(document: PopplerDocumentHandle, index: Int) {
        let api = document.api
        guard let page = api.documentGetPage(document.pointer, Int32(index)) else { return nil }
        self.pointer = page
        self.document = document
        var w = 0.0, h = 0.0
        api.pageGetSize(page, &w, &h)
        self.width = w
        self.height = h
    }
    deinit { api.objectUnref(UnsafeMutableRawPointer(pointer)) }

    /// Renders the page on white to an 8-bit grey image.
    func renderGrey(dpi: Double) -> GreyImage? {
        let scale = dpi / 72
        let w = Int((width * scale).rounded(.up)), h = Int((height * scale).rounded(.up))
        guard w > 0, h > 0, w < 20_000, h < 20_000 else { return nil }
        guard let surface = CairoSurfaceHandle(api: api, width: w, height: h), let cr = CairoContextHandle(surface: surface) else { return nil }
        api.setSourceRGB(cr.pointer, 1, 1, 1)
        api.paint(cr.pointer)
        api.scale(cr.pointer, scale, scale)
        api.pageRender(pointer, cr.pointer)
        api.surfaceFlush(surface.pointer)
        guard let pixels = api.imageSurfaceGetData(surface.pointer) else { return nil }
        let stride = Int(api.imageSurfaceGetStride(surface.pointer))
        var grey = [UInt8](repeating: 255, count: w * h)
        for y in 0..<h {
            let row = pixels + y * stride
            for x in 0..<w {
                // CAIRO_FORMAT_RGB24 is a native-endian 32-bit word: B, G, R, X in memory on little-endian.
                let p = row + x * 4
                let value = (Int(p[2]) * 299 + Int(p[1]) * 587 + Int(p[0]) * 114) / 1000
                grey[y * w + x] = UInt8(truncatingIfNeeded: value)
            }
        }
        return GreyImage(width: w, height: h, pixels: grey, dpi: Int(dpi))
    }
}

/// An 8-bit grey raster, one byte per pixel, rows without padding.
struct GreyImage {
    var width: Int
    var height: Int
    var pixels: [UInt8]
    var dpi: Int
}

final class CairoSurfaceHandle {
    let pointer: OpaquePointer
    let api: PopplerAPI
    init?(api: PopplerAPI, width: Int, height: Int) {
        guard let s = api.imageSurfaceCreate(BAA_CAIRO_FORMAT_RGB24, Int32(width), Int32(height)) else { return nil }
        if api.surfaceStatus(s) != BAA_CAIRO_STATUS_SUCCESS { api.surfaceDestroy(s); return nil }
        pointer = s
        self.api = api
    }
    deinit { api.surfaceDestroy(pointer) }
}

final class CairoContextHandle {
    let pointer: OpaquePointer
    let surface: CairoSurfaceHandle
    init?(surface: CairoSurfaceHandle) {
        let api = surface.api
        guard let c = api.create(surface.pointer) else { return nil }
        if api.status(c) != BAA_CAIRO_STATUS_SUCCESS { api.destroy(c); return nil }
        pointer = c
        self.surface = surface
    }
    deinit { surface.api.destroy(pointer) }
}
