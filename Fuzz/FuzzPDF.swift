// libFuzzer target: the PDF extractor (poppler-glib in process), OCR off. Built by tools/fuzz.sh.
import BAAExtract
import Foundation

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPDF(_ bytes: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let bytes else { return 0 }
    var options = ExtractOptions()
    options.ocr = false
    options.timeBudgetSeconds = 10
    // Through the loader, so the truncation check, the limits and the normalizer run too.
    _ = try? DocumentLoader(options: options).load(data: Data(bytes: bytes, count: size), path: "fuzz.pdf")
    return 0
}
