import CTesseract
import Foundation

/// tesseract's C API, loaded with dlopen at the first OCR'd page. Its OpenMP runtime (libgomp) reads
/// OMP_THREAD_LIMIT once, when it loads; loading it late lets us set the limit first (2 cores shared by an
/// OpenMP team make a page take about 8 s instead of 1.3 s). A limit the user set is respected.
struct TesseractAPI: @unchecked Sendable {
    typealias Create = @convention(c) () -> OpaquePointer?
    typealias Handle = @convention(c) (OpaquePointer?) -> Void
    typealias Init3 = @convention(c) (OpaquePointer?, UnsafePointer<CChar>?, UnsafePointer<CChar>?) -> Int32
    typealias SetPSM = @convention(c) (OpaquePointer?, TessPageSegMode) -> Void
    typealias SetImage = @convention(c) (OpaquePointer?, UnsafePointer<UInt8>?, Int32, Int32, Int32, Int32) -> Void
    typealias SetResolution = @convention(c) (OpaquePointer?, Int32) -> Void
    typealias GetText = @convention(c) (OpaquePointer?) -> UnsafeMutablePointer<CChar>?
    typealias DeleteText = @convention(c) (UnsafePointer<CChar>?) -> Void

    let create: Create, delete: Handle, end: Handle, clear: Handle, init3: Init3, setPageSegMode: SetPSM
    let setImage: SetImage, setSourceResolution: SetResolution, getUTF8Text: GetText, deleteText: DeleteText

    /// nil when libtesseract is not installed.
    static let shared: TesseractAPI? = {
        setenv("OMP_THREAD_LIMIT", "1", 0)
        guard let lib = dlopen("libtesseract.so.5", RTLD_NOW | RTLD_LOCAL) ?? dlopen("libtesseract.so", RTLD_NOW | RTLD_LOCAL) else { return nil }
        func sym<T>(_ name: String, _: T.Type) -> T? { dlsym(lib, name).map { unsafeBitCast($0, to: T.self) } }
        guard let create = sym("TessBaseAPICreate", Create.self), let delete = sym("TessBaseAPIDelete", Handle.self),
              let end = sym("TessBaseAPIEnd", Handle.self), let clear = sym("TessBaseAPIClear", Handle.self),
              let init3 = sym("TessBaseAPIInit3", Init3.self), let psm = sym("TessBaseAPISetPageSegMode", SetPSM.self),
              let image = sym("TessBaseAPISetImage", SetImage.self), let res = sym("TessBaseAPISetSourceResolution", SetResolution.self),
              let text = sym("TessBaseAPIGetUTF8Text", GetText.self), let del = sym("TessDeleteText", DeleteText.self) else { return nil }
        return TesseractAPI(create: create, delete: delete, end: end, clear: clear, init3: init3, setPageSegMode: psm,
                            setImage: image, setSourceResolution: res, getUTF8Text: text, deleteText: del)
    }()
}

/// Owns one tesseract engine (English, default tessdata path). One per document, used on one thread.
final class OCREngine {
    private let api: OpaquePointer
    private let tess: TesseractAPI

    init(path: String) throws(ExtractError) {
        guard let tess = TesseractAPI.shared else {
            throw ExtractError(path: path, message: "cannot load libtesseract for OCR (install libtesseract5 and tesseract-ocr-eng, or pass --no-ocr)")
        }
        self.tess = tess
        guard let api = tess.create() else {
            throw ExtractError(path: path, message: "cannot create the OCR engine")
        }
        if tess.init3(api, nil, "eng") != 0 {
            tess.delete(api)
            throw ExtractError(path: path, message: "tesseract English data not found (install tesseract-ocr-eng)")
        }
        tess.setPageSegMode(api, PSM_AUTO)
        self.api = api
    }

    deinit {
        tess.end(api)
        tess.delete(api)
    }

    /// The page's text, lines separated by "\n", paragraphs by an empty line.
    func recognize(_ image: GreyImage) -> String {
        image.pixels.withUnsafeBufferPointer { buffer in
            tess.setImage(api, buffer.baseAddress, Int32(image.width), Int32(image.height), 1, Int32(image.width))
        }
        tess.setSourceResolution(api, Int32(image.dpi))
        guard let cText = tess.getUTF8Text(api) else { return "" }
        defer { tess.deleteText(cText) }
        let text = String(cString: cText)
        tess.clear(api)
        return text
    }
}
