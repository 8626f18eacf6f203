import CTesseract
import Foundation

/// Owns one tesseract engine (English, default tessdata path). One per document, used on one thread.
final class OCREngine {
    private let api: OpaquePointer

    init(path: String) throws(ExtractError) {
        // Without a thread limit, OpenMP threads fight over the cores (13 s a page instead of 2 s).
        // libgomp reads the variable when it loads, so `make test` and the CLI also set it up front.
        setenv("OMP_THREAD_LIMIT", "1", 1)
        guard let api = TessBaseAPICreate() else {
            throw ExtractError(path: path, message: "cannot create the OCR engine")
        }
        if TessBaseAPIInit3(api, nil, "eng") != 0 {
            TessBaseAPIDelete(api)
            throw ExtractError(path: path, message: "tesseract English data not found (install tesseract-ocr-eng)")
        }
        TessBaseAPISetPageSegMode(api, PSM_AUTO)
        self.api = api
    }

    deinit {
        TessBaseAPIEnd(api)
        TessBaseAPIDelete(api)
    }

    /// The page's text, lines separated by "\n", paragraphs by an empty line.
    func recognize(_ image: GreyImage) -> String {
        image.pixels.withUnsafeBufferPointer { buffer in
            TessBaseAPISetImage(api, buffer.baseAddress, Int32(image.width), Int32(image.height), 1, Int32(image.width))
        }
        TessBaseAPISetSourceResolution(api, Int32(image.dpi))
        guard let cText = TessBaseAPIGetUTF8Text(api) else { return "" }
        defer { TessDeleteText(cText) }
        let text = String(cString: cText)
        TessBaseAPIClear(api)
        return text
    }
}

/// OpenMP (linked by tesseract) reads OMP_THREAD_LIMIT once, when the process loads, so setting it
/// later in process has no effect: without it an OCR'd page takes about 8 s instead of 1.3 s on two cores.
/// The command line calls this first thing: when the variable is unset it sets it to 1 and re-executes
/// the same binary with the same arguments (Linux; elsewhere, or if exec fails, it returns and runs on).
public enum OCRThreadLimit {
    public static func relaunchIfNeeded() {
        #if os(Linux)
        guard getenv("OMP_THREAD_LIMIT") == nil else { return }
        setenv("OMP_THREAD_LIMIT", "1", 1)
        execv("/proc/self/exe", CommandLine.unsafeArgv)
        #endif
    }
}
