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
    let data = Data(bytes: bytes, count: size)
    do { _ = try DocumentLoader(options: options).load(data: data, path: "fuzz.pdf") } catch {
        // Encrypted: again with a (wrong) password, the path where poppler-glib's from_bytes crashed.
        if error.message.hasPrefix("encrypted") {
            options.password = "fuzz"
            _ = try? DocumentLoader(options: options).load(data: data, path: "fuzz.pdf")
        }
    }
    return 0
}
