// libFuzzer target: the DOCX extractor (ZIPFoundation + FoundationXML SAX). Built by tools/fuzz.sh.
import BAAExtract
import Foundation

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzDOCX(_ bytes: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let bytes else { return 0 }
    var options = ExtractOptions()
    options.timeBudgetSeconds = 10
    let data = Data(bytes: bytes, count: size)
    // Straight to the extractor (the loader would send non-ZIP bytes elsewhere), then the loader.
    _ = try? DOCXExtractor().extract(data: data, path: "fuzz.docx", options: options)
    _ = try? DocumentLoader(options: options).load(data: data, path: "fuzz.docx")
    return 0
}
